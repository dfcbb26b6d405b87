"""Deploy checks of the security model (`manage.py check --deploy`)."""
from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def superuser_still_usable(app_configs=None, **kwargs):
    """Warn while the bootstrap superuser can still log in after the three administrators
    exist. A fresh database (no tables, no users) is the bootstrap: nothing to warn about."""
    if getattr(settings, "SUPERUSER_DISABLED", False):
        return []
    from django.contrib.auth import get_user_model

    from core.roles import ADMIN_ROLES

    User = get_user_model()
    try:
        if not User.objects.filter(is_superuser=True, is_active=True).exists():
            return []
        held = set(User.objects.filter(is_active=True, groups__name__in=ADMIN_ROLES)
                   .values_list("groups__name", flat=True))
    except DatabaseError:
        return []
    if held >= set(ADMIN_ROLES):
        return [Warning(
            "系统管理员、安全管理员、审计管理员均已设立，但超级用户仍可登录。",
            hint="设置环境变量 SUPERUSER_DISABLED=true 停用超级用户（三权分立，GB/T 22239-2019 8.1.5）。",
            id="dandang.W001",
        )]
    return []
