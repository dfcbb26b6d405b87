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
