"""The read/leak crawler (issue 13's probe, kept): every named URL × every persona × an
in-scope object (unit A's), the same URL with a missing and an impossible id, and hostile
query strings on every page. Fails on any 500, and on any page that shows a persona a
cadre outside their jurisdiction (a marker cadre in each county, never shown across)."""
import pytest
from django.test import Client

from cadres.models import Cadre
from tests.conftest import PERSONAS, build_world, client_for, module_scenario
from tests.factories import CadreFactory
from tests.probe import matrix_pages
from tests.test_permission_matrix import MATRIX, build_full_world

pytestmark = pytest.mark.usefixtures("quiet_refusals")

MARK_A, MARK_B = "界内甲标记", "界外乙标记"
# What each persona must never see: unit A's marker for unit B's staff, unit B's marker for
# unit A's staff and the leader (who reads unit A), both for the discipline officers.
FORBIDDEN = {"staff_a": [MARK_B], "leader": [MARK_B], "staff_b": [MARK_A],
             "officer_assigned": [MARK_A, MARK_B], "officer_unassigned": [MARK_A, MARK_B],
             "anonymous": [MARK_A, MARK_B], "admin": [],
             # 三权分立: the three administrators read no cadre at all.
             "sysadmin": [MARK_A, MARK_B], "secadmin": [MARK_A, MARK_B], "auditor": [MARK_A, MARK_B]}
QUERIES = ["?q=a%00b&page=99999999999999999999999", "?unit=12345678901234567890123&year=abc&tag=%00&order=-x",
           "?year=99999&quarter=9&date=9999-12-31&due_by=0000-00-00"]
FIGURES = {"requests": 0}
# Hostile query strings reach the same code whoever sends them: sent as the personas that
# see the most pages, to keep the crawl within CI's budget.
QUERY_PERSONAS = {"staff_a", "leader", "admin"}


def markers(world):
    CadreFactory(name=MARK_A, unit=world.township_a)
    CadreFactory(name=MARK_B, unit=world.unit_b)
    return world


# One scenario (with the markers) for every persona's crawl; each crawl runs in a savepoint.
scenario = module_scenario(lambda: markers(build_full_world(build_world())))


def MATRIX_KWARGS(url, world):  # noqa: N802
    for name, (method, kwargs, _) in MATRIX.items():
        values = kwargs(world).values()
        if values:
            yield from values


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_answers_500_or_shows_a_cadre_outside_the_personas_jurisdiction(db, scenario, persona):
    full_world = scenario
    assert Cadre.objects.filter(name__in=[MARK_A, MARK_B]).count() == 2
    c = client_for(Client(raise_request_exception=False), full_world.users[persona])
    failures, leaks = [], []
    ids = {str(v) for v in MATRIX_KWARGS("", full_world) if isinstance(v, int)}
    for name, url, method in matrix_pages(full_world):
        urls = [url]
        if method == "get" and persona in QUERY_PERSONAS and not any(f"/{pk}/" in url for pk in ids):
            urls += [url + q for q in QUERIES]
        for pk in ids:
            if f"/{pk}/" in url:
                urls += [url.replace(f"/{pk}/", "/999999999/", 1), url.replace(f"/{pk}/", f"/{'9' * 25}/", 1)]
        for target in urls:
            response = c.get(target)  # a read, even of a POST-only URL (405, never 500)
            FIGURES["requests"] += 1
            if response.status_code >= 500:
                failures.append(target)
                continue
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/"):
                body = response.content.decode(errors="replace")
                leaks += [(target, m) for m in FORBIDDEN[persona] if m in body]
    if persona == "staff_a":  # the marker check works: A's marker is on A's cadre list
        assert MARK_A in c.get("/cadres/").content.decode()
    print(f"\n[crawl] {persona}: running total {FIGURES['requests']} reads, {len(failures)} × 500, {len(leaks)} leaks")
    assert not failures, failures[:10]
    assert not leaks, leaks[:10]
