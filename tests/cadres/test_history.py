"""Every domain write path leaves history naming the acting user."""
import datetime

import pytest
from django.apps import apps
from django.urls import reverse

from cadres.demo import build_cadres
from cadres.models import Cadre, Commendation, Sanction
from tests.conftest import client_for
from tests.factories import SanctionFactory

DOMAIN_APPS = ["cadres", "tolerance", "assessment", "care"]
# Guardian's permission rows are access control, not records; access logs are append-only logs.
NOT_DOMAIN = {"UnitUserObjectPermission", "UnitGroupObjectPermission", "CaseUserObjectPermission",
              "CaseGroupObjectPermission", "AllegationUserObjectPermission", "AllegationGroupObjectPermission",
              "ReporterAccessLog"}


def test_every_domain_model_keeps_history():
    missing = [
        m.__name__ for app in DOMAIN_APPS for m in apps.get_app_config(app).get_models()
        if not m.__name__.startswith("Historical") and m.__name__ not in NOT_DOMAIN
        and not m._meta.auto_created and not hasattr(m, "history")
    ]
    assert missing == []


def test_editing_in_the_form_leaves_one_history_row_by_the_user(client, world):
    cadre = world.cadre_a
    before = cadre.history.count()
    client_for(client, world.users["staff_a"])
    data = {f: getattr(cadre, f) or "" for f in ["name", "sex", "ethnicity", "id_number", "political_status",
                                                  "health", "rank", "status"]}
    data.update(birth_date="1985-03-12", position="镇长", version=cadre.version)
    response = client.post(reverse("cadres:edit", args=[cadre.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert cadre.history.count() == before + 1
    latest = cadre.history.latest()
    assert (latest.history_user, latest.position) == (world.users["staff_a"], "镇长")


def test_a_stale_form_is_refused_with_a_message_and_changes_nothing(client, world):
    cadre = world.cadre_a
    client_for(client, world.users["staff_a"])
    data = {"name": cadre.name, "sex": "男", "birth_date": "1985-03-12", "ethnicity": "汉族", "id_number": cadre.id_number,
            "political_status": "中共党员", "health": "健康", "rank": "副科级", "status": "在职", "position": "镇长",
            "version": cadre.version - 1 if cadre.version > 1 else 99}
    response = client.post(reverse("cadres:edit", args=[cadre.pk]), data)
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    cadre.refresh_from_db()
    assert cadre.position == "副镇长"


def test_adding_a_record_in_the_browser_leaves_history_by_the_user(client, world):
    client_for(client, world.users["staff_a"])
    response = client.post(reverse("cadres:record_create", args=[world.cadre_a.pk, "commendation"]), {
        "kind": "嘉奖", "level": "县级", "title": "年度嘉奖", "date": "2026-01-10", "issuer": "县委"})
    assert response.status_code == 302
    record = Commendation.objects.get(cadre=world.cadre_a)
    assert record.history.get().history_user == world.users["staff_a"]


def test_a_malformed_date_is_refused_with_a_clear_message(client, world):
    client_for(client, world.users["staff_a"])
    response = client.post(reverse("cadres:record_create", args=[world.cadre_a.pk, "commendation"]), {
        "kind": "嘉奖", "level": "县级", "title": "年度嘉奖", "date": "2026-13-45", "issuer": "县委"})
    assert response.status_code == 200
    assert "请输入有效日期" in response.content.decode()
    assert not Commendation.objects.exists()


def test_a_follow_up_visit_can_only_name_this_cadres_sanctions(client, world):
    other = SanctionFactory(cadre=world.cadre_b)
    client_for(client, world.users["staff_a"])
    response = client.post(reverse("cadres:record_create", args=[world.cadre_a.pk, "visit"]), {
        "sanction": other.pk, "date": "2026-02-01", "visited_by": "组织部"})
    assert response.status_code == 200
    assert not other.follow_up_visits.exists()


def test_bulk_demo_data_leaves_history_with_the_user(world):
    build_cadres(30, by=world.users["admin"], batch_size=10, seed=1)
    created = Cadre.objects.exclude(pk__in=[world.cadre_a.pk, world.cadre_b.pk])
    assert created.count() == 30
    history = Cadre.history.filter(id__in=created.values("pk"))
    assert history.count() == 30
    assert set(history.values_list("history_user", flat=True)) == {world.users["admin"].pk}
    assert Sanction.history.count() == Sanction.objects.count()


def test_the_history_tab_shows_who_changed_what(client, world):
    from cadres.services import cadre_update

    cadre_update(cadre=world.cadre_a, by=world.users["staff_a"], expected_version=1, position="镇长")
    client_for(client, world.users["leader"])
    response = client.get(reverse("cadres:detail", args=[world.cadre_a.pk]) + "?tab=history")
    entries = response.context["history"]
    change = next(e for e in entries if e.action == "修改")
    assert change.who == world.users["staff_a"].get_full_name()
    assert ("现任职务", "副镇长", "镇长") in change.changes


@pytest.mark.parametrize("tab", ["profile", "postings", "rewards", "measures", "achievements", "family", "history"])
def test_every_tab_renders(client, world, tab):
    SanctionFactory(cadre=world.cadre_a, decision_date=datetime.date(2026, 1, 1))
    client_for(client, world.users["staff_a"])
    assert client.get(reverse("cadres:detail", args=[world.cadre_a.pk]) + f"?tab={tab}").status_code == 200
