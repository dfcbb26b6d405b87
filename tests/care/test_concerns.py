"""Concerns raised in a talk, a home visit or a consultation submission, tracked to an answer
by a deadline (seed 000 Q8: 积极回应干部合理关切)."""
import datetime

import pytest
from django.urls import reverse

from care import services
from care.models import CareKind, Concern, ConcernStatus
from care.selectors import concern_list
from core.errors import DomainError
from tests.care.builders import record
from tests.conftest import client_for
from tests.factories import CadreFactory

D = datetime.date


def raise_concern(world, activity=None, **kwargs):
    activity = activity or record(world, CareKind.HOME_VISIT, date=D(2026, 3, 1))
    fields = {"by": world.users["staff_a"], "cadre": world.cadre_a, "category": "schooling",
              "content": "孩子上学需要协调", "responder": "县教育局", "raised_on": D(2026, 3, 1), "activity": activity}
    return services.concern_raise(**{**fields, **kwargs})


def test_the_deadline_defaults_to_thirty_days_after_it_was_raised(world):
    concern = raise_concern(world)
    assert concern.deadline == D(2026, 3, 31)
    assert concern.status == ConcernStatus.OPEN
    assert concern.history.get().history_user == world.users["staff_a"]


def test_it_refuses_a_deadline_before_the_day_it_was_raised(world):
    with pytest.raises(DomainError, match="不能早于提出日期"):
        raise_concern(world, deadline=D(2026, 2, 28))
    assert not Concern.objects.exists()


def test_the_deadline_day_is_on_time_and_the_next_day_overdue(world):
    concern = raise_concern(world, deadline=D(2026, 3, 10))
    assert list(concern_list(user=world.users["staff_a"], overdue=True, today=D(2026, 3, 10))) == []
    assert list(concern_list(user=world.users["staff_a"], overdue=True, today=D(2026, 3, 11))) == [concern]


def test_an_answered_concern_is_no_longer_overdue_and_a_late_answer_is_marked(world):
    concern = raise_concern(world, deadline=D(2026, 3, 10))
    answered = services.concern_answer(concern=concern, by=world.users["staff_a"], answer="已协调就近入学",
                                       answered_on=D(2026, 3, 12))
    assert answered.status == ConcernStatus.ANSWERED and answered.answered_late()
    assert list(concern_list(user=world.users["staff_a"], overdue=True, today=D(2026, 4, 1))) == []
    on_time = raise_concern(world, deadline=D(2026, 3, 10))
    assert not services.concern_answer(concern=on_time, by=world.users["staff_a"], answer="已办",
                                       answered_on=D(2026, 3, 10)).answered_late()


def test_a_concern_is_answered_once(world):
    concern = raise_concern(world)
    services.concern_answer(concern=concern, by=world.users["staff_a"], answer="已办", answered_on=D(2026, 3, 5))
    with pytest.raises(DomainError, match="已经答复"):
        services.concern_answer(concern=concern, by=world.users["staff_a"], answer="改", answered_on=D(2026, 3, 6))
    assert Concern.objects.get().answer == "已办"


def test_it_refuses_an_answer_dated_before_the_concern(world):
    concern = raise_concern(world)
    with pytest.raises(DomainError, match="不能早于"):
        services.concern_answer(concern=concern, by=world.users["staff_a"], answer="已办", answered_on=D(2026, 2, 1))


def test_a_concern_comes_from_a_cadre_of_the_activity(world):
    other = CadreFactory(unit=world.township_a)
    with pytest.raises(DomainError, match="没有参加该活动"):
        raise_concern(world, cadre=other)


def test_a_home_visit_records_its_concern_in_the_same_step(world):
    activity = record(world, CareKind.HOME_VISIT, date=D(2026, 3, 1), concern={
        "cadre": world.cadre_a, "category": "housing", "content": "住房困难", "responder": "镇党委",
        "deadline": D(2026, 3, 20)})
    concern = activity.concerns.get()
    assert (concern.cadre, concern.raised_on, concern.deadline, concern.source_label) == (
        world.cadre_a, D(2026, 3, 1), D(2026, 3, 20), "政治家访")


def test_a_group_activity_needs_the_concerns_cadre_chosen_on_the_page(client, world):
    other = CadreFactory(unit=world.township_a, name="丙干部")
    client_for(client, world.users["staff_a"])
    url = reverse("care:activity_create") + f"?unit={world.unit_a.pk}"
    data = {"kind": "talk", "date": "2026-04-01", "cadres": [world.cadre_a.pk, other.pk],
            "conducted_by": world.users["staff_a"].pk, "concern_category": "work", "concern_content": "想换岗位",
            "concern_responder": "组织部"}
    response = client.post(url, data)
    assert response.status_code == 200 and "请选择提出诉求的干部" in response.content.decode()
    response = client.post(url, {**data, "concern_cadre": other.pk})
    assert response.status_code == 302
    assert Concern.objects.get().cadre == other


def test_staff_answer_a_concern_on_its_page_and_leaders_may_not(client, world):
    concern = raise_concern(world)
    url = reverse("care:concern_answer", args=[concern.pk])
    client_for(client, world.users["leader"])
    assert client.post(url, {"answer": "x", "answered_on": "2026-03-05"}).status_code == 403
    client_for(client, world.users["staff_a"])
    response = client.post(url, {"answer": "已协调", "answered_on": "2026-03-05"})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert (concern.status, concern.answered_by) == (ConcernStatus.ANSWERED, world.users["staff_a"])
    page = client.get(reverse("care:concern_detail", args=[concern.pk])).content.decode()
    assert "已协调" in page and "answer-form" not in page


def test_the_concern_list_filters_and_searches(client, world):
    young = CadreFactory(unit=world.unit_a, name="小青年", birth_date=D(1999, 1, 1))
    first = raise_concern(world, deadline=D(2026, 3, 2), category="housing")
    visit = record(world, CareKind.TALK, cadres=[young], date=D(2026, 3, 1))
    second = raise_concern(world, activity=visit, cadre=young, category="marriage", content="婚恋交友",
                           deadline=datetime.date.today() + datetime.timedelta(days=5))
    client_for(client, world.users["staff_a"])

    def ids(query):
        return [c.pk for c in client.get(reverse("care:concern_list") + query).context["page"]]

    assert set(ids("")) == {first.pk, second.pk}
    assert ids("?overdue=on") == [first.pk]
    assert ids("?category=marriage") == [second.pk]
    assert ids("?township=on") == [first.pk]
    assert ids("?young=on") == [second.pk]
    assert ids("?q=婚恋") == [second.pk]
    assert ids("?status=answered") == []
    client_for(client, world.users["staff_b"])
    assert ids("") == []
    assert client.get(reverse("care:concern_detail", args=[first.pk])).status_code == 404
