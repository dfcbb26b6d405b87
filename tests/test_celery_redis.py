"""Real broker: a Celery worker started here answers a task sent through Redis.
Runs when REDIS_URL is set (as .ci/run does); skipped on the embedded default."""
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

from core.tasks import ping

pytestmark = pytest.mark.redis


@pytest.fixture
def worker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("REQUIRE_SERVICES 已设置：必须提供 REDIS_URL 以运行真实 Redis 的 Celery 测试")
        pytest.skip("未设置 REDIS_URL：Celery 以 eager 方式运行，跳过真实 Redis 测试")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning", "-c", "1", "--without-gossip",
         "--without-mingle", "-n", f"test-{os.getpid()}@%h"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    yield proc
    proc.terminate()
    proc.wait(timeout=20)


def test_a_task_round_trips_through_redis(worker):
    started = time.monotonic()
    assert ping.delay().get(timeout=60) == "pong"
    assert time.monotonic() - started < 60
