"""Tolerance and allegation deadlines: 3 days before, then overdue to the person responsible,
then escalated to the jurisdiction's leaders; re-review windows closing."""
import datetime

from core.reminders import Reminder, SweepContext, chunked
from core.validation import safe_date_add
from tolerance.models import Allegation, AllegationStatus, AllegationUserObjectPermission, Stage, ToleranceCase

SOON_DAYS = 3
ESCALATE_AFTER_DAYS = 7
REREVIEW_WARNING_DAYS = 5


def case_deadlines(context: SweepContext):
    today = context.today
    cases = ToleranceCase.objects.exclude(stage=Stage.CLOSED).filter(
        stage_deadline__lte=today + datetime.timedelta(days=SOON_DAYS))
    for case in chunked(cases.only("id", "title", "stage", "stage_deadline", "stage_owner_id", "unit_id")):
        stage, deadline = case.get_stage_display(), case.stage_deadline
        base = f"case:{case.pk}:{case.stage}:{deadline:%Y%m%d}"
        url = f"/tolerance/{case.pk}/"
        if deadline >= today:
            yield Reminder("case_deadline", f"{base}:soon", case.stage_owner_id,
                           f"案件“{case.title}”{stage}阶段将于 {deadline:%Y-%m-%d} 到期", url=url)
            continue
        yield Reminder("case_deadline", f"{base}:overdue", case.stage_owner_id,
                       f"案件“{case.title}”{stage}阶段已超期（期限 {deadline:%Y-%m-%d}）", url=url)
        if (today - deadline).days >= ESCALATE_AFTER_DAYS:
            for user_id in context.jurisdictions.leaders(case.unit_id):
                yield Reminder("case_escalation", f"{base}:escalated", user_id,
                               f"督办：案件“{case.title}”{stage}阶段超期 {(today - deadline).days} 天", url=url)


def allegation_deadlines(context: SweepContext):
    today = context.today
    allegations = Allegation.objects.filter(status=AllegationStatus.VERIFYING,
                                            deadline__lte=today + datetime.timedelta(days=SOON_DAYS))
    rows = list(chunked(allegations.only("id", "issue", "deadline", "received_on")))
    verifiers: dict[int, list[int]] = {}
    for allegation_id, user_id in AllegationUserObjectPermission.objects.filter(
            content_object_id__in=[a.pk for a in rows], permission__codename="verify_allegation").values_list(
            "content_object_id", "user_id"):
        verifiers.setdefault(allegation_id, []).append(user_id)
    for a in rows:
        state = "soon" if a.deadline >= today else "overdue"
        title = (f"线索“{a.issue}”核查将于 {a.deadline:%Y-%m-%d} 到期" if state == "soon"
                 else f"线索“{a.issue}”核查已超期（期限 {a.deadline:%Y-%m-%d}）")
        for user_id in verifiers.get(a.pk, []):
            yield Reminder("allegation_deadline", f"allegation:{a.pk}:{a.deadline:%Y%m%d}:{state}", user_id, title,
                           url=f"/allegations/{a.pk}/")


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
