"""Confidential notes: read by the conductor and leaders only, each read logged; never on
another staff member's pages, in exports or in history views (DESIGN §3)."""
import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cadres.services import jurisdiction_grant
from care import services
from care.models import CareKind, ConfidentialNote, ConfidentialNoteAccess
from core.errors import DomainError
from core.roles import Role
from tests.care.builders import record
from tests.conftest import client_for, export_via_job
from tests.factories import UserFactory

SECRET = "配偶患病需要照顾，不愿让班子其他成员知道"
D = datetime.date


@pytest.fixture
def talk(world):
    """A talk conducted by staff_a, with a concern, a confidential note and a later edit."""
    world.users["colleague"] = UserFactory(username="colleague", role=Role.CADRE_SECTION)
    jurisdiction_grant(user=world.users["colleague"], unit=world.unit_a)
    activity = record(world, CareKind.TALK, date=D(2026, 3, 2), title="年度谈心谈话", notes="思想稳定",
                      confidential_note=SECRET,
                      concern={"cadre": world.cadre_a, "category": "health", "content": "希望调整岗位",
                               "responder": "县委组织部", "deadline": None})
    services.care_activity_update(activity=activity, by=world.users["staff_a"], expected_version=1, notes="思想稳定，干劲足")
    return activity


def pages(world, activity):
    cadre = world.cadre_a.pk
    return [
        reverse("care:activity_list"), reverse("care:activity_list") + "?q=甲",
        reverse("care:activity_detail", args=[activity.pk]), reverse("care:activity_edit", args=[activity.pk]),
        reverse("care:concern_list"), reverse("care:concern_detail", args=[activity.concerns.get().pk]),
        reverse("care:compliance"), reverse("care:follow_up_list"),
        reverse("cadres:detail", args=[cadre]) + "?tab=care", reverse("cadres:detail", args=[cadre]) + "?tab=history",
    ]


@pytest.mark.parametrize("persona", ["colleague", "admin"])
def test_other_staff_never_see_the_note_on_any_page_and_are_refused_its_own_page(client, world, talk, persona):
    client_for(client, world.users[persona])
    for url in pages(world, talk):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
    assert client.get(reverse("care:activity_confidential", args=[talk.pk])).status_code == 403
    assert client.post(reverse("care:activity_confidential", args=[talk.pk]), {"text": "改写"}).status_code == 403
    assert ConfidentialNote.objects.get().text == SECRET
    assert not ConfidentialNoteAccess.objects.exists()


@pytest.mark.parametrize("persona", ["colleague", "staff_a", "leader", "admin"])
def test_the_export_never_carries_the_note(client, world, talk, persona):
    import io

    from openpyxl import load_workbook

    client_for(client, world.users[persona])
    _, content = export_via_job(client, reverse("care:activity_export"))
    cells = [str(c) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
             for c in row if c is not None]
    assert "年度谈心谈话" in cells
    assert not any(SECRET in c for c in cells)


def test_history_views_never_show_the_note(client, world, talk):
    """The activity's change record, the cadre's history tab and the admin history of the
    activity: none reads the note's model."""
    admin = world.users["admin"]
    client_for(client, admin)
    urls = [reverse("care:activity_detail", args=[talk.pk]),
            reverse("cadres:detail", args=[world.cadre_a.pk]) + "?tab=history",
            reverse("admin:care_careactivity_history", args=[talk.pk]),
            reverse("admin:care_careactivity_change", args=[talk.pk]),
            reverse("admin:care_careactivity_changelist"),
            reverse("admin:care_confidentialnote_changelist")]
    history_id = talk.history.earliest("history_date").history_id
    urls.append(reverse("admin:care_careactivity_simple_history", args=[talk.pk, history_id]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
    assert not ConfidentialNoteAccess.objects.exists()
    assert "思想稳定，干劲足" in client.get(urls[0]).content.decode()  # the change record itself works


@pytest.mark.parametrize("persona", ["staff_a", "leader"])
def test_the_conductor_and_leaders_read_it_and_each_read_is_logged(client, world, talk, persona):
    client_for(client, world.users[persona])
    for n in (1, 2):
        response = client.get(reverse("care:activity_confidential", args=[talk.pk]))
        assert response.status_code == 200
        assert SECRET in response.content.decode()
        assert response["Cache-Control"] == "no-store"
        assert ConfidentialNoteAccess.objects.filter(user=world.users[persona], via="page").count() == n
    detail = client.get(reverse("care:activity_detail", args=[talk.pk])).content.decode()
    assert SECRET not in detail and "查看保密记录" in detail
    assert ConfidentialNoteAccess.objects.count() == 2  # the detail page does not read the note


def test_a_leader_outside_the_jurisdiction_gets_404(client, world, talk):
    other_leader = UserFactory(username="leader_b", role=Role.LEADER)
    jurisdiction_grant(user=other_leader, unit=world.unit_b)
    client_for(client, other_leader)
    assert client.get(reverse("care:activity_confidential", args=[talk.pk])).status_code == 404
    assert not ConfidentialNoteAccess.objects.exists()


def test_only_the_conductor_edits_the_note_and_the_service_refuses_others(client, world, talk):
    client_for(client, world.users["leader"])
    assert client.post(reverse("care:activity_confidential", args=[talk.pk]), {"text": "领导改写"}).status_code == 403
    with pytest.raises(DomainError):
        services.confidential_note_save(activity=talk, by=world.users["colleague"], text="改写")
    with pytest.raises(DomainError):
        services.confidential_note_view(activity=talk, by=world.users["colleague"])
    client_for(client, world.users["staff_a"])
    response = client.post(reverse("care:activity_confidential", args=[talk.pk]), {"text": "补充：已安排体检"})
    assert response.status_code == 302
    note = ConfidentialNote.objects.get()
    assert note.text == "补充：已安排体检"
    assert note.history.latest("history_date").history_user == world.users["staff_a"]


def test_a_note_recorded_for_a_leaders_talk_is_readable_by_that_leader_not_by_the_recorder(client, world):
    activity = record(world, CareKind.TALK, conducted_by="leader", confidential_note=SECRET)
    client_for(client, world.users["staff_a"])
    assert client.get(reverse("care:activity_confidential", args=[activity.pk])).status_code == 403
    client_for(client, world.users["leader"])
    assert SECRET in client.get(reverse("care:activity_confidential", args=[activity.pk])).content.decode()


def test_in_admin_only_superusers_reach_the_note_and_each_view_there_is_logged(client, world, talk):
    staff = world.users["colleague"]
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="care"))
    note = ConfidentialNote.objects.get()
    client_for(client, staff)
    assert client.get(reverse("admin:care_confidentialnote_change", args=[note.pk])).status_code == 403
    assert client.get(reverse("admin:care_confidentialnote_history", args=[note.pk])).status_code == 403
    assert client.get(reverse("admin:care_confidentialnote_changelist")).status_code == 403
    # Activities are visible to this staff member in admin, never with the note.
    response = client.get(reverse("admin:care_careactivity_change", args=[talk.pk]))
    assert response.status_code == 200 and SECRET not in response.content.decode()

    admin = world.users["admin"]
    client_for(client, admin)
    listing = client.get(reverse("admin:care_confidentialnote_changelist")).content.decode()
    assert SECRET not in listing
    change = client.get(reverse("admin:care_confidentialnote_change", args=[note.pk]))
    assert SECRET in change.content.decode()
    assert list(ConfidentialNoteAccess.objects.values_list("user", "via")) == [(admin.pk, "admin")]
    history = client.get(reverse("admin:care_confidentialnote_history", args=[note.pk]))
    assert history.status_code == 200 and SECRET not in history.content.decode()
    version = note.history.earliest("history_date").history_id
    old = client.get(reverse("admin:care_confidentialnote_simple_history", args=[note.pk, version]))
    assert SECRET in old.content.decode()
    assert ConfidentialNoteAccess.objects.filter(via="admin_history", user=admin).count() == 1
