"""History diffs show field labels and display values (issue #12): choice labels, 是/否, names
of people and rows; never a stored code, True/False/None or a login name."""
import re

from django.contrib import admin
from django.urls import reverse

from cadres.history import cadre_history
from cadres.models import Cadre, CadreStatus
from cadres.services import cadre_update
from core.history_display import value_display
from tests.conftest import client_for

RAW = re.compile(r"(?<![A-Za-z])(True|False|None)(?![A-Za-z])")


def test_value_display_reads_as_a_person_would():
    field = Cadre._meta.get_field
    assert value_display(field("is_team_member"), True) == "是"
    assert value_display(field("is_team_member"), False) == "否"
    assert value_display(field("status"), CadreStatus.LEFT) == "调离"
    assert value_display(field("position_since"), None) == ""
    from tolerance.models import Stage, ToleranceCase

    assert value_display(ToleranceCase._meta.get_field("stage"), Stage.INVESTIGATION) == "调查核实"


def test_the_cadre_history_tab_shows_labels_and_yes_no(client, world):
    cadre_update(cadre=world.cadre_a, by=world.users["staff_a"], expected_version=1,
                 is_team_member=not world.cadre_a.is_team_member, status=CadreStatus.LEFT)
    change = next(e for e in cadre_history(world.cadre_a) if e.action == "修改")
    labels = {label: (old, new) for label, old, new in change.changes}
    assert labels["领导班子成员"] in (("否", "是"), ("是", "否"))
    assert labels["状态"] == ("在职", "调离")
    client_for(client, world.users["staff_a"])
    page = client.get(reverse("cadres:detail", args=[world.cadre_a.pk]) + "?tab=history").content.decode()
    assert not RAW.search(page.split("<main", 1)[-1].split("<script", 1)[0])
    assert "staff_a" not in page.split("<main", 1)[-1]


def test_the_admin_history_page_shows_labels_and_names(client, world):
    admin_user = world.users["admin"]
    cadre_update(cadre=world.cadre_a, by=world.users["staff_a"], expected_version=1,
                 is_team_member=not world.cadre_a.is_team_member, status=CadreStatus.LEFT)
    assert Cadre in admin.site._registry
    client_for(client, admin_user)
    response = client.get(reverse("admin:cadres_cadre_history", args=[world.cadre_a.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    table = page.split('id="change-history"', 1)[1].split("</table>", 1)[0]
    assert "领导班子成员" in table and "is_team_member" not in table
    assert "调离" in table
    assert not RAW.search(re.sub(r"<[^>]+>", " ", table))
    assert "staff_a" not in table  # the acting user by name and post
