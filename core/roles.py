"""Roles are Django groups; these are their names and what each may do in the registry."""
from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    CADRE_SECTION = "组织部干部科", "组织部干部科"
    SUPERVISION_SECTION = "组织部干部监督科", "组织部干部监督科"
    DISCIPLINE_OFFICER = "纪检监察", "纪检监察干部"
    LEADER = "部门领导", "部门领导"
    ADMIN = "系统管理员", "系统管理员"
    SECURITY_ADMIN = "安全管理员", "安全管理员"
    AUDIT_ADMIN = "审计管理员", "审计管理员"


STAFF_ROLES = {Role.CADRE_SECTION, Role.SUPERVISION_SECTION}
# 三权分立 (GB/T 22239-2019 8.1.5): the three administrators. Each holds no other role at all,
# so none of them reads case contents, reporter identities or confidential notes.
ADMIN_ROLES = {Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}


def roles_of(user) -> set[str]:
    """The user's role names, cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True))
    return user._role_names


def superuser_disabled() -> bool:
    """The Django superuser is for bootstrap only: SUPERUSER_DISABLED turns it off in production
    (core.checks warns while it is still usable once the three administrators exist)."""
    return bool(getattr(settings, "SUPERUSER_DISABLED", False))


def is_admin(user) -> bool:
    """The bootstrap superuser, who sees everything until SUPERUSER_DISABLED. The 系统管理员 role
    no longer does: it manages accounts, units and reference data, never case contents."""
    return user.is_authenticated and user.is_superuser and not superuser_disabled()


def is_system_admin(user) -> bool:
    return Role.ADMIN in roles_of(user)


def is_security_admin(user) -> bool:
    return Role.SECURITY_ADMIN in roles_of(user)


def is_audit_admin(user) -> bool:
    return Role.AUDIT_ADMIN in roles_of(user)


def is_administrator(user) -> bool:
    """Holds one of the three administrator roles (not the bootstrap superuser)."""
    return bool(roles_of(user) & ADMIN_ROLES)


def can_grant(user) -> bool:
    """Grants roles, jurisdictions and assignments: the 安全管理员, or the bootstrap superuser
    while it is enabled (to create the first three administrators)."""
    return is_security_admin(user) or is_admin(user)


def can_read_audit(user) -> bool:
    return is_audit_admin(user)


def is_staff_member(user) -> bool:
    """Organization-department staff (干部科 / 监督科)."""
    return bool(roles_of(user) & STAFF_ROLES)


def is_leader(user) -> bool:
    return Role.LEADER in roles_of(user)


def is_discipline_officer(user) -> bool:
    return Role.DISCIPLINE_OFFICER in roles_of(user)


def can_view_registry(user) -> bool:
    return is_admin(user) or is_staff_member(user) or is_leader(user)


def can_edit_registry(user) -> bool:
    return is_admin(user) or is_staff_member(user)
