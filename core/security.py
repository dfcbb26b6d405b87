"""Grants (授权) and their refusals: the only way roles, jurisdictions and case or allegation
assignments are given or taken (GB/T 22239-2019 8.1.5 三权分立).

- Only the 安全管理员 grants (or the bootstrap superuser while it is enabled, to create the
  first administrators).
- Nobody grants himself anything.
- The three administrator roles exclude each other and every business role.
- Each grant and revocation is an audit event written in the same transaction."""
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from cadres import services as cadre_services
from core import roles
from core.audit import audit_log
from core.errors import DomainError
from core.models import AuditEvent


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _require_granter(by, user) -> None:
    """Also locks the account until the transaction ends: two grants to one account (a double
    click, two administrators) run one after the other, so each sees what the other did."""
    if not roles.can_grant(by):
        raise DomainError("只有安全管理员可以授权。")
    if by.pk == user.pk:
        raise DomainError("不能给自己授权或撤销自己的授权。")
    type(user).objects.select_for_update().filter(pk=user.pk).first()


def _holds_jurisdiction(user, unit) -> bool:
    """Granted on this very unit (not inherited from a parent: that one is revoked there)."""
    from cadres.models import UnitUserObjectPermission

    return UnitUserObjectPermission.objects.filter(user=user, permission__codename="manage_unit",
                                                   content_object=unit).exists()


def role_conflict(current: set[str], adding: set[str]) -> str | None:
    """Why holding `current` and `adding` together is refused, or None."""
    together = set(current) | set(adding)
    admin_roles = together & roles.ADMIN_ROLES
    if len(admin_roles) > 1:
        return f"系统管理员、安全管理员、审计管理员三权分立，不能兼任（{'、'.join(sorted(admin_roles))}）。"
    if admin_roles and together - roles.ADMIN_ROLES:
        return "管理员不能兼任业务角色（三权分立：管理员不接触案件内容）。"
    return None


@transaction.atomic
def role_grant(*, by, user, role: str, request=None) -> None:
    _require_granter(by, user)
    current = set(user.groups.values_list("name", flat=True))
    if role in current:
        raise DomainError(f"{_name(user)} 已是{role}。")
    conflict = role_conflict(current, {role})
    if conflict:
        raise DomainError(conflict)
    user.groups.add(Group.objects.get(name=role))
    if role == roles.Role.ADMIN and not user.is_staff:
        user.is_staff = True  # the 系统管理员 works in the admin site
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_role_names", None)
    audit_log(AuditEvent.Type.GRANT, user=by, request=request, obj=user, detail=f"授予角色：{role}")


@transaction.atomic
def role_revoke(*, by, user, role: str, request=None) -> None:
    _require_granter(by, user)
    group = Group.objects.get(name=role)
    if not user.groups.filter(pk=group.pk).exists():
        raise DomainError(f"{_name(user)} 没有{role}角色。")
    user.groups.remove(group)
    if role == roles.Role.ADMIN and user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_role_names", None)
    audit_log(AuditEvent.Type.REVOKE, user=by, request=request, obj=user, detail=f"撤销角色：{role}")


@transaction.atomic
def jurisdiction_grant(*, by, user, unit, request=None) -> None:
    _require_granter(by, user)
    if roles.is_administrator(user):
        raise DomainError("管理员不能被授予管辖范围（三权分立：管理员不接触案件内容）。")
    if _holds_jurisdiction(user, unit):
        raise DomainError(f"{_name(user)} 已有{unit}的管辖范围。")
    cadre_services.jurisdiction_grant(user=user, unit=unit)
    audit_log(AuditEvent.Type.GRANT, user=by, request=request, obj=user, detail=f"授予管辖范围：{unit}")


@transaction.atomic
def jurisdiction_revoke(*, by, user, unit, request=None) -> None:
    _require_granter(by, user)
    if not _holds_jurisdiction(user, unit):
        raise DomainError(f"{_name(user)} 没有{unit}的管辖范围。")
    cadre_services.jurisdiction_revoke(user=user, unit=unit)
    audit_log(AuditEvent.Type.REVOKE, user=by, request=request, obj=user, detail=f"撤销管辖范围：{unit}")


def assignment_granted(*, by, users, obj, what: str) -> None:
    """Called by a workflow service in its transaction when it assigns people to a case or an
    allegation (an object permission): refuses a self-assignment, records one GRANT each."""
    users = list(users)
    if any(u.pk == by.pk for u in users):
        raise DomainError(f"不能指定本人为{what}：授权须由他人作出。")
    for user in users:
        audit_log(AuditEvent.Type.GRANT, user=by, obj=obj, detail=f"指定{what}：{_name(user)}（{user.get_username()}）")


@receiver(m2m_changed, sender=Group.user_set.through, dispatch_uid="role_exclusivity")
def _role_exclusivity(sender, instance, action, reverse, pk_set, **kwargs):
    """Model-level guard: whatever the path (admin form, shell, fixture), the roles of one user
    never mix an administrator role with another role."""
    if action != "pre_add" or not pk_set:
        return
    if reverse:  # group.user_set.add(users)
        group_names = {instance.name}
        users = instance.user_set.model.objects.filter(pk__in=pk_set)
    else:  # user.groups.add(groups)
        group_names = set(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        users = [instance]
    for user in users:
        conflict = role_conflict(set(user.groups.values_list("name", flat=True)), group_names)
        if conflict:
            raise DomainError(conflict)
