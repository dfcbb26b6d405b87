"""回访教育 for sanctioned or adjusted cadres (seed 001; seed 002 art. 11(5)): when each is due,
from the sanction's decision date, the visits done (cadres.models.FollowUpVisit, tied to the
sanction) and the editable intervals (FollowUpSchedule)."""
import datetime
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery

from cadres.models import Cadre, CadreStatus, FollowUpVisit, RecordStatus, Sanction, SanctionCategory, Unit
from cadres.selectors import cadres_visible_to
from care.models import FollowUpSchedule
from care.selectors import cadre_filter, name_filter
from core import roles
from core.validation import safe_date_add

# Follow-up defaults when no FollowUpSchedule row exists for a category (months).
DEFAULT_FIRST_WITHIN, DEFAULT_EVERY = 3, 6
# A visit falling due within this many days is listed as due (not yet overdue).
FOLLOW_UP_DUE_SOON_DAYS = 30


class FollowUpState:
    OVERDUE = "overdue"
    DUE = "due"
    SCHEDULED = "scheduled"
    COMPLETE = "complete"


FOLLOW_UP_STATE_LABELS = {FollowUpState.OVERDUE: "已超期", FollowUpState.DUE: "近期应回访",
                          FollowUpState.SCHEDULED: "按期待回访", FollowUpState.COMPLETE: "本影响期回访已完成"}


def follow_up_schedules() -> dict[str, tuple[int, int]]:
    rows = {s.category: (s.first_within_months, s.every_months) for s in FollowUpSchedule.objects.all()}
    return {c: rows.get(c, (DEFAULT_FIRST_WITHIN, DEFAULT_EVERY)) for c in SanctionCategory.values}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day + relativedelta(months=months)` (the month end clips: 30 Nov + 3 = 28 Feb),
    several times faster: a city's workbench computes thousands of these."""
    return safe_date_add(day, months=months)


def next_follow_up_due(*, decision_date: datetime.date, influence_end: datetime.date, last_visit: datetime.date | None,
                       first_within: int, every: int) -> datetime.date | None:
    """The next visit's due date, or None when no further visit is due in the influence
    period. The first is always due, at the latest on the period's last day; then every
    `every` months after the last visit while the period runs."""
    if last_visit is None:
        return min(add_months(decision_date, first_within), safe_date_add(influence_end, days=-1))
    due = add_months(last_visit, every)
    return due if due < influence_end else None


@dataclass
class FollowUpDue:
    sanction: Sanction
    visits_done: int
    last_visit: datetime.date | None
    next_due: datetime.date | None
    state: str

    @property
    def cadre(self):
        return self.sanction.cadre

    @property
    def state_label(self):
        return FOLLOW_UP_STATE_LABELS[self.state]


def sanctions_under_follow_up(cadres: QuerySet[Cadre] | list[int] | None, today: datetime.date) -> QuerySet[Sanction]:
    """Sanctions and organizational adjustments in force and inside their influence period,
    each with its visits counted (only visits on or after the decision count)."""
    counted = Q(follow_up_visits__date__gte=F("decision_date"))
    return _in_follow_up_period(cadres, today).annotate(last_visit=Max("follow_up_visits__date", filter=counted),
                                                        visits_done=Count("follow_up_visits", filter=counted))


def _in_follow_up_period(cadres: QuerySet[Cadre] | list[int] | None, today: datetime.date) -> QuerySet[Sanction]:
    qs = Sanction.objects.filter(_under_follow_up(today))
    return qs if cadres is None else qs.filter(cadre__in=cadres)


def _under_follow_up(today: datetime.date) -> Q:
    """In force, inside the influence period, and the cadre still serving: a retired or
    dismissed (开除公职) person is no longer visited to help them back to work."""
    return Q(status=RecordStatus.IN_FORCE, decision_date__lte=today, influence_end__gt=today,
             cadre__status=CadreStatus.ACTIVE)


# ------------------------------------------------------------------ the stored schedule

STORED = ["follow_up_due", "follow_up_last_visit", "follow_up_visit_count"]
REFRESH_CHUNK = 2000


def refresh_follow_up_due(sanctions: QuerySet[Sanction] | Iterable[int] | None = None) -> int:
    """Recompute the stored schedule (Sanction.follow_up_due, …) of `sanctions` (a queryset or
    ids; None: every sanction) and write the rows that changed. Returns how many changed.

    Called on every save of a sanction, a visit or a schedule (care.apps connects the signals),
    after bulk writes (demo data, benchmarks), and by the daily sweep, which catches writes that
    bypass signals (queryset.update, raw SQL). Reads in chunks of REFRESH_CHUNK by primary key
    with the visits as correlated subqueries (an index lookup per sanction), so memory stays
    flat and each chunk costs the same at any size."""
    schedules = follow_up_schedules()
    if sanctions is None:
        base = Sanction.objects.all()
    elif isinstance(sanctions, QuerySet):
        base = sanctions
    else:
        base = Sanction.objects.filter(pk__in=list(sanctions))
    return store_follow_up_due(base, FollowUpVisit, schedules)


def store_follow_up_due(base: QuerySet, visit_model, schedules: dict[str, tuple[int, int]]) -> int:
    """refresh_follow_up_due's work on given models (a migration passes its historical ones)."""
    counted = visit_model.objects.filter(sanction=OuterRef("pk"), date__gte=OuterRef("decision_date")).order_by()
    rows = base.order_by("pk").annotate(
        last=Subquery(counted.values("sanction").annotate(m=Max("date")).values("m")),
        n=Subquery(counted.values("sanction").annotate(c=Count("pk")).values("c")),
    ).values_list("pk", "decision_date", "influence_end", "sanction_type__category", "last", "n", *STORED)
    changed, after = 0, 0
    while True:
        chunk = list(rows.filter(pk__gt=after)[:REFRESH_CHUNK])
        if not chunk:
            return changed
        updates = []
        for pk, decision_date, influence_end, category, last, n, *stored in chunk:
            first, every = schedules.get(category) or (DEFAULT_FIRST_WITHIN, DEFAULT_EVERY)
            due = next_follow_up_due(decision_date=decision_date, influence_end=influence_end, last_visit=last,
                                     first_within=first, every=every)
            if [due, last, n or 0] != stored:
                updates.append(base.model(pk=pk, follow_up_due=due, follow_up_last_visit=last,
                                          follow_up_visit_count=n or 0))
        # bulk_update writes no history and sends no signal: these columns are derived.
        base.model.objects.bulk_update(updates, STORED, batch_size=500)
        changed += len(updates)
        if len(chunk) < REFRESH_CHUNK:  # the last chunk: no query to find there is none after
            return changed
        after = chunk[-1][0]


_batched = threading.local()


@contextmanager
def follow_up_refresh_batched():
    """Within this block, saves of sanctions and visits refresh their stored schedules once, at
    the end, in one query per REFRESH_CHUNK sanctions (a group 回访教育 writes a visit per cadre)."""
    outer = getattr(_batched, "pending", None)
    if outer is not None:  # nested: the outermost block refreshes
        yield
        return
    _batched.pending = set()
    try:
        yield
        pending = _batched.pending
    finally:
        _batched.pending = None
    if pending:
        refresh_follow_up_due(pending)


def _refresh_soon(sanction_id: int) -> None:
    pending = getattr(_batched, "pending", None)
    if pending is not None:
        pending.add(sanction_id)
    else:
        refresh_follow_up_due([sanction_id])


def refresh_after_sanction_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh_soon(instance.pk)


def refresh_after_visit_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh_soon(instance.sanction_id)


def refresh_after_schedule_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_follow_up_due(Sanction.objects.filter(sanction_type__category=instance.category))


def refresh_after_sanction_type_saved(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk:
        refresh_follow_up_due(Sanction.objects.filter(sanction_type=instance))


def connect_follow_up_signals():
    """Every save or deletion of an input of the schedule refreshes what it changes."""
    from django.db.models.signals import post_delete, post_save

    from cadres.models import SanctionType

    post_save.connect(refresh_after_sanction_saved, sender=Sanction, dispatch_uid="care_follow_up_sanction")
    post_save.connect(refresh_after_visit_changed, sender=FollowUpVisit, dispatch_uid="care_follow_up_visit_saved")
    post_delete.connect(refresh_after_visit_changed, sender=FollowUpVisit, dispatch_uid="care_follow_up_visit_deleted")
    post_save.connect(refresh_after_schedule_changed, sender=FollowUpSchedule, dispatch_uid="care_follow_up_schedule")
    post_delete.connect(refresh_after_schedule_changed, sender=FollowUpSchedule,
                        dispatch_uid="care_follow_up_schedule_deleted")
    post_save.connect(refresh_after_sanction_type_saved, sender=SanctionType, dispatch_uid="care_follow_up_type")


# ------------------------------------------------------------------ lists of what is due

FOLLOW_UP_FIELDS = ["cadre_id", "sanction_type_id", "matter", "decision_date", "influence_end", "status",
                    "cadre__name", "cadre__unit_id", "cadre__unit__name", "cadre__unit__path", "cadre__unit__depth", "sanction_type__category",
                    "sanction_type__name", *STORED]


def _state(due: datetime.date | None, today: datetime.date) -> str:
    if due is None:
        return FollowUpState.COMPLETE
    if due < today:
        return FollowUpState.OVERDUE
    if due <= safe_date_add(today, days=FOLLOW_UP_DUE_SOON_DAYS):
        return FollowUpState.DUE
    return FollowUpState.SCHEDULED


def _state_filter(state: str, today: datetime.date) -> Q:
    """The SQL form of _state: the states follow the due date (overdue < due soon < scheduled,
    then complete, with none due)."""
    soon = safe_date_add(today, days=FOLLOW_UP_DUE_SOON_DAYS)
    return {FollowUpState.OVERDUE: Q(follow_up_due__lt=today),
            FollowUpState.DUE: Q(follow_up_due__gte=today, follow_up_due__lte=soon),
            FollowUpState.SCHEDULED: Q(follow_up_due__gt=soon),
            FollowUpState.COMPLETE: Q(follow_up_due__isnull=True)}[state]


def follow_up_state_q(state: str, today: datetime.date) -> Q:
    """Sanctions under follow-up today in the given state: the rows follow_up_due_list(state=…)
    lists (the dashboard counts them with this condition)."""
    return _under_follow_up(today) & _state_filter(state, today)


class FollowUpDueList(Sequence):
    """The sanctions under follow-up, most urgent first, as a lazy sequence over SQL: its
    length is a COUNT, a slice (a page) reads just those rows, and iterating reads in chunks
    through a server-side cursor (the daily sweep, in constant memory)."""

    def __init__(self, qs: QuerySet[Sanction], today: datetime.date, limit: int | None = None):
        self.qs = qs.select_related("cadre__unit", "sanction_type").only(*FOLLOW_UP_FIELDS)
        self.today, self.limit = today, limit
        self._count = None

    def count(self) -> int:
        if self._count is None:
            n = self.qs.count()
            self._count = n if self.limit is None else min(n, self.limit)
        return self._count

    def __len__(self):
        return self.count()

    def _due(self, s: Sanction) -> FollowUpDue:
        return FollowUpDue(s, s.follow_up_visit_count, s.follow_up_last_visit, s.follow_up_due,
                           _state(s.follow_up_due, self.today))

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return [self._due(s) for s in self.qs[start:stop]][::step]
        return self._due(self.qs[range(len(self))[index]])  # IndexError as a list raises it

    def __iter__(self):
        if self.limit is not None:
            return iter([self._due(s) for s in self.qs[:self.limit]])
        return (self._due(s) for s in self.qs.iterator(chunk_size=REFRESH_CHUNK))

    def __eq__(self, other):
        return list(self) == list(other)


def follow_up_due_list(*, cadres: QuerySet[Cadre] | None, today: datetime.date, state: str = "",
                       due_by: datetime.date | None = None, limit: int | None = None) -> FollowUpDueList:
    """Every sanctioned or adjusted cadre's follow-up schedule, most urgent first (with
    `due_by`, only visits due by then; with `limit`, the first so many).

    Read from the stored schedule (refresh_follow_up_due) in SQL: the query and its count are
    the same whatever the number of sanctions (a city has thousands in their influence period;
    the workbench shows 20)."""
    qs = _in_follow_up_period(cadres, today)
    if due_by is not None:
        qs = qs.filter(follow_up_due__lte=due_by)
    if state:
        qs = qs.filter(_state_filter(state, today))
    qs = qs.order_by(F("follow_up_due").asc(nulls_last=True), "cadre__name", "pk")
    return FollowUpDueList(qs, today, limit)


def follow_up_list(*, user, today: datetime.date, q: str = "", state: str = "", unit: Unit | None = None,
                   township: bool = False, young: bool = False) -> FollowUpDueList | list:
    if not roles.can_view_registry(user):
        return []
    cadres = cadres_visible_to(user).filter(cadre_filter(unit=unit, township=township, young=young, today=today))
    q = q.strip()
    if q:
        cadres = cadres.filter(name_filter("", q))
    return follow_up_due_list(cadres=cadres, today=today, state=state)
