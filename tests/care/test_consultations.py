"""向组织说说心里话 (seed 000 Q8): held by a unit, cadres' submissions recorded and each answered."""
import datetime

import pytest
from django.urls import reverse

from care import services
from care.compliance import compliance
from care.models import Concern, Consultation, ConsultationSubmission
from core.errors import DomainError
from tests.conftest import client_for
from tests.factories import CadreFactory

D = datetime.date


@pytest.fixture
def consultation(world):
    return services.consultation_hold(by=world.users["staff_a"], unit=world.unit_a, title="2026年说说心里话座谈会",
                                      held_on=D(2026, 3, 1), mode="both")


def submit(world, consultation, cadre=None, **kwargs):
    return services.submission_record(consultation=consultation, by=world.users["staff_a"],
                                      cadre=cadre or world.cadre_a, submitted_on=D(2026, 3, 1),
                                      content="希望减少重复填报", **kwargs)


def test_a_cadre_of_the_unit_or_below_submits_and_others_may_not(world, consultation):
    assert submit(world, consultation).cadre == world.cadre_a  # 城关镇 is under 清河县
    with pytest.raises(DomainError, match="不在清河县"):
        submit(world, consultation, cadre=world.cadre_b)


def test_each_submission_is_answered_once_and_not_before_it_was_made(world, consultation):
    s = submit(world, consultation)
    with pytest.raises(DomainError, match="不能早于反映日期"):
        services.submission_answer(submission=s, by=world.users["staff_a"], answer="好", answered_on=D(2026, 2, 1))
    services.submission_answer(submission=s, by=world.users["staff_a"], answer="已合并报表", answered_on=D(2026, 3, 5))
    with pytest.raises(DomainError, match="已经答复"):
        services.submission_answer(submission=s, by=world.users["staff_a"], answer="再答", answered_on=D(2026, 3, 6))
    s.refresh_from_db()
    assert (s.answer, s.answered_by) == ("已合并报表", world.users["staff_a"])


def test_a_submission_may_raise_a_concern_tracked_like_any_other(world, consultation):
    s = submit(world, consultation, concern={"category": "housing", "content": "申请周转房", "responder": "镇党委",
                                             "deadline": None})
    concern = Concern.objects.get()
    assert (concern.submission, concern.cadre, concern.deadline, concern.source_label) == (
        s, world.cadre_a, D(2026, 3, 31), "向组织说说心里话")


def test_unanswered_submissions_show_per_unit_in_the_compliance_view(world, consultation):
    submit(world, consultation)
    answered = submit(world, consultation)
    services.submission_answer(submission=answered, by=world.users["staff_a"], answer="好", answered_on=D(2026, 3, 2))
    result = compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1))
    assert result.total.unanswered == 1


def test_the_consultation_pages_record_submissions_and_answers(client, world, consultation):
    client_for(client, world.users["staff_a"])
    detail = reverse("care:consultation_detail", args=[consultation.pk])
    response = client.post(reverse("care:submission_create", args=[consultation.pk]), {
        "cadre": world.cadre_a.pk, "submitted_on": "2026-03-01", "content": "工作太忙无暇照顾老人",
        "concern_category": "other", "concern_content": "希望调整值班", "concern_responder": "镇党委"})
    assert response.status_code == 302
    s = ConsultationSubmission.objects.get()
    assert s.concerns.count() == 1
    response = client.post(reverse("care:submission_answer", args=[s.pk]),
                           {"answer": "已调整值班安排", "answered_on": "2026-03-03"})
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "工作太忙无暇照顾老人" in page and "已调整值班安排" in page
    # Cadres outside the jurisdiction cannot be chosen.
    client.post(reverse("care:submission_create", args=[consultation.pk]), {
        "cadre": world.cadre_b.pk, "submitted_on": "2026-03-01", "content": "x"})
    assert ConsultationSubmission.objects.count() == 1


def test_staff_hold_a_consultation_for_their_units_only(client, world):
    client_for(client, world.users["staff_a"])
    url = reverse("care:consultation_create")
    client.post(url, {"unit": world.unit_b.pk, "title": "越权", "held_on": "2026-03-01", "mode": "oral"})
    assert not Consultation.objects.exists()
    response = client.post(url, {"unit": world.township_a.pk, "title": "镇座谈", "held_on": "2026-03-01",
                                 "mode": "oral"})
    assert response.status_code == 302 and Consultation.objects.get().unit == world.township_a


def test_the_consultation_list_filters(client, world, consultation):
    young = CadreFactory(unit=world.township_a, name="小青年", birth_date=D(1999, 1, 1))
    town = services.consultation_hold(by=world.users["staff_a"], unit=world.township_a, title="镇座谈",
                                      held_on=D(2025, 6, 1), mode="oral")
    submit(world, town, cadre=young)
    client_for(client, world.users["staff_a"])

    def titles(query):
        return {c.title for c in client.get(reverse("care:consultation_list") + query).context["page"]}

    assert titles("") == {"2026年说说心里话座谈会", "镇座谈"}
    assert titles("?year=2026") == {"2026年说说心里话座谈会"}
    assert titles("?township=on") == {"镇座谈"}
    assert titles("?young=on") == {"镇座谈"}
    assert titles("?unanswered=on") == {"镇座谈"}
    assert titles("?q=镇") == {"镇座谈"}
    client_for(client, world.users["staff_b"])
    assert titles("") == set()
    assert client.get(reverse("care:consultation_detail", args=[consultation.pk])).status_code == 404
