"""Double submits and races create nothing twice: a page's form posted twice (double click,
resubmit) is saved once and both answers lead to the saved record; simultaneous posts on
PostgreSQL too, with and without the page token."""
import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cadres.models import Cadre, Commendation
from care.models import CareActivity
from core.idempotency import FIELD, REPEATED
from core.models import SubmittedForm
from tests.conftest import client_for
from tests.factories import make_id_number
from tests.tolerance.builders import cleared_allegation
from tolerance.models import Allegation, ClarificationNotice

TOKEN = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
TODAY = datetime.date.today().isoformat()


def commendation_post(world):
    return (reverse("cadres:record_create", args=[world.cadre_a.pk, "commendation"]),
            {"kind": "嘉奖", "level": "县级", "title": "年度嘉奖", "date": "2026-01-10", "issuer": "县委"},
            lambda: Commendation.objects.count())


def cadre_post(world, n=900):
    return (reverse("cadres:create"),
            {"name": "王并发", "sex": "男", "birth_date": "1988-05-06", "id_number": make_id_number(n),
             "ethnicity": "汉族", "political_status": "中共党员",
             "unit": world.township_a.pk, "position": "副镇长", "rank": "副科级", "status": "在职"},
            lambda: Cadre.objects.filter(id_number=make_id_number(n)).count())


def allegation_post(world):
    return (reverse("tolerance:allegation_create") + f"?unit={world.unit_a.pk}",
            {"source": "信访", "received_on": "2026-04-01", "subjects": [world.cadre_a.pk], "issue": "并发登记问题",
             "summary": "反映内容"},
            lambda: Allegation.objects.filter(issue="并发登记问题").count())


def activity_post(world):
    return (reverse("care:activity_create") + f"?unit={world.unit_a.pk}",
            {"kind": "talk", "date": "2026-03-01", "cadres": [world.cadre_a.pk],
             "conducted_by": world.users["staff_a"].pk, "title": "谈心谈话"},
            lambda: CareActivity.objects.count())


def clarify_post(world):
    allegation, _ = cleared_allegation(world)
    return (reverse("tolerance:allegation_action", args=[allegation.pk, "clarify"]),
            {"cadre": world.cadre_a.pk, "form": "meeting", "scope": "全镇", "issuing_body": "中共清河县纪委",
             "alleged": "a", "finding": "f", "issued_on": "2026-05-01"},
            lambda: ClarificationNotice.objects.count())


FORMS = [commendation_post, cadre_post, allegation_post, activity_post, clarify_post]


@pytest.mark.parametrize("build", FORMS, ids=lambda f: f.__name__)
def test_a_form_posted_twice_from_one_page_is_saved_once(client, world, build):
    url, data, count = build(world)
    before = count()
    c = client_for(client, world.users["staff_a"])
    first = c.post(url, {**data, FIELD: TOKEN})
    assert first.status_code == 302, first.content.decode()[:3000]
    second = c.post(url, {**data, FIELD: TOKEN}, follow=True)
    assert second.redirect_chain[0][0] == first["Location"]
    assert REPEATED in second.content.decode()
    assert count() == before + 1


def test_a_form_that_failed_validation_can_be_corrected_and_posted_with_its_token(client, world):
    url, data, count = commendation_post(world)
    c = client_for(client, world.users["staff_a"])
    assert c.post(url, {**data, "date": "9999-01-01", FIELD: TOKEN}).status_code == 200
    assert not SubmittedForm.objects.exists()
    assert c.post(url, {**data, FIELD: TOKEN}).status_code == 302
    assert count() == 1


def race(world, url, data, n=4, persona="staff_a"):
    """n real requests at once, each with its own client and database connection."""
    responses, barrier = [], threading.Barrier(n)

    def post():
        c = Client()
        c.force_login(world.users[persona], backend="django.contrib.auth.backends.ModelBackend")
        barrier.wait()
        try:
            responses.append(c.post(url, data))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(n)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return responses


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("build", FORMS, ids=lambda f: f.__name__)
def test_a_double_click_racing_on_postgresql_saves_once(postgres_only, world, build):
    url, data, count = build(world)
    before = count()
    responses = race(world, url, {**data, FIELD: TOKEN})
    assert [r.status_code for r in responses] == [302] * 4
    assert len({r["Location"] for r in responses}) == 1
    assert count() == before + 1


@pytest.mark.django_db(transaction=True)
def test_two_new_cadres_with_one_id_number_at_once_give_the_loser_the_sequential_message(postgres_only, world, client):
    url, data, count = cadre_post(world, 901)
    for _ in range(3):  # the race is timing-dependent: several rounds
        Cadre.objects.filter(id_number=data["id_number"]).delete()
        responses = race(world, url, data, n=2)
        assert sorted(r.status_code for r in responses) == [200, 302]
        assert count() == 1
        loser = next(r for r in responses if r.status_code == 200).content.decode()
    Cadre.objects.filter(id_number=data["id_number"]).delete()
    c = client_for(client, world.users["staff_a"])
    c.post(url, data)
    sequential = c.post(url, data).content.decode()
    assert "身份证号" in sequential and "已存在" in sequential and "已存在" in loser


@pytest.mark.django_db(transaction=True)
def test_two_identical_allegations_registered_at_once_are_saved_once(postgres_only, world):
    url, data, count = allegation_post(world)
    responses = race(world, url, data, n=2)
    assert sorted(r.status_code for r in responses) == [200, 302]
    assert count() == 1
    assert "同一问题已有线索" in next(r for r in responses if r.status_code == 200).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_clarification_posted_four_times_at_once_takes_one_number(postgres_only, world):
    url, data, count = clarify_post(world)
    responses = race(world, url, data, n=4)
    assert count() == 2  # the builder's notice and this one
    assert all(r.status_code in (200, 302) for r in responses)
