"""What falls due in care, for the reminders (DESIGN §4: periodic jobs are plain functions
that find what is due and are safe to run twice). The reminders issue schedules it."""
import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from cadres.models import Cadre, CadreStatus, Unit
from care.compliance import ObligationTable, active_rules
from care.follow_ups import FOLLOW_UP_DUE_SOON_DAYS, follow_up_due_list
from care.models import (
    CONSULTATION,
    Concern,
    Consultation,
    ConsultationSubmission,
    LeaveEntitlement,
    ObligationApplies,
)
from care.selectors import overdue_q

# Yearly obligations still open are listed from the fourth quarter on (reminders before year end).
FOURTH_QUARTER_MONTH = 10
# Rows read per round trip of a long list.
CHUNK = 2000


@dataclass(frozen=True)
class DueItem:
    """One thing to remind about. `key` is stable for as long as the item stays due, so a
    scheduler can remember what it already sent and never send it twice."""

    key: str
    kind: str  # "obligation" | "follow_up" | "concern" | "submission"
    unit_id: int
    cadre_id: int | None
    due: datetime.date
    text: str
    url: str = ""


# 说说心里话: a submission is answered within this many days (the same period as a concern,
# care.services.CONCERN_ANSWER_DAYS); reminders start 3 days before.
SUBMISSION_ANSWER_DAYS = 30


def submission_answer_due(submission) -> datetime.date:
    return submission.submitted_on + datetime.timedelta(days=SUBMISSION_ANSWER_DAYS)


def care_due_items(today: datetime.date) -> list[DueItem]:
    """What falls due in care, as of `today` (iter_care_due_items, as a list)."""
    return list(iter_care_due_items(today))


def iter_care_due_items(today: datetime.date) -> Iterator[DueItem]:
    """What falls due in care, as of `today`: yearly obligations still open from the fourth
    quarter on (per unit and obligation, counting the cadres behind), follow-up visits overdue
    or due within FOLLOW_UP_DUE_SOON_DAYS, and concerns past their deadline. A pure read:
    safe to run any number of times; the reminders issue schedules it.

    A generator reading the long lists (follow-ups, submissions, concerns) in chunks through
    server-side cursors, so the daily sweep's memory does not grow with the data; the
    obligations are counted per unit in SQL (units are few)."""
    year_end = datetime.date(today.year, 12, 31)
    if today.month >= FOURTH_QUARTER_MONTH:
        rules = active_rules()
        entitlements = list(LeaveEntitlement.objects.all())
        cadre_rules = [r for r in rules if r.applies_to == ObligationApplies.CADRE]
        per_unit = ObligationTable(Cadre.objects.filter(status=CadreStatus.ACTIVE), rules, today.year, today,
                                   entitlements).per_unit()
        names = dict(Unit.objects.filter(pk__in=list(per_unit)).values_list("pk", "name"))
        for unit_id, row in sorted(per_unit.items()):
            for r in cadre_rules:
                n = row[r.kind]
                if n:
                    yield DueItem(
                        key=f"care:obligation:{today.year}:{r.kind}:unit:{unit_id}", kind="obligation",
                        unit_id=unit_id, cadre_id=None, due=year_end,
                        text=f"{names.get(unit_id, '')}：{n} 名干部尚未完成{today.year}年度{r.get_kind_display()}")
        for r in rules:
            if r.applies_to == ObligationApplies.UNIT and r.kind == CONSULTATION:
                held = Consultation.objects.filter(unit=OuterRef("pk"), held_on__year=today.year, held_on__lte=today)
                obliged = (Unit.objects.filter(Exists(Cadre.objects.filter(unit=OuterRef("pk"), status=CadreStatus.ACTIVE)))
                           .annotate(n=Coalesce(Subquery(held.order_by().values("unit").annotate(c=Count("pk"))
                                                         .values("c")), 0)).filter(n__lt=r.required or 0))
                for unit in obliged.only("pk", "name", "path", "depth"):
                    yield DueItem(
                        key=f"care:obligation:{today.year}:{r.kind}:unit:{unit.pk}", kind="obligation",
                        unit_id=unit.pk, cadre_id=None, due=year_end,
                        text=f"{unit.qualified_name}：{today.year}年度尚未开展“向组织说说心里话”活动")
    limit = today + datetime.timedelta(days=FOLLOW_UP_DUE_SOON_DAYS)
    for due in follow_up_due_list(cadres=None, today=today, due_by=limit):
        s = due.sanction
        yield DueItem(
            key=f"care:follow_up:{s.pk}:{due.next_due:%Y-%m-%d}", kind="follow_up", unit_id=s.cadre.unit_id,
            cadre_id=s.cadre_id, due=due.next_due,
            text=f"{s.cadre.name}（{s.sanction_type}）应于 {due.next_due:%Y-%m-%d} 前回访教育")
    for sub in (ConsultationSubmission.objects.filter(
            answered_on__isnull=True, submitted_on__lte=today - datetime.timedelta(days=SUBMISSION_ANSWER_DAYS - 3))
            .select_related("cadre", "consultation")
            .only("id", "submitted_on", "cadre_id", "consultation_id", "cadre__name", "consultation__unit_id",
                  "consultation__title")
            .order_by("submitted_on", "id").iterator(chunk_size=CHUNK)):
        due = submission_answer_due(sub)
        state = "overdue" if due < today else "soon"
        yield DueItem(
            key=f"care:submission:{sub.pk}:{state}", kind="submission", unit_id=sub.consultation.unit_id,
            cadre_id=sub.cadre_id, due=due, url=f"/care/consultations/{sub.consultation_id}/",
            text=(f"{sub.cadre.name}在“{sub.consultation.title}”中反映的心里话"
                  + (f"已超过答复期限（{due:%Y-%m-%d}）" if state == "overdue" else f"尚未答复，请于 {due:%Y-%m-%d} 前答复")))
    # Only the columns the reminders say: a whole cadre row (encrypted fields, résumé) per item
    # made each chunk of CHUNK rows several megabytes.
    for concern in (Concern.objects.filter(overdue_q(today)).select_related("cadre")
                    .only("id", "deadline", "category", "cadre_id", "cadre__name", "cadre__unit_id")
                    .order_by("deadline", "id").iterator(chunk_size=CHUNK)):
        yield DueItem(
            key=f"care:concern:{concern.pk}:overdue", kind="concern", unit_id=concern.cadre.unit_id,
            cadre_id=concern.cadre_id, due=concern.deadline,
            text=f"{concern.cadre.name}的{concern.get_category_display()}诉求已超过答复期限（{concern.deadline:%Y-%m-%d}）")
