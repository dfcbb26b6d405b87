"""Reads of the registry. `cadres_visible_to` is the one place that decides which cadres a
user may see: lists, details, exports, downloads and admin lists all start from it."""
import datetime
from functools import cache, reduce
from operator import or_

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Left
from django.db.models.lookups import Exact
from django.utils import timezone

from cadres.models import (
    SUBTREE_INDEX_DEPTHS,
    Cadre,
    CadreStatus,
    Unit,
    UnitGroupObjectPermission,
    UnitUserObjectPermission,
)
from core import roles

MANAGE_UNIT = "manage_unit"


def managed_unit_roots(user) -> QuerySet[Unit]:
    """Units granted to the user (directly or through a group) with the manage_unit
    object permission; each grant covers the unit's whole subtree."""
    if not user.is_authenticated:
        return Unit.objects.none()
    direct = UnitUserObjectPermission.objects.filter(user=user, permission__codename=MANAGE_UNIT)
    via_group = UnitGroupObjectPermission.objects.filter(group__user=user, permission__codename=MANAGE_UNIT)
    return Unit.objects.filter(
        Q(pk__in=direct.values("content_object_id")) | Q(pk__in=via_group.values("content_object_id"))
    )


def _jurisdiction(user) -> tuple[list[str], bool]:
    """The paths of the user's granted subtrees (none inside another) and whether they
    include every root unit, kept on the user for the request.

    A user holding every root (a city's or a province's own organization department) may
    see every cadre, and gets the plain table: joining 100,000 cadres to the unit tree only
    to keep them all made the count and deep pages of the list three times slower.

    Every registry page of every staff member asks this first, so it is one plain SQL
    query (the same grants as managed_unit_roots): built through the ORM it cost 3 ms of
    query compilation per request, a fifth of a list page."""
    if not hasattr(user, "_jurisdiction"):
        with connection.cursor() as cursor:
            cursor.execute(_jurisdiction_sql(), [user.pk, MANAGE_UNIT, user.pk, MANAGE_UNIT])
            rows = cursor.fetchall()
        paths = sorted(path for path, is_granted in rows if is_granted)
        roots = {path for path, is_granted in rows if not is_granted}
        minimal = [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]
        user._jurisdiction = (minimal, bool(minimal) and roots <= set(minimal))
    return user._jurisdiction


@cache
def _jurisdiction_sql() -> str:
    from django.contrib.auth.models import Permission, User

    def granted(table: str, holder: str) -> str:
        return (f"SELECT unit.path, 1 FROM {Unit._meta.db_table} unit"
                f" JOIN {table} g ON g.content_object_id = unit.id"
                f" JOIN {Permission._meta.db_table} perm ON perm.id = g.permission_id"
                f" {holder} AND perm.codename = %s")

    members = User.groups.through._meta.db_table
    return " UNION ALL ".join([
        granted(UnitUserObjectPermission._meta.db_table, "WHERE g.user_id = %s"),
        granted(UnitGroupObjectPermission._meta.db_table,
                f"JOIN {members} m ON m.group_id = g.group_id WHERE m.user_id = %s"),
        f"SELECT path, 0 FROM {Unit._meta.db_table} WHERE depth = 1",
    ])


def cadres_in_subtree(path: str) -> Q:
    """Cadres whose current unit lies in the subtree at `path`.

    At an indexed depth (a county, say) they are matched on their own copy of the unit's
    path, whose index returns them in list order: a deep page of a county's 10,000 cadres
    is then an index walk rather than a sort of every name (4.3 -> 0.8 ms)."""
    if len(path) // Unit.steplen in SUBTREE_INDEX_DEPTHS:
        return Q(Exact(Left("unit_path", len(path)), path))
    return Q(unit__path__startswith=path)


def units_visible_to(user) -> QuerySet[Unit]:
    if roles.is_admin(user):
        return Unit.objects.all()
    if not roles.can_view_registry(user):
        return Unit.objects.none()
    paths, whole_tree = _jurisdiction(user)
    if not paths:
        return Unit.objects.none()
    if whole_tree:
        return Unit.objects.all()
    return Unit.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))


def sees_whole_registry(user) -> bool:
    """Whether the user sees every unit and every cadre: admins, and staff holding every root
    unit (a city's own organization department). Selectors of records about cadres then skip
    the cadre condition: `cadre_id IN (SELECT id FROM cadres_cadre)` is always true and made
    PostgreSQL read the whole cadre table for it (the workbench's reports: 12 ms at 20,000
    cadres, growing with the city)."""
    if roles.is_admin(user):
        return True
    if not roles.can_view_registry(user):
        return False
    paths, whole_tree = _jurisdiction(user)
    return whole_tree


def cadres_visible_to(user) -> QuerySet[Cadre]:
    """Visibility follows the cadre's current unit: after a transfer the old
    jurisdiction's staff no longer see the cadre."""
    if roles.is_admin(user):
        return Cadre.objects.all()
    if not roles.can_view_registry(user):
        return Cadre.objects.none()
    paths, whole_tree = _jurisdiction(user)
    if not paths:
        return Cadre.objects.none()
    if whole_tree:
        return Cadre.objects.all()
    return Cadre.objects.filter(reduce(or_, map(cadres_in_subtree, paths)))


def granted_subtree_paths(user) -> list[str]:
    """The paths of the subtrees granted to the user, none inside another."""
    return _jurisdiction(user)[0]


def jurisdiction_scope(user) -> tuple[str, ...]:
    """What the user's view of the registry depends on, as part of the key of a result kept
    for it (core.db.kept_until_changed): one mark for whoever sees the whole registry, else
    the granted subtrees."""
    return ("*",) if sees_whole_registry(user) else tuple(granted_subtree_paths(user))


def active_cadre_count(user) -> int:
    """How many active cadres the user's jurisdiction holds (the workbench's card).

    Counting them read every active cadre's index entry on each view of the workbench (a
    city's 100,000: the page's largest query, growing with the city), so the count is kept
    until a cadre or a unit changes (core.db.kept_until_changed)."""
    from core.db import kept_until_changed

    if not (roles.can_view_registry(user) or roles.is_admin(user)):
        return 0
    return kept_until_changed("active-cadres", jurisdiction_scope(user), (Cadre, Unit),
                              lambda: cadres_visible_to(user).filter(status=CadreStatus.ACTIVE).count())


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
        qs = qs.filter(cadres_in_subtree(unit.path))
    if rank:
        qs = qs.filter(rank=rank)
    if status:
        qs = qs.filter(status=status)
    if tag:
        qs = qs.filter(tag_filter(tag))
    if township_years_min:
        qs = qs.filter(township_years_at_least(township_years_min))
    return qs.order_by(*ORDERINGS.get(order, ORDERINGS["name"]))


def tag_filter(tag: str) -> Q:
    """A tag, or for the tags that follow from the record itself, the record: 女干部 is every
    female cadre (not only those someone tagged), 少数民族干部 every cadre not of the Han
    nationality. One filter, no join (the tag's cadres as a subquery)."""
    tagged = Q(pk__in=Cadre.tags.through.objects.filter(tag__name=tag).values("cadre_id"))
    derived = DERIVED_TAGS.get(tag)
    return tagged | derived if derived is not None else tagged


DERIVED_TAGS = {
    "女干部": Q(sex="女"),
    "少数民族干部": ~Q(ethnicity__in=["汉族", ""]),
}


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

    ID numbers are encrypted at rest, so they are found through keyed blind indexes (equality
    on an indexed hash), never as a substring: a whole number, its last 6 or its last 4
    digits; 8 digits that form a date (the birth-date segment, e.g. 19850312) match the birth
    date field. Any other run of digits matches nothing (the list explains what to type).
    A name of two or more characters matches anywhere (trigram GIN index on PostgreSQL);
    one character is a surname, matched as a prefix."""
    if term.rstrip("Xx").isdigit():
        return id_number_search_filter(term)
    if len(term) == 1:
        return Q(name__startswith=term)
    return Q(name__contains=term)


ID_NUMBER_SEARCH_HELP = "身份证号可输入完整 18 位、后 6 位、后 4 位，或 8 位出生日期（如 19850312）"


def id_number_search_filter(term: str) -> Q:
    term = term.strip().upper()
    if len(term) in (18, 6, 4):
        return id_number_filter(term, last=None if len(term) == 18 else len(term))
    if len(term) == 8 and term.isdigit():
        try:
            return Q(birth_date=datetime.date(int(term[:4]), int(term[4:6]), int(term[6:])))
        except ValueError:
            pass
    return Q(pk__in=[])


def id_number_filter(value: str, *, last: int | None = None) -> Q:
    """The one way to look cadres up by ID number (the column is encrypted): the whole number
    through its unique blind index, or its last 4 / 6 characters through theirs."""
    value = value.strip().upper()
    if last is None:
        return Q(id_number_index=Cadre._meta.get_field("id_number_index").index_of(value))
    field = {4: "id_number_last4", 6: "id_number_last6"}[last]
    return Q(**{field: Cadre._meta.get_field(field).index_of(value[-last:])})


def id_numbers_filter(values) -> Q:
    """Any of these whole ID numbers (an import's duplicate check)."""
    field = Cadre._meta.get_field("id_number_index")
    return Q(id_number_index__in=[field.index_of(v.strip().upper()) for v in values if v])


def cadre_by_id_number(id_number: str, *, queryset=None) -> Cadre | None:
    """The cadre with this ID number, or None. Pass `cadres_visible_to(user)` as the queryset
    whenever a user is asking (a lookup never bypasses the permission selector)."""
    if not id_number:
        return None
    queryset = Cadre.objects.all() if queryset is None else queryset
    return queryset.filter(id_number_filter(id_number)).first()


def can_reveal_id_number(user) -> bool:
    """Full ID numbers (and phone numbers) are for holders of cadres.reveal_id_number."""
    return bool(user and user.is_authenticated and user.has_perm("cadres.reveal_id_number"))


def mask_digits(value: str) -> str:
    """First 6 and last 4 characters shown (110***********1234); shorter values (a phone
    number) keep the first 3 and last 4; anything of 7 or fewer characters is hidden."""
    if not value:
        return ""
    if len(value) >= 15:
        return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"
    if len(value) >= 8:
        return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"
    return "*" * len(value)


def masked_id_number(value: str, user=None) -> str:
    """What lists, pages and exports show of an ID number (or phone number): masked unless the
    user may reveal it. An export that writes unmasked values records it (see
    cadres.excel.export_workbook): call this for every value, and audit once per export."""
    if user is not None and can_reveal_id_number(user):
        return value or ""
    return mask_digits(value)


def township_years_at_least(years: int, on: datetime.date | None = None) -> Q:
    """Township service of at least `years` full calendar years (cadres.tenure), from the two
    stored fields (see Cadre): a running posting's anchor at least `years` before `on`;
    finished postings at least the days of the `years` calendar years ending on `on`."""
    from dateutil.relativedelta import relativedelta

    on = on or timezone.localdate()
    start = on - relativedelta(years=years)
    return Q(township_anchor__isnull=True, township_days_closed__gte=(on - start).days) | Q(
        township_anchor__lte=start
    )


def ancestor_paths(unit: Unit) -> list[str]:
    """The paths of the unit and every unit above it."""
    return [unit.path[:i] for i in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]


def users_with_jurisdiction(unit: Unit, role_names, *, nearest: bool = False):
    """Active users in these roles whose jurisdiction (manage_unit grant, direct or through a
    group) covers the unit. With nearest=True only those of the closest level that has any:
    a county's own leaders before the city's (seed 002 art. 9: 谁问责、谁考虑容错)."""
    from django.contrib.auth import get_user_model

    paths = ancestor_paths(unit)
    direct = UnitUserObjectPermission.objects.filter(
        permission__codename=MANAGE_UNIT, content_object__path__in=paths).values_list("user_id", "content_object__path")
    via_group = UnitGroupObjectPermission.objects.filter(
        permission__codename=MANAGE_UNIT, content_object__path__in=paths).values_list("group__user",
                                                                                      "content_object__path")
    users = get_user_model().objects.filter(is_active=True, groups__name__in=list(role_names))
    granted = [(uid, path) for uid, path in [*direct, *via_group] if uid is not None]
    ids = set(users.filter(pk__in={uid for uid, _ in granted}).values_list("pk", flat=True))
    granted = [(uid, path) for uid, path in granted if uid in ids]
    if nearest and granted:
        deepest = max(len(path) for _, path in granted)
        granted = [(uid, path) for uid, path in granted if len(path) == deepest]
    return get_user_model().objects.filter(pk__in={uid for uid, _ in granted}).order_by("pk")


def units_in_charge_of(user, role_names) -> QuerySet[Unit]:
    """The units for which the user is among the nearest holders of these roles, i.e. where
    users_with_jurisdiction(unit, role_names, nearest=True) names the user: their granted
    subtrees minus the subtrees granted deeper down to others in the same roles (a township
    with its own staff is theirs, not the county's). A fixed number of queries."""
    return units_in_charge_by_roles(user, {"units": role_names})["units"]


def units_in_charge_by_roles(user, role_sets: dict) -> dict[str, QuerySet[Unit]]:
    """units_in_charge_of for several sets of roles at once ({key: role names} → {key:
    units}): the user's grants, the grants below them and their holders' roles are read once
    (four queries), not once per set — the workbench asks for a staff member's and a
    leader's units of the same user."""
    from django.contrib.auth import get_user_model

    held = roles.roles_of(user) if user.is_authenticated else set()
    wanted = {key: set(names) for key, names in role_sets.items() if held & set(names)}
    result = {key: Unit.objects.none() for key in role_sets}
    if not wanted:
        return result
    mine = set(managed_unit_roots(user).values_list("path", flat=True))
    if not mine:
        return result
    below = reduce(or_, (Q(content_object__path__startswith=p) for p in mine))
    granted = [*UnitUserObjectPermission.objects.filter(below, permission__codename=MANAGE_UNIT)
               .values_list("user_id", "content_object__path"),
               *UnitGroupObjectPermission.objects.filter(below, permission__codename=MANAGE_UNIT)
               .values_list("group__user", "content_object__path")]
    holder_roles: dict[int, set[str]] = {}
    for uid, name in get_user_model().objects.filter(
            is_active=True, groups__name__in=list(set().union(*wanted.values())),
            pk__in={uid for uid, _ in granted if uid}).values_list("pk", "groups__name"):
        holder_roles.setdefault(uid, set()).add(name)
    for key, names in wanted.items():
        deeper = {path for uid, path in granted
                  if holder_roles.get(uid, set()) & names and uid != user.pk and path not in mine}
        branches = []
        for root in mine:
            q = Q(path__startswith=root)
            for path in deeper:
                if path.startswith(root):
                    q &= ~Q(path__startswith=path)
            branches.append(q)
        result[key] = Unit.objects.filter(reduce(or_, branches))
    return result


def cadres_by_id_numbers(id_numbers, queryset: QuerySet[Cadre] | None = None) -> dict[str, Cadre]:
    """Cadres by their ID number (身份证号), through its blind index (the column is encrypted);
    imports match files to cadres through it. Chunked so that a 1,000-file import is one
    query per 1,000."""
    qs = Cadre.objects.all() if queryset is None else queryset
    numbers = sorted({n.strip().upper() for n in id_numbers if n and n.strip()})
    found: dict[str, Cadre] = {}
    for start in range(0, len(numbers), 1000):
        for cadre in qs.filter(id_numbers_filter(numbers[start:start + 1000])):
            found[cadre.id_number] = cadre
    return found
