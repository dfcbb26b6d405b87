import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cadres.models import Cadre
from cadres.selectors import cadres_visible_to
from cadres.services import posting_add
from tests.conftest import client_for, export_via_job
from tests.factories import CadreFactory

EXPECTED = {  # persona → names of the cadres they see
    "staff_a": {"甲干部"},
    "staff_b": {"乙干部"},
    "leader": {"甲干部"},
    "admin": {"甲干部", "乙干部"},
    "officer_assigned": set(),
    "officer_unassigned": set(),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_selector_returns_exactly_the_jurisdiction(world, persona):
    names = set(cadres_visible_to(world.users[persona]).values_list("name", flat=True))
    assert names == EXPECTED[persona]


@pytest.mark.parametrize("persona", ["staff_a", "staff_b", "leader", "admin"])
def test_list_and_export_show_exactly_the_permitted_set(client, world, persona):
    client = client_for(client, world.users[persona])
    response = client.get(reverse("cadres:list"))
    listed = {c.name for c in response.context["page"]}
    assert listed == EXPECTED[persona]
    assert response.context["page"].paginator.count == len(EXPECTED[persona])

    _, content = export_via_job(client, reverse("cadres:export"))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    exported = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert exported == EXPECTED[persona]


def test_a_transfer_moves_visibility_to_the_new_jurisdiction(world):
    posting_add(cadre=world.cadre_a, by=world.users["staff_a"], unit=world.unit_b, position="副区长",
                rank="副处级", start_date=datetime.date(2026, 5, 1))
    assert not cadres_visible_to(world.users["staff_a"]).filter(pk=world.cadre_a.pk).exists()
    assert cadres_visible_to(world.users["staff_b"]).filter(pk=world.cadre_a.pk).exists()


def test_a_subtree_grant_covers_units_below(world):
    deep = CadreFactory(name="镇干部", unit=world.township_a)
    assert cadres_visible_to(world.users["staff_a"]).filter(pk=deep.pk).exists()
    assert not cadres_visible_to(world.users["staff_b"]).filter(pk=deep.pk).exists()


def test_admin_lists_use_the_selector(client, world):
    world.users["staff_a"].is_staff = True
    world.users["staff_a"].save()
    world.users["staff_a"].user_permissions.add(Permission.objects.get(codename="view_cadre"))
    client_for(client, world.users["staff_a"])
    response = client.get(reverse("admin:cadres_cadre_changelist"))
    assert response.status_code == 200
    assert {c.name for c in response.context["cl"].result_list} == {"甲干部"}
    assert Cadre.objects.count() == 2



def _staff_holding(username, *units):
    from cadres.services import jurisdiction_grant
    from core.roles import Role
    from tests.factories import UserFactory

    user = UserFactory(username=username, role=Role.CADRE_SECTION)
    for unit in units:
        jurisdiction_grant(user=user, unit=unit)
    return user


def test_staff_holding_every_root_unit_see_the_whole_table_without_the_tree_join(world):
    qs = cadres_visible_to(_staff_holding("city_staff", world.city))
    assert set(qs.values_list("name", flat=True)) == {"甲干部", "乙干部"}
    assert "cadres_unit" not in str(qs.query)
    county = cadres_visible_to(world.users["staff_a"])
    assert "unit_path" in str(county.query)  # a county is filtered on its subtree


def test_a_second_root_unit_keeps_the_city_staff_to_their_own_city(world):
    from cadres.models import UnitKind
    from tests.factories import make_unit

    other_city = make_unit("宁川市", UnitKind.CITY)
    CadreFactory(name="外市干部", unit=make_unit("西平县", UnitKind.COUNTY, other_city))
    city_staff = _staff_holding("city_staff", world.city)
    assert set(cadres_visible_to(city_staff).values_list("name", flat=True)) == {"甲干部", "乙干部"}
    both = _staff_holding("province_staff", world.city, other_city)
    assert set(cadres_visible_to(both).values_list("name", flat=True)) == {"甲干部", "乙干部", "外市干部"}
    assert "cadres_unit" not in str(cadres_visible_to(both).query)


def test_a_jurisdiction_granted_to_a_group_reaches_its_members_only(world):
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    team = Group.objects.create(name="清河县干部科")
    member, outsider = _staff_holding("member"), _staff_holding("outsider")
    member.groups.add(team)
    assign_perm("cadres.manage_unit", team, world.unit_a)
    assign_perm("cadres.change_unit", outsider, world.unit_a)  # another permission grants nothing
    assert set(cadres_visible_to(member).values_list("name", flat=True)) == {"甲干部"}
    assert not cadres_visible_to(outsider).exists()


def test_a_revoked_jurisdiction_is_gone_on_the_next_request(world):
    from django.contrib.auth.models import User

    from cadres.services import jurisdiction_revoke

    jurisdiction_revoke(user=world.users["staff_a"], unit=world.unit_a)
    fresh = User.objects.get(pk=world.users["staff_a"].pk)  # each request loads the user anew
    assert not cadres_visible_to(fresh).exists()
