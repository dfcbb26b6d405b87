"""Real broker, real worker: runs when REDIS_URL is set on PostgreSQL (as .ci/run does);
a worker cannot share SQLite's in-memory test database, so elsewhere these skip."""
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from core.models import Notification
from core.tasks import ping
from tests.tolerance.builders import file_case, load_policy
from tolerance.models import Stage, ToleranceCase

pytestmark = pytest.mark.redis


def _start_worker(**extra_env):
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", **extra_env,
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning", "-c", "1", "--without-gossip",
         "--without-mingle", "-n", f"test-{os.getpid()}-{time.monotonic_ns()}@%h"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


@pytest.fixture
def worker(db):
    if settings.CELERY_TASK_ALWAYS_EAGER or connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("REQUIRE_SERVICES 已设置：必须提供 REDIS_URL 和 PostgreSQL 以运行真实 worker 测试")
        pytest.skip("需要 REDIS_URL 与 PostgreSQL：worker 无法共享 SQLite 内存测试库，跳过真实 worker 测试")
    proc = _start_worker()
    yield proc
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture
def services(db):
    if settings.CELERY_TASK_ALWAYS_EAGER or connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("REQUIRE_SERVICES 已设置：必须提供 REDIS_URL 和 PostgreSQL 以运行真实 worker 测试")
        pytest.skip("需要 REDIS_URL 与 PostgreSQL：worker 无法共享 SQLite 内存测试库，跳过真实 worker 测试")


def test_a_task_round_trips_through_redis(worker):
    assert ping.delay().get(timeout=60) == "pong"


def wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_sweep_and_a_duplicate_sweep_sends_nothing_twice(worker, world):
    load_policy(world)
    case = file_case(world)
    case.stage_deadline = case.stage_deadline.replace(year=2020)  # long overdue
    case.save()
    result = app.send_task("core.tasks.run_sweeps", kwargs={"names": ["tolerance_case_deadlines"]})
    assert result.get(timeout=60) == {"tolerance_case_deadlines": 2}  # owner overdue + leader escalation
    again = app.send_task("core.tasks.run_sweeps", kwargs={"names": ["tolerance_case_deadlines"]})
    assert again.get(timeout=60) == {"tolerance_case_deadlines": 0}
    assert Notification.objects.filter(kind__startswith="case_").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_sweep_is_redelivered_and_finishes_without_duplicates(services, world):
    """acks_late: the sweep's message stays unacknowledged until the task ends. Kill the
    whole worker (SIGKILL) part-way through; the next worker gets the message again after
    the visibility timeout and completes it; natural keys keep every reminder single."""
    load_policy(world)
    template = file_case(world)
    overdue = template.stage_deadline.replace(year=2020)
    ToleranceCase.objects.bulk_create([
        ToleranceCase(title=f"案件{i}", unit=world.township_a, matter="m", error_date=template.error_date,
                      accountability_body="纪委", origin="accountability", policy=template.policy, stage=Stage.FILED,
                      stage_owner=world.users["staff_a"], stage_deadline=overdue, created_by=world.users["staff_a"])
        for i in range(6000)])
    expected = 2 * 6000  # the owner's overdue reminder and the leader's escalation, per case
    fast_restore = {"CELERY_VISIBILITY_TIMEOUT": "5"}
    first = _start_worker(**fast_restore)
    app.send_task("core.tasks.run_sweeps", kwargs={"names": ["tolerance_case_deadlines"]})
    sent = Notification.objects.filter(kind__startswith="case_")
    assert wait_for(lambda: sent.exists(), seconds=60), "the first worker never started the sweep"
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    at_kill = sent.count()
    if at_kill >= expected:
        pytest.skip("扫描在终止 worker 前已完成，无法验证中途终止（机器过快）")
    second = _start_worker(**fast_restore)
    try:
        assert wait_for(lambda: sent.count() >= expected, seconds=120), f"stuck at {sent.count()} of {expected}"
        time.sleep(2)
        assert sent.count() == expected
        assert sent.values("recipient", "key").distinct().count() == expected
    finally:
        second.terminate()
        second.wait(timeout=30)
