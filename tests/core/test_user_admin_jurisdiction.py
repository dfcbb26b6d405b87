"""Jurisdiction on the user's admin page (issue #12): listed for everyone who may open the
page, granted and revoked there by the 安全管理员 through core.security (audited, never by
himself), and guardian's raw object-permission screens are not the way in."""
from django.urls import reverse

from cadres.selectors import managed_unit_roots
from core.models import AuditEvent
from tests.conftest import client_for


def _change_page(client, viewer, account):
    if not viewer.is_staff:  # the 安全管理员 reads accounts in the admin (core.admin_policy)
        viewer.is_staff = True
        viewer.save(update_fields=["is_staff"])
    return client_for(client, viewer).get(reverse("admin:auth_user_change", args=[account.pk]))


def test_the_security_admin_grants_and_revokes_on_the_users_admin_page(client, world):
    secadmin, officer = world.users["secadmin"], world.users["officer_unassigned"]
    page = _change_page(client, secadmin, officer)
    assert page.status_code == 200
    html = page.content.decode()
    assert "管辖范围" in html and reverse("security_grant", args=[officer.pk, "jurisdiction_grant"]) in html
    back = reverse("admin:auth_user_change", args=[officer.pk])
    response = client.post(reverse("security_grant", args=[officer.pk, "jurisdiction_grant"]),
                           {"unit": world.unit_b.pk, "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert list(managed_unit_roots(officer)) == [world.unit_b]
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.GRANT, detail__contains="管辖范围").exists()
    assert world.unit_b.name in _change_page(client, secadmin, officer).content.decode()
    client.post(reverse("security_grant", args=[officer.pk, "jurisdiction_revoke"]), {"unit": world.unit_b.pk, "next": back})
    assert not managed_unit_roots(officer).exists()


def test_nobody_grants_himself_and_others_only_read(client, world):
    secadmin, sysadmin, staff = world.users["secadmin"], world.users["sysadmin"], world.users["staff_a"]
    own = _change_page(client, secadmin, secadmin).content.decode()
    assert "不能给自己授权" in own and "jurisdiction_grant" not in own
    # The 系统管理员 manages accounts but does not grant: the list without forms.
    page = _change_page(client, sysadmin, staff).content.decode()
    assert world.unit_a.name in page and reverse("security_grant", args=[staff.pk, "jurisdiction_grant"]) not in page
    response = client.post(reverse("security_grant", args=[staff.pk, "jurisdiction_revoke"]), {"unit": world.unit_a.pk})
    assert response.status_code == 403
    assert managed_unit_roots(staff).exists()
