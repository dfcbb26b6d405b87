"""Tolerance and allegation deadlines: 3 days before, then overdue to the person responsible,
then escalated to the jurisdiction's leaders; re-review windows closing."""
import datetime

from core.reminders import Reminder, SweepContext, batches, chunked
from core.validation import safe_date_add
from tolerance.models import (
    Allegation,
    AllegationStatus,
    AllegationUserObjectPermission,
    CaseUserObjectPermission,
    Stage,
    ToleranceCase,
)

SOON_DAYS = 3
ESCALATE_AFTER_DAYS = 7
REREVIEW_WARNING_DAYS = 5


def nearest_leaders(context: SweepContext, unit_id: int) -> list[int]:
    """The leaders of the nearest level with jurisdiction over the unit: the same people as
    tolerance.selectors.determination_leaders, from the sweep's preloaded grants."""
    from core.roles import Role

    jurisdictions = context.jurisdictions
    path = jurisdictions.unit_paths.get(unit_id, "")
    covering = [(grant, uid) for grant, uid in jurisdictions.grants
                if path.startswith(grant) and Role.LEADER in jurisdictions.roles[uid]]
    if not covering:
        return []
    deepest = max(len(grant) for grant, _ in covering)
    return sorted({uid for grant, uid in covering if len(grant) == deepest})


def case_deadlines(context: SweepContext):
    today = context.today
    cases = ToleranceCase.objects.exclude(stage=Stage.CLOSED).filter(
        stage_deadline__lte=today + datetime.timedelta(days=SOON_DAYS))
    for rows in batches(cases.only("id", "title", "stage", "stage_deadline", "stage_owner_id", "unit_id")):
        yield from _case_reminders(context, rows)


def _case_reminders(context: SweepContext, rows: list[ToleranceCase]):
    """case_deadlines for one batch of cases (their investigators read per batch: memory flat)."""
    today = context.today
    investigators: dict[int, list[int]] = {}
    for case_id, user_id in CaseUserObjectPermission.objects.filter(
            content_object_id__in=[c.pk for c in rows if c.stage == Stage.INVESTIGATION],
            permission__codename="investigate_case").values_list("content_object_id", "user_id"):
        investigators.setdefault(case_id, []).append(user_id)
    for case in rows:
        stage, deadline = case.get_stage_display(), case.stage_deadline
        base = f"case:{case.pk}:{case.stage}:{deadline:%Y%m%d}"
        url = f"/tolerance/{case.pk}/"
        # The people responsible for the stage (stage_responsibles): every investigator at
        # 调查核实, the nearest leaders with jurisdiction at 党委（党组）认定, else the owner.
        if case.stage == Stage.INVESTIGATION:
            recipients = investigators.get(case.pk) or [case.stage_owner_id]
        elif case.stage == Stage.DETERMINATION:
            recipients = nearest_leaders(context, case.unit_id) or [case.stage_owner_id]
        else:
            recipients = [case.stage_owner_id]
        for user_id in recipients:
            if deadline >= today:
                yield Reminder("case_deadline", f"{base}:soon", user_id,
                               f"案件“{case.title}”{stage}阶段将于 {deadline:%Y-%m-%d} 到期", url=url)
            else:
                yield Reminder("case_deadline", f"{base}:overdue", user_id,
                               f"案件“{case.title}”{stage}阶段已超期（期限 {deadline:%Y-%m-%d}）", url=url)
        if deadline >= today:
            continue
        if (today - deadline).days >= ESCALATE_AFTER_DAYS:
            for user_id in context.jurisdictions.leaders(case.unit_id):
                yield Reminder("case_escalation", f"{base}:escalated", user_id,
                               f"督办：案件“{case.title}”{stage}阶段超期 {(today - deadline).days} 天", url=url)


def allegation_deadlines(context: SweepContext):
    today = context.today
    allegations = Allegation.objects.filter(status=AllegationStatus.VERIFYING,
                                            deadline__lte=today + datetime.timedelta(days=SOON_DAYS))
    for rows in batches(allegations.only("id", "issue", "deadline", "received_on")):
        verifiers: dict[int, list[int]] = {}  # per batch: memory flat
        for allegation_id, user_id in AllegationUserObjectPermission.objects.filter(
                content_object_id__in=[a.pk for a in rows], permission__codename="verify_allegation").values_list(
                "content_object_id", "user_id"):
            verifiers.setdefault(allegation_id, []).append(user_id)
        for a in rows:
            state = "soon" if a.deadline >= today else "overdue"
            title = (f"线索“{a.issue}”核查将于 {a.deadline:%Y-%m-%d} 到期" if state == "soon"
                     else f"线索“{a.issue}”核查已超期（期限 {a.deadline:%Y-%m-%d}）")
            for user_id in verifiers.get(a.pk, []):
                yield Reminder("allegation_deadline", f"allegation:{a.pk}:{a.deadline:%Y%m%d}:{state}", user_id,
                               title, url=f"/allegations/{a.pk}/")


def rereview_windows(context: SweepContext):
    """Tell the case owner when a cadre's 30-day re-review window is about to close."""
    from tolerance.services import REREVIEW_DAYS

    today = context.today
    first = today - datetime.timedelta(days=REREVIEW_DAYS)
    cases = ToleranceCase.objects.filter(
        stage__in=[Stage.FILING, Stage.CLOSED], feedback_received_on__gte=first,
        feedback_received_on__lte=first + datetime.timedelta(days=REREVIEW_WARNING_DAYS), rereviews__isnull=True)
    for case in chunked(cases.only("id", "title", "feedback_received_on", "created_by_id")):
        closes = safe_date_add(case.feedback_received_on, days=REREVIEW_DAYS)
        yield Reminder("rereview_window", f"rereview:{case.pk}:{closes:%Y%m%d}", case.created_by_id,
                       f"案件“{case.title}”复核申请期限将于 {closes:%Y-%m-%d} 届满", url=f"/tolerance/{case.pk}/")
