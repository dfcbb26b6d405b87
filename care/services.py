"""Writes of the care module: one function per action (STYLE 1). Each names the acting user
so that history records who did it, locks the row it changes, and refuses in Chinese."""
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cadres.models import Cadre, FollowUpVisit, Unit
from cadres.services import cadre_record_add
from care.follow_ups import follow_up_refresh_batched, sanctions_under_follow_up
from care.models import (
    CareActivity,
    CareKind,
    CareParticipant,
    Concern,
    ConcernStatus,
    ConfidentialNote,
    ConfidentialNoteAccess,
    Consultation,
    ConsultationSubmission,
    NoteAccessVia,
)
from care.selectors import can_read_confidential, can_write_confidential
from core.audit import AuditEvent, audit_log
from core.errors import DomainError
from core.validation import safe_date_add

# A concern is answered within this many days unless the recorder sets another deadline
# (seed 000 Q8 asks for a prompt answer, 积极回应干部合理关切, without a number).
CONCERN_ANSWER_DAYS = 30

ACTIVITY_EDITABLE_FIELDS = ["date", "title", "conducted_by", "conductor_names", "location", "notes",
                            "follow_up_actions", "amount", "fund", "days"]


def _save(instance, by, **kwargs):
    instance._history_user = by
    instance.save(**kwargs)
    return instance


def _full_clean(instance):
    """Model validation as a DomainError, so that the view shows it as a refusal."""
    try:
        instance.full_clean()
    except ValidationError as e:
        raise DomainError("；".join(m for messages in e.message_dict.values() for m in messages)) from e


def _not_future(day: datetime.date, what: str) -> None:
    if day > timezone.localdate():
        raise DomainError(f"{what}不能晚于今天。")


def _person(user) -> str:
    return user.get_full_name() or user.username


def _sanctions_to_visit_by_cadre(kind: str, date: datetime.date, cadres) -> dict:
    """For a 回访教育, each cadre's sanctions under follow-up on the date (one query for the
    whole group); a cadre with none cannot be visited (DESIGN §3 "Care")."""
    if kind != CareKind.FOLLOW_UP:
        return {}
    sanctions = sanctions_under_follow_up([c.pk for c in cadres], date).select_related("sanction_type")
    visits_for = {}
    for sanction in sanctions.order_by("-decision_date", "-id"):
        visits_for.setdefault(sanction.cadre_id, []).append(sanction)
    missing = [c.name for c in cadres if c.pk not in visits_for]
    if missing:
        raise DomainError(
            f"{'、'.join(missing)}在 {date:%Y-%m-%d} 没有处于影响期内的处分或组织处理，不能记录回访教育。")
    return visits_for


def _add_participants(activity: CareActivity, cadres, visits_for: dict, by) -> None:
    """The cadres join the activity; a 回访教育 writes a FollowUpVisit into each one's record for
    every sanction in `visits_for`."""
    bulk_create_with_history(
        [CareParticipant(activity=activity, cadre=c, kind=activity.kind, date=activity.date, days=activity.days or 0)
         for c in cadres],
        CareParticipant, default_user=by)
    if not visits_for:
        return
    # Re-read: backends without RETURNING leave bulk-created rows without keys. The visits'
    # sanctions refresh their stored schedules once for the group, not once per visit.
    with follow_up_refresh_batched():
        for participant in CareParticipant.objects.filter(activity=activity, cadre__in=cadres):
            for sanction in visits_for[participant.cadre_id]:
                visit = cadre_record_add(record=FollowUpVisit(
                    sanction=sanction, date=activity.date,
                    visited_by=activity.conductor_names or _person(activity.conducted_by), notes=activity.notes), by=by)
                participant._history_user = by
                participant.follow_up_visits.add(visit)


@transaction.atomic
def care_activity_record(*, by, kind: str, date: datetime.date, cadres, conducted_by, title: str = "",
                         conductor_names: str = "", location: str = "", notes: str = "", follow_up_actions: str = "",
                         amount: Decimal | None = None, fund: str = "", days: int | None = None,
                         confidential_note: str = "", concern: dict | None = None) -> CareActivity:
    """Record one activity for one or several cadres (a group health check is one activity).
    A 回访教育 also writes a FollowUpVisit into each cadre's record, tied to every sanction or
    adjustment of theirs whose influence period runs on the date. `concern` (optional) holds
    cadre, category, content, responder and deadline of a concern raised in the activity."""
    cadres = list(dict.fromkeys(cadres))
    if not cadres:
        raise DomainError("请至少选择一名干部。")
    _not_future(date, "活动日期")
    activity = CareActivity(kind=kind, date=date, title=title, conducted_by=conducted_by,
                            conductor_names=conductor_names, location=location, notes=notes,
                            follow_up_actions=follow_up_actions, amount=amount, fund=fund, days=days, created_by=by)
    _full_clean(activity)
    visits_for = _sanctions_to_visit_by_cadre(kind, date, cadres)
    _save(activity, by)
    _add_participants(activity, cadres, visits_for, by)
    if confidential_note.strip():
        _save(ConfidentialNote(activity=activity, text=confidential_note.strip(), written_by=by), by)
    if concern:
        concern_raise(by=by, activity=activity, raised_on=date, **concern)
    return activity


@transaction.atomic
def care_activity_update(*, activity: CareActivity, by, expected_version: int, **fields) -> CareActivity:
    """Save edits made on the version the user read; refuse if someone saved in between. The
    cadres' copies of date and days follow, and so do the follow-up visits it wrote."""
    current = CareActivity.objects.select_for_update().get(pk=activity.pk)
    if current.version != expected_version:
        raise DomainError("该活动记录已被他人修改，您的修改未保存。请刷新页面查看最新内容后重新编辑。")
    for name, value in fields.items():
        if name not in ACTIVITY_EDITABLE_FIELDS:
            raise ValueError(f"field {name} is not editable here")
        setattr(current, name, value)
    _not_future(current.date, "活动日期")
    _full_clean(current)
    participants = list(current.participants.all())
    if current.kind == CareKind.FOLLOW_UP:
        with follow_up_refresh_batched():  # the visits' sanctions refreshed once, at the end
            for participant in participants:
                visits = list(participant.follow_up_visits.select_related("sanction"))
                for visit in visits:
                    if visit.date != current.date:
                        if not visit.sanction.decision_date <= current.date < visit.sanction.influence_end:
                            raise DomainError(f"回访日期 {current.date:%Y-%m-%d} 不在{visit.sanction}的影响期内。")
                        visit.date = current.date
                        _save(visit, by, update_fields=["date"])
    current.version = expected_version + 1
    _save(current, by)
    changed = [p for p in participants if (p.date, p.days) != (current.date, current.days or 0)]
    for p in changed:
        p.date, p.days = current.date, current.days or 0
    if changed:
        bulk_update_with_history(changed, CareParticipant, ["date", "days"], default_user=by)
    return current


@transaction.atomic
def care_activity_add_cadres(*, activity: CareActivity, by, cadres) -> CareActivity:
    """Add cadres left off a recorded activity (a late entrant to a group health check),
    with the same rules as recording it: a 回访教育 needs a sanction in its influence period
    for each, and writes their visits."""
    current = CareActivity.objects.select_for_update().select_related("conducted_by").get(pk=activity.pk)
    cadres = list(dict.fromkeys(cadres))
    if not cadres:
        raise DomainError("请至少选择一名干部。")
    already = sorted(current.participants.filter(cadre__in=cadres).values_list("cadre__name", flat=True))
    if already:
        raise DomainError(f"{'、'.join(already)}已在本活动中。")
    _add_participants(current, cadres, _sanctions_to_visit_by_cadre(current.kind, current.date, cadres), by)
    return current


@transaction.atomic
def care_activity_remove_cadre(*, activity: CareActivity, by, cadre: Cadre, reason: str) -> None:
    """Take a cadre recorded by mistake off an activity, with the reason in its history. The
    follow-up visits the activity wrote into their record go too (the visit did not happen);
    a concern they raised in it is a record of its own, so it must be dealt with first."""
    current = CareActivity.objects.select_for_update().get(pk=activity.pk)
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写移除原因。")
    participant = current.participants.filter(cadre=cadre).first()
    if participant is None:
        raise DomainError(f"{cadre.name}不在本活动中。")
    if not current.participants.exclude(pk=participant.pk).exists():
        raise DomainError("活动至少要有一名参加干部，不能移除最后一名。")
    if current.concerns.filter(cadre=cadre).exists():
        raise DomainError(f"{cadre.name}在本活动中提出过诉求，诉求是单独的记录，不能移除该干部。")
    for visit in participant.follow_up_visits.all():
        visit._history_user = by
        visit._change_reason = reason
        visit.delete()
    participant._history_user = by
    participant._change_reason = reason
    participant.delete()


@transaction.atomic
def confidential_note_view(*, activity: CareActivity, by, via: str = "page") -> ConfidentialNote | None:
    """Read the activity's confidential note and log the read (DESIGN §5: reads of the most
    sensitive fields are logged). Only the conductor and leaders may read it."""
    if not can_read_confidential(by, activity):
        raise DomainError("保密记录仅开展人和部门领导可以查看。")
    note = ConfidentialNote.objects.filter(activity=activity).first()
    if note is not None:
        confidential_note_log_access(note=note, by=by, via=via)
    return note


def confidential_note_log_access(*, note: ConfidentialNote, by, via: str) -> ConfidentialNoteAccess:
    audit_log(AuditEvent.Type.SENSITIVE_READ, user=by, obj=note.activity, detail=f"查看保密记录（{NoteAccessVia(via).label}）")
    return _save(ConfidentialNoteAccess(note=note, user=by, via=via), by)


@transaction.atomic
def confidential_note_save(*, activity: CareActivity, by, text: str) -> ConfidentialNote:
    """Only the conductor writes the note once the activity is recorded."""
    if not can_write_confidential(by, activity):
        raise DomainError("只有活动开展人可以修改保密记录。")
    text = text.strip()
    if not text:
        raise DomainError("请填写保密记录内容。")
    note = ConfidentialNote.objects.select_for_update().filter(activity=activity).first()
    if note is None:
        return _save(ConfidentialNote(activity=activity, text=text, written_by=by), by)
    if note.text != text:
        note.text = text
        note.written_by = by
        _save(note, by)
    return note


@transaction.atomic
def concern_raise(*, by, cadre: Cadre, category: str, content: str, responder: str, raised_on: datetime.date,
                  deadline: datetime.date | None = None, activity: CareActivity | None = None,
                  submission: ConsultationSubmission | None = None) -> Concern:
    """A concern raised in a talk, a home visit or a consultation submission, to be answered
    by the deadline (default CONCERN_ANSWER_DAYS after it was raised)."""
    if activity is not None and submission is not None:
        raise ValueError("a concern has one source")
    if activity is not None and not activity.participants.filter(cadre=cadre).exists():
        raise DomainError(f"{cadre.name}没有参加该活动，不能登记为该活动中提出的诉求。")
    if submission is not None and submission.cadre_id != cadre.pk:
        raise DomainError("诉求须由提交该反映的干部提出。")
    if not content.strip():
        raise DomainError("请填写诉求内容。")
    if not responder.strip():
        raise DomainError("请填写答复责任单位或责任人。")
    _not_future(raised_on, "提出日期")
    deadline = deadline or safe_date_add(raised_on, days=CONCERN_ANSWER_DAYS)
    if deadline < raised_on:
        raise DomainError(f"答复期限（{deadline:%Y-%m-%d}）不能早于提出日期（{raised_on:%Y-%m-%d}）。")
    concern = Concern(cadre=cadre, activity=activity, submission=submission, category=category,
                      content=content.strip(), raised_on=raised_on, responder=responder.strip(), deadline=deadline,
                      created_by=by)
    _full_clean(concern)
    return _save(concern, by)


@transaction.atomic
def concern_answer(*, concern: Concern, by, answer: str, answered_on: datetime.date) -> Concern:
    """Record the answer; a concern is answered once (a later answer would overwrite the first)."""
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status != ConcernStatus.OPEN:
        raise DomainError("该诉求已经答复，不能重复答复（可能已被他人处理，请刷新页面）。")
    if not answer.strip():
        raise DomainError("请填写答复内容。")
    _not_future(answered_on, "答复日期")
    if answered_on < concern.raised_on:
        raise DomainError(f"答复日期不能早于诉求提出日期（{concern.raised_on:%Y-%m-%d}）。")
    concern.answer, concern.answered_on, concern.answered_by = answer.strip(), answered_on, by
    concern.status = ConcernStatus.ANSWERED
    audit_log(AuditEvent.Type.TRANSITION, user=by, obj=concern, detail="诉求已答复")
    return _save(concern, by, update_fields=["answer", "answered_on", "answered_by", "status"])


@transaction.atomic
def consultation_hold(*, by, unit: Unit, title: str, held_on: datetime.date, mode: str, organizer: str = "",
                      notes: str = "") -> Consultation:
    """向组织说说心里话 held by a unit (seed 000 Q8: at least once a year, oral or written)."""
    _not_future(held_on, "开展日期")
    consultation = Consultation(unit=unit, title=title, held_on=held_on, mode=mode, organizer=organizer,
                                notes=notes, created_by=by)
    _full_clean(consultation)
    return _save(consultation, by)


@transaction.atomic
def submission_record(*, consultation: Consultation, by, cadre: Cadre, submitted_on: datetime.date, content: str,
                      concern: dict | None = None) -> ConsultationSubmission:
    """A cadre's submission to a consultation of their unit (or a unit above it)."""
    if not cadre.unit.path.startswith(consultation.unit.path):
        raise DomainError(f"{cadre.name}不在{consultation.unit.qualified_name}及其下属单位，不能向本次活动反映。")
    if not content.strip():
        raise DomainError("请填写反映内容。")
    _not_future(submitted_on, "反映日期")
    submission = ConsultationSubmission(consultation=consultation, cadre=cadre, submitted_on=submitted_on,
                                        content=content.strip())
    _full_clean(submission)
    _save(submission, by)
    if concern:
        concern_raise(by=by, cadre=cadre, submission=submission, raised_on=submitted_on, **concern)
    return submission


@transaction.atomic
def submission_answer(*, submission: ConsultationSubmission, by, answer: str,
                      answered_on: datetime.date) -> ConsultationSubmission:
    """Each submission is answered (seed 000 Q8), once."""
    submission = ConsultationSubmission.objects.select_for_update().get(pk=submission.pk)
    if submission.answered_on is not None:
        raise DomainError("该反映已经答复，不能重复答复（可能已被他人处理，请刷新页面）。")
    if not answer.strip():
        raise DomainError("请填写答复内容。")
    _not_future(answered_on, "答复日期")
    if answered_on < submission.submitted_on:
        raise DomainError(f"答复日期不能早于反映日期（{submission.submitted_on:%Y-%m-%d}）。")
    submission.answer, submission.answered_on, submission.answered_by = answer.strip(), answered_on, by
    return _save(submission, by, update_fields=["answer", "answered_on", "answered_by"])
