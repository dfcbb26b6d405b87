"""The yearly obligations (DESIGN §3 "Care"): what each cadre and unit owes in a year, as
editable rules, and who is behind on what as of today — set-based, for the compliance view,
the cadre's tab and the sweep."""
import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, QuerySet, Sum, Value, When

from cadres.models import Cadre, CadreStatus, Unit, UnitKind
from cadres.selectors import cadres_visible_to, units_visible_to
from care.models import (
    CareParticipant,
    Consultation,
    LeaveEntitlement,
    ObligationApplies,
    ObligationMeasure,
    ObligationRule,
)
from care.selectors import cadre_filter, name_filter, submissions_visible_to
from core.db import kept_until_changed


def active_rules() -> list[ObligationRule]:
    return list(ObligationRule.objects.filter(active=True).order_by("applies_to", "id"))


def _required_expression(rule: ObligationRule, year: int, entitlements: list[LeaveEntitlement]):
    """The yearly requirement; paid leave by years worked on 1 January (a missing start
    date is taken as the first band that grants leave)."""
    if rule.measure == ObligationMeasure.DAYS and rule.required is None:
        jan1 = datetime.date(year, 1, 1)
        bands = sorted(entitlements, key=lambda e: e.min_years, reverse=True)
        if not bands:
            return Value(0)
        unknown = min((e for e in bands if e.days), key=lambda e: e.min_years, default=bands[-1]).days
        whens = [When(work_start_date__isnull=True, then=Value(unknown))]
        whens += [When(work_start_date__lte=jan1 - relativedelta(years=e.min_years), then=Value(e.days)) for e in bands]
        return Case(*whens, default=Value(0), output_field=IntegerField())
    return Value(rule.required or 0, output_field=IntegerField())


def leave_entitlement_days(work_start_date: datetime.date | None, year: int,
                           entitlements: list[LeaveEntitlement]) -> int:
    """The same rule as _required_expression, for one cadre (the care tab)."""
    bands = sorted(entitlements, key=lambda e: e.min_years, reverse=True)
    if not bands:
        return 0
    if work_start_date is None:
        return min((e for e in bands if e.days), key=lambda e: e.min_years, default=bands[-1]).days
    jan1 = datetime.date(year, 1, 1)
    for e in bands:
        if work_start_date <= jan1 - relativedelta(years=e.min_years):
            return e.days
    return 0


def year_window(year: int, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The year up to today: an activity dated later has not happened yet."""
    return datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today)


class ObligationTable:
    """One row per cadre of `cadres` with, for each per-cadre rule, what they did this year
    (as of today) and what they owe, computed in the database: the cadres LEFT JOINed to the
    raw rows of the year's participations (index care_participant_cadre_kind) and grouped by
    cadre, one scan whatever the number of cadres. (A correlated count per cadre and rule
    measured 2.5 s at 100,000 cadres on PostgreSQL; see scripts/care_benchmark.py.)

    The join is to the table itself, not to a subquery already grouped by cadre: the planner
    cannot estimate how many groups such a subquery yields until ANALYZE has run (it assumes
    200), and on freshly written tables it then chose a nested loop rescanning the grouped
    participations for every cadre (7 s, 21 M rows, issue #16). Joined on the cadre id, a
    unique key, the estimate holds with or without statistics and every plan it may pick
    (hash, merge, or index lookups) stays linear.

    The cadres are an ORM queryset, so visibility, filters and the leave entitlement stay in
    one place; only the join and the counts over it are written out. `units` restricts to a
    few units (one page of the behind list)."""

    def __init__(self, cadres: QuerySet[Cadre], rules: list[ObligationRule], year: int, today: datetime.date,
                 entitlements: list[LeaveEntitlement], *, units: list[int] | None = None):
        self._args = (cadres, rules, year, today, entitlements)
        self.rules = [r for r in rules if r.applies_to == ObligationApplies.CADRE]
        start, end = year_window(year, today)
        if units is not None:
            cadres = cadres.filter(unit_id__in=units)
        self.empty = cadres.query.is_empty() or units == []
        if self.empty:
            return
        required = {f"r{i}": _required_expression(r, year, entitlements) for i, r in enumerate(self.rules)}
        cadre_rows = cadres.order_by().annotate(**required).values(
            *required, c_id=F("pk"), c_unit=F("unit_id"), c_path=F("unit__path"), c_name=F("name"))
        c_sql, c_params = cadre_rows.query.sql_with_params()
        columns = ["c_id", "c_unit", "c_path", "c_name", *required]
        if not self.rules:
            self.source, self.params = f"({c_sql}) c", tuple(c_params)
            return
        qn = connection.ops.quote_name
        field = CareParticipant._meta.get_field
        p_cadre, p_kind, p_date, p_days = (qn(field(f).column) for f in ("cadre", "kind", "date", "days"))
        done, done_params = [], []
        for i, r in enumerate(self.rules):
            counted = f"p.{p_days}" if r.measure == ObligationMeasure.DAYS else "1"
            done.append(f"SUM(CASE WHEN p.{p_kind} = %s THEN {counted} ELSE 0 END) AS d{i}")
            done_params.append(r.kind)
        kinds = ", ".join(["%s"] * len(self.rules))
        outer = ", ".join(f"c.{col}" for col in columns)
        self.source = (f"(SELECT {outer}, {', '.join(done)} FROM ({c_sql}) c "
                       f"LEFT JOIN {qn(CareParticipant._meta.db_table)} p ON p.{p_cadre} = c.c_id "
                       f"AND p.{p_date} >= %s AND p.{p_date} <= %s AND p.{p_kind} IN ({kinds}) "
                       f"GROUP BY {outer}) c")
        # Parameters in the order of their placeholders: the SELECT list, the cadres, the join.
        self.params = (*done_params, *c_params, start, end, *(r.kind for r in self.rules))

    def restricted(self, units: list[int]) -> "ObligationTable":
        return ObligationTable(*self._args, units=units)

    def _behind(self, i: int) -> str:
        return f"COALESCE(c.d{i}, 0) < c.r{i}"

    def _where_behind(self, only: int | None) -> str:
        indexes = [only] if only is not None else range(len(self.rules))
        return " OR ".join(self._behind(i) for i in indexes) or "1 = 0"

    def _fetch(self, sql: str, params=()) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, (*self.params, *params))
            return cursor.fetchall()

    def per_unit(self) -> dict[int, dict]:
        """unit id → {"n": cadres, "path": unit path, kind: cadres behind on that rule,
        "any": cadres behind on any rule}."""
        if self.empty:
            return {}
        counts = "".join(f", SUM(CASE WHEN {self._behind(i)} THEN 1 ELSE 0 END)" for i in range(len(self.rules)))
        sql = (f"SELECT c.c_unit, c.c_path, COUNT(*), SUM(CASE WHEN {self._where_behind(None)} "
               f"THEN 1 ELSE 0 END){counts} FROM {self.source} GROUP BY c.c_unit, c.c_path")
        # Kept until a cadre, a unit or a participation changes: the query and its parameters
        # (scope, filters, year, today, rules, leave bands) are the rest of the key. Grouping a
        # city's year of participations by cadre costs ~0.3 s at 100,000 cadres, whatever the plan.
        rows = kept_until_changed("care-compliance", (sql, self.params), (Cadre, Unit, CareParticipant),
                                  lambda: self._fetch(sql))
        return {row[0]: {"path": row[1], "n": row[2], "any": row[3] or 0,
                         **{r.kind: row[4 + i] or 0 for i, r in enumerate(self.rules)}} for row in rows}

    def behind_rows(self, offset: int, limit: int, only: int | None = None) -> list[tuple]:
        """(cadre id, [(done, required) per rule]) of the cadres behind, by unit then name."""
        if self.empty or limit <= 0:
            return []
        columns = "".join(f", COALESCE(c.d{i}, 0), c.r{i}" for i in range(len(self.rules)))
        rows = self._fetch(f"SELECT c.c_id{columns} FROM {self.source} WHERE {self._where_behind(only)} "
                           f"ORDER BY c.c_path, c.c_name, c.c_id LIMIT %s OFFSET %s", (limit, offset))
        return [(row[0], [(row[1 + 2 * i], row[2 + 2 * i]) for i in range(len(self.rules))]) for row in rows]


class BehindCadres:
    """The cadres behind, in unit order, as a sequence Django's Paginator can page. The count
    comes from the per-unit totals already computed; a page reads only the units it spans
    (known from those totals), so a deep page costs what the first does."""

    ordered = True

    def __init__(self, table: ObligationTable, per_unit: dict[int, dict], only: int | None = None):
        self.table, self.only = table, only
        key = table.rules[only].kind if only is not None else "any"
        self.unit_counts = [(unit_id, row[key]) for unit_id, row in sorted(per_unit.items(), key=lambda i: i[1]["path"])
                            if row[key]]

    def count(self) -> int:
        return sum(n for _, n in self.unit_counts)

    def __len__(self):
        return self.count()

    def __iter__(self):
        return iter(self[0:self.count()])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            rows = self[index:index + 1]
            if not rows:
                raise IndexError(index)
            return rows[0]
        offset = index.start or 0
        stop = min(index.stop if index.stop is not None else self.count(), self.count())
        units, before, seen = [], None, 0
        for unit_id, n in self.unit_counts:
            if seen + n > offset and seen < stop:
                units.append(unit_id)
                before = seen if before is None else before
            seen += n
        if not units:
            return []
        rows = self.table.restricted(units).behind_rows(offset - before, stop - offset, self.only)
        cadres = Cadre.objects.select_related("unit").in_bulk([pk for pk, _ in rows])
        page = []
        for pk, figures in rows:
            cadre = cadres.get(pk)
            if cadre is not None:  # deleted in between: left out rather than failing the page
                cadre.care_status = [(rule, done, required) for rule, (done, required) in zip(self.table.rules, figures)]
                page.append(cadre)
        return page


@dataclass
class ComplianceRow:
    unit: Unit
    own_only: bool = False  # the scope unit's own cadres, without its subtree
    cadres: int = 0
    behind: dict = field(default_factory=dict)  # kind → cadres (or units) behind
    units: int = 0  # units obliged to hold a consultation
    unanswered: int = 0  # consultation submissions not yet answered

    def done_rate(self, rule) -> int | None:
        total = self.units if rule.applies_to == ObligationApplies.UNIT else self.cadres
        if not total:
            return None
        return round(100 * (total - self.behind.get(rule.kind, 0)) / total)

    def cells(self, rules) -> list[tuple]:
        """(rule, behind, out of, done rate) for the templates."""
        return [(r, self.behind.get(r.kind, 0), self.units if r.applies_to == ObligationApplies.UNIT else self.cadres,
                 self.done_rate(r)) for r in rules]


@dataclass
class Compliance:
    year: int
    as_of: datetime.date
    scope: Unit | None
    rules: list
    rows: list
    total: ComplianceRow
    behind_cadres: "BehindCadres"  # cadres behind on something (or on `only`), for the Paginator
    entitlements: list

    def chart_data(self) -> dict:
        return {
            "labels": [("（本级）" if r.own_only else "") + r.unit.qualified_name for r in self.rows],
            "datasets": [{"label": rule.get_kind_display(), "data": [r.done_rate(rule) for r in self.rows]}
                         for rule in self.rules],
        }


def _roots(units: list[Unit]) -> list[Unit]:
    roots = []
    for unit in units:  # sorted by path: an ancestor comes before its subtree
        if not any(unit.path.startswith(r.path) for r in roots):
            roots.append(unit)
    return roots


def compliance(*, user, year: int, today: datetime.date, scope: Unit | None = None, township: bool = False,
               young: bool = False, only: str = "", q: str = "", rules: list[ObligationRule] | None = None
               ) -> Compliance:
    """Who is behind on what, per unit and per cadre, for the year as of today (DESIGN §3).
    Set-based: a fixed number of queries whatever the number of cadres — one aggregate per
    unit over all cadres in scope, one for the consultations, one for the unanswered
    submissions; the units themselves are few and rolled up in Python."""
    rules = active_rules() if rules is None else rules
    entitlements = list(LeaveEntitlement.objects.all())
    start, end = year_window(year, today)
    units = list(units_visible_to(user).order_by("path"))
    if scope is None:
        roots = _roots(units)
        scope = roots[0] if len(roots) == 1 else None
    if scope is not None:
        in_scope = [u for u in units if u.path.startswith(scope.path)]
        row_units = [(scope, True)] + [(u, False) for u in in_scope if u.depth == scope.depth + 1]
    else:
        in_scope = units
        row_units = [(u, False) for u in _roots(units)]

    cadres = cadres_visible_to(user).filter(status=CadreStatus.ACTIVE)
    cadres = cadres.filter(cadre_filter(unit=scope, township=township, young=young, today=today))
    if q.strip():
        cadres = cadres.filter(name_filter("", q.strip()))
    table = ObligationTable(cadres, rules, year, today, entitlements)
    cadre_rules = table.rules
    per_unit = table.per_unit()

    unit_rules = [r for r in rules if r.applies_to == ObligationApplies.UNIT]
    # A unit with active cadres holds a consultation; the young filter narrows cadres, not units.
    with_cadres = set(per_unit)
    if young and unit_rules:
        with_cadres = set(cadres_visible_to(user).filter(status=CadreStatus.ACTIVE).filter(
            cadre_filter(unit=scope, township=township)).order_by().values_list("unit_id", flat=True).distinct())
    obliged = {u.pk for u in in_scope if u.pk in with_cadres}
    held, unanswered = {}, {}
    if unit_rules:
        scope_units = Unit.objects.filter(path__startswith=scope.path) if scope else units_visible_to(user)
        held = dict(Consultation.objects.filter(unit__in=scope_units, held_on__gte=start, held_on__lte=end)
                    .order_by().values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))
        unanswered = dict(
            submissions_visible_to(user).filter(consultation__unit__in=scope_units, consultation__held_on__gte=start,
                                                consultation__held_on__lte=end, answered_on__isnull=True)
            .order_by().values("consultation__unit_id").annotate(n=Count("pk"))
            .values_list("consultation__unit_id", "n"))

    rows = [ComplianceRow(unit=u, own_only=own, behind=dict.fromkeys((r.kind for r in rules), 0))
            for u, own in row_units]
    total = ComplianceRow(unit=scope or Unit(name="全部"), behind=dict.fromkeys((r.kind for r in rules), 0))

    def rows_for(unit):
        for row in rows:
            if (unit.pk == row.unit.pk) if row.own_only else unit.path.startswith(row.unit.path):
                yield row
        yield total

    for unit in in_scope:
        if township and unit.kind != UnitKind.TOWNSHIP:
            continue
        aggregate = per_unit.get(unit.pk)
        is_obliged = unit.pk in obliged
        if not aggregate and not is_obliged and not unanswered.get(unit.pk):
            continue
        for row in rows_for(unit):
            if aggregate:
                row.cadres += aggregate["n"]
                for r in cadre_rules:
                    row.behind[r.kind] += aggregate[r.kind]
            if is_obliged:
                row.units += 1
                for r in unit_rules:
                    if held.get(unit.pk, 0) < (r.required or 0):
                        row.behind[r.kind] += 1
            row.unanswered += unanswered.get(unit.pk, 0)
    rows = [r for r in rows if r.cadres or r.units or r.unanswered]

    for row in [*rows, total]:
        row.cell_list = row.cells(rules)
    only_index = next((i for i, r in enumerate(cadre_rules) if r.kind == only), None)
    return Compliance(year=year, as_of=end, scope=scope, rules=rules, rows=rows, total=total,
                      behind_cadres=BehindCadres(table, per_unit, only_index), entitlements=entitlements)


def cadre_obligations(*, cadre: Cadre, year: int, today: datetime.date) -> list[dict]:
    """One cadre's obligations for the year: rule, done, required (the care tab)."""
    rules = [r for r in active_rules() if r.applies_to == ObligationApplies.CADRE]
    entitlements = list(LeaveEntitlement.objects.all())
    start, end = year_window(year, today)
    done = {}
    for row in (CareParticipant.objects.filter(cadre=cadre, date__gte=start, date__lte=end)
                .values("kind").annotate(n=Count("pk"), days=Sum("days"))):
        done[row["kind"]] = row
    result = []
    for rule in rules:
        row = done.get(rule.kind, {})
        if rule.measure == ObligationMeasure.DAYS:
            value = row.get("days") or 0
            required = rule.required if rule.required is not None else leave_entitlement_days(
                cadre.work_start_date, year, entitlements)
        else:
            value, required = row.get("n", 0), rule.required or 0
        result.append({"rule": rule, "done": value, "required": required, "behind": value < required,
                       "unit": "天" if rule.measure == ObligationMeasure.DAYS else "次"})
    return result
