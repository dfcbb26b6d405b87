"""care_due_items(today): what falls due, a pure read that the reminders will schedule."""
import datetime

from care import services
from care.models import CareKind
from care.sweeps import care_due_items
from tests.care.builders import record
from tests.factories import CadreFactory, SanctionFactory

D = datetime.date


def by_kind(items, kind):
    return [i for i in items if i.kind == kind]


def test_yearly_obligations_fall_due_from_the_fourth_quarter_only(world):
    assert by_kind(care_due_items(D(2026, 9, 30)), "obligation") == []
    items = by_kind(care_due_items(D(2026, 10, 1)), "obligation")
    keys = {i.key for i in items}
    assert f"care:obligation:2026:talk:unit:{world.township_a.pk}" in keys
    assert f"care:obligation:2026:consultation:unit:{world.township_a.pk}" in keys
    assert all(i.due == D(2026, 12, 31) for i in items)
    talk = next(i for i in items if i.key == f"care:obligation:2026:talk:unit:{world.township_a.pk}")
    assert "1 名干部尚未完成2026年度谈心谈话" in talk.text


def test_an_obligation_done_leaves_the_list(world):
    record(world, CareKind.TALK, cadres=[world.cadre_a], date=D(2026, 3, 1))
    services.consultation_hold(by=world.users["staff_a"], unit=world.township_a, title="座谈", held_on=D(2026, 3, 1),
                               mode="oral")
    keys = {i.key for i in care_due_items(D(2026, 10, 15))}
    assert f"care:obligation:2026:talk:unit:{world.township_a.pk}" not in keys
    assert f"care:obligation:2026:consultation:unit:{world.township_a.pk}" not in keys
    assert f"care:obligation:2026:home_visit:unit:{world.township_a.pk}" in keys


def test_follow_up_visits_are_listed_when_due_within_the_window_or_overdue(world):
    s = SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 1, 15))  # due 2026-04-15
    assert by_kind(care_due_items(D(2026, 3, 15)), "follow_up") == []
    [item] = by_kind(care_due_items(D(2026, 3, 16)), "follow_up")
    assert (item.key, item.cadre_id, item.due) == (f"care:follow_up:{s.pk}:2026-04-15", world.cadre_a.pk, D(2026, 4, 15))
    assert by_kind(care_due_items(D(2026, 6, 1)), "follow_up")[0].key == item.key  # overdue: still listed


def test_concerns_past_their_deadline_are_listed_until_answered(world):
    activity = record(world, CareKind.HOME_VISIT, date=D(2026, 3, 1))
    concern = services.concern_raise(by=world.users["staff_a"], cadre=world.cadre_a, category="housing",
                                     content="住房困难", responder="镇党委", raised_on=D(2026, 3, 1),
                                     deadline=D(2026, 3, 10), activity=activity)
    assert by_kind(care_due_items(D(2026, 3, 10)), "concern") == []
    [item] = by_kind(care_due_items(D(2026, 3, 11)), "concern")
    assert (item.key, item.unit_id) == (f"care:concern:{concern.pk}:overdue", world.township_a.pk)
    services.concern_answer(concern=concern, by=world.users["staff_a"], answer="已安排", answered_on=D(2026, 3, 12))
    assert by_kind(care_due_items(D(2026, 3, 13)), "concern") == []


def test_running_it_twice_changes_nothing_and_gives_the_same_items(world, django_assert_max_num_queries):
    CadreFactory(unit=world.township_a)
    SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 8, 1))
    first = care_due_items(D(2026, 10, 20))
    with django_assert_max_num_queries(10):  # set-based whatever the number of cadres (+1: 说说心里话 answers)
        second = care_due_items(D(2026, 10, 20))
    assert first == second and first
    assert len({i.key for i in first}) == len(first)
