"""Account pages open to every signed-in user: change password, second-factor enrolment and verification."""
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import second_factor
from core.audit import audit_log
from core.models import AuditEvent
from core.passwords import (
    mark_set_by_user,
    password_change_reason,
    password_max_age_days,
    password_policy_forget,
)


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form with Chinese labels; the new password counts as chosen by the user."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "当前密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password2"].label = "再次输入新密码"
        self.error_messages = {**self.error_messages,
                               "password_incorrect": "当前密码不正确，请重新输入。",
                               "password_mismatch": "两次输入的新密码不一致。"}

    def save(self, commit=True):
        mark_set_by_user(self.user)
        return super().save(commit=commit)


@login_required
def password_change(request):
    reason = password_change_reason(request.user)
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                user = form.save()
                audit_log(AuditEvent.Type.PASSWORD_CHANGE, request=request, obj=user, detail="用户修改本人密码")
            update_session_auth_hash(request, user)
            password_policy_forget(request.session)
            messages.success(request, "密码已修改。")
            return redirect("home")
        audit_log(AuditEvent.Type.PASSWORD_CHANGE, request=request, obj=request.user,
                  outcome=AuditEvent.Outcome.FAILURE, detail="修改密码未通过校验")
    return render(request, "registration/password_change.html", {"form": form, "reason": reason,
                                                                 "max_age_days": password_max_age_days()})


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("home")


@login_required
def otp_setup(request):
    """Enrolment: scan the QR code (or type the key) into an authenticator app, confirm with
    one code; recovery codes are then shown once."""
    if not second_factor.second_factor_allowed(request.user):
        messages.info(request, "按本系统安全策略，您的账号不需要也不能自愿启用双因素认证。")
        return redirect("home")
    if second_factor.confirmed_totp(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('otp_verify')}?next={_next_url(request)}")
    device = second_factor.pending_totp(request.user)
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip()
        with transaction.atomic():
            # The pending device, locked: a second post of the same code (a double click)
            # waits for the first and finds the device bound, instead of binding it again
            # and showing recovery codes that the first post has already replaced.
            locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk).first()
            if locked is None or locked.confirmed:
                messages.info(request, "身份验证器已绑定，恢复码只在绑定时显示一次（此表单刚才已经提交）。")
                return redirect(_next_url(request))
            device = locked
            verified = device.verify_token(token)
            if verified:
                TOTPDevice.objects.filter(user=request.user, confirmed=True).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = second_factor.recovery_codes_issue(request.user)
                audit_log(AuditEvent.Type.SECOND_FACTOR, request=request, detail="绑定身份验证器（TOTP）并生成恢复码")
        if verified:
            otp_login(request, device)
            return render(request, "registration/otp_recovery_codes.html", {"codes": codes,
                                                                            "next": _next_url(request)})
        error = "验证码不正确，请核对手机上的时间后重新输入当前的 6 位验证码。"
        audit_log(AuditEvent.Type.SECOND_FACTOR, request=request, outcome=AuditEvent.Outcome.FAILURE,
                  detail="绑定身份验证器：验证码错误")
    return render(request, "registration/otp_setup.html", {
        "qr": second_factor.qr_data_uri(device.config_url), "secret": second_factor.secret_base32(device),
        "error": error, "next": _next_url(request)})


@login_required
def otp_verify(request):
    """The code from the authenticator app, or one recovery code (used up)."""
    if not second_factor.confirmed_totp(request.user):
        return redirect(f"{reverse('otp_setup')}?next={_next_url(request)}")
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").replace(" ", "").strip()
        device = match_token(request.user, token) if token else None
        if device is not None:
            otp_login(request, device)
            recovery = isinstance(device, StaticDevice)
            audit_log(AuditEvent.Type.SECOND_FACTOR, request=request,
                      detail="使用恢复码通过双因素认证" if recovery else "通过双因素认证")
            if recovery:
                messages.warning(request, f"已使用一个恢复码，剩余 {device.token_set.count()} 个。")
            return redirect(_next_url(request))
        error = "验证码不正确或已使用，请重新输入。"
        audit_log(AuditEvent.Type.SECOND_FACTOR, request=request, outcome=AuditEvent.Outcome.FAILURE,
                  detail="双因素认证失败")
    return render(request, "registration/otp_verify.html", {"error": error, "next": _next_url(request)})
