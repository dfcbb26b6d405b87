"""容错纠错 by stage: the median days cases spent in each stage (stays that ended in the
period, by Beijing dates) and the cases overdue as of the period's end, each against the
case events set by hand, with their edges, and the case-list filters their numbers open."""
import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.figures import FIGURES_BY_KEY, figure_values
from dashboard.periods import Period
from dashboard.report import build_report
from dashboard.tables import stage_days_table
from tests.conftest import client_for
from tests.tolerance.builders import load_policy, walk_case
from tolerance import services as tolerance_services
from tolerance.models import CaseEvent, Stage, StageDeadline, ToleranceCase
from tolerance.selectors import case_filter_q, stage_limits, stage_stays

D = datetime.date
BEIJING = ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BEIJING)


def case_with_events(world, moves, *, cadre=None, by=None):
    """A case filed at moves[0] (a datetime) whose later stage moves are (datetime, to_stage);
    its events are exactly these (the filing event included), its stage the last one's."""
    cadre = cadre or world.cadre_a
    case = walk_case(world, Stage.FILED, cadres=[cadre], by=by or world.users["staff_a"])
    filed_at, later = moves[0], moves[1:]
    ToleranceCase.objects.filter(pk=case.pk).update(created_at=filed_at)
    CaseEvent.objects.filter(case=case).update(at=filed_at)
    stage = Stage.FILED
    for when, to in later:
        event = CaseEvent.objects.create(case=case, from_stage=stage, to_stage=to, actor=world.users["staff_a"],
                                         reason="办理")
        CaseEvent.objects.filter(pk=event.pk).update(at=when)
        stage = to
    entered = (later[-1][0] if later else filed_at).astimezone(BEIJING).date()
    ToleranceCase.objects.filter(pk=case.pk).update(
        stage=stage, stage_deadline=entered if stage == Stage.CLOSED else tolerance_services.stage_deadline(stage, entered))
    case.refresh_from_db()
    return case


def table(user, unit, period):
    return {r.label: r for r in stage_days_table(user=user, unit=unit, period=period).rows}


# ------------------------------------------------------------------------ median days per stage

@pytest.fixture
def stays(world):
    load_policy(world)
    # Filed before the new year, left 立案 in January: a stay of 2026 (21 days); then 50 days
    # in 调查核实; 提出初步意见 entered 23:30 and left 00:30 the next day: 1 day (UTC: 0).
    case_with_events(world, [at(D(2025, 12, 20)), (at(D(2026, 1, 10)), Stage.INVESTIGATION),
                             (at(D(2026, 3, 1), 23, 30), Stage.PRELIMINARY),
                             (at(D(2026, 3, 2), 0, 30), Stage.CONSULTATION)])
    case_with_events(world, [at(D(2026, 2, 1), 9), (at(D(2026, 2, 4)), Stage.INVESTIGATION),
                             (at(D(2026, 2, 14)), Stage.PRELIMINARY)])
    # Filed 23:30 on New Year's Eve, left 00:30 on New Year's Day: in UTC both on 31 December,
    # in Beijing a stay of 1 day that ended in 2026.
    case_with_events(world, [at(D(2025, 12, 31), 23, 30), (at(D(2026, 1, 1), 0, 30), Stage.INVESTIGATION)])
    case_with_events(world, [at(D(2026, 6, 1)), (at(D(2026, 6, 2)), Stage.INVESTIGATION)])
    # Still in 立案: no stay ended.
    case_with_events(world, [at(D(2026, 7, 1))])
    # 青山区: seen by the city, never by 清河县's staff.
    case_with_events(world, [at(D(2026, 3, 1)), (at(D(2026, 3, 11)), Stage.INVESTIGATION)],
                     cadre=world.cadre_b, by=world.users["staff_b"])
    return world


def straight_stays(unit, period):
    """Each stay straight from the events: (stage, days) for exits in the period, in Python."""
    found = []
    for case in ToleranceCase.objects.select_related("unit"):
        if not case.unit.path.startswith(unit.path):
            continue
        events = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
        for i, exit_ in enumerate(events):
            left = timezone.localtime(exit_.at).date()
            if exit_.from_stage in ("", Stage.CLOSED) or not period.start <= left <= period.end:
                continue
            entries = [e for e in events[:i] if e.to_stage == exit_.from_stage]
            entered = timezone.localtime(entries[-1].at if entries else case.created_at).date()
            found.append((exit_.from_stage, (left - entered).days))
    return found


def median(values):
    values = sorted(values)
    if not values:
        return None
    mid = len(values) // 2
    return float(values[mid]) if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def test_the_median_days_per_stage_count_stays_by_the_beijing_date_they_ended(stays):
    admin, staff_a = stays.users["admin"], stays.users["staff_a"]
    county = table(staff_a, stays.unit_a, Period(2026))
    # 立案: 21 (across the new year), 3, 1 (23:30 to 00:30 on New Year's Day), 1.
    assert (county["立案"].stays, county["立案"].median_days) == (4, 2.0)
    assert (county["调查核实"].stays, county["调查核实"].median_days) == (2, 30.0)
    assert (county["提出初步意见"].stays, county["提出初步意见"].median_days) == (1, 1.0)
    assert (county["沟通会商"].stays, county["沟通会商"].median_days) == (0, None)
    assert county["立案"].limit_days == stage_limits()[Stage.FILED]
    # The city adds 青山区's 10 days; 清河县's staff never see it.
    city = table(admin, stays.city, Period(2026))
    assert (city["立案"].stays, city["立案"].median_days) == (5, 3.0)
    assert table(staff_a, stays.unit_a, Period(2026))["立案"].stays == 4
    # The stay that crossed the new year counts in 2026 (when it ended), not in 2025.
    assert table(admin, stays.city, Period(2025))["立案"].stays == 0
    # The first quarter: 21, 3 and the New Year's Day stay.
    assert table(admin, stays.unit_a, Period(2026, 1))["立案"].median_days == 3.0


@pytest.mark.parametrize("period", [Period(2026), Period(2026, 1), Period(2026, 2), Period(2025)])
def test_the_stage_days_equal_the_stays_counted_straight_from_the_events(stays, period):
    for unit in (stays.city, stays.unit_a, stays.unit_b):
        counted = straight_stays(unit, period)
        for row in stage_stays(ToleranceCase.objects.filter(unit__path__startswith=unit.path),
                               since=period.start, until=period.end):
            days = [d for s, d in counted if s == row.stage]
            assert (row.stays, row.median_days) == (len(days), median(days)), (unit.name, period.label, row.stage)


def test_a_stay_count_opens_the_cases_that_left_the_stage(stays, client):
    staff_a = stays.users["staff_a"]
    client_for(client, staff_a)
    for row in stage_days_table(user=staff_a, unit=stays.unit_a, period=Period(2026)).rows:
        response = client.get(row.link)
        assert response.status_code == 200
        # No case here left a stage twice: one case per stay.
        assert response.context["page"].paginator.count == row.stays, row.label
    # Another county's staff opening 清河县's link see none of 清河县's cases.
    client_for(client, stays.users["staff_b"])
    link = stage_days_table(user=staff_a, unit=stays.unit_a, period=Period(2026)).rows[0].link
    assert {c.unit_id for c in client.get(link).context["page"]} == {stays.unit_b.pk}


def test_the_dashboard_and_the_report_show_the_stage_days(stays, client):
    leader = stays.users["leader"]
    client_for(client, leader)
    page = client.get(reverse("dashboard:index"), {"year": 2026}).content.decode()
    assert 'id="stage-days-table"' in page and "停留天数中位数" in page
    report = build_report(user=leader, unit=stays.unit_a, year=2026, today=D(2026, 11, 29))
    [stage_table] = [t for t in report.tables if t.sheet == "阶段用时"]
    assert stage_table.rows[0] == ["立案", 4, "2", stage_limits()[Stage.FILED]]
    assert any(label.startswith("各阶段办理天数") for _, label, _ in report.definitions)


# ------------------------------------------------------------------------ overdue at the period's end

@pytest.fixture
def overdue(world):
    load_policy(world)
    StageDeadline.objects.update_or_create(stage=Stage.FILED, defaults={"days": 5})
    StageDeadline.objects.update_or_create(stage=Stage.INVESTIGATION, defaults={"days": 30})
    cases = {
        # 立案 on 26 December: deadline 31 December, the period's last day: not overdue.
        "on_deadline": case_with_events(world, [at(D(2025, 12, 26))]),
        # 立案 on 25 December: deadline 30 December: overdue.
        "day_past": case_with_events(world, [at(D(2025, 12, 25))]),
        # Closed on 20 December: not counted.
        "closed": case_with_events(world, [at(D(2025, 10, 1)), (at(D(2025, 10, 3)), Stage.INVESTIGATION),
                                           (at(D(2025, 12, 20)), Stage.CLOSED)]),
        # In 调查核实 since 15 November (deadline 15 December), closed only in January: overdue.
        "closed_later": case_with_events(world, [at(D(2025, 10, 1)), (at(D(2025, 11, 15)), Stage.INVESTIGATION),
                                                 (at(D(2026, 1, 5)), Stage.CLOSED)]),
        # 调查核实 entered 00:30 on 1 December Beijing time (30 November in UTC): deadline 31 December.
        "beijing_day": case_with_events(world, [at(D(2025, 11, 28)), (at(D(2025, 12, 1), 0, 30), Stage.INVESTIGATION)]),
        # Filed after the period: not counted for 2025.
        "later": case_with_events(world, [at(D(2026, 1, 2))]),
        # 青山区, overdue: never counted for 清河县.
        "other_county": case_with_events(world, [at(D(2025, 12, 1))], cadre=world.cadre_b, by=world.users["staff_b"]),
    }
    world.cases = cases
    return world


def overdue_ids(day, today=D(2026, 11, 29), unit=None):
    qs = ToleranceCase.objects.filter(case_filter_q(overdue_on=day, today=today))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return set(qs.values_list("pk", flat=True))


def test_overdue_at_the_periods_end_counts_the_stage_the_case_was_in_on_that_day(overdue):
    c = overdue.cases
    assert overdue_ids(D(2025, 12, 31), unit=overdue.unit_a) == {c["day_past"].pk, c["closed_later"].pk}
    assert overdue_ids(D(2025, 12, 31)) == {c["day_past"].pk, c["closed_later"].pk, c["other_county"].pk}
    # A day later the case on its deadline and the one entered after midnight Beijing time are overdue too.
    assert overdue_ids(D(2026, 1, 1), unit=overdue.unit_a) == {
        c["on_deadline"].pk, c["day_past"].pk, c["closed_later"].pk, c["beijing_day"].pk}
    # Closed on 5 January: not overdue on the 5th.
    assert c["closed_later"].pk not in overdue_ids(D(2026, 1, 5))


def test_the_overdue_figure_for_a_past_year_and_its_list(overdue, client):
    staff_a = overdue.users["staff_a"]
    f = FIGURES_BY_KEY["cases_overdue_at_end"]
    values = {v.figure.key: v for s in figure_values(user=staff_a, unit=overdue.unit_a, period=Period(2025),
                                                     today=D(2026, 11, 29), only={f.key}) for v in s.values}
    assert values[f.key].value == 2
    client_for(client, staff_a)
    response = client.get(values[f.key].link)
    assert "overdue_on=2025-12-31" in values[f.key].link
    assert {c.pk for c in response.context["page"]} == {overdue.cases["day_past"].pk, overdue.cases["closed_later"].pk}
    # 青山区's staff opening the same link see only their own.
    client_for(client, overdue.users["staff_b"])
    assert {c.pk for c in client.get(values[f.key].link).context["page"]} == {overdue.cases["other_county"].pk}


def test_for_the_current_period_it_equals_the_live_figure(world):
    load_policy(world)
    today = timezone.localdate()
    limit = stage_limits()[Stage.INVESTIGATION]
    for days_ago in (limit - 1, limit, limit + 1, limit + 40):  # on the deadline, then 1 and 41 days past
        entered = today - datetime.timedelta(days=days_ago)
        case_with_events(world, [at(entered - datetime.timedelta(days=2)), (at(entered, 9), Stage.INVESTIGATION)])
    case_with_events(world, [at(today - datetime.timedelta(days=90))])  # in 立案 for 90 days
    period = Period(today.year, (today.month - 1) // 3 + 1)
    v = {x.figure.key: x for s in figure_values(user=world.users["admin"], unit=world.city, period=period, today=today,
                                                only={"cases_overdue", "cases_overdue_at_end"}) for x in s.values}
    assert v["cases_overdue_at_end"].value == v["cases_overdue"].value == 3
    # The period's end is still ahead: its list counts as of today.
    assert overdue_ids(period.end, today=today) == set(
        ToleranceCase.objects.filter(case_filter_q(overdue=True, today=today)).values_list("pk", flat=True))


def test_a_case_without_any_recorded_event_is_judged_by_its_stored_stage_and_deadline(world):
    load_policy(world)
    case = walk_case(world, Stage.FILED)
    CaseEvent.objects.filter(case=case).delete()
    ToleranceCase.objects.filter(pk=case.pk).update(created_at=at(D(2025, 3, 1)), stage=Stage.INVESTIGATION,
                                                    stage_deadline=D(2025, 12, 30))
    assert overdue_ids(D(2025, 12, 30)) == set()
    assert overdue_ids(D(2025, 12, 31)) == {case.pk}
    ToleranceCase.objects.filter(pk=case.pk).update(stage=Stage.CLOSED)
    assert overdue_ids(D(2025, 12, 31)) == set()
