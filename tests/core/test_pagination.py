"""The registry list's kept count and page keys (core.pagination.DeferredJoinPaginator with
kept=True): kept until a table the list's query reads changes, never showing a stale page."""
import datetime

import pytest
from django.urls import reverse

from cadres import views as cadre_views
from cadres.services import jurisdiction_grant, jurisdiction_revoke, posting_add
from core.roles import Role
from tests.conftest import client_for
from tests.factories import CadreFactory, UserFactory

URL = reverse("cadres:list")


@pytest.fixture
def listing(world, client, monkeypatch):
    """A clerk with 清河县 in their jurisdiction, a list of two rows a page, five cadres."""
    monkeypatch.setattr(cadre_views, "PAGE_SIZE", 2)
    clerk = UserFactory(username="clerk", role=Role.CADRE_SECTION)
    jurisdiction_grant(user=clerk, unit=world.unit_a)
    for name in ("丁一", "丁二", "丁三", "丁四", "丁五"):
        CadreFactory(unit=world.township_a, name=name)
    client_for(client, clerk)

    def shown(page=2):
        response = client.get(URL, {"q": "丁", "page": page, "order": "name"})
        assert response.status_code == 200
        return response.context["page"].paginator.count, [c.name for c in response.context["page"]]

    world.clerk = clerk
    return shown


def test_count_and_a_deep_page_follow_new_moved_and_renamed_cadres(world, listing):
    # Ordered by name as the database compares them: 丁〇 丁一 丁丁 丁三 丁二 丁五 丁四.
    assert listing() == (5, ["丁二", "丁五"])
    assert listing() == (5, ["丁二", "丁五"])  # kept
    CadreFactory(unit=world.township_a, name="丁丁")
    assert listing() == (6, ["丁三", "丁二"])
    moved = next(c for c in world.township_a.cadres.all() if c.name == "丁二")
    posting_add(cadre=moved, by=world.users["staff_a"], unit=world.unit_b, position="副区长", rank=moved.rank,
                start_date=datetime.date(2026, 10, 8))
    assert listing() == (5, ["丁三", "丁五"])
    moved.refresh_from_db()
    moved.unit = world.township_a
    moved.name = "丁〇"
    moved.save()
    assert listing() == (6, ["丁丁", "丁三"])


def test_a_revoked_grant_empties_the_kept_list(world, listing):
    assert listing(page=1)[0] == 5
    jurisdiction_revoke(user=world.clerk, unit=world.unit_a)
    assert listing(page=1) == (0, [])


def test_an_unreachable_shared_cache_still_shows_the_list(world, listing, settings, caplog):
    settings.CACHES = {**settings.CACHES, "shared": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    assert listing() == (5, ["丁二", "丁五"])
    assert "共用缓存不可用" in caplog.text
