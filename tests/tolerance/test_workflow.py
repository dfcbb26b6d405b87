"""Every transition, the refused ones included, and who may do what."""
import datetime
import threading

import pytest
from django.db import connection

from core.errors import DomainError
from tests.conftest import client_for
from tests.tolerance.builders import D, determine, file_case, load_policy, walk_case
from tolerance import services
from tolerance.models import CaseEvent, Determination, Outcome, Stage
from tolerance.selectors import cases_visible_to, is_assigned


@pytest.fixture(autouse=True)
def policy(world):
    return load_policy(world)


def test_filing_records_the_first_event_with_owner_and_deadline(world):
    case = file_case(world)
    event = case.events.get()
    assert (event.from_stage, event.to_stage, event.actor) == ("", Stage.FILED, world.users["staff_a"])
    assert case.stage_owner == world.users["staff_a"]
    assert case.stage_deadline == datetime.date.today() + datetime.timedelta(days=5)


def test_a_full_walk_records_every_transition_with_who_and_why(world):
    case = walk_case(world, Stage.CLOSED)
    stages = list(case.events.values_list("from_stage", "to_stage"))
    assert stages == [("", "filed"), ("filed", "investigation"), ("investigation", "preliminary"),
                      ("preliminary", "consultation"), ("consultation", "determination"),
                      ("determination", "feedback"), ("feedback", "filing"), ("filing", "closed")]
    assert all(e.reason and e.actor_id for e in case.events.all())


@pytest.mark.parametrize("stage,step", [
    (Stage.FILED, "finish"), (Stage.FILED, "preliminary"), (Stage.INVESTIGATION, "consultation"),
    (Stage.PRELIMINARY, "feedback"), (Stage.CONSULTATION, "filing"), (Stage.FEEDBACK, "start"),
])
def test_a_stage_cannot_be_skipped_or_repeated(world, stage, step):
    case = walk_case(world, stage)
    staff = world.users["staff_a"]
    calls = {
        "start": lambda: services.case_start_investigation(case=case, by=staff, investigators=[staff], reason="x"),
        "finish": lambda: services.case_finish_investigation(case=case, by=staff, reason="x"),
        "preliminary": lambda: services.case_submit_preliminary_opinion(case=case, by=staff, opinion="x"),
        "consultation": lambda: services.case_record_consultation(case=case, by=staff, date=D(2026, 5, 1), bodies="b",
                                                                   minutes="m", proposed_outcome=Outcome.EXEMPT),
        "feedback": lambda: services.case_record_feedback(case=case, by=staff, feedback_date=D(2026, 5, 1), method="m",
                                                          received_on=D(2026, 5, 2)),
        "filing": lambda: services.case_record_filing(case=case, by=staff, discipline_on=D(2026, 5, 1),
                                                      organization_on=D(2026, 5, 1), accountability_on=D(2026, 5, 1)),
    }
    events_before = case.events.count()
    with pytest.raises(DomainError, match="阶段"):
        calls[step]()
    case.refresh_from_db()
    assert case.stage == stage and case.events.count() == events_before


def test_investigation_cannot_end_with_unanswered_clauses(world):
    case = walk_case(world, Stage.INVESTIGATION)
    with pytest.raises(DomainError, match="还有 28 项未作判断"):
        services.case_finish_investigation(case=case, by=world.users["officer_assigned"], reason="x")


def test_investigators_are_granted_the_case_and_keep_it(world):
    case = walk_case(world, Stage.INVESTIGATION)
    assert is_assigned(world.users["officer_assigned"], case)
    assert not is_assigned(world.users["officer_unassigned"], case)
    assert list(cases_visible_to(world.users["officer_assigned"])) == [case]
    assert list(cases_visible_to(world.users["officer_unassigned"])) == []
    assert list(cases_visible_to(world.users["staff_b"])) == []


def test_only_officers_or_staff_may_investigate(world):
    case = file_case(world)
    with pytest.raises(DomainError, match="不是纪检监察或组织部门干部"):
        services.case_start_investigation(case=case, by=world.users["staff_a"], investigators=[world.users["leader"]],
                                          reason="x")


def test_the_determination_needs_the_cadres_statement_of_defence(world):
    case = walk_case(world, Stage.CONSULTATION)
    services.case_record_consultation(case=case, by=world.users["staff_a"], date=D(2026, 5, 2), bodies="b",
                                      minutes="m", proposed_outcome=Outcome.EXEMPT)
    with pytest.raises(DomainError, match="认定前须记录本人陈述申辩"):
        determine(world, case, Outcome.EXEMPT)


def test_only_a_leader_records_the_determination(world):
    case = walk_case(world, Stage.DETERMINATION)
    with pytest.raises(DomainError, match="部门领导"):
        determine(world, case, Outcome.EXEMPT, by=world.users["staff_a"])
    assert not Determination.objects.exists()


def test_a_second_determination_of_the_same_case_is_refused(world):
    case = walk_case(world, Stage.FEEDBACK)
    with pytest.raises(DomainError, match="可能已由他人录入"):
        determine(world, case, Outcome.NOT_TOLERATED)
    assert Determination.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_leaders_determining_at_once_one_wins(postgres_only, world):
    case = walk_case(world, Stage.DETERMINATION)
    from cadres.services import jurisdiction_grant
    from core.roles import Role
    from tests.factories import UserFactory

    second = UserFactory(username="leader2", role=Role.LEADER)
    jurisdiction_grant(user=second, unit=world.unit_a)
    results, barrier = [], threading.Barrier(2)

    def run(user, outcome):
        barrier.wait()
        try:
            determine(world, case, outcome, by=user)
            results.append("saved")
        except DomainError as e:
            results.append(e.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(world.users["leader"], Outcome.EXEMPT)),
               threading.Thread(target=run, args=(second, Outcome.NOT_TOLERATED))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results.count("saved") == 1
    assert any("可能已由他人录入" in r for r in results if r != "saved")
    assert Determination.objects.filter(case=case).count() == 1


@pytest.mark.parametrize("days,allowed", [(0, True), (30, True), (31, False)])
def test_a_rereview_is_accepted_within_30_days_of_receipt(world, days, allowed):
    case = walk_case(world, Stage.CLOSED)  # feedback received 2026-05-13
    cc = case.case_cadres.get()
    requested = D(2026, 5, 13) + datetime.timedelta(days=days)
    if allowed:
        services.rereview_request(case=case, case_cadre=cc, by=world.users["staff_a"], requested_on=requested,
                                  grounds="事实认定有误")
        case.refresh_from_db()
        assert case.stage == Stage.DETERMINATION
    else:
        with pytest.raises(DomainError, match="30 日内"):
            services.rereview_request(case=case, case_cadre=cc, by=world.users["staff_a"], requested_on=requested,
                                      grounds="x")


def test_evidence_type_and_size_are_limited(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = file_case(world)
    with pytest.raises(DomainError, match="不支持的文件类型"):
        services.evidence_add(case=case, by=world.users["staff_a"], title="x", file=SimpleUploadedFile("a.exe", b"MZ"))
    big = SimpleUploadedFile("a.pdf", b"0" * (services.EVIDENCE_MAX_BYTES + 1))
    with pytest.raises(DomainError, match="超过 20 MB"):
        services.evidence_add(case=case, by=world.users["staff_a"], title="x", file=big)
    assert not case.evidence_files.exists()


def test_remedial_measures_are_tracked_to_done(world):
    case = file_case(world)
    m = services.remedial_add(case=case, by=world.users["staff_a"], description="完善审批制度", owner="县应急局",
                              deadline=D(2026, 12, 31))
    services.remedial_complete(measure=m, by=world.users["staff_a"], done_on=D(2026, 11, 1))
    with pytest.raises(DomainError, match="已完成"):
        services.remedial_complete(measure=m, by=world.users["staff_a"], done_on=D(2026, 11, 2))


def test_the_browser_action_refuses_with_a_message_and_saves_nothing(client, world):
    case = walk_case(world, Stage.INVESTIGATION)
    client_for(client, world.users["officer_assigned"])
    response = client.post(f"/tolerance/{case.pk}/actions/finish/", {"reason": "完成"}, follow=True)
    assert "还有 28 项未作判断" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.INVESTIGATION and CaseEvent.objects.filter(case=case).count() == 2


def test_an_overdue_stage_shows_in_the_list_filter(client, world):
    case = file_case(world)
    case.stage_deadline = D(2020, 1, 1)
    case.save()
    fresh = file_case(world)
    client_for(client, world.users["staff_a"])
    listed = {c.pk for c in client.get("/tolerance/?overdue=on").context["page"]}
    assert listed == {case.pk} and fresh.pk not in listed


@pytest.mark.parametrize("decided_on,message", [
    (D(2026, 2, 28), "不能早于失误发生日期"),  # the error happened on 2026-03-01
    (datetime.date.today() + datetime.timedelta(days=1), "不能晚于今天"),
])
def test_a_determination_dated_before_the_error_or_after_today_is_refused(world, decided_on, message):
    case = walk_case(world, Stage.DETERMINATION)
    with pytest.raises(DomainError, match=message):
        determine(world, case, Outcome.EXEMPT, decided_on=decided_on)
    assert not Determination.objects.exists()


def test_a_determination_on_the_day_of_the_error_is_accepted(world):
    case = walk_case(world, Stage.DETERMINATION)
    case.consultation_date = None  # only the error date to follow
    case.save()
    determine(world, case, Outcome.EXEMPT, decided_on=D(2026, 3, 1))
    assert Determination.objects.count() == 1


def test_a_consultation_before_the_error_is_refused(world):
    case = walk_case(world, Stage.CONSULTATION)
    with pytest.raises(DomainError, match="会商日期"):
        services.case_record_consultation(case=case, by=world.users["staff_a"], date=D(2026, 1, 1), bodies="b",
                                          minutes="m", proposed_outcome=Outcome.EXEMPT)
