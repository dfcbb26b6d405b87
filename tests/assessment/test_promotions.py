"""Promotions (提拔 / 职级晋升): recorded by the posting service when a new current posting
is at a higher level, with the priority reasons of the day as a snapshot; listed with
filters inside the jurisdiction."""
import datetime

import pytest
from django.urls import reverse

from assessment import services
from assessment.models import Promotion
from cadres.models import Commendation
from cadres.services import cadre_record_add, posting_add
from tests.conftest import client_for
from tests.factories import CadreFactory

D = datetime.date


def promote(world, cadre, rank, on, unit=None, by="staff_a", end_date=None):
    return posting_add(cadre=cadre, by=world.users[by], unit=unit or cadre.unit, position="新职务", rank=rank,
                       start_date=on, end_date=end_date)


def test_it_records_a_promotion_when_the_new_posting_is_at_a_higher_level(world):
    posting = promote(world, world.cadre_a, "正科级", D(2026, 3, 1))
    promotion = Promotion.objects.get()
    assert promotion.posting == posting and promotion.cadre == world.cadre_a
    assert (promotion.rank_before, promotion.rank_after) == ("副科级", "正科级")
    assert promotion.unit == world.township_a and promotion.promoted_on == D(2026, 3, 1)
    assert promotion.priority_count == 0 and promotion.reasons == []
    assert promotion.history.count() == 1
    assert promotion.history.get().history_user == world.users["staff_a"]


def test_a_rank_promotion_at_the_same_leadership_level_is_none_but_a_higher_one_is(world):
    # 副科级 → 四级主任科员 is the same level (1); → 一级主任科员 is level 2.
    promote(world, world.cadre_a, "四级主任科员", D(2026, 3, 1))
    assert not Promotion.objects.exists()
    promote(world, world.cadre_a, "一级主任科员", D(2026, 4, 1))
    assert Promotion.objects.get().rank_before == "四级主任科员"


@pytest.mark.parametrize("rank", ["副科级", "科员", ""])
def test_a_transfer_at_the_same_level_a_demotion_or_no_rank_records_nothing(world, rank):
    promote(world, world.cadre_a, rank, D(2026, 3, 1), unit=world.unit_b)
    assert not Promotion.objects.exists()


def test_a_past_posting_with_an_end_date_records_nothing(world):
    promote(world, world.cadre_a, "正处级", D(2010, 1, 1), end_date=D(2012, 1, 1))
    assert not Promotion.objects.exists()


def test_it_keeps_the_priority_reasons_of_the_day_whatever_happens_later(world):
    staff = world.users["staff_a"]
    services.priority_record_add(cadre=world.cadre_a, situation="art3-3", facts="抗洪抢险", recorded_on=D(2026, 2, 1),
                                 by=staff)
    cadre_record_add(record=Commendation(cadre=world.cadre_a, kind="记功", level="省级", title="全省先进个人",
                                         date=D(2025, 5, 1), issuer="省政府"), by=staff)
    promote(world, world.cadre_a, "正科级", D(2026, 3, 1))
    promotion = Promotion.objects.get()
    assert promotion.priority_count == 2
    assert any("全省先进个人" in r for r in promotion.reasons) and any(r.startswith("第三条") for r in promotion.reasons)
    # A reason recorded afterwards does not rewrite the record.
    services.priority_record_add(cadre=world.cadre_a, situation="annex1-2", facts="项目攻坚",
                                 recorded_on=D(2026, 4, 1), by=staff)
    promotion.refresh_from_db()
    assert promotion.priority_count == 2


@pytest.fixture
def promotions(world):
    staff = world.users["staff_a"]
    services.priority_record_add(cadre=world.cadre_a, situation="art3-3", facts="抗洪抢险", recorded_on=D(2026, 2, 1),
                                 by=staff)
    promote(world, world.cadre_a, "正科级", D(2026, 3, 1))
    promote(world, CadreFactory(name="丙干部", unit=world.township_a), "正科级", D(2025, 6, 1))
    promote(world, world.cadre_b, "正科级", D(2026, 5, 1), by="staff_b")
    return world


def listed(client, user, **params):
    client_for(client, user)
    response = client.get(reverse("assessment:promotion_list"), params)
    assert response.status_code == 200
    return [p.cadre.name for p in response.context["page"]]


def test_the_list_shows_the_jurisdiction_only(promotions, client):
    assert listed(client, promotions.users["staff_a"]) == ["甲干部", "丙干部"]
    assert listed(client, promotions.users["staff_b"]) == ["乙干部"]
    assert listed(client, promotions.users["admin"]) == ["乙干部", "甲干部", "丙干部"]


def test_the_list_filters_by_period_unit_and_priority(promotions, client):
    admin = promotions.users["admin"]
    assert listed(client, admin, since="2026-01-01", until="2026-12-31") == ["乙干部", "甲干部"]
    assert listed(client, admin, priority="on") == ["甲干部"]
    assert listed(client, admin, unit=promotions.unit_b.pk) == ["乙干部"]
    body = client.get(reverse("assessment:promotion_list")).content.decode()
    assert "副科级 → 正科级" in body and "第三条" in body


def test_officers_may_not_open_the_list(promotions, client):
    client_for(client, promotions.users["officer_assigned"])
    assert client.get(reverse("assessment:promotion_list")).status_code == 403
