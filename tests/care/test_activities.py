"""Recording activities: one activity for several cadres, kind-specific fields, the 回访教育
link to the cadre's record, edits, and who may see and edit a shared activity."""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cadres.models import FollowUpVisit, RecordStatus
from care import services
from care.models import CareActivity, CareKind, CareParticipant
from care.selectors import activities_editable_by, activities_visible_to
from core.errors import DomainError
from tests.care.builders import record
from tests.conftest import client_for
from tests.factories import CadreFactory, SanctionFactory

D = datetime.date


def test_a_group_activity_is_one_activity_with_a_row_per_cadre_and_history_naming_the_recorder(world):
    cadres = [world.cadre_a] + [CadreFactory(unit=world.township_a) for _ in range(3)]
    activity = record(world, CareKind.HEALTH_CHECK, cadres=cadres, date=D(2026, 4, 1), title="集体体检")
    assert CareActivity.objects.count() == 1
    rows = list(CareParticipant.objects.filter(activity=activity))
    assert {r.cadre_id for r in rows} == {c.pk for c in cadres}
    assert {(r.kind, r.date) for r in rows} == {(CareKind.HEALTH_CHECK, D(2026, 4, 1))}
    assert activity.history.get().history_user == world.users["staff_a"]
    assert CareParticipant.history.filter(activity_id=activity.pk).count() == 4
    assert {h.history_user for h in CareParticipant.history.all()} == {world.users["staff_a"]}


def test_a_cadre_listed_twice_joins_once(world):
    activity = record(world, cadres=[world.cadre_a, world.cadre_a])
    assert activity.participants.count() == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"cadres": []}, "至少选择一名干部"),
    ({"date": D(2099, 1, 1)}, "不能晚于今天"),
    ({"kind": CareKind.HARDSHIP_AID, "amount": None}, "帮扶金额"),
    ({"kind": CareKind.LEAVE, "days": None}, "天数"),
    ({"kind": CareKind.TALK, "days": 3}, "只有疗休养"),
    ({"kind": CareKind.TALK, "amount": Decimal("10")}, "只有困难帮扶"),
])
def test_it_refuses_an_incomplete_activity_and_saves_nothing(world, kwargs, message):
    kind = kwargs.pop("kind", CareKind.TALK)
    defaults = {"by": world.users["staff_a"], "kind": kind, "date": D(2026, 3, 1), "cadres": [world.cadre_a],
                "conducted_by": world.users["staff_a"]}
    with pytest.raises(DomainError, match=message):
        services.care_activity_record(**{**defaults, **kwargs})
    assert CareActivity.objects.count() == 0


def test_hardship_aid_keeps_amount_and_fund_and_leave_its_days(world):
    aid = record(world, CareKind.HARDSHIP_AID, amount=Decimal("5000.00"), fund="党内关怀帮扶基金")
    assert (aid.amount, aid.fund) == (Decimal("5000.00"), "党内关怀帮扶基金")
    leave = record(world, CareKind.LEAVE, days=7)
    assert leave.participants.get().days == 7


def test_a_follow_up_visit_writes_a_visit_into_the_cadres_record_for_each_sanction_in_its_influence_period(world):
    running = SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 1, 10))
    SanctionFactory(cadre=world.cadre_a, decision_date=D(2020, 1, 10))  # influence period over
    waived = SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 1, 5), status=RecordStatus.WAIVED)
    activity = record(world, CareKind.FOLLOW_UP, date=D(2026, 4, 1), conductor_names="县纪委 张三", notes="状态良好")
    visits = list(FollowUpVisit.objects.all())
    assert [(v.sanction_id, v.date, v.visited_by, v.notes) for v in visits] == [
        (running.pk, D(2026, 4, 1), "县纪委 张三", "状态良好")]
    assert visits[0].history.get().history_user == world.users["staff_a"]
    assert list(activity.participants.get().follow_up_visits.all()) == visits
    assert not waived.follow_up_visits.exists()


def test_it_refuses_a_follow_up_visit_to_a_cadre_with_nothing_in_force(world):
    SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 3, 10))
    with pytest.raises(DomainError, match="没有处于影响期内"):
        record(world, CareKind.FOLLOW_UP, date=D(2026, 3, 9))  # the day before the decision
    assert not CareActivity.objects.exists() and not FollowUpVisit.objects.exists()


def test_an_edit_refuses_a_stale_version_and_moves_the_cadres_copies_and_visits_with_the_date(world):
    SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 1, 10))
    activity = record(world, CareKind.FOLLOW_UP, date=D(2026, 4, 1))
    updated = services.care_activity_update(activity=activity, by=world.users["staff_a"], expected_version=1,
                                            date=D(2026, 4, 3), notes="补充")
    assert updated.version == 2
    assert activity.participants.get().date == D(2026, 4, 3)
    assert FollowUpVisit.objects.get().date == D(2026, 4, 3)
    with pytest.raises(DomainError, match="已被他人修改"):
        services.care_activity_update(activity=activity, by=world.users["staff_a"], expected_version=1, notes="旧")
    assert CareActivity.objects.get().notes == "补充"
    assert CareParticipant.history.filter(history_type="~").latest("history_date").history_user == world.users["staff_a"]


def test_a_shared_activity_is_visible_on_both_sides_but_shows_and_lets_edit_only_what_is_yours(client, world):
    activity = record(world, CareKind.SOLACE, cadres=[world.cadre_a, world.cadre_b], by="admin")
    assert activities_visible_to(world.users["staff_b"]).filter(pk=activity.pk).exists()
    assert not activities_editable_by(world.users["staff_b"]).filter(pk=activity.pk).exists()
    assert activities_editable_by(world.users["admin"]).filter(pk=activity.pk).exists()
    client_for(client, world.users["staff_b"])
    page = client.get(reverse("care:activity_detail", args=[activity.pk])).content.decode()
    assert "乙干部" in page and "甲干部" not in page
    assert "另有 1 人不在您的管辖范围" in page
    assert client.get(reverse("care:activity_edit", args=[activity.pk])).status_code == 403
    listing = client.get(reverse("care:activity_list")).content.decode()
    assert "乙干部" in listing and "甲干部" not in listing


def test_an_activity_of_only_other_cadres_does_not_exist_for_you(client, world):
    activity = record(world, cadres=[world.cadre_a])
    client_for(client, world.users["staff_b"])
    assert client.get(reverse("care:activity_detail", args=[activity.pk])).status_code == 404
    assert client.get(reverse("care:activity_edit", args=[activity.pk])).status_code == 404


def test_staff_record_a_group_activity_through_the_page(client, world):
    other = CadreFactory(unit=world.township_a, name="丙干部")
    client_for(client, world.users["staff_a"])
    url = reverse("care:activity_create") + f"?unit={world.unit_a.pk}"
    page = client.get(url).content.decode()
    assert "甲干部" in page and "丙干部" in page and "乙干部" not in page
    response = client.post(url, {
        "kind": "health_check", "date": "2026-04-01", "cadres": [world.cadre_a.pk, other.pk],
        "conducted_by": world.users["staff_a"].pk, "title": "集体体检"})
    activity = CareActivity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("care:activity_detail", args=[activity.pk])
    assert activity.participants.count() == 2


def test_the_page_refuses_cadres_outside_the_chosen_unit(client, world):
    client_for(client, world.users["staff_a"])
    url = reverse("care:activity_create") + f"?unit={world.unit_a.pk}"
    response = client.post(url, {"kind": "talk", "date": "2026-04-01", "cadres": [world.cadre_b.pk],
                                 "conducted_by": world.users["staff_a"].pk})
    assert response.status_code == 200 and not CareActivity.objects.exists()


def test_a_unit_outside_the_jurisdiction_cannot_be_picked(client, world):
    client_for(client, world.users["staff_a"])
    response = client.get(reverse("care:activity_create") + f"?unit={world.unit_b.pk}")
    assert "乙干部" not in response.content.decode()
    assert "form" not in response.context or response.context.get("form") is None


def test_the_activity_list_filters_by_kind_year_township_and_young_cadres_and_searches_names(client, world):
    young = CadreFactory(unit=world.unit_a, name="小青年", birth_date=D(1998, 5, 1))
    record(world, CareKind.TALK, cadres=[world.cadre_a], date=D(2025, 6, 1), title="谈话甲")
    record(world, CareKind.HOME_VISIT, cadres=[young], date=D(2026, 6, 1), title="家访青年")
    client_for(client, world.users["staff_a"])

    def titles(query):
        response = client.get(reverse("care:activity_list") + query)
        return {a.title for a in response.context["page"]}

    assert titles("") == {"谈话甲", "家访青年"}
    assert titles("?kind=talk") == {"谈话甲"}
    assert titles("?year=2026") == {"家访青年"}
    assert titles("?township=on") == {"谈话甲"}
    assert titles("?young=on") == {"家访青年"}
    assert titles("?q=小青") == {"家访青年"}
    assert titles(f"?unit={world.township_a.pk}") == {"谈话甲"}


def test_the_activity_list_pages_keep_the_filters(client, world):
    for i in range(35):
        record(world, CareKind.TALK, date=D(2026, 1, 1) + datetime.timedelta(days=i), title=f"谈话{i}")
    client_for(client, world.users["staff_a"])
    response = client.get(reverse("care:activity_list") + "?kind=talk")
    assert response.context["page"].paginator.num_pages == 2
    assert "?kind=talk&amp;page=2" in response.content.decode() or "?kind=talk&page=2" in response.content.decode()
