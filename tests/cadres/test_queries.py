"""Pages run a bounded number of queries whatever their size."""
import pytest
from django.urls import reverse

from cadres.demo import build_cadres
from cadres.models import unit_names_by_path
from tests.conftest import client_for, export_via_job
from tests.factories import CadreFactory, SanctionFactory

LIST_MAX_QUERIES = 13  # +1 on a first view: the data fingerprint of the kept count (core.pagination)
DETAIL_MAX_QUERIES = 21  # the history tab reads every kind of record once (+1: the county names of unit labels, cached per process)


@pytest.mark.parametrize("count", [10, 200])
def test_the_cadre_list_query_count_does_not_grow_with_rows(client, world, count, django_assert_max_num_queries):
    for i in range(count):
        CadreFactory(unit=world.township_a, name=f"批量{i}")
    client_for(client, world.users["staff_a"])
    unit_names_by_path()  # the county names, cached per process as on a running site
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
    with django_assert_max_num_queries(40):  # the job, its audit record and the download: not per row
        job, content = export_via_job(client, reverse("cadres:export"))
    assert job.total >= 300 and content.startswith(b"PK")


def test_the_list_sorts_names_in_code_point_order_on_every_database(client, world):
    names = ["张三", "李四", "王五", "阿依古丽", "Zhang", "丁一"]
    for name in names:
        CadreFactory(unit=world.township_a, name=name)
    client_for(client, world.users["staff_a"])
    shown = [c.name for c in client.get(reverse("cadres:list")).context["page"] if c.name in names]
    assert shown == sorted(names)
    assert shown[:3] == ["Zhang", "丁一", "张三"]


def test_cadre_names_have_the_c_collation_on_postgresql(postgres_only):
    """Migration 0005 sets it (fast sorts, prefix search on the plain index); an
    AlterField on `name` would silently reset it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT collation_name FROM information_schema.columns "
                       "WHERE table_name = 'cadres_cadre' AND column_name = 'name'")
        assert cursor.fetchone() == ("C",)
