"""Django admin for care: every list goes through the care selectors."""
import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from care import services
from care.models import CareActivity, CareKind
from tests.care.builders import record
from tests.conftest import client_for

D = datetime.date


@pytest.fixture
def admin_staff_a(client, world):
    user = world.users["staff_a"]
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="care", codename__startswith="view"))
    return client_for(client, user)


def test_admin_lists_use_the_care_selectors(admin_staff_a, world):
    mine = record(world, CareKind.TALK, cadres=[world.cadre_a], title="甲的谈话", concern={
        "cadre": world.cadre_a, "category": "work", "content": "甲的诉求", "responder": "组织部", "deadline": None})
    record(world, CareKind.TALK, cadres=[world.cadre_b], by="staff_b", title="乙的谈话", concern={
        "cadre": world.cadre_b, "category": "work", "content": "乙的诉求", "responder": "组织部", "deadline": None})
    services.consultation_hold(by=world.users["staff_b"], unit=world.unit_b, title="乙的座谈", held_on=D(2026, 3, 1),
                               mode="oral")
    client = admin_staff_a

    def shown(name):
        return {str(o) for o in client.get(reverse(f"admin:care_{name}_changelist")).context["cl"].result_list}

    assert shown("careactivity") == {str(mine)}
    assert shown("careparticipant") == {f"甲干部 · {mine}"}
    assert shown("concern") == {"甲干部：工作安排"}
    assert shown("consultation") == set()
    assert client.get(reverse("admin:care_careactivity_change", args=[mine.pk + 1])).status_code == 302  # not found
    assert CareActivity.objects.count() == 2


def test_an_admin_edit_of_an_activity_leaves_history_and_refuses_a_stale_page(client, world):
    activity = record(world, CareKind.TALK, title="谈话")
    admin = world.users["admin"]
    client_for(client, admin)
    url = reverse("admin:care_careactivity_change", args=[activity.pk])
    response = client.post(url, {"title": "年度谈话", "conducted_by": world.users["staff_a"].pk, "conductor_names": "",
                                 "location": "", "notes": "", "follow_up_actions": "", "amount": "", "fund": "",
                                 "participants-TOTAL_FORMS": 1, "participants-INITIAL_FORMS": 1,
                                 "participants-MIN_NUM_FORMS": 0, "participants-MAX_NUM_FORMS": 1000,
                                 "participants-0-id": activity.participants.get().pk,
                                 "participants-0-activity": activity.pk, "seen_version": activity.version})
    assert response.status_code == 302, response.content.decode()[:2000]
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("年度谈话", 2)
    assert activity.history.latest("history_date").history_user == admin
    from core.errors import DomainError

    with pytest.raises(DomainError):
        services.care_activity_update(activity=activity, by=world.users["staff_a"], expected_version=1, notes="旧页面")
