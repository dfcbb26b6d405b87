"""The per-token rate: a sliding window counted in the shared cache, so it holds across
gunicorn workers (Redis when REDIS_URL is set), and a cache outage never becomes a 500."""
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from api.base import throttle_hit
from api.models import Scope
from tests.api.conftest import ContractClient, issue_token


def _bearer(raw):
    client = ContractClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_the_window_slides_so_a_burst_at_its_edge_does_not_double_the_rate():
    start = 1_200_020.0  # 20 s into a 60 s window
    assert [throttle_hit("t", 3, 60, now=start + i) for i in range(3)] == [None, None, None]
    assert throttle_hit("t", 3, 60, now=start + 3) is not None
    # Just after the window turns, the previous three still weigh almost fully.
    assert throttle_hit("t", 3, 60, now=start + 41) is not None
    # Most of a window later they have slid out.
    assert throttle_hit("t", 3, 60, now=start + 100) is None


def test_the_wait_names_when_a_call_will_be_accepted():
    start = 2_400_000.0  # at a window's start
    for i in range(2):
        throttle_hit("w", 2, 60, now=start + i)
    wait = throttle_hit("w", 2, 60, now=start + 2)
    assert 55 <= wait <= 60


@override_settings(API_THROTTLE_RATE="3/min", CACHES={
    **settings.CACHES, "shared": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                  "LOCATION": "redis://127.0.0.1:1/0",
                                  "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}})
def test_an_unreachable_shared_cache_lets_calls_through_rather_than_failing_them(api_world):
    _, raw = issue_token(api_world, api_world.users["staff_a"], [Scope.READ_CADRES])
    client = _bearer(raw)
    assert [client.get(reverse("api:unit_list")).status_code for _ in range(5)] == [200] * 5


@pytest.mark.redis
@override_settings(API_THROTTLE_RATE="5/min")
def test_the_rate_holds_across_processes_through_redis(api_world):
    """Another process (as another gunicorn worker would) spends four of the token's five
    calls in Redis; this process then gets one call and a 429."""
    if not settings.REDIS_URL:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("REQUIRE_SERVICES 已设置：必须提供 REDIS_URL 以运行真实 Redis 测试")
        pytest.skip("需要 REDIS_URL：限流计数在各进程间经 Redis 共享")
    token, raw = issue_token(api_world, api_world.users["staff_a"], [Scope.READ_CADRES])
    other_worker = (f"import django; django.setup(); from api.base import throttle_hit\n"
                    f"for _ in range(4): assert throttle_hit('token:{token.pk}', 5, 60) is None\n")
    subprocess.run([sys.executable, "-c", other_worker], check=True, timeout=60,
                   env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "REDIS_URL": settings.REDIS_URL})
    client = _bearer(raw)
    assert [client.get(reverse("api:unit_list")).status_code for _ in range(2)] == [200, 429]
