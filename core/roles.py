"""Roles are Django groups; these are their names and what each may do in the registry."""
from django.db import models


class Role(models.TextChoices):
    CADRE_SECTION = "组织部干部科", "组织部干部科"
    SUPERVISION_SECTION = "组织部干部监督科", "组织部干部监督科"
    DISCIPLINE_OFFICER = "纪检监察", "纪检监察干部"
    LEADER = "部门领导", "部门领导"
    ADMIN = "系统管理员", "系统管理员"


STAFF_ROLES = {Role.CADRE_SECTION, Role.SUPERVISION_SECTION}


def roles_of(user) -> set[str]:
    """The user's role names, cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True))
    return user._role_names


def is_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or Role.ADMIN in roles_of(user))


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
