"""回访教育 due dates from sanctions: within 3 months of the decision, then every 6 months
after the last visit while the influence period runs (intervals editable)."""
import datetime

import pytest
from django.urls import reverse

from cadres.models import Cadre, CadreStatus, FollowUpVisit, RecordStatus, Sanction
from cadres.services import cadre_record_add
from care.follow_ups import (
    FollowUpState,
    follow_up_due_list,
    follow_up_list,
    follow_up_state_q,
    next_follow_up_due,
)
from care.models import FollowUpSchedule
from tests.conftest import client_for
from tests.factories import CadreFactory, SanctionFactory, sanction_type

D = datetime.date


def visit(world, sanction, day):
    return cadre_record_add(record=FollowUpVisit(sanction=sanction, date=day, visited_by="县委组织部"),
                            by=world.users["staff_a"])


def due_for(world, today):
    return {d.sanction.pk: d for d in follow_up_due_list(cadres=None, today=today)}


@pytest.mark.parametrize("decision, influence_end, last, expected", [
    (D(2026, 1, 15), D(2027, 1, 15), None, D(2026, 4, 15)),          # 3 months after the decision
    (D(2025, 11, 30), D(2026, 11, 30), None, D(2026, 2, 28)),         # month end clamps
    (D(2026, 1, 15), D(2027, 1, 15), D(2026, 2, 1), D(2026, 8, 1)),   # 6 months after the last visit
    (D(2026, 1, 15), D(2027, 1, 15), D(2026, 7, 15), None),           # the next would fall on the end day
    (D(2026, 1, 15), D(2027, 1, 15), D(2026, 7, 14), D(2027, 1, 14)),  # the last day still counts
    (D(2026, 1, 15), D(2026, 3, 15), None, D(2026, 3, 14)),           # short period: the first by its last day
])
def test_next_due_date(decision, influence_end, last, expected):
    assert next_follow_up_due(decision_date=decision, influence_end=influence_end, last_visit=last,
                              first_within=3, every=6) == expected


def test_a_sanction_is_due_for_a_visit_within_three_months_and_overdue_the_day_after(world):
    s = SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 1, 15))  # 记过: 12 months
    assert s.influence_end == D(2027, 1, 15)
    assert due_for(world, D(2026, 2, 1))[s.pk].state == FollowUpState.SCHEDULED
    assert due_for(world, D(2026, 3, 16))[s.pk].state == FollowUpState.DUE
    assert due_for(world, D(2026, 4, 15))[s.pk].state == FollowUpState.DUE
    late = due_for(world, D(2026, 4, 16))[s.pk]
    assert (late.state, late.next_due, late.visits_done) == (FollowUpState.OVERDUE, D(2026, 4, 15), 0)


def test_after_a_visit_the_next_is_due_six_months_later_until_the_influence_period_ends(world):
    s = SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 1, 15))
    visit(world, s, D(2026, 3, 1))
    d = due_for(world, D(2026, 3, 2))[s.pk]
    assert (d.next_due, d.visits_done, d.last_visit) == (D(2026, 9, 1), 1, D(2026, 3, 1))
    visit(world, s, D(2026, 9, 1))
    d = due_for(world, D(2026, 9, 2))[s.pk]
    assert (d.next_due, d.state) == (None, FollowUpState.COMPLETE)  # 2027-03-01 is past the end
    assert s.pk not in due_for(world, D(2027, 1, 15))  # usable again on the day it ends


def test_a_visit_dated_before_the_decision_does_not_count(world):
    s = SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 1, 15))
    # Such a visit is refused today (FollowUpVisit.clean); one stored earlier still does not count.
    FollowUpVisit.objects.create(sanction=s, date=D(2026, 1, 14), visited_by="县委组织部")
    d = due_for(world, D(2026, 2, 1))[s.pk]
    assert (d.visits_done, d.next_due) == (0, D(2026, 4, 15))


def test_waived_and_superseded_sanctions_and_those_not_yet_decided_need_no_visit(world):
    waived = SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 1, 15), status=RecordStatus.WAIVED)
    superseded = SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 1, 15), status=RecordStatus.SUPERSEDED)
    future = SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 6, 1))
    due = due_for(world, D(2026, 3, 1))
    assert waived.pk not in due and superseded.pk not in due and future.pk not in due


@pytest.mark.parametrize("status", [CadreStatus.RETIRED, CadreStatus.DISMISSED, CadreStatus.LEFT])
def test_a_cadre_no_longer_serving_is_not_visited_nor_counted_as_due(world, status):
    s = SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 1, 15))
    today = D(2026, 4, 16)
    assert due_for(world, today)[s.pk].state == FollowUpState.OVERDUE
    assert Sanction.objects.filter(follow_up_state_q(FollowUpState.OVERDUE, today), pk=s.pk).exists()
    Cadre.objects.filter(pk=world.cadre_a.pk).update(status=status)
    assert s.pk not in due_for(world, today)
    assert not Sanction.objects.filter(follow_up_state_q(FollowUpState.OVERDUE, today), pk=s.pk).exists()


def test_organizational_adjustments_are_followed_up_too_with_their_own_editable_intervals(world):
    adjustment = SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 1, 15),
                                 sanction_type=sanction_type("组织处理", "免职"))
    # Saved as the admin saves it: the stored schedules of the category follow.
    FollowUpSchedule.objects.update_or_create(category="组织处理", defaults={"first_within_months": 1, "every_months": 2})
    d = due_for(world, D(2026, 2, 1))[adjustment.pk]
    assert d.next_due == D(2026, 2, 15)
    visit(world, adjustment, D(2026, 2, 10))
    assert due_for(world, D(2026, 2, 11))[adjustment.pk].next_due == D(2026, 4, 10)


def test_a_missing_schedule_row_falls_back_to_three_and_six_months(world):
    FollowUpSchedule.objects.all().delete()
    s = SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 1, 15))
    assert due_for(world, D(2026, 2, 1))[s.pk].next_due == D(2026, 4, 15)


def test_the_due_list_is_the_users_jurisdiction_most_urgent_first(world):
    late = SanctionFactory(cadre=world.cadre_a, decision_date=D(2025, 6, 1),
                           sanction_type=sanction_type("政务处分", "撤职"))
    other = CadreFactory(unit=world.township_a, name="丁干部")
    soon = SanctionFactory(cadre=other, decision_date=D(2026, 2, 10))
    SanctionFactory(cadre=world.cadre_b, decision_date=D(2026, 1, 15))
    rows = follow_up_list(user=world.users["staff_a"], today=D(2026, 5, 1))
    assert [d.sanction.pk for d in rows] == [late.pk, soon.pk]
    assert [d.state for d in rows] == [FollowUpState.OVERDUE, FollowUpState.DUE]
    assert [d.sanction.pk for d in follow_up_list(user=world.users["staff_a"], today=D(2026, 5, 1),
                                                    state=FollowUpState.DUE)] == [soon.pk]
    assert follow_up_list(user=world.users["officer_assigned"], today=D(2026, 5, 1)) == []


def test_the_follow_up_page_lists_the_due_and_the_done_with_township_and_young_filters(client, world):
    young = CadreFactory(unit=world.unit_a, name="小青年", birth_date=D(1999, 1, 1))
    s1 = SanctionFactory(cadre=world.cadre_a, decision_date=datetime.date.today() - datetime.timedelta(days=20))
    s2 = SanctionFactory(cadre=young, decision_date=datetime.date.today() - datetime.timedelta(days=20))
    visit(world, s1, datetime.date.today() - datetime.timedelta(days=1))
    client_for(client, world.users["staff_a"])
    url = reverse("care:follow_up_list")
    names = lambda q: {d.sanction.cadre.name for d in client.get(url + q).context["page"]}  # noqa: E731
    assert names("") == {"甲干部", "小青年"}
    assert names("?township=on") == {"甲干部"}
    assert names("?young=on") == {"小青年"}
    assert names("?q=小青") == {"小青年"}
    done = client.get(url + "?show=done").context["page"]
    assert [v.sanction_id for v in done] == [s1.pk]
    assert [v.sanction_id for v in client.get(url + "?show=done&young=on").context["page"]] == []
    assert s2.pk


def test_the_due_by_prefilter_lists_exactly_what_the_schedule_makes_due(world):
    """follow_up_due_list(due_by=…) narrows in SQL before computing schedules; across month
    ends, leap days, visits and schedules of different lengths it must list exactly the
    sanctions whose next visit (computed in full) falls due by then."""
    import random

    from cadres.models import SanctionType

    rng = random.Random(7)
    FollowUpSchedule.objects.update_or_create(category="党纪处分", defaults={"first_within_months": 1, "every_months": 2})
    types = list(SanctionType.objects.all())
    starts = [D(2025, 11, 30), D(2025, 12, 31), D(2026, 1, 31), D(2026, 2, 28), D(2025, 8, 31), D(2026, 3, 1)]
    for i in range(60):
        s = SanctionFactory(cadre=world.cadre_a, sanction_type=rng.choice(types),
                            decision_date=rng.choice(starts) + datetime.timedelta(days=rng.choice([0, 0, 1, 17])))
        for _ in range(rng.choice([0, 0, 1, 2])):
            day = s.decision_date + datetime.timedelta(days=rng.randint(-10, 200))
            FollowUpVisit.objects.create(sanction=s, date=day, visited_by="县委组织部")
    for today in [D(2026, 2, 27), D(2026, 2, 28), D(2026, 3, 31), D(2026, 5, 31), D(2026, 8, 30), D(2028, 2, 29)]:
        for days in (0, 30):
            due_by = today + datetime.timedelta(days=days)
            every = follow_up_due_list(cadres=None, today=today)
            expected = [d.sanction.pk for d in every if d.next_due is not None and d.next_due <= due_by]
            listed = [d.sanction.pk for d in follow_up_due_list(cadres=None, today=today, due_by=due_by)]
            assert listed == expected, (today, due_by)
    assert any(follow_up_due_list(cadres=None, today=D(2026, 3, 31), due_by=D(2026, 4, 30)))


def test_add_months_matches_relativedelta():
    from dateutil.relativedelta import relativedelta

    from care.follow_ups import add_months

    for start in [D(2023, 1, 31), D(2024, 1, 31), D(2025, 8, 31), D(2025, 11, 30), D(2025, 12, 15), D(2024, 2, 29)]:
        for months in range(0, 40):
            assert add_months(start, months) == start + relativedelta(months=months), (start, months)
