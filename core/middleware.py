"""Account security checks that run on every request of a signed-in user."""
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from core.passwords import password_change_reason

# Pages a user with a password to change may still reach.
PASSWORD_EXEMPT_URL_NAMES = ("password_change", "logout", "healthz")


class PasswordPolicyMiddleware:
    """A password set by an administrator or past its maximum age must be changed before
    anything else: every other page redirects to the change page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._exempt(request):
            reason = password_change_reason(user)
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
