"""Cadre.unit_path, the copy of the unit's path that visibility reads at the indexed
depths: the database triggers of migration 0008 must keep it right on every write path,
on SQLite and on PostgreSQL (a migration that rebuilt the table on SQLite would drop them)."""
import datetime

import pytest
from django.db.models import F

from cadres.models import SUBTREE_INDEX_DEPTHS, Cadre, UnitKind
from cadres.selectors import cadres_in_subtree, cadres_visible_to
from cadres.services import cadre_create, jurisdiction_grant, posting_add
from core.roles import Role
from tests.factories import CadreFactory, UserFactory, make_unit


def stored_path(cadre) -> str:
    return Cadre.objects.values_list("unit_path", flat=True).get(pk=cadre.pk)


def assert_all_copies_current():
    assert not Cadre.objects.exclude(unit_path=F("unit__path")).exists()


def test_a_new_cadre_carries_its_units_path(world):
    cadre = cadre_create(by=world.users["staff_a"], unit=world.township_a, name="新干部", sex="男",
                         birth_date=datetime.date(1990, 1, 1), id_number="110101199001010015",
                         position="科员", rank="科员")
    assert stored_path(cadre) == world.township_a.path


def test_bulk_created_cadres_carry_their_units_path(world):
    built = CadreFactory.build_batch(3, unit=world.unit_b)
    Cadre.objects.bulk_create(built)
    assert_all_copies_current()


def test_a_transfer_updates_the_copy(world):
    posting_add(cadre=world.cadre_a, by=world.users["staff_a"], unit=world.unit_b, position="副区长",
                rank="副处级", start_date=datetime.date(2026, 5, 1))
    assert stored_path(world.cadre_a) == world.unit_b.path


def test_a_queryset_update_of_the_unit_updates_the_copy(world):
    Cadre.objects.filter(pk=world.cadre_a.pk).update(unit=world.unit_b)
    assert stored_path(world.cadre_a) == world.unit_b.path


def test_saving_a_stale_instance_cannot_write_a_stale_copy(world):
    stale = Cadre.objects.get(pk=world.cadre_a.pk)
    stale.unit_path = "9999"  # what an instance read before a move would still hold
    stale.save()
    assert stored_path(world.cadre_a) == world.township_a.path


def test_moving_a_unit_moves_the_copies_of_its_whole_subtree(world):
    deep = CadreFactory(unit=make_unit("城关镇党政办", UnitKind.DEPARTMENT, world.township_a))
    world.township_a.refresh_from_db()
    world.township_a.move(world.unit_b, pos="last-child")
    world.township_a.refresh_from_db()
    assert stored_path(world.cadre_a).startswith(world.unit_b.path)
    assert_all_copies_current()
    # And visibility follows the move at once.
    assert set(cadres_visible_to(world.users["staff_b"])) >= {world.cadre_a, deep}
    assert not cadres_visible_to(world.users["staff_a"]).filter(pk__in=[world.cadre_a.pk, deep.pk]).exists()


def test_the_subtree_filter_matches_the_unit_tree_at_every_depth(world):
    """Indexed depths read the copy; others join the tree. Both give the same cadres."""
    office = make_unit("城关镇党政办", UnitKind.DEPARTMENT, world.township_a)
    CadreFactory(unit=office)
    CadreFactory(unit=world.unit_a)
    depths = set()
    for unit in type(world.city).objects.all():
        depths.add(unit.depth)
        expected = set(Cadre.objects.filter(unit__path__startswith=unit.path).values_list("pk", flat=True))
        assert set(Cadre.objects.filter(cadres_in_subtree(unit.path)).values_list("pk", flat=True)) == expected
    assert depths > set(SUBTREE_INDEX_DEPTHS), "both kinds of subtree are exercised"


@pytest.mark.parametrize("granted", ["city", "unit_a", "township_a", "office"])
def test_a_jurisdiction_at_any_depth_sees_exactly_its_subtree(world, granted):
    office = make_unit("城关镇党政办", UnitKind.DEPARTMENT, world.township_a)
    in_office = CadreFactory(unit=office)
    unit = office if granted == "office" else getattr(world, granted)
    unit.refresh_from_db()
    staff = UserFactory(role=Role.CADRE_SECTION)
    jurisdiction_grant(user=staff, unit=unit)
    # A second root keeps the city grant from being the whole tree.
    make_unit("另一市", UnitKind.CITY)
    seen = set(cadres_visible_to(staff).values_list("pk", flat=True))
    assert seen == set(Cadre.objects.filter(unit__path__startswith=unit.path).values_list("pk", flat=True))
    assert in_office.pk in seen
