"""The workbench (工作台) reads what is due in SQL: its query count is the same for 5 and for
50 of each thing that falls due (issue #16: it used to compute the follow-up schedule of every
sanction in the jurisdiction on every view)."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import services as assessment_services
from cadres.models import FollowUpVisit, RecordStatus, Sanction
from care.follow_ups import follow_up_due_list, refresh_follow_up_due
from care.models import CareKind, Concern
from tests.assessment.builders import grade, open_year, unit_with_cadres
from tests.care.builders import record
from tests.conftest import client_for
from tests.factories import CadreFactory, SanctionFactory
from tests.tolerance.builders import file_case, load_policy, receive_allegation, verifying_allegation

D = datetime.date


def populate(world, n):
    """n of each: cadres with a sanction falling due (some visited), open concerns, cases at
    a stage staff_a owns, reports received and being verified."""
    today = datetime.date.today()
    for i in range(n):
        cadre = CadreFactory(unit=world.township_a, name=f"工作台{i}")
        sanction = SanctionFactory(cadre=cadre, decision_date=today - datetime.timedelta(days=80 + i))
        if i % 3 == 1:
            FollowUpVisit.objects.create(sanction=sanction, date=today - datetime.timedelta(days=i), visited_by="组织部")
        record(world, CareKind.TALK, cadres=[cadre], date=today - datetime.timedelta(days=10), concern={
            "cadre": cadre, "category": "work", "content": "诉求", "responder": "组织部", "deadline": None})
        file_case(world, cadres=[cadre])
        receive_allegation(world, cadres=[cadre])
        verifying_allegation(world, cadres=[cadre], issue="落实安全生产责任不力")
        # An annual assessment with a 不称职 grade not yet told and a request awaiting the leader.
        unit, members = unit_with_cadres(world, 4, name=f"工作台镇{n}-{i}")
        ay = open_year(world, unit)
        grade(world, ay, members[0], "不称职")
        assessment_services.quota_excess_request(assessment_year=ay, excellent_count=1, reason="实绩突出",
                                                 by=world.users["staff_a"])


def workbench_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("username", ["staff_a", "leader", "admin"])
def test_the_workbench_query_count_does_not_grow_with_the_data(client, world, username):
    from assessment.catalogs import load_default_rules

    load_default_rules()
    client_for(client, world.users[username])
    load_policy(world)
    workbench_queries(client)  # once per database connection: PostgreSQL prepares the fingerprint
    populate(world, 5)
    small, response = workbench_queries(client)
    if username != "leader":
        assert "回访教育：工作台0" in response.content.decode()
    if username == "staff_a":
        assert "评定等次：" in response.content.decode() and "告知本人：" in response.content.decode()
    if username == "leader":
        assert "优秀等次超比例申请" in response.content.decode()
    populate(world, 45)
    large, response = workbench_queries(client)
    assert Sanction.objects.count() >= 50 and Concern.objects.count() >= 50
    assert large == small, (small, large)
    if username != "leader":
        assert "回访教育：" in response.content.decode()


def test_the_stored_schedule_follows_every_change_of_its_inputs(world):
    today = datetime.date.today()
    s = SanctionFactory(cadre=world.cadre_a, decision_date=today - datetime.timedelta(days=100))
    s.refresh_from_db()
    first_due = s.follow_up_due
    assert first_due is not None and s.follow_up_visit_count == 0
    visit = FollowUpVisit.objects.create(sanction=s, date=today - datetime.timedelta(days=5), visited_by="组织部")
    s.refresh_from_db()
    assert (s.follow_up_visit_count, s.follow_up_last_visit) == (1, visit.date) and s.follow_up_due > today
    visit.delete()
    s.refresh_from_db()
    assert (s.follow_up_visit_count, s.follow_up_due) == (0, first_due)
    s.status = RecordStatus.WAIVED
    s.save()
    assert s.pk not in {d.sanction.pk for d in follow_up_due_list(cadres=None, today=today)}
    s.delete()  # its visits go with it; nothing is left to refresh


def test_the_daily_sweep_repairs_a_schedule_written_around_the_signals(world):
    from core.reminders import run_sweeps

    today = datetime.date.today()
    s = SanctionFactory(cadre=world.cadre_a, decision_date=today - datetime.timedelta(days=100))
    Sanction.objects.filter(pk=s.pk).update(follow_up_due=None)  # as a raw write would leave it
    assert not follow_up_due_list(cadres=None, today=today, due_by=today)
    run_sweeps(["care_due"], today=today)
    assert [d.sanction.pk for d in follow_up_due_list(cadres=None, today=today, due_by=today)] == [s.pk]
    assert refresh_follow_up_due() == 0  # nothing left to change


def test_the_count_of_active_cadres_follows_every_change(client, world):
    """Kept until a cadre or unit changes (core.db.kept_until_changed): a new cadre, a
    retirement, a transfer out of the jurisdiction and a deletion each show on the next view."""
    from cadres.models import CadreStatus

    client_for(client, world.users["staff_a"])

    def active():
        return workbench_queries(client)[1].context["active_count"]

    before = active()
    assert active() == before
    cadre = CadreFactory(unit=world.township_a)
    assert active() == before + 1
    cadre.status = CadreStatus.RETIRED
    cadre.save()
    assert active() == before
    cadre.status = CadreStatus.ACTIVE
    cadre.save()
    assert active() == before + 1
    cadre.unit = world.unit_b
    cadre.save()
    assert active() == before
    world.cadre_a.delete()
    assert active() == before - 1


# ------------------------------------------------------------------ the list kept until its data change


def concern_about(world, cadre):
    record(world, CareKind.TALK, cadres=[cadre], date=datetime.date.today() - datetime.timedelta(days=3), concern={
        "cadre": cadre, "category": "work", "content": "诉求", "responder": "组织部", "deadline": None})
    return Concern.objects.filter(cadre=cadre).latest("pk")


def shown(client, text) -> bool:
    return text in workbench_queries(client)[1].content.decode()


def test_a_second_view_reads_the_kept_list(client, world):
    client_for(client, world.users["staff_a"])
    concern_about(world, world.cadre_a)
    first, response = workbench_queries(client)
    second, again = workbench_queries(client)
    assert second < first
    assert again.context["work_items"] == response.context["work_items"] and "答复甲干部的" in again.content.decode()


def test_the_kept_list_follows_every_change_of_its_records(client, world):
    """core.workbench keeps the list until a row it is read from changes: a new record, an
    edit, a deletion, and a record moved out of reach each show on the next view."""
    client_for(client, world.users["staff_a"])
    assert not shown(client, "答复甲干部的")
    concern = concern_about(world, world.cadre_a)
    assert shown(client, "答复甲干部的")  # added
    concern.status = "answered"
    concern.save()
    assert not shown(client, "答复甲干部的")  # edited
    concern.status = "open"
    concern.save()
    assert shown(client, "答复甲干部的")
    world.cadre_a.unit = world.unit_b  # moved out of the jurisdiction
    world.cadre_a.save()
    assert not shown(client, "答复甲干部的")
    world.cadre_a.unit = world.township_a
    world.cadre_a.save()
    assert shown(client, "答复甲干部的")
    concern.delete()
    assert not shown(client, "答复甲干部的")  # deleted


def test_the_kept_list_follows_grants_roles_and_users(client, world):
    """Grants and role memberships have no history: a revoked grant (not the newest row), a
    role taken away and a colleague deactivated still show on the next view."""
    from assessment import services as assessment_services
    from assessment.catalogs import load_default_rules
    from cadres.services import jurisdiction_grant, jurisdiction_revoke
    from core.roles import Role
    from tests.factories import UserFactory

    load_default_rules()
    staff = world.users["staff_a"]
    client_for(client, staff)
    concern_about(world, world.cadre_a)
    assert shown(client, "答复甲干部的")
    jurisdiction_revoke(user=staff, unit=world.unit_a)
    assert not shown(client, "答复甲干部的")
    jurisdiction_grant(user=staff, unit=world.unit_a)
    assert shown(client, "答复甲干部的")
    group = staff.groups.get(name=Role.CADRE_SECTION)
    staff.groups.remove(group)
    assert not shown(client, "答复甲干部的")
    staff.groups.add(group)
    assert shown(client, "答复甲干部的")

    # A township with its own staff grades itself; once they leave, the county does.
    town_staff = UserFactory(username="town_staff", role=Role.CADRE_SECTION)
    jurisdiction_grant(user=town_staff, unit=world.township_a)
    ay = assessment_services.assessment_year_open(unit=world.township_a, year=2025, by=staff)
    url = f"/assessment/years/{ay.pk}/"
    assert not shown(client, url)
    town_staff.is_active = False
    town_staff.save()
    assert shown(client, url)


def test_the_kept_list_is_read_again_on_a_new_day(world):
    """Follow-up visits fall due by the day (FOLLOW_UP_DUE_SOON_DAYS ahead)."""
    from care.follow_ups import FOLLOW_UP_DUE_SOON_DAYS
    from core.workbench import workbench_items

    sanction = SanctionFactory(cadre=world.cadre_a, decision_date=datetime.date.today())
    sanction.refresh_from_db()
    soon = datetime.timedelta(days=FOLLOW_UP_DUE_SOON_DAYS)
    staff = world.users["staff_a"]
    day_before = sanction.follow_up_due - soon - datetime.timedelta(days=1)
    assert not [i for i in workbench_items(staff, day_before) if i.title.startswith("回访教育：甲干部")]
    assert [i for i in workbench_items(staff, day_before + datetime.timedelta(days=1))
            if i.title.startswith("回访教育：甲干部")]


def test_the_rows_escape_what_users_wrote(client, world):
    client_for(client, world.users["staff_a"])
    concern_about(world, CadreFactory(unit=world.township_a, name="<b>丙</b>"))
    page = workbench_queries(client)[1].content.decode()
    assert "答复&lt;b&gt;丙&lt;/b&gt;的" in page and "<b>丙</b>" not in page


def test_a_source_that_does_not_say_what_it_reads_is_read_on_every_view(world, monkeypatch):
    from core import panels
    from core.panels import WorkItem
    from core.workbench import workbench_items

    calls = []

    def source(user, today):
        calls.append(today)
        return [WorkItem("测试", f"第{len(calls)}次", "/", None)]

    monkeypatch.setattr(panels, "WORKBENCH_SOURCES", [*panels.WORKBENCH_SOURCES])
    monkeypatch.setattr(panels, "WORKBENCH_READS", {**panels.WORKBENCH_READS})
    monkeypatch.setattr("core.workbench.WORKBENCH_SOURCES", panels.WORKBENCH_SOURCES)
    monkeypatch.setattr("core.workbench.WORKBENCH_READS", panels.WORKBENCH_READS)
    panels.register_workbench_source(source)
    today = datetime.date.today()
    titles = [[i.title for i in workbench_items(world.users["staff_a"], today) if i.module == "测试"] for _ in range(2)]
    assert titles == [["第1次"], ["第2次"]]


@pytest.mark.django_db(transaction=True)
def test_the_fingerprint_is_read_again_on_a_new_database_connection():
    """On PostgreSQL it is a prepared statement of the connection (core.db.data_fingerprint):
    a new connection prepares it again."""
    from core.db import data_fingerprint
    from core.workbench import _kept_models
    from tests.factories import UserFactory

    def _fingerprint():
        return data_fingerprint(*_kept_models())

    first = _fingerprint()
    assert _fingerprint() == first
    connection.close()
    assert _fingerprint() == first
    UserFactory(username="新同事")
    assert _fingerprint() != first
