import threading
import time

import pytest
from django.db import connection, transaction

from core.audit import audit_chain_verify, audit_log
from core.models import AuditEvent
from tests.core.test_audit_trail import tampering


def test_each_event_records_who_what_and_chains_to_the_previous_one(world, rf):
    request = rf.get("/cadres/", REMOTE_ADDR="10.1.2.3")
    request.user = world.users["staff_a"]
    first = audit_log(AuditEvent.Type.EXPORT, request=request, obj=world.cadre_a, count=1, detail="干部名册")
    second = audit_log(AuditEvent.Type.LOGIN_FAILED, username="nobody", outcome=AuditEvent.Outcome.FAILURE)
    assert (first.username, first.ip_address, first.role, first.count) == ("staff_a", "10.1.2.3", "组织部干部科", 1)
    assert first.object_repr == str(world.cadre_a) and first.object_id == str(world.cadre_a.pk)
    assert second.prev_hash == first.hash and second.user_id is None and second.username == "nobody"
    assert audit_chain_verify() == []


def test_the_chain_check_names_an_edited_and_a_removed_row(world):
    events = [audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"], detail=f"q={i}") for i in range(4)]
    with tampering():  # past the append-only triggers, as an attacker with database access
        AuditEvent.objects.filter(pk=events[1].pk).update(detail="q=tampered")
        AuditEvent.objects.filter(pk=events[2].pk).delete()
    problems = audit_chain_verify()
    assert problems == [f"第 {events[1].pk} 条：内容与摘要不符（记录被修改）",
                        f"第 {events[3].pk} 条：与上一条的摘要不衔接（其前有记录被删除或插入）"]


def assert_eight_writers_keep_one_chain(user, write_once):
    """Eight threads call write_once(n, i) five times each: all 40 rows are written and the
    chain verifies whole, no two rows chained to the same predecessor."""
    barrier, failures = threading.Barrier(8), []

    def write(n):
        try:
            barrier.wait()
            for i in range(5):
                write_once(n, i)
        except Exception as e:  # noqa: BLE001  (reported below, with the thread)
            failures.append(repr(e))
        finally:
            connection.close()

    before = AuditEvent.objects.count()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert failures == []
    assert AuditEvent.objects.count() == before + 40
    assert audit_chain_verify() == []
    hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(hashes) == len(set(hashes))  # no two rows chained to the same predecessor


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_each_in_a_transaction_keep_one_unbroken_chain(postgres_only, world):
    """Eight threads, each writing audit rows in transactions that stay open a moment after
    the row (as an action's transaction does): every row links to the one committed before
    it, so the chain has no fork and verifies whole."""
    user = world.users["staff_a"]

    def write_once(n, i):
        with transaction.atomic():
            audit_log(AuditEvent.Type.SEARCH, user=user, detail=f"线程 {n} 第 {i} 次")
            time.sleep(0.002)

    assert_eight_writers_keep_one_chain(user, write_once)


@pytest.mark.django_db(transaction=True)
def test_autocommitted_writers_with_stale_hints_keep_one_unbroken_chain(postgres_only, world):
    """Writers outside any transaction (a search's row is a statement of its own), whose hint of
    the chain's tail is stale most of the time: each stale row is chained again under the lock,
    and the chain still has one order."""
    user = world.users["staff_a"]
    assert_eight_writers_keep_one_chain(
        user, lambda n, i: audit_log(AuditEvent.Type.SEARCH, user=user, detail=f"线程 {n} 第 {i} 次"))


def test_a_row_is_one_statement_when_the_process_knows_the_tail_and_two_when_not(postgres_only, world):
    from django.test.utils import CaptureQueriesContext

    from core import audit

    audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"], detail="一")
    with CaptureQueriesContext(connection) as known:
        second = audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"], detail="二")
    audit._known_tail["hash"] = "另一进程写入前的末尾"
    with CaptureQueriesContext(connection) as stale:
        third = audit_log(AuditEvent.Type.SEARCH, user=world.users["staff_a"], detail="三")
    assert (len(known), len(stale)) == (1, 2)
    assert third.prev_hash == second.hash and AuditEvent.objects.get(pk=third.pk).hash == third.hash
    assert audit_chain_verify() == []
