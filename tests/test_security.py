import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from core.security_policy import security_policy
from tests.factories import UserFactory


def test_a_missing_secret_key_with_debug_off_stops_startup_with_a_clear_message():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE", "DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env,
                            capture_output=True, text=True, cwd=settings.BASE_DIR)
    assert result.returncode != 0
    assert "SECRET_KEY 未设置" in result.stderr


@pytest.mark.parametrize("command, starts", [(["makemigrations", "--check", "--dry-run"], True), (["check"], False),
                                             (["migrate", "--plan"], False)])
def test_only_makemigrations_runs_without_the_secret_key(command, starts):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "SECRET_KEY_FILE", "DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    result = subprocess.run([sys.executable, "manage.py", *command], env=env, capture_output=True, text=True,
                            cwd=settings.BASE_DIR)
    assert (result.returncode == 0) is starts, result.stderr
    assert ("SECRET_KEY 未设置" in result.stderr) is not starts


def test_the_locale_and_time_zone_are_chinese():
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.CELERY_TIMEZONE) == ("zh-hans", "Asia/Shanghai", "Asia/Shanghai")


def test_sessions_expire_after_inactivity_and_at_browser_close():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_AGE <= 3600


@pytest.mark.django_db
def test_repeated_failed_logins_lock_that_user_from_that_address_only(client):
    UserFactory(username="alice")
    UserFactory(username="bob")
    for _ in range(security_policy().lockout_failure_limit):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "alice", "password": "pw"})
    assert locked.status_code == 429
    assert "账号已暂时锁定" in locked.content.decode()
    # Behind the proxy everyone may share an address: bob is not locked out with alice.
    other = client.post(reverse("login"), {"username": "bob", "password": "pw"})
    assert other.status_code == 302


@pytest.mark.django_db
def test_the_login_page_is_chinese_and_sends_a_content_security_policy(client):
    response = client.get(reverse("login"))
    assert "登录担当系统" in response.content.decode()
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_uploads_have_no_public_url():
    from django.urls import get_resolver

    assert not settings.MEDIA_URL or not any("media" in str(p.pattern) for p in get_resolver().url_patterns)
