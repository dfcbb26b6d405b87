"""The API permission matrix: every endpoint × persona × token scope × in/out-of-scope
object. A token with the endpoint's scope answers as the persona's session does (200, or
404 for an object out of the persona's scope, 403 for a role without access); a token with
every other scope is 403; no token, or a bad one, is 401."""
import datetime

import pytest
from django.urls import reverse

from api.models import Scope
from tests.api.conftest import ContractClient, issue_token
from tests.api.url_matrix import API_MATRIX

PERSONAS = ["staff_a", "staff_b", "officer_assigned", "officer_unassigned", "leader", "admin"]


def _client(raw):
    client = ContractClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.parametrize("name", sorted(API_MATRIX))
def test_api_matrix(api_world, name):
    method, kwargs, expected, scope = API_MATRIX[name]
    url = reverse(name, kwargs=kwargs(api_world))
    for persona in PERSONAS:
        user = api_world.users[persona]
        _, with_scope = issue_token(api_world, user, [scope])
        _, other_scopes = issue_token(api_world, user, [s for s in Scope.values if s != scope])
        got = getattr(_client(with_scope), method)(url).status_code
        assert got == expected[persona], f"{name} as {persona} with {scope}"
        got = getattr(_client(other_scopes), method)(url).status_code
        assert got == 403, f"{name} as {persona} without {scope}"
    assert getattr(ContractClient(), method)(url).status_code == 401
    assert getattr(_client("dd_00000000_wrong"), method)(url).status_code == 401


def test_an_out_of_scope_cadre_is_404_and_the_same_cadre_in_scope_is_200(api_world):
    """The same token and endpoint, two objects: cadre B is outside staff A's jurisdiction."""
    _, raw = issue_token(api_world, api_world.users["staff_a"], [Scope.READ_CADRES])
    client = _client(raw)
    assert client.get(reverse("api:cadre_detail", args=[api_world.cadre_a.pk])).status_code == 200
    assert client.get(reverse("api:cadre_detail", args=[api_world.cadre_b.pk])).status_code == 404
    assert client.get(reverse("api:cadre_detail", args=[10 ** 9])).status_code == 404


FACT = {"source": "audit", "date": "2026-05-10", "summary": "审计发现：专项资金拨付滞后", "polarity": "negative"}


@pytest.mark.parametrize("persona,expected", [
    ("staff_a", 201), ("admin", 201),
    ("staff_b", 404),  # unit A's review is outside staff B's jurisdiction
    ("leader", 403), ("officer_assigned", 403), ("officer_unassigned", 403),  # may read, may not enter facts
])
def test_fact_intake_matrix(api_world, persona, expected):
    url = reverse("api:review_facts", args=[api_world.review.pk])
    body = {**FACT, "cadre_id": api_world.cadre_a.pk}
    user = api_world.users[persona]
    _, with_scope = issue_token(api_world, user, [Scope.WRITE_FACTS])
    _, read_only = issue_token(api_world, user, [s for s in Scope.values if s != Scope.WRITE_FACTS])
    assert _client(read_only).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code == 403
    assert _client(with_scope).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code == expected


@pytest.mark.parametrize("persona,expected", [
    ("staff_a", 201), ("admin", 201),
    ("staff_b", 400),  # cadre A is outside staff B's jurisdiction: an unknown id to them
    ("leader", 403), ("officer_assigned", 403), ("officer_unassigned", 403),
])
def test_allegation_intake_matrix(api_world, persona, expected):
    url = reverse("api:allegation_list")
    body = {"source": "审计", "received_on": str(datetime.date.today()), "subject_ids": [api_world.cadre_a.pk],
            "issue": "矩阵测试问题", "summary": "摘要"}
    user = api_world.users[persona]
    _, with_scope = issue_token(api_world, user, [Scope.WRITE_ALLEGATIONS])
    _, read_only = issue_token(api_world, user, [s for s in Scope.values if s != Scope.WRITE_ALLEGATIONS])
    assert _client(read_only).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code == 403
    response = _client(with_scope).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == expected, response.json()
