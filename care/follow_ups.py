"""回访教育 for sanctioned or adjusted cadres (seed 001; seed 002 art. 11(5)): when each is due,
from the sanction's decision date, the visits done (cadres.models.FollowUpVisit, tied to the
sanction) and the editable intervals (FollowUpSchedule)."""
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet

from cadres.models import Cadre, FollowUpVisit, RecordStatus, Sanction, SanctionCategory, Unit
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
    qs = Sanction.objects.filter(status=RecordStatus.IN_FORCE, decision_date__lte=today, influence_end__gt=today)
    if cadres is not None:
        qs = qs.filter(cadre__in=cadres)
    return qs.annotate(last_visit=Max("follow_up_visits__date", filter=counted),
                       visits_done=Count("follow_up_visits", filter=counted))


# Slack on the month arithmetic below: month ends clip (30 Nov + 3 months = 28 Feb), so the
# bounds admit a few days more and next_follow_up_due decides exactly.
BOUND_SLACK = datetime.timedelta(days=4)


def _may_fall_due_by(day: datetime.date, schedules: dict[str, tuple[int, int]]) -> Q:
    """A superset of the sanctions whose next visit (next_follow_up_due) falls due on or
    before `day`, in SQL, so that lists of what is due (the workbench, the daily sweep) need
    not compute every schedule of a city: the first visit is due `first_within` months after
    the decision or at the period's end, later ones `every` months after the last visit."""
    visits = FollowUpVisit.objects.filter(sanction=OuterRef("pk"), date__gte=OuterRef("decision_date"))
    may = Q()
    for category, (first_within, every) in schedules.items():
        first_due = (Q(decision_date__lte=add_months(day, -first_within) + BOUND_SLACK)
                     | Q(influence_end__lte=day + BOUND_SLACK))
        next_due = ~Exists(visits.filter(date__gt=add_months(day, -every) + BOUND_SLACK))
        may |= Q(sanction_type__category=category) & ((~Exists(visits) & first_due) | (Exists(visits) & next_due))
    return may


FOLLOW_UP_FIELDS = ["cadre_id", "sanction_type_id", "matter", "decision_date", "influence_end", "status",
                    "cadre__name", "cadre__unit_id", "cadre__unit__name", "sanction_type__category",
                    "sanction_type__name"]
STATE_ORDER = [FollowUpState.OVERDUE, FollowUpState.DUE, FollowUpState.SCHEDULED, FollowUpState.COMPLETE]


def _state(due: datetime.date | None, today: datetime.date) -> str:
    if due is None:
        return FollowUpState.COMPLETE
    if due < today:
        return FollowUpState.OVERDUE
    if due <= safe_date_add(today, days=FOLLOW_UP_DUE_SOON_DAYS):
        return FollowUpState.DUE
    return FollowUpState.SCHEDULED


class FollowUpDueList(Sequence):
    """Schedules computed from plain values, read as sanction objects only when a slice of
    them is shown: a list page of 30 loads 30 sanctions, not every one in the jurisdiction."""

    def __init__(self, listed):
        self.listed = listed  # (sort key, pk, visits done, last visit, next due, state), sorted

    def __len__(self):
        return len(self.listed)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._load(self.listed[index])
        return self._load([self.listed[index]])[0]

    def __iter__(self):
        return iter(self._load(self.listed))

    def __eq__(self, other):
        return list(self) == list(other)

    @staticmethod
    def _load(listed):
        sanctions = Sanction.objects.select_related("cadre__unit", "sanction_type").only(*FOLLOW_UP_FIELDS).in_bulk(
            [pk for _, pk, *_ in listed])
        return [FollowUpDue(sanctions[pk], visits_done, last_visit, due, current)
                for _, pk, visits_done, last_visit, due, current in listed]


def follow_up_due_list(*, cadres: QuerySet[Cadre] | None, today: datetime.date, state: str = "",
                       due_by: datetime.date | None = None, limit: int | None = None) -> FollowUpDueList:
    """Every sanctioned or adjusted cadre's follow-up schedule, most urgent first (with
    `due_by`, only visits due by then; with `limit`, the first so many).

    Two queries whatever the number: the schedules are computed from plain values, and only
    the sanctions listed are then read as objects, with just the fields the pages show (a
    city has thousands of sanctions in their influence period; the workbench shows 20)."""
    schedules = follow_up_schedules()
    qs = sanctions_under_follow_up(cadres, today)
    if due_by is not None:
        qs = qs.filter(_may_fall_due_by(due_by, schedules))
    rows = qs.values_list("pk", "decision_date", "influence_end", "sanction_type__category", "last_visit",
                          "visits_done", "cadre__name")
    listed = []  # (sort key, pk, visits done, last visit, next due, state)
    for pk, decision_date, influence_end, category, last_visit, visits_done, name in rows:
        first, every = schedules[category]
        due = next_follow_up_due(decision_date=decision_date, influence_end=influence_end, last_visit=last_visit,
                                 first_within=first, every=every)
        if due_by is not None and (due is None or due > due_by):
            continue
        current = _state(due, today)
        if not state or state == current:
            sort_key = (STATE_ORDER.index(current), due or datetime.date.max, name, pk)
            listed.append((sort_key, pk, visits_done, last_visit, due, current))
    return FollowUpDueList(sorted(listed)[:limit])


def follow_up_list(*, user, today: datetime.date, q: str = "", state: str = "", unit: Unit | None = None,
                   township: bool = False, young: bool = False) -> FollowUpDueList | list:
    if not roles.can_view_registry(user):
        return []
    cadres = cadres_visible_to(user).filter(cadre_filter(unit=unit, township=township, young=young, today=today))
    q = q.strip()
    if q:
        cadres = cadres.filter(name_filter("", q))
    return follow_up_due_list(cadres=cadres, today=today, state=state)
