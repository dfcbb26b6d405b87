"""The reporter's identity is never served by the API, whatever the token: every endpoint,
every persona (the assigned verifier included, who may see it on the page), every scope."""
import pytest
from django.urls import reverse

from api.models import Scope
from tests.api.conftest import REPORTER_MARKERS, ContractClient, issue_token
from tests.api.url_matrix import API_MATRIX


@pytest.mark.parametrize("persona", ["staff_a", "officer_assigned", "leader", "admin"])
def test_no_response_names_the_reporter(api_world, persona):
    _, raw = issue_token(api_world, api_world.users[persona], list(Scope.values))
    client = ContractClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    shortlist = {"unit": api_world.unit_a.pk, "target_rank": "副科级"}
    seen = 0
    for name, (method, kwargs, _, _) in API_MATRIX.items():
        response = getattr(client, method)(reverse(name, kwargs=kwargs(api_world)),
                                           shortlist if name == "api:shortlist" else None)
        body = response.content.decode("utf-8", "replace") if name != "api:notice_pdf" else ""
        for marker in REPORTER_MARKERS:
            assert marker not in body, f"{name} as {persona}"
        seen += response.status_code == 200
    assert seen >= 6
