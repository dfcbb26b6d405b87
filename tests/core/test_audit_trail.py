"""The audit trail (GB/T 22239-2019 8.1.4.3): append-only in the database, verified by a
command, archived past retention, read and exported by the 审计管理员 only, and fed by logins,
grants, reads of sensitive records, searches, admin actions and workflow transitions."""
import contextlib
import datetime
import importlib
import json
from pathlib import Path

import pgtrigger
import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_chain_verify, audit_log
from core.audit_archive import archive_delete_allowed, archive_verify, audit_archive
from core.jobs import job_run
from core.models import AuditEvent, BackgroundJob
from core.security_policy import security_policy
from tests.conftest import client_for

AUDIT_NO_DELETE = importlib.import_module("core.migrations.0012_audit_no_delete_sqlite").SQLITE_STATEMENTS[1]


@contextlib.contextmanager
def tampering():
    """What an attacker with database access would need: past the append-only triggers."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        try:
            with archive_delete_allowed():  # past the DELETE trigger (core 0012)
                yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON core_auditevent "
                               "BEGIN SELECT RAISE(ABORT, '审计日志不可修改'); END")
                cursor.execute(AUDIT_NO_DELETE)
    else:
        with pgtrigger.ignore("core.AuditEvent:audit_append_only"):
            yield


def types():
    return list(AuditEvent.objects.order_by("id").values_list("event_type", flat=True))


# --- append-only --------------------------------------------------------------------------

def test_postgresql_refuses_to_update_or_delete_an_audit_row_even_through_the_orm(postgres_only, world):
    event = audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"], detail="q")
    for attempt in (lambda: AuditEvent.objects.filter(pk=event.pk).update(detail="x"),
                    lambda: AuditEvent.objects.filter(pk=event.pk).delete()):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert AuditEvent.objects.get(pk=event.pk).detail == "q"


def test_sqlite_refuses_to_update_or_delete_an_audit_row_even_through_the_orm(world):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite 的触发器")
    event = audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"], detail="q")
    with pytest.raises(DatabaseError, match="不可修改"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(detail="x")
    with pytest.raises(DatabaseError, match="不可删除"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="不可删除"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")
    assert AuditEvent.objects.get(pk=event.pk).detail == "q"


def test_only_the_archive_deletes_and_the_trail_is_closed_again_afterwards(world, settings, tmp_path):
    """Both databases: the archive's sanctioned delete goes through; before and after it, a
    delete is refused (the SQLite permit lives only inside the archive's transaction)."""
    settings.AUDIT_ARCHIVE_DIR = tmp_path
    settings.AUDIT_RETENTION_DAYS = 180
    old = audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"], detail="old")
    with tampering():
        AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=200))
    kept = audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"], detail="kept")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=old.pk).delete()
    assert audit_archive() is not None
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=kept.pk).delete()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_tests_flush_still_empties_the_trail_and_closes_it_again():
    """Test machinery only (tests/conftest.py): the flush after a transactional test passes
    the SQLite trigger, and the trail is append-only again for the next test."""
    audit_log(AuditEvent.Type.SEARCH, username="someone", detail="q")


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_trail_is_append_only_again():
    event = audit_log(AuditEvent.Type.SEARCH, username="someone", detail="q")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_audit_verify_passes_on_an_intact_chain_and_fails_on_an_edited_row(world, capsys):
    events = [audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"], detail=f"q={i}") for i in range(3)]
    call_command("audit_verify")
    assert "核验通过" in capsys.readouterr().out
    with tampering():
        AuditEvent.objects.filter(pk=events[1].pk).update(detail="改过")
    with pytest.raises(CommandError, match="发现 1 处问题"):
        call_command("audit_verify")


# --- retention ----------------------------------------------------------------------------

def test_rows_past_retention_are_archived_to_a_signed_file_then_removed(world, settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path
    settings.AUDIT_RETENTION_DAYS = 180
    old = [audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"], detail=f"old {i}") for i in range(3)]
    recent = audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"], detail="recent")
    # The cut-off (now - 180 days) falls on the recent row: the older ones are past retention.
    path = audit_archive(now=recent.created_at + datetime.timedelta(days=180))
    assert path is not None and archive_verify(path)
    archived = [json.loads(line) for line in Path(path).read_text().splitlines()]
    assert [row["detail"] for row in archived] == [e.detail for e in old]
    assert archived[-1]["hash"] == old[-1].hash  # the chain continues in the file
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    archive = AuditEvent.objects.get(event_type=AuditEvent.Type.ARCHIVE)
    assert archive.count == 3 and path.name in archive.detail
    assert audit_chain_verify() == []
    Path(path).write_text(Path(path).read_text().replace("old 1", "old X"))
    assert not archive_verify(path)


def test_nothing_is_archived_within_retention(world, settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path
    audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"])
    assert audit_archive() is None and AuditEvent.objects.count() == 1


def test_the_archive_passes_the_postgresql_trigger(postgres_only, world, settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path
    audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"])
    assert audit_archive(now=timezone.now() + datetime.timedelta(days=365)) is not None
    assert list(AuditEvent.objects.values_list("event_type", flat=True)) == [AuditEvent.Type.ARCHIVE]


# --- the auditor's pages ------------------------------------------------------------------

def test_the_auditor_filters_the_trail_by_user_type_time_and_object(client, world):
    audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"], detail="检索：张")
    audit_log(AuditEvent.Type.EXPORT, user=world.users["staff_b"], obj=world.cadre_b, detail="导出", count=3)
    auditor = client_for(client, world.users["auditor"])
    today = timezone.localdate().isoformat()
    page = auditor.get(reverse("audit_list"), {"who": "staff_b", "event_type": "export", "since": today,
                                               "until": today, "obj": world.cadre_b.name}).content.decode()
    assert "导出" in page and "检索：张" not in page and "共 1 条" in page
    assert "共 0 条" in auditor.get(reverse("audit_list"), {"until": "2000-01-01"}).content.decode()


@pytest.mark.parametrize("persona", ["admin", "sysadmin", "secadmin", "staff_a", "leader"])
def test_nobody_but_the_auditor_reads_the_trail(client, world, persona):
    client = client_for(client, world.users[persona])
    assert client.get(reverse("audit_list")).status_code == 403
    assert client.post(reverse("audit_export")).status_code == 403


def test_the_auditors_export_is_a_job_and_is_itself_audited(client, world):
    audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"], detail="检索：张")
    auditor = client_for(client, world.users["auditor"])
    response = auditor.post(reverse("audit_export"), {"event_type": "search"})
    job = BackgroundJob.objects.get(user=world.users["auditor"], kind="audit.export")
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job_run(job.pk)  # no-op when eager mode already ran it
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE and Path(job.result_path).exists()
    export = AuditEvent.objects.get(event_type=AuditEvent.Type.EXPORT)
    assert (export.username, export.count, export.detail) == ("auditor", 1, "导出审计日志（事件类型：检索干部信息）")


# --- what is recorded ---------------------------------------------------------------------

def test_logins_failures_lockouts_and_logouts_are_recorded_and_failures_survive_a_success(client, world, settings):
    user = world.users["staff_a"]
    user.set_password("Right-pass-1")
    user.save()
    client.post(reverse("login"), {"username": "staff_a", "password": "wrong"})
    client.post(reverse("login"), {"username": "staff_a", "password": "Right-pass-1"})
    client.post(reverse("logout"))
    assert types() == ["login_failed", "login", "logout"]
    failed = AuditEvent.objects.get(event_type="login_failed")
    assert (failed.username, failed.outcome, failed.ip_address) == ("staff_a", "失败", "127.0.0.1")
    for _ in range(security_policy().lockout_failure_limit):
        client.post(reverse("login"), {"username": "staff_b", "password": "wrong"})
    assert "lockout" in types()


def test_an_expired_session_is_recorded_once(client, world):
    client = client_for(client, world.users["staff_a"])
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(reverse("home")).status_code == 302
    client.cookies["sessionid"] = key
    client.get(reverse("login"))
    assert types().count("session_expired") == 1
    assert AuditEvent.objects.get(event_type="session_expired").username == "staff_a"


def test_a_registry_search_is_recorded_with_its_count(client, world):
    client_for(client, world.users["staff_a"]).get(reverse("cadres:list"), {"q": "甲"})
    search = AuditEvent.objects.get(event_type=AuditEvent.Type.SEARCH)
    assert (search.username, search.detail, search.count) == ("staff_a", "检索：甲", 1)


def test_reads_of_a_reporter_an_evidence_file_and_a_confidential_note_are_recorded(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.tolerance.builders import cleared_allegation, load_policy, walk_case
    from tolerance.models import Stage
    from tolerance.services import evidence_add

    load_policy(world)
    allegation, _ = cleared_allegation(world)
    case = walk_case(world, Stage.INVESTIGATION)
    evidence = evidence_add(case=case, by=world.users["staff_a"], title="笔录", file=SimpleUploadedFile("n.pdf", b"%PDF-1.4\n%%EOF\n"))
    officer = client_for(client, world.users["officer_assigned"])
    assert officer.get(reverse("tolerance:reporter", args=[allegation.pk])).status_code == 200
    assert officer.get(reverse("tolerance:evidence", args=[evidence.pk])).status_code == 200
    reads = AuditEvent.objects.filter(event_type=AuditEvent.Type.SENSITIVE_READ).order_by("id")
    assert [(r.username, r.detail) for r in reads] == [("officer_assigned", "查看举报人信息（页面）"),
                                                       ("officer_assigned", "下载证据材料：笔录")]
    assert reads[0].ip_address == "127.0.0.1"


def test_every_workflow_transition_is_recorded_in_its_transaction(world):
    from tests.tolerance.builders import load_policy, walk_case
    from tolerance.models import Stage

    load_policy(world)
    case = walk_case(world, Stage.FEEDBACK)
    transitions = AuditEvent.objects.filter(event_type=AuditEvent.Type.TRANSITION, object_id=str(case.pk))
    assert transitions.count() == case.events.count()
    assert transitions.order_by("id").first().detail.startswith("立案")


def test_an_admin_action_joins_the_trail(client, world):
    from cadres.models import Tag

    client_for(client, world.users["sysadmin"]).post("/admin/cadres/tag/add/", {"name": "新标签"})
    assert Tag.objects.filter(name="新标签").exists()
    action = AuditEvent.objects.get(event_type=AuditEvent.Type.ADMIN_ACTION)
    assert action.username == "sysadmin" and "新增" in action.detail and "新标签" in action.detail
