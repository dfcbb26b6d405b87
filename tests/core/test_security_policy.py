"""The security policy set by the 安全管理员 (GB/T 22239-2019 8.1.5.3 b): stronger values apply
everywhere at once, weaker ones are refused with the reason, only the 安全管理员 sets it, every
change leaves history and an audit row, and pages read it from the cache (no query per page)."""
import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEvent, SecurityPolicy
from core.roles import Role
from core.second_factor import second_factor_required
from core.security_policy import security_policy, security_policy_save
from core.sessions import SEEN_AT
from tests.conftest import client_for


def policy_data(**changes):
    data = security_policy().form_initial()
    data.update({"password_min_length": 8, "password_min_classes": 3, "password_history_count": 5,
                 "password_max_age_days": 90, "lockout_failure_limit": 5, "lockout_minutes": 30,
                 "session_idle_minutes": 30, "session_absolute_hours": 12, "session_concurrent_limit": 1})
    data.update(changes)
    return data


def form_post(data):
    return {k: v for k, v in data.items() if v is not False}


def test_without_a_record_the_policy_is_the_settings(world, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 60
    policy = security_policy()
    assert policy.password_max_age_days == 60 and policy.password_min_length == 8
    assert policy.session_idle_seconds == settings.SESSION_COOKIE_AGE and policy.version == 0


def test_the_security_admin_tightens_the_policy_and_it_applies_at_once_with_history_and_audit(world):
    secadmin = world.users["secadmin"]
    security_policy_save(by=secadmin, data=policy_data(password_min_length=12, password_max_age_days=30,
                                                       second_factor_roles=[Role.CADRE_SECTION]))
    policy = security_policy()
    assert (policy.password_min_length, policy.password_max_age_days) == (12, 30)
    record = SecurityPolicy.objects.get()
    assert record.history.first().history_user == secadmin and record.updated_by == secadmin
    event = AuditEvent.objects.filter(event_type=AuditEvent.Type.POLICY_CHANGE).get()
    assert event.username == "secadmin" and "口令最小长度：8 位 → 12 位" in event.detail
    assert "口令有效期：90 天 → 30 天" in event.detail and "组织部干部科" in event.detail
    with pytest.raises(ValidationError, match="至少 12 位"):
        validate_password("Abcdef12!x", world.users["staff_a"])
    assert second_factor_required(world.users["staff_a"])  # staff_a is in the cadre section


@pytest.mark.parametrize("field,value,message", [
    ("password_min_length", 7, "口令最小长度不得少于 8 位"),
    ("password_min_classes", 2, "不得少于 3 类"),
    ("password_history_count", 3, "不得少于 5 次"),
    ("password_max_age_days", 120, "口令有效期不得超过 90 天"),
    ("lockout_failure_limit", 10, "不得超过 5 次"),
    ("lockout_minutes", 5, "锁定时长不得少于 10 分钟"),
    ("session_idle_minutes", 60, "闲置超时不得超过 30 分钟"),
    ("session_absolute_hours", 24, "会话最长时长不得超过 12 小时"),
    ("session_concurrent_limit", 0, "不得少于 1 个"),
])
def test_a_weaker_value_is_refused_with_its_reason_by_the_service_and_the_page(client, world, field, value,
                                                                                message):
    with pytest.raises(DomainError, match=message):
        security_policy_save(by=world.users["secadmin"], data=policy_data(**{field: value}))
    page = client_for(client, world.users["secadmin"]).post(reverse("security_policy"),
                                                             form_post(policy_data(**{field: value})))
    assert page.status_code == 200 and message in page.content.decode()
    assert not SecurityPolicy.objects.exists()
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.POLICY_CHANGE).exists()


def test_the_standards_text_is_cited_in_a_refusal(world):
    with pytest.raises(DomainError, match="GB/T 22239-2019"):
        security_policy_save(by=world.users["secadmin"], data=policy_data(password_max_age_days=91))


def test_settings_may_narrow_a_bound_but_never_widen_the_weak_side(world, settings):
    settings.SECURITY_POLICY_BOUNDS = {"password_min_length": (10, 64), "password_max_age_days": (1, 365)}
    with pytest.raises(DomainError, match="不得少于 10 位"):
        security_policy_save(by=world.users["secadmin"], data=policy_data(password_min_length=9))
    with pytest.raises(DomainError, match="不得超过 90 天"):
        security_policy_save(by=world.users["secadmin"], data=policy_data(password_min_length=10,
                                                                          password_max_age_days=180))


@pytest.mark.parametrize("persona", ["sysadmin", "auditor", "admin", "staff_a", "leader"])
def test_only_the_security_admin_sets_the_policy(client, world, persona):
    with pytest.raises(DomainError, match="只有安全管理员"):
        security_policy_save(by=world.users[persona], data=policy_data(password_min_length=12))
    assert client_for(client, world.users[persona]).post(
        reverse("security_policy"), form_post(policy_data(password_min_length=12))).status_code == 403
    assert not SecurityPolicy.objects.exists()


def test_the_page_shows_the_current_values_and_saves_a_change(client, world):
    secadmin = client_for(client, world.users["secadmin"])
    page = secadmin.get(reverse("security_policy")).content.decode()
    assert "口令最小长度" in page and 'value="8"' in page and "尚未修改" in page
    response = secadmin.post(reverse("security_policy"), form_post(policy_data(lockout_failure_limit=3)))
    assert response.status_code == 302
    page = secadmin.get(reverse("security_policy")).content.decode()
    assert "安全策略已保存" in page and world.users["secadmin"].get_full_name() in page
    assert security_policy().lockout_failure_limit == 3


def test_the_lockout_follows_the_policy(client, world):
    security_policy_save(by=world.users["secadmin"], data=policy_data(lockout_failure_limit=3, lockout_minutes=45))
    for _ in range(3):
        response = client.post(reverse("login"), {"username": "staff_b", "password": "wrong"})
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.LOCKOUT).exists()
    text = response.content.decode()
    assert "连续登录失败 3 次" in text and "45 分钟后再试" in text


def test_the_idle_timeout_follows_the_policy_and_is_audited_once(client, world):
    security_policy_save(by=world.users["secadmin"], data=policy_data(session_idle_minutes=10))
    client_for(client, world.users["staff_a"])
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SEEN_AT] = timezone.now().timestamp() - 9 * 60
    session.save()
    assert client.get(reverse("home")).status_code == 200  # nine minutes: still on, and the clock restarts
    session = client.session
    session[SEEN_AT] = timezone.now().timestamp() - 10 * 60
    session.save()
    assert client.get(reverse("home"))["Location"] == reverse("login")
    assert "闲置超过 10 分钟" in client.get(reverse("login")).content.decode()
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.SESSION_EXPIRED, username="staff_a").count() == 1


def test_the_concurrent_session_limit_follows_the_policy(world):
    security_policy_save(by=world.users["secadmin"], data=policy_data(session_concurrent_limit=2))
    staff = world.users["staff_a"]
    first, second = client_for(Client(), staff), client_for(Client(), staff)
    assert first.get(reverse("home")).status_code == 200 and second.get(reverse("home")).status_code == 200


def test_a_shorter_expiry_reaches_sessions_that_already_checked_the_password(client, world):
    from datetime import timedelta

    from core.models import PasswordState

    staff = world.users["staff_a"]
    PasswordState.objects.update_or_create(user=staff, defaults={"changed_at": timezone.now() - timedelta(days=40)})
    client_for(client, staff)
    assert client.get(reverse("home")).status_code == 200
    security_policy_save(by=world.users["secadmin"], data=policy_data(password_max_age_days=30))
    assert client.get(reverse("home"))["Location"] == reverse("password_change")


def test_voluntary_enrolment_can_be_closed(client, world):
    client_for(client, world.users["staff_a"])
    assert client.get(reverse("otp_setup")).status_code == 200
    security_policy_save(by=world.users["secadmin"], data=policy_data(second_factor_optional=False))
    assert client.get(reverse("otp_setup"))["Location"] == reverse("home")
    # Those who must use it still enrol.
    assert client_for(Client(), world.users["leader"], verified=False).get(reverse("otp_setup")).status_code == 200


def test_pages_read_the_policy_from_the_cache_not_the_database(client, world):
    security_policy_save(by=world.users["secadmin"], data=policy_data(password_min_length=10))
    client_for(client, world.users["staff_a"])
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    assert not [q for q in captured.captured_queries if "core_securitypolicy" in q["sql"]]


def test_the_admin_shows_the_policy_read_only_to_the_security_admin_and_not_to_the_others(client, world):
    security_policy_save(by=world.users["secadmin"], data=policy_data(password_min_length=10))
    for persona in ("secadmin", "sysadmin", "auditor"):
        world.users[persona].is_staff = True
        world.users[persona].save()
    secadmin = client_for(Client(), world.users["secadmin"])
    assert secadmin.get("/admin/core/securitypolicy/").status_code == 200
    change = secadmin.get("/admin/core/securitypolicy/1/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert secadmin.post("/admin/core/securitypolicy/1/change/", {"password_min_length": 8}).status_code == 403
    assert client_for(Client(), world.users["sysadmin"]).get("/admin/core/securitypolicy/").status_code == 403
    assert client_for(Client(), world.users["auditor"]).get("/admin/core/securitypolicy/").status_code == 403
