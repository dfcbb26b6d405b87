"""The committed schema (docs/openapi.yaml) is what partners build against: CI fails when
the generated schema differs, so /api/v1/ never changes without the file changing too.
Regenerate with: DEBUG=true .venv/bin/python manage.py spectacular --validate --file docs/openapi.yaml"""
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from openapi_core import OpenAPI

from tests.api.conftest import VALIDATED, validate_against_schema

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"


def test_the_committed_schema_is_the_generated_one(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--file", str(generated))
    assert generated.read_text() == COMMITTED.read_text(), (
        "接口定义已变化：请运行 DEBUG=true .venv/bin/python manage.py spectacular --validate --file docs/openapi.yaml "
        "并提交 docs/openapi.yaml（/api/v1/ 须保持兼容）")


def test_the_committed_schema_is_valid_openapi():
    import yaml

    OpenAPI.from_dict(yaml.safe_load(COMMITTED.read_text()))


def test_the_contract_check_catches_a_response_that_breaks_the_schema(token_client, api_world):
    """The client of the API tests validates each response; a body missing a declared
    field must fail it (so the check is not silently passing everything)."""
    from django.urls import reverse
    from openapi_core.exceptions import OpenAPIError

    from api.models import Scope

    response = token_client("staff_a", [Scope.READ_CADRES]).get(reverse("api:unit_list"))
    before = VALIDATED["count"]
    validate_against_schema(response)
    assert VALIDATED["count"] == before + 1
    response.content = response.content.replace(b'"name"', b'"nom"')
    with pytest.raises(OpenAPIError):
        validate_against_schema(response)
