"""The change-password page, open to every signed-in user."""
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render

from core.audit import audit_log
from core.models import AuditEvent
from core.passwords import mark_set_by_user, password_change_reason, password_max_age_days


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
            messages.success(request, "密码已修改。")
            return redirect("home")
        audit_log(AuditEvent.Type.PASSWORD_CHANGE, request=request, obj=request.user,
                  outcome=AuditEvent.Outcome.FAILURE, detail="修改密码未通过校验")
    return render(request, "registration/password_change.html", {"form": form, "reason": reason,
                                                                 "max_age_days": password_max_age_days()})
