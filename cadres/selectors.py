"""Reads of the registry. `cadres_visible_to` is the one place that decides which cadres a
user may see: lists, details, exports, downloads and admin lists all start from it."""
import datetime
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone

from cadres.models import Cadre, Unit, UnitGroupObjectPermission, UnitUserObjectPermission
from core import roles

MANAGE_UNIT = "manage_unit"


def managed_unit_roots(user) -> QuerySet[Unit]:
    """Units granted to the user (directly or through a group) with the manage_unit
    object permission; each grant covers the unit's whole subtree."""
    if not user.is_authenticated:
        return Unit.objects.none()
    direct = UnitUserObjectPermission.objects.filter(user=user, permission__codename=MANAGE_UNIT)
    via_group = UnitGroupObjectPermission.objects.filter(
        group__user=user, permission__codename=MANAGE_UNIT
    )
    return Unit.objects.filter(
        Q(pk__in=direct.values("content_object_id")) | Q(pk__in=via_group.values("content_object_id"))
    )


def _jurisdiction_paths(user) -> list[str]:
    if not hasattr(user, "_jurisdiction_paths"):
        paths = sorted(managed_unit_roots(user).values_list("path", flat=True))
        # Drop paths already inside another granted subtree.
        user._jurisdiction_paths = [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]
    return user._jurisdiction_paths


def _sees_whole_tree(user) -> bool:
    """Whether the user's grants include every root unit, so that the subtree filter would
    let every cadre through. Such users (a city's or a province's own organization
    department) get the plain table: joining 100,000 cadres to the unit tree only to keep
    them all made the count and deep pages three times slower. Asked of the database
    only when a root unit is among the grants."""
    if not hasattr(user, "_sees_whole_tree"):
        paths = set(_jurisdiction_paths(user))
        holds_a_root = any(len(p) == Unit.steplen for p in paths)
        user._sees_whole_tree = holds_a_root and set(
            Unit.get_root_nodes().values_list("path", flat=True)) <= paths
    return user._sees_whole_tree


def _path_filter(paths: list[str], field: str) -> Q:
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def units_visible_to(user) -> QuerySet[Unit]:
    if roles.is_admin(user):
        return Unit.objects.all()
    if not roles.can_view_registry(user):
        return Unit.objects.none()
    paths = _jurisdiction_paths(user)
    if not paths:
        return Unit.objects.none()
    return Unit.objects.filter(_path_filter(paths, "path"))


def cadres_visible_to(user) -> QuerySet[Cadre]:
    """Visibility follows the cadre's current unit: after a transfer the old
    jurisdiction's staff no longer see the cadre."""
    if roles.is_admin(user):
        return Cadre.objects.all()
    if not roles.can_view_registry(user):
        return Cadre.objects.none()
    paths = _jurisdiction_paths(user)
    if not paths:
        return Cadre.objects.none()
    if _sees_whole_tree(user):
        return Cadre.objects.all()
    return Cadre.objects.filter(_path_filter(paths, "unit__path"))


def cadres_editable_by(user) -> QuerySet[Cadre]:
    if not roles.can_edit_registry(user):
        return Cadre.objects.none()
    return cadres_visible_to(user)


def cadre_list(*, user, search: str = "", unit: Unit | None = None, rank: str = "", status: str = "",
               tag: str = "", township_years_min: int | None = None, order: str = "name") -> QuerySet[Cadre]:
    qs = cadres_visible_to(user).select_related("unit")
    search = search.strip()
    if search:
        qs = qs.filter(_search_filter(search))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if rank:
        qs = qs.filter(rank=rank)
    if status:
        qs = qs.filter(status=status)
    if tag:
        qs = qs.filter(tags__name=tag)
    if township_years_min:
        qs = qs.filter(township_years_at_least(township_years_min))
    return qs.order_by(*ORDERINGS.get(order, ORDERINGS["name"]))


ORDERINGS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "birth_date": ("birth_date", "id"),
    "-birth_date": ("-birth_date", "-id"),
    "rank": ("rank", "name", "id"),
    "unit": ("unit__path", "name", "id"),
}


def _search_filter(term: str) -> Q:
    """Digits (and a trailing X) search the ID number; anything else the name.

    A whole ID number is an equality, answered by the unique index; as a substring it would
    have to merge the trigram lists of the region code and birth years most numbers share.
    Part of a number, and a name of two or more characters, match anywhere (trigram GIN
    indexes on PostgreSQL); one character is a surname, matched as a prefix."""
    if term.rstrip("Xx").isdigit():
        term = term.upper()
        if len(term) == Cadre._meta.get_field("id_number").max_length:
            return Q(id_number=term)
        return Q(id_number__contains=term)
    if len(term) == 1:
        return Q(name__startswith=term)
    return Q(name__contains=term)


def township_years_at_least(years: int, on: datetime.date | None = None) -> Q:
    """Township service of at least `years`, from the two stored fields (see Cadre)."""
    days = round(years * 365.25)
    on = on or timezone.localdate()
    return Q(township_anchor__isnull=True, township_days_closed__gte=days) | Q(
        township_anchor__lte=on - datetime.timedelta(days=days)
    )
