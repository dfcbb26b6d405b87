"""Real broker, real worker: runs when REDIS_URL is set on PostgreSQL (as .ci/run does);
a worker cannot share SQLite's in-memory test database, so elsewhere these skip."""
import os
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

pytestmark = pytest.mark.redis


def _start_worker():
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning", "-c", "1", "--without-gossip",
         "--without-mingle", "-n", f"test-{os.getpid()}-{time.monotonic_ns()}@%h"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


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


def test_a_task_round_trips_through_redis(worker):
    assert ping.delay().get(timeout=60) == "pong"


def wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
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
