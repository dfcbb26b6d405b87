"""Routing, walked stage by stage for every workflow: the person shown as responsible can
perform the next action (its form is on the page they see) and has the item as a to-do on
the workbench. Issue 12: 党委（党组）认定 belongs to the leaders, 调查核实 to the investigators."""
import datetime

import pytest
from django.utils import timezone

from care import services as care_services
from core.models import Notification
from core.panels import WORKBENCH_SOURCES
from tests.conftest import client_for
from tests.tolerance.builders import D, load_policy, walk_case
from tolerance import allegation_services, services
from tolerance.models import Stage
from tolerance.selectors import eligible_investigators, stage_responsibles

# The action that moves a case out of each stage (tolerance/views.py ACTIONS).
NEXT_ACTION = {
    Stage.FILED: "start", Stage.INVESTIGATION: "finish", Stage.PRELIMINARY: "preliminary",
    Stage.CONSULTATION: "consultation", Stage.DETERMINATION: "determine", Stage.FEEDBACK: "feedback",
    Stage.FILING: "filing",
}


def todo_urls(user):
    today = timezone.localdate()
    return {item.url for source in WORKBENCH_SOURCES for item in source(user, today)}


def assert_can_act(client, user, url, action_id):
    page = client_for(client, user).get(url)
    assert page.status_code == 200
    assert f'id="{action_id}"' in page.content.decode(), f"{user.username} 在 {url} 看不到 {action_id}"
    assert url in todo_urls(user), f"{user.username} 的工作台没有 {url}"


@pytest.fixture(autouse=True)
def policy(world):
    return load_policy(world)


@pytest.mark.parametrize("stage", list(NEXT_ACTION))
def test_every_tolerance_stage_is_on_the_workbench_of_someone_who_can_act(world, client, stage):
    case = walk_case(world, stage)
    responsibles = stage_responsibles(case)
    assert responsibles
    for user in responsibles:
        client.logout()
        assert_can_act(client, user, f"/tolerance/{case.pk}/", f"action-{NEXT_ACTION[stage]}")


def test_the_determination_stage_belongs_to_the_leaders_not_the_proposing_officer(world):
    case = walk_case(world, Stage.DETERMINATION)
    assert case.stage_owner == world.users["leader"]
    assert stage_responsibles(case) == [world.users["leader"]]
    assert f"/tolerance/{case.pk}/" not in todo_urls(world.users["officer_assigned"])
    assert Notification.objects.filter(recipient=world.users["leader"], kind="case_determination").exists()


def test_every_assigned_investigator_has_the_case_while_investigation_is_open(world):
    case = walk_case(world, Stage.FILED)
    second = world.users["officer_unassigned"]
    services.case_start_investigation(case=case, by=world.users["staff_a"],
                                      investigators=[world.users["officer_assigned"], second], reason="联合调查")
    for user in (world.users["officer_assigned"], second):
        assert f"/tolerance/{case.pk}/" in todo_urls(user)


def test_a_re_review_goes_back_to_the_leaders(world, client):
    case = walk_case(world, Stage.CLOSED)
    services.rereview_request(case=case, case_cadre=case.case_cadres.get(), by=world.users["staff_a"],
                              requested_on=D(2026, 5, 20), grounds="认为认定过重")
    case.refresh_from_db()
    assert case.stage == Stage.DETERMINATION and stage_responsibles(case) == [world.users["leader"]]
    assert_can_act(client, world.users["leader"], f"/tolerance/{case.pk}/", "action-determine")


def test_pickers_offer_only_people_with_jurisdiction_by_name_and_post(world, client):
    case = walk_case(world, Stage.FILED)
    eligible = set(eligible_investigators(case.unit))
    assert world.users["staff_a"] in eligible and world.users["officer_assigned"] in eligible
    assert world.users["staff_b"] not in eligible  # 青山区's staff never investigate 清河县's cases
    page = client_for(client, world.users["staff_a"]).get(f"/tolerance/{case.pk}/").content.decode()
    assert ">staff_b<" not in page and ">officer_assigned<" not in page


def test_the_allegation_workflow_is_on_the_right_workbench_at_every_step(world, client):
    staff, officer = world.users["staff_a"], world.users["officer_assigned"]
    today = timezone.localdate()
    a = allegation_services.allegation_receive(by=staff, source="信访", received_on=today, subjects=[world.cadre_a],
                                               issue="违规使用公车", summary="反映其私用公车。")
    url = f"/allegations/{a.pk}/"
    assert_can_act(client, staff, url, "action-assign")
    allegation_services.allegation_assign(allegation=a, by=staff, verifiers=[officer],
                                          deadline=today + datetime.timedelta(days=20))
    client.logout()
    assert_can_act(client, officer, url, "action-conclude")
    assert url not in todo_urls(staff)
    allegation_services.allegation_conclude(allegation=a, by=officer, conclusion="false", findings="经核查失实。",
                                            concluded_on=today)
    client.logout()
    assert_can_act(client, staff, url, "action-clarify")
    assert url not in todo_urls(officer)


def test_an_unanswered_consultation_submission_is_a_to_do_and_a_reminder(world, client):
    from core.reminders import run_sweeps

    consultation = care_services.consultation_hold(by=world.users["staff_a"], unit=world.unit_a, title="说说心里话座谈会",
                                                   held_on=D(2026, 3, 1), mode="both")
    sub = care_services.submission_record(consultation=consultation, by=world.users["staff_a"], cadre=world.cadre_a,
                                          submitted_on=D(2026, 3, 1), content="希望减少重复填报")
    assert f"/care/consultations/{consultation.pk}/" in todo_urls(world.users["staff_a"])
    assert f"/care/consultations/{consultation.pk}/" not in todo_urls(world.users["staff_b"])
    run_sweeps(today=D(2026, 4, 5))
    assert Notification.objects.filter(recipient=world.users["staff_a"], kind="care_submission").exists()
    care_services.submission_answer(submission=sub, by=world.users["staff_a"], answer="已协调精简报表",
                                    answered_on=D(2026, 4, 6))
    assert f"/care/consultations/{consultation.pk}/" not in todo_urls(world.users["staff_a"])


def test_an_open_concern_is_on_the_workbench_of_the_staff_who_answer_it(world, client):
    concern = care_services.concern_raise(by=world.users["staff_a"], cadre=world.cadre_a, category="housing",
                                          content="住房困难", responder="县住建局", raised_on=D(2026, 3, 1))
    assert_can_act(client, world.users["staff_a"], f"/care/concerns/{concern.pk}/", "answer-form")


def assert_steps_routed(client, steps, url):
    """Every open step has someone responsible, and each of them can act and has it to do."""
    assert steps
    for step in steps:
        assert step.responsibles, step.label
        for user in step.responsibles:
            client.logout()
            assert_can_act(client, user, url, step.action_id)


def test_every_step_of_a_grade_batch_is_on_the_workbench_of_someone_who_can_act(world, client):
    """A unit's annual assessment (年度考核): the city opens it, the county's staff grade and
    ask for 优秀 above the normal share, the county's leader decides, the staff archive; a
    不称职 grade is told to the cadre and its re-review answered (公务员法 art. 95)."""
    from assessment import routing
    from assessment import services as assessment_services
    from assessment.catalogs import load_default_rules
    from assessment.models import Grade
    from cadres.services import jurisdiction_grant
    from core.roles import Role
    from tests.assessment.builders import unit_with_cadres
    from tests.factories import UserFactory

    load_default_rules()
    staff, leader = world.users["staff_a"], world.users["leader"]
    city_staff = UserFactory(username="city_staff", role=Role.CADRE_SECTION)
    city_leader = UserFactory(username="city_leader", role=Role.LEADER)
    jurisdiction_grant(user=city_staff, unit=world.city)
    jurisdiction_grant(user=city_leader, unit=world.city)
    unit, cadres = unit_with_cadres(world, 20)

    # The city opens the year; the county's staff (nearest) are told and have it to do.
    ay = assessment_services.assessment_year_open(unit=unit, year=2025, by=city_staff)
    url = f"/assessment/years/{ay.pk}/"
    steps = routing.year_steps(ay)
    assert [s.action_id for s in steps] == ["batch-link"] and steps[0].responsibles == [staff]
    assert_steps_routed(client, steps, url)
    assert Notification.objects.filter(recipient=staff, kind="assessment_year_opened").exists()
    assert url not in todo_urls(city_staff) and url not in todo_urls(staff_b := world.users["staff_b"])
    assert not Notification.objects.filter(recipient=staff_b, kind="assessment_year_opened").exists()

    # Graded but one, with one 不称职; a request for a fifth 优秀 goes to the county's leader.
    grades = [(c, Grade.EXCELLENT if i < 4 else Grade.INCOMPETENT if i == 4 else Grade.COMPETENT)
              for i, c in enumerate(cadres[:-1])]
    assessment_services.grades_record_batch(assessment_year=ay, by=staff,
                                            rows=[{"cadre": c, "grade": g} for c, g in grades])
    approval = assessment_services.quota_excess_request(assessment_year=ay, excellent_count=5, reason="实绩突出",
                                                        by=staff)
    steps = routing.year_steps(ay)
    assert [s.action_id for s in steps] == ["batch-link", f"quota-decision-{approval.pk}"]
    assert steps[1].responsibles == [leader]
    assert_steps_routed(client, steps, url)
    assert Notification.objects.filter(recipient=leader, kind="quota_request").exists()
    assert not Notification.objects.filter(recipient=city_leader).exists()
    assert url not in todo_urls(city_leader)

    # All graded: while the leader decides, nothing waits on the staff.
    assessment_services.grade_record(assessment_year=ay, cadre=cadres[-1], grade=Grade.COMPETENT, by=staff)
    assert [s.action_id for s in routing.year_steps(ay)] == [f"quota-decision-{approval.pk}"]
    assert url not in todo_urls(staff) and url in todo_urls(leader)

    # Approved: the requester is told; archiving is the staff's, and then nothing is left.
    assessment_services.quota_excess_decide(approval=approval, approve=True, reason="同意", by=leader)
    assert Notification.objects.filter(recipient=staff, kind="quota_decided").exists()
    steps = routing.year_steps(ay)
    assert [s.action_id for s in steps] == ["year-close"]
    assert_steps_routed(client, steps, url)
    assert url not in todo_urls(leader)
    assessment_services.assessment_year_close(assessment_year=ay, by=staff)
    ay.refresh_from_db()
    assert routing.year_steps(ay) == []
    assert all(url not in todo_urls(u) for u in (staff, leader, city_staff, city_leader))

    # The 不称职 grade: told to the cadre, then its re-review answered.
    weak = ay.grades.get(grade=Grade.INCOMPETENT)
    grade_url = f"/assessment/grades/{weak.pk}/"
    assert_steps_routed(client, routing.grade_steps(weak), grade_url)
    weak = assessment_services.grade_notify(grade=weak, told_on=D(2026, 1, 10), by=staff)
    assert routing.grade_steps(weak) == [] and grade_url not in todo_urls(staff)
    review = assessment_services.grade_rereview_request(grade=weak, requested_on=D(2026, 1, 20), grounds="不服",
                                                        by=staff)
    assert [s.action_id for s in routing.grade_steps(weak)] == ["action-answer"]
    assert_steps_routed(client, routing.grade_steps(weak), grade_url)
    assessment_services.grade_rereview_answer(review=review, answered_on=D(2026, 2, 1), answer="维持原等次", by=staff)
    assert routing.grade_steps(weak) == [] and grade_url not in todo_urls(staff)


def test_a_unit_with_its_own_staff_grades_itself_and_the_county_keeps_the_rest(world):
    """Nearest level: a township with its own organization staff has its year on their
    workbench, not the county's; the county keeps its other units."""
    from assessment import routing
    from assessment import services as assessment_services
    from assessment.catalogs import load_default_rules
    from cadres.selectors import units_in_charge_of
    from cadres.services import jurisdiction_grant
    from core.roles import STAFF_ROLES, Role
    from tests.assessment.builders import unit_with_cadres
    from tests.factories import UserFactory

    load_default_rules()
    county, town_staff = world.users["staff_a"], UserFactory(username="town_staff", role=Role.CADRE_SECTION)
    jurisdiction_grant(user=town_staff, unit=world.township_a)
    other, _ = unit_with_cadres(world, 2)  # 东城镇: no staff of its own
    in_town = assessment_services.assessment_year_open(unit=world.township_a, year=2025, by=county)
    in_other = assessment_services.assessment_year_open(unit=other, year=2025, by=county)
    assert routing.year_steps(in_town)[0].responsibles == [town_staff]
    assert routing.year_steps(in_other)[0].responsibles == [county]
    assert f"/assessment/years/{in_town.pk}/" in todo_urls(town_staff)
    assert f"/assessment/years/{in_town.pk}/" not in todo_urls(county)
    assert f"/assessment/years/{in_other.pk}/" in todo_urls(county)
    assert f"/assessment/years/{in_other.pk}/" not in todo_urls(town_staff)
    assert set(units_in_charge_of(county, STAFF_ROLES)) == {world.unit_a, other}
    assert set(units_in_charge_of(world.users["leader"], STAFF_ROLES)) == set()  # not a staff role
    assert Notification.objects.filter(recipient=town_staff, kind="assessment_year_opened").exists()
