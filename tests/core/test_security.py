"""三权分立 (GB/T 22239-2019 8.1.5): the three administrators, grants and their refusals, the
admin site's policy and the superuser's lock-out."""
import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from cadres.models import Unit
from core import roles, security
from core.checks import superuser_still_usable
from core.errors import DomainError
from core.models import AuditEvent
from core.passwords import mark_set_by_user
from core.roles import Role
from tests.conftest import client_for
from tests.factories import UserFactory
from tolerance.models import CaseEvent, ReporterIdentity, ToleranceCase


def events(event_type):
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("id"))


# --- grants -------------------------------------------------------------------------------

def test_the_security_admin_grants_a_role_and_both_grant_and_revocation_are_audited(world):
    secadmin, newcomer = world.users["secadmin"], UserFactory(username="newcomer")
    security.role_grant(by=secadmin, user=newcomer, role=Role.CADRE_SECTION)
    assert roles.is_staff_member(newcomer)
    security.role_revoke(by=secadmin, user=newcomer, role=Role.CADRE_SECTION)
    newcomer.__dict__.pop("_role_names", None)
    assert not roles.is_staff_member(newcomer)
    grant, revoke = events(AuditEvent.Type.GRANT)[-1], events(AuditEvent.Type.REVOKE)[-1]
    assert (grant.username, grant.object_id, grant.detail) == ("secadmin", str(newcomer.pk), "授予角色：组织部干部科")
    assert revoke.detail == "撤销角色：组织部干部科"


@pytest.mark.parametrize("granter", ["sysadmin", "auditor", "staff_a", "leader"])
def test_nobody_but_the_security_admin_grants(world, granter):
    with pytest.raises(DomainError, match="只有安全管理员可以授权"):
        security.role_grant(by=world.users[granter], user=world.users["officer_unassigned"], role=Role.LEADER)
    with pytest.raises(DomainError, match="只有安全管理员可以授权"):
        security.jurisdiction_grant(by=world.users[granter], user=world.users["staff_b"], unit=world.unit_a)


def test_nobody_grants_himself_anything(world):
    secadmin = world.users["secadmin"]
    with pytest.raises(DomainError, match="不能给自己授权"):
        security.role_grant(by=secadmin, user=secadmin, role=Role.LEADER)
    with pytest.raises(DomainError, match="不能给自己授权"):
        security.role_revoke(by=secadmin, user=secadmin, role=Role.SECURITY_ADMIN)
    with pytest.raises(DomainError, match="不能给自己授权"):
        security.jurisdiction_grant(by=world.users["admin"], user=world.users["admin"], unit=world.city)
    assert not events(AuditEvent.Type.GRANT)


def test_the_bootstrap_superuser_creates_the_administrators_until_it_is_disabled(world, settings):
    someone = UserFactory(username="someone")
    security.role_grant(by=world.users["admin"], user=someone, role=Role.ADMIN)
    someone.refresh_from_db()
    assert someone.is_staff  # the 系统管理员 works in the admin site
    settings.SUPERUSER_DISABLED = True
    with pytest.raises(DomainError, match="只有安全管理员可以授权"):
        security.role_revoke(by=world.users["admin"], user=someone, role=Role.ADMIN)


@pytest.mark.parametrize("holder,role", [("sysadmin", Role.SECURITY_ADMIN), ("secadmin", Role.AUDIT_ADMIN),
                                         ("auditor", Role.ADMIN), ("auditor", Role.CADRE_SECTION),
                                         ("staff_a", Role.AUDIT_ADMIN), ("leader", Role.ADMIN)])
def test_an_administrator_role_is_never_held_with_another_role(world, holder, role):
    granter = world.users["secadmin"] if holder != "secadmin" else UserFactory(role=Role.SECURITY_ADMIN)
    with pytest.raises(DomainError, match="三权分立"):
        security.role_grant(by=granter, user=world.users[holder], role=role)
    # The model-level guard refuses every other path too (admin form, shell).
    with pytest.raises(DomainError, match="三权分立"), transaction.atomic():
        world.users[holder].groups.add(Group.objects.get(name=role))
    with pytest.raises(DomainError, match="三权分立"), transaction.atomic():
        Group.objects.get(name=role).user_set.add(world.users[holder])


def test_administrators_are_never_given_a_jurisdiction(world):
    with pytest.raises(DomainError, match="管理员不能被授予管辖范围"):
        security.jurisdiction_grant(by=world.users["secadmin"], user=world.users["sysadmin"], unit=world.city)


def test_a_jurisdiction_grant_goes_through_the_service_and_is_audited(world):
    from cadres.selectors import managed_unit_roots

    security.jurisdiction_grant(by=world.users["secadmin"], user=world.users["staff_b"], unit=world.unit_a)
    assert world.unit_a in managed_unit_roots(world.users["staff_b"])
    security.jurisdiction_revoke(by=world.users["secadmin"], user=world.users["staff_b"], unit=world.unit_a)
    assert world.unit_a not in managed_unit_roots(world.users["staff_b"])
    assert [e.detail for e in events(AuditEvent.Type.GRANT)] == ["授予管辖范围：清河县"]
    assert [e.detail for e in events(AuditEvent.Type.REVOKE)] == ["撤销管辖范围：清河县"]


def test_a_workflow_assignment_refuses_the_assigner_himself_and_audits_each_grant(world):
    from tests.tolerance.builders import load_policy, receive_allegation, verifying_allegation, walk_case
    from tolerance import allegation_services
    from tolerance.models import Stage

    load_policy(world)
    case = walk_case(world, Stage.INVESTIGATION)
    grant = events(AuditEvent.Type.GRANT)[-1]
    assert (grant.username, grant.object_id) == ("staff_a", str(case.pk))
    assert grant.detail.startswith("指定承办人：") and "officer_assigned" in grant.detail
    allegation = verifying_allegation(world)
    assert events(AuditEvent.Type.GRANT)[-1].object_id == str(allegation.pk)
    staff = world.users["staff_a"]
    another = receive_allegation(world, issue="另一问题")
    with pytest.raises(DomainError, match="不能指定本人为核查人"):
        allegation_services.allegation_assign(allegation=another, by=staff, verifiers=[staff],
                                              deadline=another.received_on)


def test_the_grant_pages_are_the_security_admins(client, world):
    secadmin = client_for(client, world.users["secadmin"])
    page = secadmin.get(reverse("security_users"), {"q": "staff"})
    assert page.status_code == 200 and "staff_a" in page.content.decode()
    response = secadmin.post(reverse("security_grant", args=[world.users["officer_unassigned"].pk, "role_grant"]),
                             {"role": Role.LEADER})
    assert response.status_code == 302 and roles.is_leader(world.users["officer_unassigned"])
    mine = secadmin.get(reverse("security_user", args=[world.users["secadmin"].pk])).content.decode()
    assert "不能给自己授权" in mine
    refused = secadmin.post(reverse("security_grant", args=[world.users["secadmin"].pk, "role_grant"]),
                            {"role": Role.LEADER}, follow=True)
    assert "不能给自己授权" in refused.content.decode()


# --- the admin site -----------------------------------------------------------------------

def _admin_status(client, user, url):
    return client_for(client, user).get(url).status_code


@pytest.mark.parametrize("persona,url,status", [
    ("sysadmin", "/admin/cadres/unit/", 200),
    ("sysadmin", "/admin/auth/user/", 200),
    ("sysadmin", "/admin/cadres/sanctiontype/", 200),
    ("sysadmin", "/admin/tolerance/tolerancecase/", 403),
    ("sysadmin", "/admin/tolerance/allegation/", 403),
    ("sysadmin", "/admin/care/confidentialnote/", 403),
    ("sysadmin", "/admin/cadres/cadre/", 403),
    ("sysadmin", "/admin/auth/group/", 403),
    ("secadmin", "/admin/auth/user/", 200),
    ("secadmin", "/admin/tolerance/tolerancecase/", 403),
    ("auditor", "/admin/auth/user/", 403),
    ("auditor", "/admin/tolerance/tolerancecase/", 403),
])
def test_each_administrator_sees_only_the_admin_pages_of_his_duty(client, world, persona, url, status):
    user = world.users[persona]
    user.is_staff = True
    user.save()
    assert _admin_status(client, user, url) == status


def test_the_system_admin_edits_accounts_but_never_their_roles_or_superuser_flag(rf, world):
    from django.contrib.auth import get_user_model

    request = rf.get("/")
    request.user = world.users["sysadmin"]
    user_admin = admin.site._registry[get_user_model()]
    readonly = user_admin.get_readonly_fields(request, world.users["staff_a"])
    assert {"groups", "user_permissions", "is_superuser"} <= set(readonly)
    assert not user_admin.has_delete_permission(request, world.users["staff_a"])


def test_trail_records_are_never_deleted_or_changed_in_the_admin_not_even_by_a_superuser(rf, world):
    from axes.models import AccessFailureLog, AccessLog
    from django.contrib.admin.models import LogEntry

    from core.models import AuditEvent

    request = rf.get("/")
    request.user = world.users["admin"]
    # Every history table (simple-history) registered in the admin, and the login records.
    histories = [model for model in admin.site._registry if model.__name__.startswith("Historical")]
    trail = [AuditEvent, CaseEvent, AccessLog, AccessFailureLog, LogEntry, ToleranceCase.history.model, *histories]
    checked = 0
    for model in trail:
        model_admin = admin.site._registry.get(model)
        if model_admin is not None:
            checked += 1
            assert not model_admin.has_delete_permission(request), model
            assert not model_admin.has_change_permission(request), model
    assert checked >= 3  # case events and axes' two logs (the audit trail has its own page, not the admin)


def test_guardian_object_permission_pages_are_gone_even_for_the_superuser(client, world):
    """Grants go through core.security (the 安全管理员's pages and the user's admin page), never
    through guardian's raw 对象权限 screens."""
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("admin:cadres_unit_permissions", args=[world.unit_a.pk])
    change = reverse("admin:cadres_unit_change", args=[world.unit_a.pk])
    response = client_for(client, world.users["admin"]).get(change + "permissions/")
    assert response.status_code in (302, 404)  # the admin's "no such object", not a grant screen


# --- the superuser ------------------------------------------------------------------------

def test_a_disabled_superuser_can_neither_log_in_nor_see_anything(client, world, settings):
    superuser = world.users["admin"]
    superuser.set_password("Pw-12345678")
    mark_set_by_user(superuser)  # this test is about the lock-out, not a forced password change
    superuser.save()
    settings.SUPERUSER_DISABLED = True
    response = client.post(reverse("login"), {"username": "admin", "password": "Pw-12345678"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert events(AuditEvent.Type.LOGIN_FAILED)[-1].username == "admin"
    assert not roles.is_admin(superuser)
    assert client_for(client, superuser).get("/admin/").status_code == 302  # to the admin login
    assert client.get(reverse("cadres:list")).status_code == 403


def test_the_deploy_check_is_silent_on_a_fresh_database_and_warns_while_the_superuser_outlives_bootstrap(
        db, settings):
    from django.contrib.auth import get_user_model

    from tests.conftest import ensure_reference_data

    ensure_reference_data()
    assert superuser_still_usable() == []
    get_user_model().objects.create_superuser("root", "root@example.gov.cn", "Pw-12345678")
    assert superuser_still_usable() == []  # bootstrap: the administrators do not exist yet
    for name, role in (("s", Role.ADMIN), ("e", Role.SECURITY_ADMIN), ("a", Role.AUDIT_ADMIN)):
        UserFactory(username=name, role=role)
    assert [w.id for w in superuser_still_usable()] == ["dandang.W001"]
    settings.SUPERUSER_DISABLED = True
    assert superuser_still_usable() == []


def test_check_deploy_command_runs_on_an_empty_database(db):
    call_command("check", "--deploy", "--tag", "security")  # no users: no dandang warning raised


# --- business pages -----------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["sysadmin", "secadmin", "auditor"])
def test_administrators_never_open_a_business_page_or_a_reporter(client, world, persona):
    from tests.tolerance.builders import cleared_allegation, load_policy

    load_policy(world)
    allegation, _ = cleared_allegation(world)
    client = client_for(client, world.users[persona])
    for url in (reverse("cadres:list"), reverse("tolerance:list"), reverse("tolerance:reporter", args=[allegation.pk]),
                reverse("care:activity_list"), reverse("cadres:detail", args=[world.cadre_a.pk])):
        assert client.get(url).status_code == 403, url
    assert not ReporterIdentity.objects.none().exists()


def test_units_admin_for_the_system_admin_lists_every_unit(client, world):
    user = world.users["sysadmin"]
    page = client_for(client, user).get("/admin/cadres/unit/").content.decode()
    assert all(u.name in page for u in Unit.objects.all())


def test_the_demo_has_the_three_administrators_beside_the_bootstrap_superuser(db):
    from django.contrib.auth import get_user_model

    from cadres.demo import build_city, build_users
    from tests.conftest import ensure_reference_data

    ensure_reference_data()
    build_city()
    build_users()
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["admin", "sysadmin", "secadmin", "auditor"])}
    assert users["admin"].is_superuser and not users["admin"].groups.exists()
    assert [(name, sorted(roles.roles_of(users[name])), users[name].is_superuser) for name in
            ("sysadmin", "secadmin", "auditor")] == [("sysadmin", [Role.ADMIN], False),
                                                     ("secadmin", [Role.SECURITY_ADMIN], False),
                                                     ("auditor", [Role.AUDIT_ADMIN], False)]
    assert users["sysadmin"].is_staff and users["sysadmin"].check_password("Dandang@2026")


@pytest.mark.parametrize("persona,link", [("sysadmin", "进入系统管理"), ("secadmin", "授权管理"), ("auditor", "审计日志")])
def test_each_administrators_workbench_points_at_his_one_place_of_work(client, world, persona, link):
    page = client_for(client, world.users[persona]).get(reverse("home")).content.decode()
    assert 'id="admin-duty"' in page and link in page
    assert "干部信息" not in page  # no business module in the navigation
