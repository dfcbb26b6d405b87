"""Writes: facts for the quarterly collection and allegations for intake, through the
pages' services, once per Idempotency-Key."""
import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse

from api.models import IdempotencyRecord, Scope
from assessment.models import InformationItem
from tolerance.models import Allegation, ReporterIdentity

FACT = {"source": "audit", "date": "2026-05-10", "summary": "审计发现：专项资金拨付滞后", "polarity": "negative"}


@pytest.fixture
def staff_writer(token_client):
    return token_client("staff_a", [Scope.WRITE_FACTS, Scope.WRITE_ALLEGATIONS, Scope.READ_REVIEWS,
                                    Scope.READ_ALLEGATIONS])


def _fact_url(world):
    return reverse("api:review_facts", args=[world.review.pk])


def test_a_pushed_fact_is_in_the_review_and_a_repeat_with_the_same_key_creates_nothing(staff_writer, api_world):
    body = {**FACT, "cadre_id": api_world.cadre_a.pk}
    first = staff_writer.post(_fact_url(api_world), body, format="json", HTTP_IDEMPOTENCY_KEY="审计-2026-001")
    assert first.status_code == 201
    again = staff_writer.post(_fact_url(api_world), body, format="json", HTTP_IDEMPOTENCY_KEY="审计-2026-001")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    item = InformationItem.objects.get()
    assert (item.source, item.entered_by, item.history.count()) == ("audit", api_world.users["staff_a"], 1)
    assert item.history.first().history_user == api_world.users["staff_a"]
    listed = staff_writer.get(_fact_url(api_world)).json()["results"]
    assert [f["summary"] for f in listed] == [FACT["summary"]]


def test_the_same_key_for_another_body_is_refused(staff_writer, api_world):
    body = {**FACT, "cadre_id": api_world.cadre_a.pk}
    staff_writer.post(_fact_url(api_world), body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    other = staff_writer.post(_fact_url(api_world), {**body, "summary": "另一件"}, format="json",
                              HTTP_IDEMPOTENCY_KEY="k")
    assert other.status_code == 400 and "Idempotency-Key" in other.json()["errors"]
    assert InformationItem.objects.count() == 1


def test_a_write_without_a_key_is_refused(staff_writer, api_world):
    response = staff_writer.post(_fact_url(api_world), {**FACT, "cadre_id": api_world.cadre_a.pk}, format="json")
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["errors"]


@pytest.mark.parametrize("change,field", [
    ({"date": "2026-02-30"}, "date"),  # not a date
    ({"date": "2026-08-01"}, "non_field_errors"),  # outside the quarter: the service refuses
    ({"cadre_id": 10 ** 9}, "cadre_id"),  # unknown
    ({"source": "sanction"}, "source"),  # gathered by the system, never entered
    ({"summary": "x" * 501}, "summary"),
])
def test_bad_facts_are_field_errors_and_change_nothing(staff_writer, api_world, change, field):
    body = {**FACT, "cadre_id": api_world.cadre_a.pk, **change}
    response = staff_writer.post(_fact_url(api_world), body, format="json", HTTP_IDEMPOTENCY_KEY=f"bad-{field}")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not InformationItem.objects.exists() and not IdempotencyRecord.objects.exists()


def test_an_out_of_scope_cadre_reads_as_unknown(token_client, api_world):
    """The city's staff may not enter a fact on cadre B into unit A's review; staff A may not
    name cadre B at all: the same message as an unknown id, so nothing is confirmed."""
    client = token_client("staff_a", [Scope.WRITE_FACTS])
    response = client.post(_fact_url(api_world), {**FACT, "cadre_id": api_world.cadre_b.pk}, format="json",
                           HTTP_IDEMPOTENCY_KEY="k")
    assert response.json()["errors"]["cadre_id"] == ["干部不存在，或不在您的权限范围内。"]


def test_an_oversize_payload_is_413_and_malformed_json_is_400(staff_writer, api_world):
    huge = {**FACT, "cadre_id": api_world.cadre_a.pk, "summary": "长" * 70_000}
    response = staff_writer.post(_fact_url(api_world), huge, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 413 and "上限" in response.json()["detail"]
    response = staff_writer.post(_fact_url(api_world), "{not json", content_type="application/json",
                                 HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    response = staff_writer.post(_fact_url(api_world), [1, 2], format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 400


def _allegation(world, **change):
    return {"source": "审计", "received_on": str(datetime.date.today()), "subject_ids": [world.cadre_a.pk],
            "issue": "违规发放津补贴", "summary": "审计发现其单位违规发放津补贴", "reporter_name": "李保密",
            "reporter_contact": "13900000000", **change}


def test_allegation_intake_applies_the_duplicate_check_and_keeps_the_reporter_apart(staff_writer, api_world):
    url = reverse("api:allegation_list")
    refused = staff_writer.post(url, _allegation(api_world), format="json", HTTP_IDEMPOTENCY_KEY="a1")
    assert refused.status_code == 400
    assert "同一问题已有线索或函询" in refused.json()["errors"]["acknowledge_duplicate"][0]
    created = staff_writer.post(url, _allegation(api_world, acknowledge_duplicate=True), format="json",
                                HTTP_IDEMPOTENCY_KEY="a2")
    assert created.status_code == 201
    allegation = Allegation.objects.get(pk=created.json()["id"])
    assert allegation.duplicate_note and ReporterIdentity.objects.get(allegation=allegation).name == "李保密"
    for response in (created, staff_writer.get(reverse("api:allegation_detail", args=[allegation.pk]))):
        assert "李保密" not in response.content.decode() and "13900000000" not in response.content.decode()
    assert "reporter" not in created.json()


def test_an_allegation_on_an_out_of_scope_cadre_is_refused(staff_writer, api_world):
    response = staff_writer.post(reverse("api:allegation_list"), _allegation(api_world, subject_ids=[
        api_world.cadre_b.pk]), format="json", HTTP_IDEMPOTENCY_KEY="a1")
    assert response.status_code == 400 and "subject_ids" in response.json()["errors"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_repeats_of_one_key_create_one_fact(postgres_only, api_world):
    """Eight threads send the same write with the same key at once: one fact, one answer."""
    from tests.api.conftest import ContractClient, issue_token

    _, raw = issue_token(api_world, api_world.users["staff_a"], [Scope.WRITE_FACTS])
    body = {**FACT, "cadre_id": api_world.cadre_a.pk}
    answers, barrier = [], threading.Barrier(8)

    def send():
        client = ContractClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        barrier.wait()
        try:
            answers.append(client.post(_fact_url(api_world), body, format="json", HTTP_IDEMPOTENCY_KEY="同时"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201] * 8
    assert len({a.json()["id"] for a in answers}) == 1
    assert InformationItem.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
