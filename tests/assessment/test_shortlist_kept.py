"""The shortlist's counts are kept until their data change (core.db.kept_until_changed):
counting evaluates every block and priority over all the candidates (a whole city's 60,000),
so repeated views and the other pages of the list read them from the shared cache, and any
write to a table the candidates or the conditions read counts them afresh (issue #16)."""
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services
from assessment.selectors import shortlist_query, shortlist_read_models
from cadres.models import Commendation, Rank
from cadres.services import jurisdiction_grant, jurisdiction_revoke
from core.roles import Role
from tests.assessment.builders import D, staff
from tests.assessment.test_shortlist import build_candidates, graded
from tests.conftest import client_for
from tests.factories import CadreFactory, MeasureFactory, SanctionFactory, UserFactory
from tests.tolerance.builders import load_policy, receive_allegation, walk_case
from tolerance.models import Stage

ON = "2026-06-01"
FIGURES = ("total", "eligible", "blocked", "priority")


def shown(client, unit, target="副科级", **params) -> dict:
    response = client.get(reverse("assessment:shortlist"), {"unit": unit.pk, "target_rank": target, "on": ON, **params})
    assert response.status_code == 200
    return {key: response.context[key] for key in FIGURES}


@pytest.fixture
def clerk(world):
    return CadreFactory(unit=world.township_a, name="科员甲", rank=Rank.KEYUAN, position="科员",
                        rank_since=D(2020, 1, 1), work_start_date=D(2015, 7, 1))


def _retire(world, clerk):
    clerk.status = "退休"
    clerk.save()


def _case(world, clerk):
    load_policy(world)
    walk_case(world, Stage.INVESTIGATION, cadres=[clerk])


# (a write to one of the tables the conditions read, how the counts change)
WRITES = {
    "a new cadre": (lambda world, clerk: CadreFactory(unit=world.township_a, rank=Rank.KEYUAN,
                                                      rank_since=D(2020, 1, 1), work_start_date=D(2015, 7, 1)),
                    {"total": 1, "eligible": 1}),
    "a cadre retires": (_retire, {"total": -1, "eligible": -1}),
    "a sanction": (lambda world, clerk: SanctionFactory(cadre=clerk, decision_date=D(2026, 1, 1)),
                   {"blocked": 1, "eligible": -1}),
    "an admonition": (lambda world, clerk: MeasureFactory(cadre=clerk, kind="诫勉", date=D(2026, 3, 1)),
                      {"blocked": 1, "eligible": -1}),
    "a weak grade": (lambda world, clerk: graded(world, clerk, 2025, "基本称职"), {"blocked": 1, "eligible": -1}),
    "an allegation": (lambda world, clerk: receive_allegation(world, cadres=[clerk]), {"blocked": 1, "eligible": -1}),
    "an accountability case": (_case, {"blocked": 1, "eligible": -1}),
    "a priority record": (lambda world, clerk: services.priority_record_add(
        cadre=clerk, situation="annex1-4", facts="脱贫攻坚考核全市第一", recorded_on=D(2026, 5, 1), by=staff(world)),
        {"priority": 1}),
    "a commendation": (lambda world, clerk: Commendation.objects.create(
        cadre=clerk, kind="记功", level="省级", title="先进", date=D(2025, 1, 1)), {"priority": 1}),
    "two years excellent": (lambda world, clerk: (graded(world, clerk, 2024, "优秀"), graded(world, clerk, 2025, "优秀")),
                            {"priority": 1}),
}


@pytest.mark.parametrize("write", WRITES)
def test_the_kept_counts_change_after_a_write_to_a_table_the_conditions_read(client, world, clerk, write):
    client_for(client, world.users["staff_a"])
    before = shown(client, world.unit_a)
    assert shown(client, world.unit_a) == before  # the second view reads the kept counts
    change, expected = WRITES[write]
    change(world, clerk)
    assert shown(client, world.unit_a) == {key: before[key] + expected.get(key, 0) for key in FIGURES}


def test_a_revoked_grant_shrinks_the_counted_jurisdiction(world, clerk):
    """Counted over the units of the user's jurisdiction in the unit's subtree (here the
    city's, which this user may not pick on the page: the selector alone)."""
    CadreFactory(unit=world.unit_b, rank=Rank.KEYUAN)
    user = UserFactory(username="staff_ab", role=Role.CADRE_SECTION)
    jurisdiction_grant(user=user, unit=world.unit_a)
    jurisdiction_grant(user=user, unit=world.unit_b)

    def total():
        fresh = User.objects.get(pk=user.pk)  # no jurisdiction cached on it
        return shortlist_query(user=fresh, unit=world.city, target_rank=Rank.FU_KE, on=D(2026, 6, 1)).counts()["total"]

    both = total()
    assert total() == both == 2
    jurisdiction_revoke(user=user, unit=world.unit_b)
    assert total() == 1


def test_the_counts_of_another_day_are_counted_for_that_day(client, world, clerk):
    SanctionFactory(cadre=clerk, decision_date=D(2025, 6, 2))  # in force until 2026-06-02
    client_for(client, world.users["staff_a"])
    assert shown(client, world.unit_a)["blocked"] == 1
    assert shown(client, world.unit_a, on="2026-06-02")["blocked"] == 0


def test_each_filter_and_jurisdiction_has_its_own_counts(client, world, clerk):
    SanctionFactory(cadre=clerk, decision_date=D(2026, 1, 1))
    CadreFactory(unit=world.township_a, rank=Rank.KEYUAN, name="科员乙")
    client_for(client, world.users["staff_a"])
    assert shown(client, world.unit_a)["total"] == 2
    assert shown(client, world.unit_a, q="乙")["total"] == 1
    assert shown(client, world.unit_a, block="sanction")["total"] == 1
    assert shown(client, world.unit_a, priority="commendation")["total"] == 0
    assert shown(client, world.unit_a, target="正科级")["total"] > 2
    client_for(client, world.users["staff_b"])  # sees none of 清河县's cadres
    response = client.get(reverse("assessment:shortlist"), {"unit": world.unit_a.pk, "target_rank": "副科级"})
    assert "total" not in response.context or response.context["total"] == 0


def _ranked(queries):
    """The queries that count or rank the candidates (the page's ids)."""
    return [q for q in queries if '"cadres_cadre"' in q["sql"]
            and ("GROUP BY" in q["sql"] or 'ORDER BY "cadres_unit"."path"' in q["sql"])]


def test_repeated_views_skip_the_count_and_the_ranking(client, world):
    build_candidates(world, 30)
    client_for(client, world.users["staff_a"])
    params = {"unit": world.unit_a.pk, "target_rank": "副科级", "show": "eligible"}
    with CaptureQueriesContext(connection) as fresh:
        first = client.get(reverse("assessment:shortlist"), params)
    with CaptureQueriesContext(connection) as kept:
        again = client.get(reverse("assessment:shortlist"), {**params, "page": 1})
    assert [again.context[k] for k in FIGURES] == [first.context[k] for k in FIGURES]
    assert [r.cadre_id for r in again.context["page"]] == [r.cadre_id for r in first.context["page"]]
    assert len(_ranked(fresh.captured_queries)) == 2 and _ranked(kept.captured_queries) == []
    assert len(kept) <= len(fresh) <= 30


def test_a_kept_page_shows_the_rows_after_a_write(client, world, clerk):
    client_for(client, world.users["staff_a"])
    params = {"unit": world.unit_a.pk, "target_rank": "副科级", "on": ON, "show": "blocked"}
    assert list(client.get(reverse("assessment:shortlist"), params).context["page"]) == []
    SanctionFactory(cadre=clerk, decision_date=D(2026, 1, 1))
    rows = list(client.get(reverse("assessment:shortlist"), params).context["page"])
    assert [(r.name, r.eligible) for r in rows] == [("科员甲", False)]


CASES = [  # (user, unit, target rank, filters): the county's priorities include township years
    ("staff_a", "unit_a", Rank.FU_KE, {}),
    ("admin", "city", Rank.ZHENG_KE, {}),
    ("admin", "city", Rank.FU_CHU, {"q": "甲", "block": "tolerance", "priority": "two_excellent"}),
    ("leader", "unit_a", Rank.ZHENG_KE, {"block": "qualification", "priority": "township"}),
]


@pytest.mark.parametrize("case", CASES)
def test_the_kept_counts_watch_every_table_the_count_reads(world, case):
    """The tables come from the conditions' SQL (shortlist_read_models); this checks that the
    count as run, for county and city, every target rank's qualification rule and every
    filter, reads none besides them."""
    user, unit, target, filters = case
    query = shortlist_query(user=world.users[user], unit=getattr(world, unit), target_rank=target,
                            on=D(2026, 6, 1), **filters)
    with CaptureQueriesContext(connection) as counted:
        query.counted()
    read = {t for q in counted.captured_queries for t in re.findall(r'(?:FROM|JOIN) "([^"]+)"', q["sql"])}
    assert read and read <= {m._meta.db_table for m in shortlist_read_models()}


def test_an_unreachable_shared_cache_still_shows_the_shortlist(client, world, clerk, settings, caplog):
    settings.CACHES = {**settings.CACHES, "shared": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    SanctionFactory(cadre=clerk, decision_date=D(2026, 1, 1))
    client_for(client, world.users["staff_a"])
    assert shown(client, world.unit_a) == {"total": 1, "eligible": 0, "blocked": 1, "priority": 0}
    assert "共用缓存不可用" in caplog.text
