"""Pages run a bounded number of queries whatever their size."""
import pytest
from django.urls import reverse

from cadres.demo import build_cadres
from tests.conftest import client_for
from tests.factories import CadreFactory, SanctionFactory

LIST_MAX_QUERIES = 12
DETAIL_MAX_QUERIES = 20  # the history tab reads every kind of record once


@pytest.mark.parametrize("count", [10, 200])
def test_the_cadre_list_query_count_does_not_grow_with_rows(client, world, count, django_assert_max_num_queries):
    for i in range(count):
        CadreFactory(unit=world.township_a, name=f"批量{i}")
    client_for(client, world.users["staff_a"])
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        response = client.get(reverse("cadres:list") + "?order=unit")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize("tab", ["profile", "postings", "rewards", "measures", "history"])
def test_the_cadre_detail_query_count_does_not_grow_with_records(client, world, count, tab,
                                                                 django_assert_max_num_queries):
    import datetime

    from cadres.services import posting_add

    cadre = world.cadre_a
    for i in range(count // 10):
        SanctionFactory(cadre=cadre)
        posting_add(cadre=cadre, by=world.users["staff_a"], unit=world.township_a, position=f"职务{i}", rank="",
                    start_date=datetime.date(2000, 1, 1) + datetime.timedelta(days=i * 40),
                    end_date=datetime.date(2000, 1, 1) + datetime.timedelta(days=i * 40 + 30))
    client_for(client, world.users["staff_a"])
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES):
        response = client.get(reverse("cadres:detail", args=[cadre.pk]) + f"?tab={tab}")
    assert response.status_code == 200


def test_the_export_streams_many_rows_with_few_queries(client, world, django_assert_max_num_queries):
    build_cadres(300, by=world.users["admin"], batch_size=100)
    client_for(client, world.users["admin"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("cadres:export"))
    assert response.status_code == 200
