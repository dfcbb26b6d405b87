"""Allegations and clarification (澄清正名): intake with the duplicate check, direct closing,
quick verification, conclusion, clarification notices and false-accusation referrals.
Rules: seed 002 art. 11(3), seed 000 Q7, seed 004 (Hanzhong)."""
import datetime
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from cadres.models import Cadre, MeasureKind, SupervisionMeasure
from core import roles
from core.audit import AuditEvent, audit_log
from core.errors import DomainError
from core.people import person_label
from core.reminders import notify
from core.security import assignment_granted
from core.validation import safe_date_add
from tolerance.models import (
    Allegation,
    AllegationStatus,
    ClarificationNotice,
    Conclusion,
    Evidence,
    FalseAccusationReferral,
    NoticeCounter,
    ReferralStatus,
    ReporterAccessLog,
    ReporterIdentity,
)
from tolerance.selectors import eligible_verifiers
from tolerance.services import _save, case_file, validate_evidence_file

VERIFY_DAYS = 30  # default time for the quick verification
CLEARED = {Conclusion.FALSE, Conclusion.FRAMED}
ACCOUNTABLE = {Conclusion.TRUE, Conclusion.PARTLY}


def issue_key(text: str) -> str:
    """The issue without spaces and punctuation, to recognise the same issue reported twice."""
    return re.sub(r"[\s\W_]+", "", text).lower()


def earlier_inquiries(*, cadres, issue: str, exclude_pk=None) -> list[str]:
    """Seed 000 Q7: no repeated or multi-headed inquiries. Earlier allegations or 函询 on the
    same issue for any of these cadres, described for the user."""
    key = issue_key(issue)
    found = []
    allegations = (Allegation.objects.filter(subjects__in=cadres, issue_key=key).exclude(pk=exclude_pk)
                   .exclude(status=AllegationStatus.CLOSED).distinct().order_by("received_on"))
    for a in allegations:
        state = a.get_conclusion_display() if a.conclusion else a.get_status_display()
        found.append(f"{a.number}（{a.received_on:%Y-%m-%d} 受理，{state}）")
    inquiries = SupervisionMeasure.objects.filter(cadre__in=cadres, kind=MeasureKind.INQUIRY).select_related("cadre")
    for m in inquiries:
        if issue_key(m.issue) == key:
            found.append(f"对{m.cadre.name}的函询（{m.date:%Y-%m-%d}，{m.by_whom}）")
    return found


@transaction.atomic
def allegation_receive(*, by, source: str, received_on: datetime.date, subjects, issue: str, summary: str,
                       reporter: dict | None = None, acknowledge_duplicate: bool = False) -> Allegation:
    """Register a report. A report on an issue already inquired or concluded for the same
    cadre is refused until the user has seen the earlier one and confirms."""
    subjects = list(subjects)
    if not subjects:
        raise DomainError("请选择反映对象。")
    if received_on > timezone.localdate():
        raise DomainError("受理日期不能晚于今天。")
    # Lock the subjects' rows (in id order: no deadlock) so two registrations of one issue
    # at once are checked one after the other: the second sees the first as a duplicate.
    list(Cadre.objects.select_for_update().filter(pk__in=[c.pk for c in subjects]).order_by("pk").values_list("pk"))
    duplicates = earlier_inquiries(cadres=subjects, issue=issue)
    if duplicates and not acknowledge_duplicate:
        raise DomainError("同一问题已有线索或函询：" + "；".join(duplicates)
                          + "。请先查看，确需登记的，勾选“已知悉重复情况”后再提交。", field="acknowledge_duplicate")
    allegation = Allegation(source=source, received_on=received_on, issue=issue, issue_key=issue_key(issue),
                            summary=summary, created_by=by, deadline=safe_date_add(received_on, days=VERIFY_DAYS))
    if duplicates:
        allegation.duplicate_note = "；".join(duplicates)[:300]
        allegation.duplicate_of = (Allegation.objects.filter(subjects__in=subjects, issue_key=allegation.issue_key)
                                   .order_by("received_on", "id").first())
    _save(allegation, by)
    allegation.subjects.set(subjects)
    if reporter and any(reporter.values()):
        _save(ReporterIdentity(allegation=allegation, **reporter), by)
    return allegation


def _locked(allegation) -> Allegation:
    return Allegation.objects.select_for_update().get(pk=allegation.pk)


def _require(allegation, *statuses):
    if allegation.status not in statuses:
        raise DomainError(f"线索当前状态为“{allegation.get_status_display()}”，不能执行此操作（请刷新页面）。")


@transaction.atomic
def allegation_close_directly(*, allegation, by, reason: str, note: str) -> Allegation:
    """Seed 000 Q7: a vague, clearly false or already-concluded report is closed after review."""
    allegation = _locked(allegation)
    _require(allegation, AllegationStatus.RECEIVED)
    if not note.strip():
        raise DomainError("请写明了结说明。")
    allegation.status, allegation.close_reason, allegation.close_note = AllegationStatus.CLOSED, reason, note
    audit_log(AuditEvent.Type.TRANSITION, user=by, obj=allegation, detail=f"受理 → 直接了结：{note}")
    allegation.concluded_on = timezone.localdate()
    allegation.version += 1
    return _save(allegation, by)


@transaction.atomic
def allegation_assign(*, allegation, by, verifiers, deadline: datetime.date) -> Allegation:
    """Quick verification by the assigned verifiers (django-guardian, per allegation)."""
    allegation = _locked(allegation)
    _require(allegation, AllegationStatus.RECEIVED)
    verifiers = list(verifiers)
    if not verifiers:
        raise DomainError("请指定核查人。")
    for user in verifiers:
        if not (roles.roles_of(user) & {roles.Role.DISCIPLINE_OFFICER, *roles.STAFF_ROLES}):
            raise DomainError(f"{person_label(user)} 不是纪检监察或组织部门干部，不能核查。")
    eligible = set(eligible_verifiers(allegation).values_list("pk", flat=True))
    for user in verifiers:
        if user.pk not in eligible:
            raise DomainError(f"{person_label(user)} 对反映对象所在单位没有管辖权，不能核查。")
    allegation.status, allegation.deadline = AllegationStatus.VERIFYING, deadline
    allegation.version += 1
    _save(allegation, by)
    assignment_granted(by=by, users=verifiers, obj=allegation, what="核查人")
    audit_log(AuditEvent.Type.TRANSITION, user=by, obj=allegation, detail=f"受理 → 核查中，期限 {deadline:%Y-%m-%d}")
    for user in verifiers:
        assign_perm("tolerance.verify_allegation", user, allegation)
    notify([u.pk for u in verifiers], kind="allegation_assigned", key=f"allegation:{allegation.pk}:assigned",
           title=f"您被指定核查问题线索“{allegation.issue}”，期限 {deadline:%Y-%m-%d}",
           url=f"/allegations/{allegation.pk}/")
    return allegation


@transaction.atomic
def allegation_conclude(*, allegation, by, conclusion: str, findings: str,
                        concluded_on: datetime.date) -> Allegation:
    """Any conclusion lifts the screen on the subjects; 诬告陷害 opens a referral to hold
    the accuser accountable (seed 002 art. 11(3))."""
    allegation = _locked(allegation)
    _require(allegation, AllegationStatus.VERIFYING)
    if not findings.strip():
        raise DomainError("请填写核查情况。")
    if concluded_on < allegation.received_on:
        raise DomainError("办结日期不能早于受理日期。")
    allegation.status, allegation.conclusion = AllegationStatus.CONCLUDED, conclusion
    audit_log(AuditEvent.Type.TRANSITION, user=by, obj=allegation, detail=f"核查中 → 已办结：{allegation.get_conclusion_display()}")
    allegation.findings, allegation.concluded_on = findings, concluded_on
    allegation.version += 1
    _save(allegation, by)
    if conclusion == Conclusion.FRAMED:
        _save(FalseAccusationReferral(allegation=allegation), by)
    return allegation


@transaction.atomic
def allegation_open_case(*, allegation, by, title: str, error_date: datetime.date, accountability_body: str):
    """属实 / 部分属实 → an accountability matter, considered for tolerance (谁问责、谁考虑容错),
    linked both ways."""
    allegation = _locked(allegation)
    _require(allegation, AllegationStatus.CONCLUDED)
    if allegation.conclusion not in ACCOUNTABLE:
        raise DomainError("只有核查属实或部分属实的线索才能转入问责。")
    if allegation.tolerance_case_id:
        raise DomainError("该线索已转入问责案件。")
    subjects = list(allegation.subjects.select_related("unit"))
    case = case_file(by=by, title=title, unit=subjects[0].unit, cadres=[{"cadre": c} for c in subjects],
                     matter=f"{allegation.issue}：{allegation.findings}", error_date=error_date,
                     accountability_body=accountability_body, origin="accountability")
    allegation.tolerance_case = case
    allegation.version += 1
    _save(allegation, by)
    return case


def _next_serial(issuing_body: str, year: int, by) -> int:
    """Lock the counter row so two notices never share a number (PostgreSQL row lock)."""
    try:
        with transaction.atomic():
            NoticeCounter.objects.get_or_create(issuing_body=issuing_body, year=year)
    except IntegrityError:
        pass  # created by a concurrent request: lock it below
    counter = NoticeCounter.objects.select_for_update().get(issuing_body=issuing_body, year=year)
    counter.last += 1
    _save(counter, by, update_fields=["last"])
    return counter.last


@transaction.atomic
def clarification_issue(*, allegation, by, cadre, form: str, scope: str, issuing_body: str, alleged: str,
                        finding: str, issued_on: datetime.date, publishable: bool = True) -> ClarificationNotice:
    """失实 / 诬告陷害 → clear the cadre's name in a set range (seed 002 art. 11(3))."""
    allegation = _locked(allegation)
    if allegation.conclusion not in CLEARED:
        raise DomainError("只有核查结论为失实或诬告陷害的线索才能澄清正名。")
    if not allegation.subjects.filter(pk=cadre.pk).exists():
        raise DomainError(f"{cadre.name}不是该线索的反映对象。")
    if not scope.strip():
        raise DomainError("请写明通报范围。")
    # Under the allegation's row lock: a double click or two clerks at once issue one
    # notice, and consume one official number.
    earlier = ClarificationNotice.objects.filter(allegation=allegation, cadre=cadre, form=form,
                                                 issuing_body=issuing_body).first()
    if earlier:
        raise DomainError(f"{issuing_body}已就此线索为{cadre.name}出具{earlier.get_form_display()}（{earlier.number}），"
                          "不再重复出具；如需更正，请在原通知书上办理。")
    notice = ClarificationNotice(allegation=allegation, cadre=cadre, form=form, scope=scope,
                                 issuing_body=issuing_body, year=issued_on.year,
                                 serial=_next_serial(issuing_body, issued_on.year, by), alleged=alleged,
                                 finding=finding, issued_on=issued_on, publishable=publishable, created_by=by)
    return _save(notice, by)


@transaction.atomic
def clarification_deliver(*, notice, by, delivered_on: datetime.date, note: str) -> ClarificationNotice:
    notice = ClarificationNotice.objects.select_for_update().get(pk=notice.pk)
    if delivered_on < notice.issued_on:
        raise DomainError("送达日期不能早于印发日期。")
    notice.delivered_on, notice.delivery_note = delivered_on, note
    return _save(notice, by, update_fields=["delivered_on", "delivery_note"])


@transaction.atomic
def referral_update(*, referral, by, status: str, referred_to: str, referred_on, outcome: str):
    referral = FalseAccusationReferral.objects.select_for_update().get(pk=referral.pk)
    if status != ReferralStatus.PENDING and not (referred_to and referred_on):
        raise DomainError("请填写移送机关和移送日期。")
    referral.status, referral.referred_to, referral.referred_on, referral.outcome = status, referred_to, referred_on, outcome
    return _save(referral, by)


@transaction.atomic
def allegation_evidence_add(*, allegation, by, title: str, file) -> Evidence:
    validate_evidence_file(file)
    return _save(Evidence(allegation=allegation, title=title, file=file, size=file.size, uploaded_by=by), by)


def reporter_identity_read(*, allegation, user, via: str, request=None) -> ReporterIdentity | None:
    """Every read of a reporter's identity is logged (who, when, where)."""
    identity = ReporterIdentity.objects.filter(allegation=allegation).first()
    if identity is not None:
        ReporterAccessLog.objects.create(identity=identity, user=user, via=via)
        audit_log(AuditEvent.Type.SENSITIVE_READ, user=user, request=request, obj=allegation, detail=f"查看举报人信息（{via}）")
    return identity
