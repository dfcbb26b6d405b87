"""Account security checks that run on every request of a signed-in user."""
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

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


class SessionLimitMiddleware:
    """Ends a session past its absolute lifetime or replaced by a newer login of the same
    user, and says why on the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib.auth import logout

        from core.audit import audit_log
        from core.models import AuditEvent
        from core.sessions import end_reason

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = end_reason(request)
            if reason:
                audit_log(AuditEvent.Type.SESSION_EXPIRED, request=request, detail=reason)
                logout(request)
                messages.warning(request, reason)
                return redirect(reverse("login"))
        return self.get_response(request)
