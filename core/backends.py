"""The bootstrap superuser's lock-out (SUPERUSER_DISABLED)."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import PermissionDenied

from core import roles


class SuperuserLockoutBackend(BaseBackend):
    """Listed before ModelBackend: once SUPERUSER_DISABLED is set, a superuser's login is refused
    outright (PermissionDenied stops every later backend; the failure is audited)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and roles.superuser_disabled():
            User = get_user_model()
            if User._default_manager.filter(**{User.USERNAME_FIELD: username}, is_superuser=True).exists():
                raise PermissionDenied("超级用户已停用")
