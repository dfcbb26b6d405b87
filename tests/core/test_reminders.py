"""Sweeps are due-based and safe twice; recipients follow jurisdiction; the request path
never talks to the broker; the outbox survives broker outages."""
import datetime
import socket
import threading
import time

import pytest
from celery import Celery
from django.utils import timezone

from cadres.services import posting_add
from core.models import Notification, OutboxMessage
from core.reminders import dispatch_outbox, run_sweeps
from tests.conftest import client_for
from tests.factories import SanctionFactory, sanction_type
from tests.tolerance.builders import D, file_case, load_policy, verifying_allegation, walk_case
from tolerance.models import Stage

pytestmark = pytest.mark.django_db


def titles_for(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_a_sweep_run_twice_sends_nothing_twice(world):
    load_policy(world)
    case = file_case(world)
    first = run_sweeps(["tolerance_case_deadlines"], today=case.stage_deadline)
    second = run_sweeps(["tolerance_case_deadlines"], today=case.stage_deadline)
    assert first == {"tolerance_case_deadlines": 1} and second == {"tolerance_case_deadlines": 0}
    assert Notification.objects.count() == 1


def test_case_deadlines_remind_soon_then_overdue_then_escalate_to_the_jurisdictions_leaders(world):
    load_policy(world)
    case = file_case(world)
    deadline = case.stage_deadline
    run_sweeps(["tolerance_case_deadlines"], today=deadline - datetime.timedelta(days=4))
    assert Notification.objects.count() == 0  # not yet due
    run_sweeps(["tolerance_case_deadlines"], today=deadline - datetime.timedelta(days=3))
    run_sweeps(["tolerance_case_deadlines"], today=deadline + datetime.timedelta(days=1))
    assert len(titles_for(world.users["staff_a"])) == 2
    assert titles_for(world.users["leader"]) == []
    run_sweeps(["tolerance_case_deadlines"], today=deadline + datetime.timedelta(days=7))
    assert titles_for(world.users["leader"]) == [f"督办：案件“{case.title}”立案阶段超期 7 天"]
    assert titles_for(world.users["staff_b"]) == []


def test_a_missed_sweep_catches_up_on_the_next_run(world):
    load_policy(world)
    case = file_case(world)
    # nothing ran around the deadline; a run two weeks later still sends the overdue reminder
    run_sweeps(["tolerance_case_deadlines"], today=case.stage_deadline + datetime.timedelta(days=14))
    assert any("已超期" in t for t in titles_for(world.users["staff_a"]))


def test_allegation_deadlines_reach_the_assigned_verifiers_only(world):
    allegation = verifying_allegation(world)  # deadline 2026-05-01
    run_sweeps(["tolerance_allegation_deadlines"], today=D(2026, 5, 2))
    assert any("核查已超期" in t for t in titles_for(world.users["officer_assigned"]))
    assert titles_for(world.users["officer_unassigned"]) == []
    assert allegation.pk


def test_an_ended_influence_period_is_told_to_the_staff_of_the_cadres_current_unit(world):
    sanction = SanctionFactory(cadre=world.cadre_a, sanction_type=sanction_type("政务处分", "警告"),
                               decision_date=D(2026, 1, 10))  # ends 2026-07-10
    run_sweeps(["cadres_influence_periods_ending"], today=D(2026, 7, 9))
    assert Notification.objects.count() == 0
    posting_add(cadre=world.cadre_a, by=world.users["admin"], unit=world.unit_b, position="副区长", rank="",
                start_date=D(2026, 7, 1))
    run_sweeps(["cadres_influence_periods_ending"], today=D(2026, 7, 10))
    assert titles_for(world.users["staff_b"]) == ["甲干部的处分影响期已于 2026-07-10 期满"]
    assert titles_for(world.users["staff_a"]) == []  # the old jurisdiction no longer sees the cadre
    assert sanction.pk


def test_the_influence_sweep_reads_only_the_columns_its_reminder_says(world):
    """A whole cadre row (encrypted ID number, résumé) per ended sanction made each batch of
    the daily sweep several megabytes; the reminder says the same with a few columns."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    SanctionFactory(cadre=world.cadre_a, sanction_type=sanction_type("政务处分", "警告"),
                    decision_date=D(2026, 1, 10))  # ends 2026-07-10
    with CaptureQueriesContext(connection) as captured:
        run_sweeps(["cadres_influence_periods_ending"], today=D(2026, 7, 10))
    notification = Notification.objects.get(recipient=world.users["staff_a"])
    assert notification.body == "甲干部（政务处分·警告，2026-01-10 决定）影响期满，使用不再受该处分影响。"
    assert notification.url == f"/cadres/{world.cadre_a.pk}/?tab=rewards"
    read = [q["sql"] for q in captured.captured_queries if 'FROM "cadres_sanction"' in q["sql"]]
    assert read and not any("resume_text" in sql or "id_number" in sql for sql in read)


def test_the_rereview_window_closing_is_told_to_the_case_owner(world):
    load_policy(world)
    case = walk_case(world, Stage.CLOSED)  # feedback received 2026-05-13 → window closes 2026-06-12
    run_sweeps(["tolerance_rereview_windows"], today=D(2026, 6, 8))
    assert titles_for(world.users["staff_a"]) == [f"案件“{case.title}”复核申请期限将于 2026-06-12 届满"]


def test_a_sweep_at_five_past_midnight_on_new_years_day_uses_shanghai_time(world, monkeypatch):
    instant = datetime.datetime(2026, 12, 31, 16, 5, tzinfo=datetime.timezone.utc)  # 00:05 on 1 Jan in Shanghai
    monkeypatch.setattr(timezone, "now", lambda: instant)
    assert timezone.localdate() == D(2027, 1, 1)
    SanctionFactory(cadre=world.cadre_a, sanction_type=sanction_type("政务处分", "警告"), decision_date=D(2026, 7, 1))
    assert run_sweeps(["cadres_influence_periods_ending"]) == {"cadres_influence_periods_ending": 1}


def test_assigning_investigators_notifies_them_in_the_inbox(client, world):
    load_policy(world)
    walk_case(world, Stage.INVESTIGATION)
    client_for(client, world.users["officer_assigned"])
    page = client.get("/inbox/").content.decode()
    assert "您被指定承办容错纠错案件" in page
    assert client.get("/").context["unread_count"] == 1


def test_a_users_request_never_talks_to_the_broker(client, world, settings, monkeypatch):
    """With a real broker configured, a save only writes the outbox."""
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def no_broker(*args, **kwargs):
        raise AssertionError("the request path called the broker")

    monkeypatch.setattr(Celery, "send_task", no_broker)
    monkeypatch.setattr("celery.app.task.Task.apply_async", no_broker)
    load_policy(world)
    case = file_case(world)
    client_for(client, world.users["staff_a"])
    response = client.post(f"/tolerance/{case.pk}/actions/start/", {
        "investigators": [world.users["officer_assigned"].pk], "reason": "联合调查"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.INVESTIGATION
    assert list(OutboxMessage.objects.values_list("task", flat=True)) == ["core.tasks.send_pending_emails"]


def broker_app(url):
    app = Celery("outage-test", broker=url, set_as_current=False)
    app.conf.broker_connection_timeout = 2
    app.conf.broker_transport_options = {"socket_connect_timeout": 2, "socket_timeout": 2, "max_retries": 1}
    app.conf.task_publish_retry_policy = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
    return app


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def hung_listener():
    """Accepts connections and never answers, like a hung Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted, stop = [], threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


@pytest.mark.parametrize("kind", ["down", "hung"])
def test_a_save_during_an_outage_succeeds_and_its_reminder_is_delivered_once_the_broker_is_back(
        client, world, settings, mailoutbox, kind, request):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    port = request.getfixturevalue("hung_listener") if kind == "hung" else free_port()
    broken = broker_app(f"redis://127.0.0.1:{port}/0")
    world.users["officer_assigned"].email = "officer@example.gov.cn"
    world.users["officer_assigned"].save()
    load_policy(world)
    case = file_case(world)
    client_for(client, world.users["staff_a"])
    started = time.monotonic()
    response = client.post(f"/tolerance/{case.pk}/actions/start/", {
        "investigators": [world.users["officer_assigned"].pk], "reason": "联合调查"})
    assert response.status_code == 302 and time.monotonic() - started < 2  # the save never waits on the broker
    case.refresh_from_db()
    assert case.stage == Stage.INVESTIGATION
    message = OutboxMessage.objects.get()

    started = time.monotonic()
    assert dispatch_outbox(app=broken) == 0  # the dispatcher retries later, logs, loses nothing
    assert time.monotonic() - started < 20
    message.refresh_from_db()
    assert message.dispatched_at is None and message.attempts == 1 and message.last_error
    assert mailoutbox == []

    from config.celery import app  # the broker is back (here: the embedded eager app)

    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        assert dispatch_outbox(app=app) == 1
        assert dispatch_outbox(app=app) == 0
    finally:
        app.conf.task_always_eager = before
    assert [m.to for m in mailoutbox] == [["officer@example.gov.cn"]]
    assert "您被指定承办容错纠错案件" in mailoutbox[0].subject


def test_a_sweep_interrupted_half_way_finishes_on_redelivery_without_duplicates(world, settings):
    """A worker killed mid-sweep: acks_late returns the task to the queue, and the rerun
    writes only what the first run had not."""
    from core.reminders import SWEEPS, Jurisdictions, SweepContext, deliver

    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    load_policy(world)
    for _ in range(4):
        case = file_case(world)
    context = SweepContext(today=case.stage_deadline + datetime.timedelta(days=10), jurisdictions=Jurisdictions())
    everything = list(SWEEPS["tolerance_case_deadlines"](context))
    deliver(everything[: len(everything) // 2])  # the worker died here
    assert run_sweeps(["tolerance_case_deadlines"], today=context.today) == {
        "tolerance_case_deadlines": len(everything) - len(everything) // 2}
    assert Notification.objects.count() == len(everything) == 8


def test_care_items_falling_due_reach_the_staff_of_the_unit(world):
    from care.defaults import load_defaults

    load_defaults()
    SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 1, 10))  # first follow-up due by 2026-04-10
    run_sweeps(["care_due"], today=D(2026, 4, 20))
    assert any("回访教育" in t for t in titles_for(world.users["staff_a"]))
    assert not any("回访教育" in t for t in titles_for(world.users["staff_b"]))
    assert run_sweeps(["care_due"], today=D(2026, 4, 20)) == {"care_due": 0}


def test_quarterly_reviews_open_remind_before_the_deadline_and_escalate_the_day_after(world):
    from assessment.models import QuarterlyReview

    # 00:05 on 1 January (Shanghai): the first-quarter reviews open and their staff are told
    run_sweeps(["assessment_quarterly_reviews"], today=D(2027, 1, 1))
    review = QuarterlyReview.objects.get(department=world.unit_a, year=2027, quarter=1)
    assert titles_for(world.users["staff_a"]) == [f"清河县2027年第1季度分析研判已开启，请于 {review.deadline:%Y-%m-%d} 前完成"]
    assert titles_for(world.users["staff_b"]) == [f"青山区2027年第1季度分析研判已开启，请于 "
                                                  f"{QuarterlyReview.objects.get(department=world.unit_b, year=2027).deadline:%Y-%m-%d} 前完成"]
    def first_quarter(user):
        return [t for t in titles_for(user) if "第1季度" in t]

    run_sweeps(["assessment_quarterly_reviews"], today=review.deadline - datetime.timedelta(days=8))
    assert len(first_quarter(world.users["staff_a"])) == 1
    run_sweeps(["assessment_quarterly_reviews"], today=review.deadline - datetime.timedelta(days=7))
    assert len(first_quarter(world.users["staff_a"])) == 2
    assert titles_for(world.users["leader"]) == []
    run_sweeps(["assessment_quarterly_reviews"], today=review.deadline)
    assert titles_for(world.users["leader"]) == []
    run_sweeps(["assessment_quarterly_reviews"], today=review.deadline + datetime.timedelta(days=1))
    assert any(t.startswith("督办：清河县2027年第1季度") for t in titles_for(world.users["leader"]))
    assert run_sweeps(["assessment_quarterly_reviews"], today=review.deadline + datetime.timedelta(days=1)) == {
        "assessment_quarterly_reviews": 0}


def test_influence_period_notices_catch_up_after_more_than_ninety_days_of_downtime(world):
    from core.models import SweepRun

    SanctionFactory(cadre=world.cadre_a, decision_date=D(2025, 1, 10))  # its influence period ends in 2025
    run_sweeps(["cadres_influence_periods_ending"], today=D(2025, 1, 20))  # a run before it ends
    assert SweepRun.objects.get(name="cadres_influence_periods_ending").last_success_on == D(2025, 1, 20)
    sanction = world.cadre_a.sanctions.get()
    # The sweeps are down for a year: the next run still announces the period that ended meanwhile.
    run_sweeps(["cadres_influence_periods_ending"], today=sanction.influence_end + datetime.timedelta(days=200))
    assert Notification.objects.filter(kind="influence_end", key=f"influence_end:{sanction.pk}").exists()
