"""The open steps of an annual assessment are one set of conditions (assessment.routing): the
year's page (year_steps), the workbench and the archive service agree in every state, and a
cadre counts as still to be graded only while a grade can still be entered for them."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import routing, services
from assessment.models import Grade
from cadres.models import CadreStatus
from core.errors import DomainError
from tests.assessment.builders import batch, grade, open_year, staff, unit_with_cadres

TODAY = datetime.date(2026, 3, 1)


def workbench_stage(user, ay) -> str | None:
    """The stage shown on the user's workbench for the year, or None when it is not there."""
    url = f"/assessment/years/{ay.pk}/"
    stages = [i.stage for i in routing.workbench_items(user, TODAY) if i.url == url]
    assert len(stages) <= 1, stages
    return stages[0] if stages else None


def assert_agree(world, ay):
    """year_steps, both workbenches and the archive service tell the same story."""
    ay.refresh_from_db()
    steps = {"quota" if s.action_id.startswith("quota-decision-") else s.action_id.removesuffix("-link")
             for s in routing.year_steps(ay)}
    staff_stage = workbench_stage(staff(world), ay)
    assert ("batch" in steps) == (staff_stage == "评定中")
    assert ("year-close" in steps) == (staff_stage == "待归档")
    assert ("quota" in steps) == (workbench_stage(world.users["leader"], ay) == "待领导审批")
    if "year-close" in steps:
        services.assessment_year_close(assessment_year=ay, by=staff(world))
        ay.refresh_from_db()
        assert routing.year_steps(ay) == [] and workbench_stage(staff(world), ay) is None
    else:
        with pytest.raises(DomainError):
            services.assessment_year_close(assessment_year=ay, by=staff(world))
    return steps


def test_a_cadre_graded_elsewhere_this_year_does_not_keep_the_year_open(world):
    """One grade per cadre and year: a cadre graded by their former unit and then transferred
    here cannot be graded again, so they are not waiting for a grade here either."""
    unit, cadres = unit_with_cadres(world, 3)
    former, (moved,) = unit_with_cadres(world, 1, name="西城镇")
    ay, ay_former = open_year(world, unit), open_year(world, former)
    grade(world, ay_former, moved, Grade.COMPETENT)
    moved.unit = unit
    moved.save()
    batch(world, ay, [(c, Grade.COMPETENT) for c in cadres])

    assert routing.ungraded_cadres(unit.pk, 2025).count() == 0
    refused = batch(world, ay, [(moved, Grade.COMPETENT)]).refused
    assert "同一年度只评定一次" in refused[moved.pk]  # still refused here
    assert assert_agree(world, ay) == {"year-close"}


def test_an_active_cadre_without_a_grade_keeps_the_year_on_grading(world):
    unit, cadres = unit_with_cadres(world, 3)
    ay = open_year(world, unit)
    batch(world, ay, [(c, Grade.COMPETENT) for c in cadres[:2]])
    assert [s.label for s in routing.year_steps(ay)] == ["评定等次（尚有 1 人未评定）"]
    with pytest.raises(DomainError, match="还有 1 名干部未评定等次"):
        services.assessment_year_close(assessment_year=ay, by=staff(world))
    assert assert_agree(world, ay) == {"batch"}


def test_a_cadre_who_left_service_ungraded_is_not_waited_for(world):
    unit, cadres = unit_with_cadres(world, 3)
    ay = open_year(world, unit)
    batch(world, ay, [(c, Grade.COMPETENT) for c in cadres[:2]])
    cadres[2].status = CadreStatus.RETIRED
    cadres[2].save()
    assert assert_agree(world, ay) == {"year-close"}


def test_a_cadre_graded_here_and_then_transferred_away_stays_graded(world):
    unit, cadres = unit_with_cadres(world, 2)
    other, _ = unit_with_cadres(world, 1, name="西城镇")
    ay = open_year(world, unit)
    batch(world, ay, [(c, Grade.COMPETENT) for c in cadres])
    cadres[0].unit = other
    cadres[0].save()
    assert assert_agree(world, ay) == {"year-close"}


@pytest.mark.parametrize("all_graded", [False, True])
def test_a_pending_excess_request_waits_for_the_leader_and_blocks_the_archive(world, all_graded):
    unit, cadres = unit_with_cadres(world, 8)  # 20 % of 8 → 1 优秀, 25 % → 2 with approval
    ay = open_year(world, unit)
    batch(world, ay, [(c, Grade.EXCELLENT if i < 1 else Grade.COMPETENT)
                      for i, c in enumerate(cadres if all_graded else cadres[:-1])])
    services.quota_excess_request(assessment_year=ay, excellent_count=2, reason="实绩突出", by=staff(world))
    assert assert_agree(world, ay) == ({"quota"} if all_graded else {"batch", "quota"})


def test_an_archived_year_has_no_step_anywhere(world):
    unit, cadres = unit_with_cadres(world, 1)
    ay = open_year(world, unit)
    batch(world, ay, [(cadres[0], Grade.COMPETENT)])
    services.assessment_year_close(assessment_year=ay, by=staff(world))
    ay.refresh_from_db()
    assert routing.year_steps(ay) == []
    assert workbench_stage(staff(world), ay) is None and workbench_stage(world.users["leader"], ay) is None


def test_the_workbench_source_reads_the_units_in_charge_once_for_a_staff_member_who_also_leads(world):
    """Both role sets come from one read of the grants (units_in_charge_by_roles)."""
    from core.roles import Role

    user = staff(world)
    user.groups.add(world.users["leader"].groups.get(name=Role.LEADER))
    unit, cadres = unit_with_cadres(world, 8)
    ay = open_year(world, unit)
    batch(world, ay, [(c, Grade.EXCELLENT if i < 1 else Grade.COMPETENT) for i, c in enumerate(cadres[:-1])])
    services.quota_excess_request(assessment_year=ay, excellent_count=2, reason="实绩突出", by=user)
    fresh = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as both:
        stages = {i.stage for i in routing.workbench_items(fresh, TODAY)}
    assert {"评定中", "待领导审批"} <= stages
    user.groups.remove(world.users["leader"].groups.get(name=Role.LEADER))
    fresh = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as staff_only:
        routing.workbench_items(fresh, TODAY)
    assert len(both) == len(staff_only) + 1  # the leader's requests; the grants are not read again
