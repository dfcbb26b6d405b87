"""scripts/api_client_example.py against the real API: authenticate, push a fact, read it
back in the quarterly review. requests goes through an adapter to Django's test client, so no
server or socket is needed."""
import importlib.util
from pathlib import Path

import requests
from django.conf import settings
from django.test import Client

from api.models import Scope
from assessment.models import InformationItem
from tests.api.conftest import issue_token

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "api_client_example.py"


def _load():
    spec = importlib.util.spec_from_file_location("api_client_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class DjangoAdapter(requests.adapters.BaseAdapter):
    """Sends a prepared requests call through Django's test client."""

    def __init__(self):
        super().__init__()
        self.client = Client()

    def send(self, request, **kwargs):
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in request.headers.items()
                   if k.lower() not in ("content-type", "content-length")}
        method = getattr(self.client, request.method.lower())
        path = request.url.split("testserver", 1)[1]
        if request.body is not None:
            reply = method(path, data=request.body, content_type=request.headers.get("Content-Type"), **headers)
        else:
            reply = method(path, **headers)
        response = requests.Response()
        response.status_code, response._content, response.url = reply.status_code, reply.content, request.url
        response.headers.update(dict(reply.headers))
        response.request = request
        return response

    def close(self):
        pass


def test_the_example_client_pushes_a_fact_and_reads_it_back(api_world, capsys):
    _, raw = issue_token(api_world, api_world.users["staff_a"],
                         [Scope.READ_CADRES, Scope.READ_REVIEWS, Scope.WRITE_FACTS], kind="service",
                         partner_body="审计")
    session = requests.Session()
    session.mount("http://testserver", DjangoAdapter())
    argv = ["--base-url", "http://testserver", "--token", raw, "--cadre", str(api_world.cadre_a.pk),
            "--date", "2026-05-10", "--summary", "审计发现：专项资金拨付滞后", "--key", "审计-2026-017"]
    module = _load()
    assert module.main(argv, session=session) == 0
    assert module.main(argv, session=session) == 0  # sent again: the first answer, nothing doubled
    out = capsys.readouterr().out
    assert "已报送：" in out and "已报送过（返回首次结果）" in out and "读回" in out
    assert InformationItem.objects.filter(summary="审计发现：专项资金拨付滞后").count() == 1
