"""Account security checks that run on every request: a second factor and a current
password before anything else (8.1.4.1 身份鉴别), session expiry in the audit trail and
administrators kept to their own pages (8.1.4.3 安全审计, 8.1.5 三权分立)."""
from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from core import roles
from core.audit import audit_log
from core.models import AuditEvent
from core.passwords import password_change_reason

# Pages a user with a password to change may still reach.
PASSWORD_EXEMPT_URL_NAMES = ("password_change", "logout", "healthz", "otp_setup", "otp_verify")


class PasswordPolicyMiddleware:
    """A password set by an administrator or past its maximum age must be changed before
    anything else: every other page redirects to the change page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._exempt(request):
            reason = password_change_reason(user, request.session)
            if reason:
                messages.warning(request, reason)
                return redirect(reverse("password_change"))
        return self.get_response(request)

    @staticmethod
    def _exempt(request):
        path = request.path_info
        if path.startswith(("/static/",)):
            return True
        return any(path == reverse(name) for name in PASSWORD_EXEMPT_URL_NAMES)


SECOND_FACTOR_EXEMPT_URL_NAMES = ("otp_setup", "otp_verify", "logout", "healthz")


class SecondFactorMiddleware:
    """A user who must use a second factor reaches nothing but enrolment (first login) or
    the code page (every login) until the session is verified. After django_otp's
    OTPMiddleware, which sets request.user.is_verified()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core.second_factor import confirmed_totp, second_factor_required

        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not user.is_verified()
                and not request.path_info.startswith("/static/")
                and not any(request.path_info == reverse(n) for n in SECOND_FACTOR_EXEMPT_URL_NAMES)
                and second_factor_required(user)):
            target = "otp_verify" if confirmed_totp(user) else "otp_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


# Business modules: case contents, allegations, reporters, care notes, assessments and the registry.
BUSINESS_NAMESPACES = {"cadres", "tolerance", "care", "assessment"}


class AdministratorScopeMiddleware:
    """三权分立 in one place for every page: the three administrators (系统管理员, 安全管理员,
    审计管理员) never open a business module, whatever a view's own check would say. They work
    in the admin site (系统管理员), the grant pages (安全管理员) and the audit pages (审计管理员)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match and match.namespaces and match.namespaces[0] in BUSINESS_NAMESPACES \
                and roles.is_administrator(request.user):
            raise PermissionDenied("管理员不能查看业务数据（三权分立）。")


class SessionPolicyMiddleware:
    """Every session rule in one place (core.sessions, from the security policy), and each end
    of a session recorded once as 会话过期 in the audit trail:
    - a signed-in session past its idle timeout, past its absolute lifetime, or replaced by a
      newer login of the same user ends here, and the login page says why;
    - a cookie of a session the server has already dropped (past SESSION_COOKIE_AGE, the
      idle bound) whose row still names a user records the expiry, then the row is removed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from django.contrib.auth import logout

            from core.sessions import end_reason

            reason = end_reason(request)
            if reason:
                audit_log(AuditEvent.Type.SESSION_EXPIRED, request=request, detail=reason)
                logout(request)
                messages.warning(request, reason)
                return redirect(reverse("login"))
        else:
            self._record_dropped_session(request)
        return self.get_response(request)

    @staticmethod
    def _record_dropped_session(request):
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not key or not settings.SESSION_ENGINE.endswith(".db"):
            return
        row = Session.objects.filter(session_key=key, expire_date__lte=timezone.now()).first()
        if row is None:
            return
        user_id = row.get_decoded().get("_auth_user_id")
        if user_id:
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(pk=user_id).first()
            audit_log(AuditEvent.Type.SESSION_EXPIRED, user=user, request=request, detail="闲置超时，会话已结束")
        row.delete()
