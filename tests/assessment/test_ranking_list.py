"""综合评价排名明细 (/assessment/rankings/): one row per cadre ranked by an evaluator, for the
reviews the user may see (the review's rankings tab), filtered as the dashboard's figures are."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services
from assessment.models import RankingEntry
from assessment.selectors import ranking_entry_filter_q, ranking_entry_list
from cadres.services import jurisdiction_grant, posting_add
from core.roles import Role
from tests.assessment.builders import D, staff
from tests.conftest import client_for
from tests.factories import CadreFactory, UserFactory

URL = reverse("assessment:ranking_list")


def collecting(world, department, year, quarter, by):
    review, _ = services.quarterly_review_open(department=department, year=year, quarter=quarter, by=by)
    return services.review_start_collecting(review=review, by=by)


def rank(review, evaluator, rows, *, category="乡镇党委书记", by):
    return services.ranking_record(review=review, evaluator=evaluator, evaluator_title=evaluator.position,
                                   category=category, by=by,
                                   entries=[(c, i, note) for i, (c, note) in enumerate(rows, start=1)])


@pytest.fixture
def rankings(world):
    """清河县: the second quarter of 2026 (the county secretary ranks three township secretaries,
    one with a 敢抓敢管说明; the county head ranks two township heads) and the fourth of 2025;
    青山区's second quarter of 2026; and the city's own review ranking the county secretaries."""
    s = staff(world)
    world.city_staff = UserFactory(username="city_staff", role=Role.CADRE_SECTION)
    jurisdiction_grant(user=world.city_staff, unit=world.city)
    a_secretaries = [CadreFactory(unit=world.township_a, name=f"甲书记{i}", position="党委书记") for i in range(3)]
    a_heads = [CadreFactory(unit=world.township_a, name=f"甲镇长{i}", position="镇长") for i in range(2)]
    secretary = CadreFactory(unit=world.unit_a, name="严书记", position="县委书记", is_team_member=True)
    head = CadreFactory(unit=world.unit_a, name="华县长", position="县长", is_team_member=True)
    b_secretary = CadreFactory(unit=world.unit_b, name="乙区委书记", position="区委书记", is_team_member=True)
    mayor = CadreFactory(unit=world.city, name="市委书记", position="市委书记", is_team_member=True)

    world.q2 = collecting(world, world.unit_a, 2026, 2, s)
    rank(world.q2, secretary, [(a_secretaries[0], ""), (a_secretaries[1], "征地拆迁敢抓敢管、不怕得罪人"),
                               (a_secretaries[2], "")], by=s)
    rank(world.q2, head, [(a_heads[0], ""), (a_heads[1], "")], category="乡镇长", by=s)
    world.last_q4 = collecting(world, world.unit_a, 2025, 4, s)
    rank(world.last_q4, secretary, [(a_secretaries[0], "信访积案敢于碰硬"), (a_secretaries[1], "")], by=s)
    world.b_q2 = collecting(world, world.unit_b, 2026, 2, world.users["staff_b"])
    rank(world.b_q2, b_secretary, [(world.cadre_b, "敢抓敢管")], category="街道党工委书记", by=world.users["staff_b"])
    world.city_q2 = collecting(world, world.city, 2026, 2, world.city_staff)
    rank(world.city_q2, mayor, [(secretary, ""), (b_secretary, "")], category="县（区）委书记", by=world.city_staff)
    world.a_secretaries = a_secretaries
    return world


def shown(client, user, **params):
    client_for(client, user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def names(response):
    return [e.cadre.name for e in response.context["page"]]


def test_county_staff_see_only_their_countys_reviews_and_the_city_sees_all(client, rankings):
    w = rankings
    a = names(shown(client, w.users["staff_a"]))
    assert sorted(a) == sorted(["甲书记0", "甲书记1", "甲书记2", "甲镇长0", "甲镇长1", "甲书记0", "甲书记1"])
    # The city's ranking of 清河县's secretary is the city's, never shown to the county.
    assert "严书记" not in a and "乙干部" not in a
    assert names(shown(client, w.users["staff_b"])) == ["乙干部"]
    assert len(names(shown(client, w.city_staff))) == RankingEntry.objects.count() == 10
    # The leader of 清河县 reads what its staff read.
    assert sorted(names(shown(client, w.users["leader"]))) == sorted(a)
    # A unit of another county in the URL filters nothing open: the unit field refuses it.
    response = shown(client, w.users["staff_b"], unit=w.unit_a.pk)
    assert names(response) == ["乙干部"] and "unit" in response.context["form"].errors


def test_the_filters_narrow_by_the_reviews_year_quarter_and_unit_the_category_the_note_and_the_name(client, rankings):
    w = rankings
    user = w.city_staff

    def count(**params):
        return shown(client, user, **params).context["page"].paginator.count

    assert count(year=2026) == 8
    assert count(year=2025) == 2
    assert count(year=2026, quarter=2) == 8
    assert count(year=2025, quarter=2) == 0
    assert count(unit=w.unit_a.pk) == 7  # 清河县's reviews, not the city's own
    assert count(unit=w.city.pk) == 10
    assert count(unit=w.unit_a.pk, year=2026) == 5
    assert count(category="书记") == 8  # 乡镇党委书记, 街道党工委书记, 县（区）委书记
    assert count(category="乡镇长") == 2
    assert count(bold=1) == 3
    assert count(bold=1, unit=w.unit_a.pk, year=2026) == 1
    assert count(q="甲书记") == 5
    assert count(review=w.q2.pk) == 5
    # A review out of sight is no filter the county may use: the form refuses it.
    response = shown(client, w.users["staff_b"], review=w.q2.pk)
    assert "review" in response.context["form"].errors


def test_each_row_names_the_review_the_evaluator_the_place_among_those_ranked_and_the_note(client, rankings):
    w = rankings
    response = shown(client, w.users["staff_a"], review=w.q2.pk, bold=1)
    [entry] = response.context["page"]
    assert (entry.position, entry.ranked) == (2, 3)
    body = response.content.decode()
    assert "2026年第2季度 清河县" in body
    assert "县委书记 严书记" in body
    assert "第 2 名" in body and "/ 3 人" in body
    assert "征地拆迁敢抓敢管、不怕得罪人" in body
    assert f'href="{reverse("cadres:detail", args=[entry.cadre_id])}?tab=assessment"' in body
    assert "仅显示" in body and "清河县 2026年第2季度分析研判" in body


def test_a_cadre_transferred_since_stays_with_the_review_without_a_link(client, rankings):
    w = rankings
    moved = w.a_secretaries[1]
    posting_add(cadre=moved, by=w.users["staff_a"], unit=w.unit_b, position="副区长", rank=moved.rank,
                start_date=D(2026, 10, 8))
    response = shown(client, w.users["staff_a"], review=w.q2.pk, bold=1)
    body = response.content.decode()
    assert names(response) == [moved.name]
    assert "（已调出）" in body and reverse("cadres:detail", args=[moved.pk]) not in body
    assert "副区长" not in body  # the new post is outside the county's sight
    # 青山区 sees the cadre now, but not 清河县's review.
    assert moved.name not in names(shown(client, w.users["staff_b"]))


def test_the_filter_condition_is_the_one_the_dashboard_counts(rankings):
    w = rankings
    user = w.city_staff
    for params in ({"year": 2026}, {"year": 2026, "quarter": 2}, {"year": 2025, "bold": True},
                   {"category": "乡镇"}):
        listed = set(ranking_entry_list(user=user, **params).values_list("pk", flat=True))
        counted = set(RankingEntry.objects.filter(ranking_entry_filter_q(**params)).values_list("pk", flat=True))
        assert listed == counted, params


def test_the_page_costs_the_same_number_of_queries_however_many_entries(client, rankings):
    w = rankings
    client_for(client, w.users["staff_a"])

    def queries():
        client.get(URL)
        with CaptureQueriesContext(connection) as ctx:
            client.get(URL)
        return len(ctx)

    before = queries()
    cadres = [CadreFactory(unit=w.township_a, name=f"加{i}", position="党委委员") for i in range(20)]
    rank(w.q2, CadreFactory(unit=w.unit_a, name="副书记", position="县委副书记", is_team_member=True),
         [(c, "敢抓敢管" if i % 2 else "") for i, c in enumerate(cadres)], category="乡镇党委委员", by=staff(w))
    assert queries() == before <= 12


def test_the_review_list_and_the_reviews_rankings_tab_open_the_list_on_that_review(client, rankings):
    w = rankings
    client_for(client, w.users["staff_a"])
    link = f'href="{URL}?review={w.q2.pk}"'
    assert link in client.get(reverse("assessment:review_list")).content.decode()
    assert link in client.get(reverse("assessment:review_detail", args=[w.q2.pk]), {"tab": "rankings"}).content.decode()
    assert f'href="{URL}"' in client.get(reverse("assessment:year_list")).content.decode()  # the assessment tabs


def test_the_review_tabs_show_a_cadre_transferred_since_by_name_only(client, rankings):
    """The review's rankings tab, like the list, keeps the cadre's name but not the unit and post
    they moved to outside the county's sight."""
    w = rankings
    moved = w.a_secretaries[1]
    posting_add(cadre=moved, by=w.users["staff_a"], unit=w.unit_b, position="副区长", rank=moved.rank,
                start_date=D(2026, 10, 8))
    client_for(client, w.users["staff_a"])
    response = client.get(reverse("assessment:review_detail", args=[w.q2.pk]), {"tab": "rankings"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f"{moved.name}<span" in body and "（已调出）" in body
    assert "副区长" not in body and "青山区" not in body
    assert w.a_secretaries[0].position in body  # those still in the county keep their post
