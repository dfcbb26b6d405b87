"""回访教育 for sanctioned or adjusted cadres (seed 001; seed 002 art. 11(5)): when each is due,
from the sanction's decision date, the visits done (cadres.models.FollowUpVisit, tied to the
sanction) and the editable intervals (FollowUpSchedule)."""
import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Count, F, Max, Q, QuerySet

from cadres.models import Cadre, RecordStatus, Sanction, SanctionCategory, Unit
from cadres.selectors import cadres_visible_to
from care.models import FollowUpSchedule
from care.selectors import cadre_filter, name_filter
from core import roles

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


def next_follow_up_due(*, decision_date: datetime.date, influence_end: datetime.date, last_visit: datetime.date | None,
                       first_within: int, every: int) -> datetime.date | None:
    """The next visit's due date, or None when no further visit is due in the influence
    period. The first is always due, at the latest on the period's last day; then every
    `every` months after the last visit while the period runs."""
    if last_visit is None:
        return min(decision_date + relativedelta(months=first_within), influence_end - datetime.timedelta(days=1))
    due = last_visit + relativedelta(months=every)
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


def sanctions_under_follow_up(cadres: QuerySet[Cadre] | None, today: datetime.date) -> QuerySet[Sanction]:
    """Sanctions and organizational adjustments in force and inside their influence period,
    each with its visits counted (only visits on or after the decision count)."""
    counted = Q(follow_up_visits__date__gte=F("decision_date"))
    qs = Sanction.objects.filter(status=RecordStatus.IN_FORCE, decision_date__lte=today, influence_end__gt=today)
    if cadres is not None:
        qs = qs.filter(cadre__in=cadres)
    return qs.annotate(last_visit=Max("follow_up_visits__date", filter=counted),
                       visits_done=Count("follow_up_visits", filter=counted))


def follow_up_due_list(*, cadres: QuerySet[Cadre] | None, today: datetime.date, state: str = "") -> list[FollowUpDue]:
    """Every sanctioned or adjusted cadre's follow-up schedule, most urgent first. One query
    (the sanctions in their influence period are few next to the cadres)."""
    schedules = follow_up_schedules()
    result = []
    for s in sanctions_under_follow_up(cadres, today).select_related("cadre__unit", "sanction_type"):
        first, every = schedules[s.sanction_type.category]
        due = next_follow_up_due(decision_date=s.decision_date, influence_end=s.influence_end,
                                 last_visit=s.last_visit, first_within=first, every=every)
        if due is None:
            current = FollowUpState.COMPLETE
        elif due < today:
            current = FollowUpState.OVERDUE
        elif due <= today + datetime.timedelta(days=FOLLOW_UP_DUE_SOON_DAYS):
            current = FollowUpState.DUE
        else:
            current = FollowUpState.SCHEDULED
        if not state or state == current:
            result.append(FollowUpDue(s, s.visits_done, s.last_visit, due, current))
    order = [FollowUpState.OVERDUE, FollowUpState.DUE, FollowUpState.SCHEDULED, FollowUpState.COMPLETE]
    result.sort(key=lambda d: (order.index(d.state), d.next_due or datetime.date.max, d.sanction.cadre.name,
                               d.sanction.pk))
    return result


def follow_up_list(*, user, today: datetime.date, q: str = "", state: str = "", unit: Unit | None = None,
                   township: bool = False, young: bool = False) -> list[FollowUpDue]:
    if not roles.can_view_registry(user):
        return []
    cadres = cadres_visible_to(user).filter(cadre_filter(unit=unit, township=township, young=young, today=today))
    q = q.strip()
    if q:
        cadres = cadres.filter(name_filter("", q))
    return follow_up_due_list(cadres=cadres, today=today, state=state)
