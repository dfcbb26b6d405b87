"""Care pages run a bounded number of queries whatever their size (DESIGN §5): the compliance
view is set-based, the same for 10 and for 200 cadres."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from care import services
from care.models import CareKind
from tests.care.builders import record
from tests.conftest import client_for, export_via_job
from tests.factories import CadreFactory, SanctionFactory, make_unit

D = datetime.date
# Session (read and save), user, roles, jurisdiction, the navigation's notification badge; then
# the view's own: rules, entitlements, units (and the chosen scope unit), the per-unit
# aggregate, consultations held, unanswered submissions, the behind list's count, page keys
# and page rows, and the filter form's unit choices.
COMPLIANCE_MAX_QUERIES = 20
LIST_MAX_QUERIES = 14


def populate(world, count):
    """`count` cadres over several units, with group and single activities, a consultation
    with submissions, concerns and sanctions."""
    units = [world.township_a] + [make_unit(f"单位{i}", "department", world.unit_a) for i in range(3)]
    cadres = [CadreFactory(unit=units[i % len(units)], name=f"批量{i}",
                           birth_date=D(1990 + i % 10, 1, 1)) for i in range(count)]
    record(world, CareKind.HEALTH_CHECK, cadres=cadres[::2], date=D(2026, 2, 1))
    record(world, CareKind.LEAVE, cadres=cadres[::3], date=D(2026, 3, 1), days=5)
    for cadre in cadres[:: max(count // 5, 1)]:
        record(world, CareKind.TALK, cadres=[cadre], date=D(2026, 4, 1), concern={
            "cadre": cadre, "category": "work", "content": "诉求", "responder": "组织部", "deadline": None})
        SanctionFactory(cadre=cadre, decision_date=D(2026, 1, 10))
    consultation = services.consultation_hold(by=world.users["staff_a"], unit=world.unit_a, title="座谈",
                                              held_on=D(2026, 3, 1), mode="oral")
    for cadre in cadres[:: max(count // 5, 1)]:
        services.submission_record(consultation=consultation, by=world.users["staff_a"], cadre=cadre,
                                   submitted_on=D(2026, 3, 1), content="反映")
    return cadres, consultation


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize("query", ["", "?only=talk", "?township=on&young=on", "?page=2", "?unit={unit}"])
def test_the_compliance_view_query_count_does_not_grow_with_cadres(client, world, count, query,
                                                                   django_assert_max_num_queries):
    populate(world, count)
    client_for(client, world.users["staff_a"])
    url = reverse("care:compliance") + query.format(unit=world.township_a.pk)
    with django_assert_max_num_queries(COMPLIANCE_MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200


def test_the_compliance_view_runs_exactly_as_many_queries_for_200_cadres_as_for_10(client, world):
    client_for(client, world.users["admin"])
    populate(world, 10)
    small = count_queries(client, reverse("care:compliance"))
    populate(world, 190)
    assert count_queries(client, reverse("care:compliance")) == small


@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize("name", ["care:activity_list", "care:concern_list",
                                  "care:consultation_list", "care:follow_up_list", "care:follow_up_list:done",
                                  "care:consultation_detail", "care:cadre_tab"])
def test_the_care_lists_query_count_does_not_grow_with_rows(client, world, count, name,
                                                            django_assert_max_num_queries):
    cadres, consultation = populate(world, count)
    client_for(client, world.users["staff_a"])
    url = {"care:follow_up_list:done": reverse("care:follow_up_list") + "?show=done",
           "care:consultation_detail": reverse("care:consultation_detail", args=[consultation.pk]),
           "care:cadre_tab": reverse("cadres:detail", args=[cadres[0].pk]) + "?tab=care"}.get(name)
    with django_assert_max_num_queries(LIST_MAX_QUERIES if name != "care:cadre_tab" else 20):
        response = client.get(url or reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 200])
def test_the_activity_export_job_query_count_does_not_grow_with_rows(client, world, count,
                                                                     django_assert_max_num_queries):
    populate(world, count)
    client_for(client, world.users["staff_a"])
    with django_assert_max_num_queries(LIST_MAX_QUERIES + 25):  # the job, its audit record and the download
        job, _ = export_via_job(client, reverse("care:activity_export"))
    assert job.total > 0


def test_a_big_group_activity_saves_in_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    cadres = [CadreFactory(unit=world.township_a) for _ in range(300)]
    with django_assert_max_num_queries(12):
        record(world, CareKind.HEALTH_CHECK, cadres=cadres, date=D(2026, 2, 1))
