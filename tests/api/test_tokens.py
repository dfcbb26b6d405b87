"""Tokens: shown once, stored hashed, scoped, expiring, revocable, last use listed; issued
and revoked only by whoever may_manage_tokens allows, in the page and in the admin."""
import datetime
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, Scope
from api.services import token_create, token_revoke
from core.errors import DomainError
from core.models import AuditEvent
from tests.api.conftest import ContractClient, issue_token
from tests.conftest import client_for


def _bearer(raw):
    client = ContractClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_token_is_stored_hashed_and_works_until_revoked(api_world):
    token, raw = issue_token(api_world, api_world.users["staff_a"], [Scope.READ_CADRES])
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    client = _bearer(raw)
    assert client.get(reverse("api:cadre_list")).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    token_revoke(token=token, by=api_world.users["admin"])
    response = client.get(reverse("api:cadre_list"))
    assert response.status_code == 401 and response.json()["detail"] == "接口令牌已被吊销。"
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.REVOKE, object_id=str(token.pk)).exists()
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.GRANT, object_id=str(token.pk)).exists()


def test_an_expired_token_is_refused(api_world):
    token, raw = issue_token(api_world, api_world.users["staff_a"], [Scope.READ_CADRES])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = _bearer(raw).get(reverse("api:cadre_list"))
    assert response.status_code == 401 and "过期" in response.json()["detail"]


def test_a_token_of_a_deactivated_account_is_refused(api_world):
    _, raw = issue_token(api_world, api_world.users["staff_a"], [Scope.READ_CADRES])
    api_world.users["staff_a"].is_active = False
    api_world.users["staff_a"].save()
    assert _bearer(raw).get(reverse("api:cadre_list")).status_code == 401


def test_a_refused_call_is_audited_as_denied(api_world):
    _bearer("dd_abcdef12_nope").get(reverse("api:cadre_list"))
    event = AuditEvent.objects.filter(event_type=AuditEvent.Type.API_CALL).latest("id")
    assert event.outcome == "拒绝" and "abcdef12" in event.detail


@pytest.mark.parametrize("persona", ["staff_a", "leader", "officer_assigned"])
def test_only_token_managers_issue_or_revoke(api_world, persona):
    user = api_world.users[persona]
    with pytest.raises(DomainError):
        token_create(by=user, user=user, note="自己签发", scopes=[Scope.READ_CADRES],
                     expires_on=datetime.date.today() + datetime.timedelta(days=5))
    token, _ = issue_token(api_world, user, [Scope.READ_CADRES])
    with pytest.raises(DomainError):
        token_revoke(token=token, by=user)


def test_an_expiry_beyond_a_year_or_no_scope_is_refused(api_world):
    admin = api_world.users["admin"]
    with pytest.raises(DomainError):
        token_create(by=admin, user=admin, note="n", scopes=[Scope.READ_CADRES],
                     expires_on=datetime.date.today() + datetime.timedelta(days=400))
    with pytest.raises(DomainError):
        token_create(by=admin, user=admin, note="n", scopes=[],
                     expires_on=datetime.date.today() + datetime.timedelta(days=4))


def test_the_page_issues_a_token_shown_once_and_revokes_it_after_confirmation(client, api_world):
    admin_client = client_for(client, api_world.users["admin"])
    response = admin_client.post(reverse("api:token_list"), {
        "user": api_world.users["staff_a"].pk, "kind": "service", "partner_body": "审计", "note": "县审计局报送",
        "expires_on": (datetime.date.today() + datetime.timedelta(days=90)).isoformat(),
        "scopes": [Scope.WRITE_FACTS, Scope.READ_REVIEWS]}, follow=True)
    assert response.redirect_chain == [(reverse("api:token_list"), 302)]  # a reload issues nothing
    raw = response.context["raw_token"]
    assert raw.startswith("dd_") and raw in response.content.decode()
    assert raw not in admin_client.get(reverse("api:token_list")).content.decode()
    token = ApiToken.objects.get(note="县审计局报送")
    page = admin_client.get(reverse("api:token_list")).content.decode()
    assert "报送季度分析研判信息" in page and "审计机关" in page and "未使用" in page
    assert admin_client.get(reverse("api:token_revoke", args=[token.pk])).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None  # the GET only asks to confirm
    admin_client.post(reverse("api:token_revoke", args=[token.pk]))
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_the_admin_issues_and_lists_tokens(client, api_world):
    admin_client = client_for(client, api_world.users["admin"])
    response = admin_client.post(reverse("admin:api_apitoken_add"), {
        "user": api_world.users["staff_b"].pk, "kind": "personal", "partner_body": "", "note": "后台签发",
        "expires_on": (datetime.date.today() + datetime.timedelta(days=30)).isoformat(),
        "scopes": [Scope.READ_CADRES]}, follow=True)
    assert response.status_code == 200
    token = ApiToken.objects.get(note="后台签发")
    assert "只显示这一次" in response.content.decode()
    assert admin_client.get(reverse("admin:api_apitoken_changelist")).status_code == 200
    admin_client.post(reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]})
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    staff_client = client_for(client.__class__(), api_world.users["staff_a"])
    assert staff_client.get(reverse("admin:api_apitoken_changelist")).status_code in (302, 403)


@override_settings(API_THROTTLE_RATE="3/min")
def test_calls_beyond_the_rate_are_throttled_per_token(api_world):
    _, raw = issue_token(api_world, api_world.users["staff_a"], [Scope.READ_CADRES])
    _, other = issue_token(api_world, api_world.users["staff_a"], [Scope.READ_CADRES])
    client = _bearer(raw)
    codes = [client.get(reverse("api:unit_list")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "请求过于频繁" in client.get(reverse("api:unit_list")).json()["detail"]
    assert _bearer(other).get(reverse("api:unit_list")).status_code == 200


def test_the_security_administrator_reaches_the_token_page_from_the_navbar_and_the_workbench(client, api_world):
    secadmin = client_for(client, api_world.users["secadmin"])
    home = secadmin.get(reverse("home")).content.decode()
    token_url = reverse("api:token_list")
    assert home.count(f'href="{token_url}"') == 2  # the navbar item and the workbench's duty button
    assert "接口令牌" in home and f'href="{reverse("api:docs")}"' in home
    issue_token(api_world, api_world.users["staff_a"], [Scope.READ_CADRES, Scope.WRITE_FACTS], note="县纪委报送")
    page = secadmin.get(token_url).content.decode()
    # Chinese labels, the person by name and post, expiry and last use; no codes or usernames.
    assert "读取单位、干部信息和提拔人选名单；报送季度分析研判信息" in page and "未使用" in page
    text = re.sub(r"<[^>]+>", " ", page)  # what is shown (the form's checkboxes carry the codes as values)
    assert "read:cadres" not in text and "write:facts" not in text and " staff_a " not in text
    assert "有效期至" in page and "最近使用" in page and "县纪委报送" in page


@pytest.mark.parametrize("persona,sees_docs", [("staff_a", True), ("officer_assigned", True), ("secadmin", True),
                                               ("sysadmin", False), ("auditor", False)])
def test_the_api_docs_link_is_offered_to_those_the_api_serves(client, api_world, persona, sees_docs):
    page = client_for(client, api_world.users[persona]).get(reverse("home")).content.decode()
    assert ('id="api-docs-link"' in page) is sees_docs
    assert (f'href="{reverse("api:token_list")}"' in page) is (persona == "secadmin")
