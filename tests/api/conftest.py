"""API test fixtures: the shared world with a case, an allegation (with a reporter), a
notice and a quarterly review; tokens; and a client that validates every response it
receives against the OpenAPI schema (the contract test runs inside every API test)."""
import datetime
import json
from functools import cache

import pytest
from rest_framework.test import APIClient

from api.services import token_create
from tests.conftest import client_for

REPORTER_MARKERS = ["王举报", "13800000000"]  # the reporter of tests.tolerance.builders.receive_allegation


@cache
def openapi():
    from drf_spectacular.generators import SchemaGenerator
    from openapi_core import OpenAPI

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return OpenAPI.from_dict(json.loads(json.dumps(schema, default=str)))


VALIDATED = {"count": 0}


def validate_against_schema(response):
    """Fail when a response does not match the schema's declaration for its path, method
    and status (body shape, types, enums, required fields, content type)."""
    from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

    request = response.wsgi_request
    if not request.path.startswith("/api/v1/"):
        return
    openapi().validate_response(DjangoOpenAPIRequest(request), DjangoOpenAPIResponse(response))
    VALIDATED["count"] += 1


class ContractClient(APIClient):
    def request(self, **kwargs):
        response = super().request(**kwargs)
        validate_against_schema(response)
        return response


def clear_throttle_counters():
    """Forget the rate counters. On Redis only the throttle's own keys: the cache's clear()
    would FLUSHDB, and the Celery broker may share that Redis database."""
    from django.core.cache import caches

    from api.base import THROTTLE_CACHE

    cache = caches[THROTTLE_CACHE]
    client = getattr(cache, "_cache", None)
    if hasattr(client, "get_client"):
        redis = client.get_client(write=True)
        for key in redis.scan_iter(match=cache.make_key("api-throttle:*")):
            redis.delete(key)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    clear_throttle_counters()
    yield
    clear_throttle_counters()


@pytest.fixture
def api_world(world):
    from tests.assessment.url_matrix import setup as assessment_setup
    from tests.tolerance.url_matrix import setup as tolerance_setup

    tolerance_setup(world)
    assessment_setup(world)
    return world


@pytest.fixture
def api():
    return ContractClient()


def issue_token(world, user, scopes, **kwargs):
    kwargs.setdefault("expires_on", datetime.date.today() + datetime.timedelta(days=30))
    token, raw = token_create(by=world.users["admin"], user=user, note=kwargs.pop("note", "测试"), scopes=scopes,
                              **kwargs)
    return token, raw


@pytest.fixture
def token_client(api_world):
    """token_client(persona, scopes) -> a ContractClient sending that persona's token."""

    def make(persona, scopes):
        _, raw = issue_token(api_world, api_world.users[persona], scopes)
        client = ContractClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


@pytest.fixture
def session_client(api_world):
    def make(persona):
        return client_for(ContractClient(), api_world.users[persona])

    return make
