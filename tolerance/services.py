"""One function per workflow transition (STYLE 1): check the stage, lock the case row, write,
record the event (who, when, why). Rules: seed 002 arts. 9-11 and annex 2."""
import datetime
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from guardian.shortcuts import assign_perm
from simple_history.utils import bulk_create_with_history

from cadres.models import RecordStatus, Sanction, SupervisionMeasure
from cadres.services import cadre_record_add
from core import roles
from core.audit import AuditEvent, audit_log
from core.errors import DomainError
from core.people import person_label, unit_label
from core.reminders import notify
from core.security import assignment_granted
from core.uploads import content_matches
from core.validation import safe_date_add
from tolerance.models import (
    CaseCadre,
    CaseEvent,
    ChecklistItem,
    Consequence,
    Determination,
    DeterminationStatus,
    Effect,
    Evidence,
    Outcome,
    ReformFiling,
    RemedialMeasure,
    ReReview,
    Stage,
    ToleranceCase,
)
from tolerance.rules import outcome_refusal, tolerance_blockers
from tolerance.selectors import determination_leaders, eligible_investigators, policy_in_force, stage_limits

REREVIEW_DAYS = 30  # 复核 within 30 days of receiving the written feedback
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
EVIDENCE_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".txt", ".ofd"}


def _save(instance, by, **kwargs):
    instance._history_user = by
    instance.save(**kwargs)
    return instance


def stage_deadline(stage: str, start: datetime.date | None = None) -> datetime.date:
    return safe_date_add(start or timezone.localdate(), days=stage_limits().get(stage, 0))


def check_date(day: datetime.date | None, what: str, *, after: tuple = (), today: datetime.date | None = None) -> None:
    """A workflow date is never in the future nor before the dates it follows: `after` holds
    (earlier date, its label) pairs, e.g. a determination never precedes the error."""
    if day is None:
        return
    today = today or timezone.localdate()
    if day > today:
        raise DomainError(f"{what}（{day:%Y-%m-%d}）不能晚于今天。")
    for earlier, label in after:
        if earlier is not None and day < earlier:
            raise DomainError(f"{what}（{day:%Y-%m-%d}）不能早于{label}（{earlier:%Y-%m-%d}）。")


def _locked(case) -> ToleranceCase:
    return ToleranceCase.objects.select_for_update().get(pk=case.pk)


def _require_stage(case: ToleranceCase, *expected: str) -> None:
    """Refuses a skip, a repeat or a stale page."""
    if case.stage not in expected:
        allowed = "、".join(Stage(s).label for s in expected)
        raise DomainError(
            f"案件当前处于“{case.get_stage_display()}”阶段，只能在“{allowed}”阶段执行此操作（可能已被他人处理，请刷新页面）。"
        )


def _move(case: ToleranceCase, *, by, to: str, reason: str, owner=None, expected: tuple[str, ...]) -> ToleranceCase:
    """Advance the (locked) case one stage."""
    _require_stage(case, *expected)
    if not reason.strip():
        raise DomainError("请填写办理说明。")
    event = CaseEvent(case=case, from_stage=case.stage, to_stage=to, actor=by, reason=reason)
    case.stage = to
    case.stage_owner = owner or by
    case.stage_deadline = stage_deadline(to) if to != Stage.CLOSED else timezone.localdate()
    case.version += 1
    _save(case, by)
    _save(event, by)
    audit_log(AuditEvent.Type.TRANSITION, user=by, obj=case, detail=f"{event.get_from_stage_display()} → {event.get_to_stage_display()}：{reason}")
    return case


@transaction.atomic
def case_file(*, by, title: str, unit, cadres: list[dict], matter: str, error_date: datetime.date,
              accountability_body: str, origin: str, losses_impact: str = "", concerns_unit: bool = False,
              reform_filing: ReformFiling | None = None) -> ToleranceCase:
    """立案. `cadres` holds dicts with cadre, proposed_sanction_type, proposed_measure_kind,
    related_sanctions and related_measures. The policy is the one in force for the unit on
    the date of the error, stored on the case."""
    if not cadres and not concerns_unit:
        raise DomainError("请至少选择一名涉及干部，或将单位作为容错对象。")
    if error_date > timezone.localdate():
        raise DomainError("失误发生日期不能晚于今天。")
    policy = policy_in_force(unit, error_date)
    if policy is None:
        raise DomainError(f"{unit.name}在 {error_date:%Y-%m-%d} 没有适用的容错政策文件，请先由管理员录入。")
    case = _save(ToleranceCase(
        title=title, unit=unit, concerns_unit=concerns_unit, matter=matter, error_date=error_date,
        losses_impact=losses_impact, accountability_body=accountability_body, origin=origin, policy=policy,
        reform_filing=reform_filing, stage=Stage.FILED, stage_owner=by, stage_deadline=stage_deadline(Stage.FILED),
        created_by=by,
    ), by)
    clauses = list(policy.clauses.all())
    items = []
    for entry in cadres:
        case_cadre = _save(CaseCadre(
            case=case, cadre=entry["cadre"], proposed_sanction_type=entry.get("proposed_sanction_type"),
            proposed_measure_kind=entry.get("proposed_measure_kind") or "",
        ), by)
        case_cadre.related_sanctions.set(entry.get("related_sanctions") or [])
        case_cadre.related_measures.set(entry.get("related_measures") or [])
        items += [ChecklistItem(case_cadre=case_cadre, clause=clause) for clause in clauses]
    bulk_create_with_history(items, ChecklistItem, default_user=by)
    _save(CaseEvent(case=case, from_stage="", to_stage=Stage.FILED, actor=by, reason=f"立案，适用《{policy.title}》"), by)
    audit_log(AuditEvent.Type.TRANSITION, user=by, obj=case, detail=f"立案，适用《{policy.title}》")
    return case


@transaction.atomic
def case_start_investigation(*, case, by, investigators, reason: str) -> ToleranceCase:
    """调查核实: discipline inspection and the organization department investigate jointly;
    each investigator is granted this case (django-guardian)."""
    case = _locked(case)
    investigators = list(investigators)
    if not investigators:
        raise DomainError("请指定至少一名承办人。")
    for user in investigators:
        if not (roles.roles_of(user) & {roles.Role.DISCIPLINE_OFFICER, *roles.STAFF_ROLES}):
            raise DomainError(f"{person_label(user)} 不是纪检监察或组织部门干部，不能承办调查。")
    eligible = set(eligible_investigators(case.unit).values_list("pk", flat=True))
    for user in investigators:
        if user.pk not in eligible:
            raise DomainError(f"{person_label(user)} 对{unit_label(case.unit)}没有管辖权，不能承办本案调查。")
    _move(case, by=by, to=Stage.INVESTIGATION, reason=reason, owner=investigators[0], expected=(Stage.FILED,))
    assignment_granted(by=by, users=investigators, obj=case, what="承办人")
    for user in investigators:
        assign_perm("tolerance.investigate_case", user, case)
    notify([u.pk for u in investigators], kind="case_assigned", key=f"case:{case.pk}:assigned",
           title=f"您被指定承办容错纠错案件“{case.title}”的调查核实", url=f"/tolerance/{case.pk}/")
    return case


CHECKLIST_STAGES = (Stage.INVESTIGATION, Stage.PRELIMINARY, Stage.CONSULTATION, Stage.DETERMINATION)


@transaction.atomic
def checklist_record(*, case_cadre: CaseCadre, by, answers: dict[int, tuple[bool | None, str]]) -> None:
    """Record the checklist for one cadre: {item id: (holds, evidence)}."""
    case = _locked(case_cadre.case)
    if case.stage not in CHECKLIST_STAGES:
        raise DomainError(f"案件处于“{case.get_stage_display()}”阶段，不能修改核查清单。")
    for item in case_cadre.checklist.select_related("clause").filter(pk__in=answers):
        holds, evidence = answers[item.pk]
        if (item.holds, item.evidence) != (holds, evidence):
            item.holds, item.evidence = holds, evidence
            _save(item, by, update_fields=["holds", "evidence"])


@transaction.atomic
def case_finish_investigation(*, case, by, reason: str) -> ToleranceCase:
    case = _locked(case)
    _require_stage(case, Stage.INVESTIGATION)
    unanswered = ChecklistItem.objects.filter(case_cadre__case=case, holds__isnull=True).count()
    if unanswered:
        raise DomainError(f"核查清单还有 {unanswered} 项未作判断，调查核实不能结束。")
    return _move(case, by=by, to=Stage.PRELIMINARY, reason=reason, expected=(Stage.INVESTIGATION,))


@transaction.atomic
def case_submit_preliminary_opinion(*, case, by, opinion: str) -> ToleranceCase:
    """初步意见, submitted to the same-level party committee via joint consultation."""
    case = _locked(case)
    if not opinion.strip():
        raise DomainError("请填写初步意见。")
    case.preliminary_opinion = opinion
    return _move(case, by=by, to=Stage.CONSULTATION, reason="提出初步意见", expected=(Stage.PRELIMINARY,))


@transaction.atomic
def case_record_consultation(*, case, by, date: datetime.date, bodies: str, minutes: str,
                             proposed_outcome: str) -> ToleranceCase:
    """沟通会商 (seed 002 art. 11(1)); the case then goes to the party committee."""
    case = _locked(case)
    check_date(date, "会商日期", after=((case.error_date, "失误发生日期"),))
    case.consultation_date, case.consultation_bodies = date, bodies
    case.consultation_minutes, case.consultation_outcome = minutes, proposed_outcome
    return _to_determination(case, by=by, reason=f"{date:%Y-%m-%d} 沟通会商，提交党委（党组）认定",
                             expected=(Stage.CONSULTATION,))


def _to_determination(case, *, by, reason: str, expected: tuple[str, ...]) -> ToleranceCase:
    """The determination stage belongs to the leaders who may record it (jurisdiction over the
    case's unit, nearest level first): the first is the named owner, all are told and all
    have it on their workbench; its reminders and escalations go to them."""
    _require_stage(case, *expected)
    leaders = list(determination_leaders(case))
    if not leaders:
        raise DomainError(f"没有对{unit_label(case.unit)}有管辖权的部门领导，无法提交党委（党组）认定；"
                          "请系统管理员先为部门领导授予该单位的管辖权。")
    _move(case, by=by, to=Stage.DETERMINATION, reason=reason, owner=leaders[0], expected=expected)
    notify([u.pk for u in leaders], kind="case_determination", key=f"case:{case.pk}:determination:{case.version}",
           title=f"容错纠错案件“{case.title}”已提交党委（党组）认定，请录入认定结论", url=f"/tolerance/{case.pk}/")
    return case


@transaction.atomic
def defence_record(*, case_cadre: CaseCadre, by, statement: str, recorded_on: datetime.date) -> CaseCadre:
    """陈述申辩, heard before the determination."""
    case = _locked(case_cadre.case)
    if case.stage not in (Stage.INVESTIGATION, Stage.PRELIMINARY, Stage.CONSULTATION, Stage.DETERMINATION):
        raise DomainError("陈述申辩应在调查核实开始后、认定作出前记录。")
    if not statement.strip():
        raise DomainError("请填写陈述申辩内容。")
    check_date(recorded_on, "陈述申辩日期", after=((case.error_date, "失误发生日期"),))
    case_cadre.defence_statement, case_cadre.defence_recorded_on = statement, recorded_on
    return _save(case_cadre, by, update_fields=["defence_statement", "defence_recorded_on"])


@transaction.atomic
def case_determine(*, case, by, decision_number: str, decided_on: datetime.date, deciding_body: str, reasons: str,
                   outcomes: dict[int, tuple[str, object]]) -> Determination:
    """党委（党组）认定, recorded by a leader: {case_cadre id: (outcome, final sanction type)}.
    Refuses an inconsistent outcome; writes the consequences in the same transaction and
    supersedes (never deletes) those of an earlier determination after a re-review."""
    if not roles.is_leader(by):
        raise DomainError("认定结论须由部门领导录入。")
    case = _locked(case)
    if case.stage != Stage.DETERMINATION:
        raise DomainError(f"案件当前处于“{case.get_stage_display()}”阶段，不能录入认定（可能已由他人录入，请刷新页面）。")
    check_date(decided_on, "认定日期", after=((case.error_date, "失误发生日期"), (case.consultation_date, "沟通会商日期")))
    case_cadres = list(case.case_cadres.select_related("cadre", "proposed_sanction_type").prefetch_related(
        Prefetch("checklist", queryset=ChecklistItem.objects.select_related("clause")),
        "related_sanctions", "related_measures"))
    refusals = []
    for cc in case_cadres:
        if cc.pk not in outcomes:
            refusals.append(f"{cc.cadre.name}：未填写认定结论")
            continue
        outcome, final_type = outcomes[cc.pk]
        if not cc.defence_statement.strip():
            refusals.append(f"{cc.cadre.name}：认定前须记录本人陈述申辩")
        refusal = outcome_refusal(cc.checklist.all(), outcome)
        if refusal:
            refusals.append(f"{cc.cadre.name}：{refusal}")
        if outcome in (Outcome.LIGHTER, Outcome.REDUCED) and final_type is None:
            refusals.append(f"{cc.cadre.name}：从轻或减轻处理须写明最终处分种类")
    if refusals:
        raise DomainError("认定未保存。" + " ".join(refusals))

    previous = case.determinations.filter(status=DeterminationStatus.CURRENT).first()
    if previous:
        _supersede(previous, by)
    determination = _save(Determination(case=case, decision_number=decision_number, decided_on=decided_on,
                                        deciding_body=deciding_body, reasons=reasons, recorded_by=by), by)
    for cc in case_cadres:
        outcome, final_type = outcomes[cc.pk]
        ruling = _save(determination.rulings.model(
            determination=determination, case_cadre=cc, outcome=outcome,
            final_sanction_type=final_type if outcome in (Outcome.LIGHTER, Outcome.REDUCED) else None,
            should_have_been_tolerated=outcome == Outcome.NOT_TOLERATED and not tolerance_blockers(cc.checklist.all()),
        ), by)
        _apply_consequences(ruling, cc, determination, by)
    # Feedback and filing go back to the department staff who filed the case.
    _move(case, by=by, to=Stage.FEEDBACK, reason=f"党委（党组）认定：{decision_number}", owner=case.created_by,
          expected=(Stage.DETERMINATION,))
    return determination


def _set_status(record, status, by):
    if record.status != status:
        record.status = status
        _save(record, by, update_fields=["status"])


def _apply_consequences(ruling, cc: CaseCadre, determination: Determination, by) -> None:
    """免责 → no sanction or measure from this matter, recorded ones waived ("four
    unaffected"); 从轻/减轻 → the reduced sanction with its influence period replaces the
    recorded one; 不予容错 → the proposed sanction stands (seed 001, seed 002 art. 9)."""
    case = cc.case
    sanctions, measures = list(cc.related_sanctions.all()), list(cc.related_measures.all())
    links = []
    if ruling.outcome == Outcome.EXEMPT:
        for record in sanctions + measures:
            _set_status(record, RecordStatus.WAIVED, by)
            links.append(_link(ruling, record, Effect.WAIVED))
    elif ruling.outcome in (Outcome.LIGHTER, Outcome.REDUCED):
        reduced = cadre_record_add(record=Sanction(
            cadre=cc.cadre, sanction_type=ruling.final_sanction_type, matter=case.title,
            decided_by=determination.deciding_body, document_number=determination.decision_number,
            decision_date=determination.decided_on), by=by)
        links.append(_link(ruling, reduced, Effect.PRODUCED))
        for record in sanctions:
            _set_status(record, RecordStatus.SUPERSEDED, by)
            links.append(_link(ruling, record, Effect.REPLACED))
        for record in measures:
            _set_status(record, RecordStatus.IN_FORCE, by)
            links.append(_link(ruling, record, Effect.STANDS))
    else:
        for record in sanctions + measures:
            _set_status(record, RecordStatus.IN_FORCE, by)
            links.append(_link(ruling, record, Effect.STANDS))
        if not sanctions and cc.proposed_sanction_type:
            links.append(_link(ruling, cadre_record_add(record=Sanction(
                cadre=cc.cadre, sanction_type=cc.proposed_sanction_type, matter=case.title,
                decided_by=case.accountability_body, document_number=determination.decision_number,
                decision_date=determination.decided_on), by=by), Effect.PRODUCED))
        if not measures and cc.proposed_measure_kind:
            links.append(_link(ruling, cadre_record_add(record=SupervisionMeasure(
                cadre=cc.cadre, kind=cc.proposed_measure_kind, date=determination.decided_on, issue=case.title,
                by_whom=case.accountability_body), by=by), Effect.PRODUCED))
    bulk_create_with_history(links, Consequence, default_user=by)


def _link(ruling, record, effect) -> Consequence:
    kind = "sanction" if isinstance(record, Sanction) else "measure"
    return Consequence(ruling=ruling, effect=effect, **{kind: record})


def _supersede(determination: Determination, by) -> None:
    """Undo an earlier determination's consequences without deleting anything: what it
    produced is superseded, what it waived or replaced is back in force until the new
    determination rules on it."""
    for consequence in Consequence.objects.filter(ruling__determination=determination, active=True).select_related(
            "sanction", "measure"):
        record = consequence.sanction or consequence.measure
        if consequence.effect == Effect.PRODUCED:
            _set_status(record, RecordStatus.SUPERSEDED, by)
        elif consequence.effect in (Effect.WAIVED, Effect.REPLACED):
            _set_status(record, RecordStatus.IN_FORCE, by)
        consequence.active = False
        _save(consequence, by, update_fields=["active"])
    determination.status = DeterminationStatus.SUPERSEDED
    _save(determination, by, update_fields=["status"])


@transaction.atomic
def case_record_feedback(*, case, by, feedback_date: datetime.date, method: str,
                         received_on: datetime.date) -> ToleranceCase:
    """书面反馈 by the accountability body to the cadre or unit (seed 002 art. 10)."""
    case = _locked(case)
    if received_on < feedback_date:
        raise DomainError("签收日期不能早于反馈日期。")
    decided = case.determinations.filter(status=DeterminationStatus.CURRENT).values_list("decided_on", flat=True).first()
    check_date(feedback_date, "书面反馈日期", after=((decided, "认定日期"),))
    check_date(received_on, "当事人签收日期", after=((feedback_date, "书面反馈日期"),))
    case.feedback_date, case.feedback_method, case.feedback_received_on = feedback_date, method, received_on
    return _move(case, by=by, to=Stage.FILING, reason=f"{feedback_date:%Y-%m-%d} 书面反馈（{method}）",
                 expected=(Stage.FEEDBACK,))


@transaction.atomic
def case_record_filing(*, case, by, discipline_on: datetime.date, organization_on: datetime.date,
                       accountability_on: datetime.date) -> ToleranceCase:
    """备案 with the higher-level discipline body, organization department and the
    accountability body (seed 002 art. 10); the case is then closed."""
    case = _locked(case)
    for day, what in ((discipline_on, "报纪检监察机关备案日期"), (organization_on, "报组织人事部门备案日期"),
                      (accountability_on, "报问责部门备案日期")):
        check_date(day, what, after=((case.feedback_date, "书面反馈日期"),))
    case.filed_with_discipline_on = discipline_on
    case.filed_with_organization_on = organization_on
    case.filed_with_accountability_on = accountability_on
    return _move(case, by=by, to=Stage.CLOSED, reason="已报上级纪检监察机关、组织人事部门及问责部门备案，办结",
                 expected=(Stage.FILING,))


@transaction.atomic
def rereview_request(*, case, case_cadre: CaseCadre, by, requested_on: datetime.date, grounds: str) -> ReReview:
    """复核 within 30 days of receiving the written feedback reopens the determination."""
    case = _locked(case)
    if case.feedback_received_on is None:
        raise DomainError("书面反馈签收后才能申请复核。")
    last_day = safe_date_add(case.feedback_received_on, days=REREVIEW_DAYS)
    if not case.feedback_received_on <= requested_on <= last_day:
        raise DomainError(f"复核申请须在收到书面反馈之日起 {REREVIEW_DAYS} 日内（{last_day:%Y-%m-%d} 前）提出。")
    if case_cadre.case_id != case.pk:
        raise DomainError("申请人不是本案涉及的干部。")
    rereview = _save(ReReview(case=case, case_cadre=case_cadre, requested_on=requested_on, grounds=grounds,
                              recorded_by=by), by)
    _to_determination(case, by=by, reason=f"{case_cadre.cadre.name} 申请复核：{grounds}",
                      expected=(Stage.FILING, Stage.CLOSED))
    return rereview


def validate_evidence_file(file) -> None:
    if Path(file.name).suffix.lower() not in EVIDENCE_EXTENSIONS:
        raise DomainError(f"不支持的文件类型，请上传：{'、'.join(sorted(EVIDENCE_EXTENSIONS))}。")
    if file.size > EVIDENCE_MAX_BYTES:
        raise DomainError(f"文件超过 {EVIDENCE_MAX_BYTES // 1024 // 1024} MB。")
    if not content_matches(file):
        raise DomainError("文件内容与扩展名不符（如改了扩展名的程序或网页），已拒绝。请上传真实的 PDF、图片、Word 或 Excel 文件。")


@transaction.atomic
def evidence_add(*, case, by, title: str, file) -> Evidence:
    validate_evidence_file(file)
    if case.stage == Stage.CLOSED:
        raise DomainError("案件已办结，不能再上传材料。")
    return _save(Evidence(case=case, title=title, file=file, size=file.size, uploaded_by=by), by)


@transaction.atomic
def remedial_add(*, case, by, description: str, owner: str, deadline: datetime.date) -> RemedialMeasure:
    return _save(RemedialMeasure(case=case, description=description, owner=owner, deadline=deadline), by)


@transaction.atomic
def remedial_complete(*, measure: RemedialMeasure, by, done_on: datetime.date) -> RemedialMeasure:
    measure = RemedialMeasure.objects.select_for_update().get(pk=measure.pk)
    if measure.done_on:
        raise DomainError("该纠错措施已完成。")
    measure.done_on = done_on
    return _save(measure, by, update_fields=["done_on"])


@transaction.atomic
def reform_filing_create(*, by, **fields) -> ReformFiling:
    filing = ReformFiling(filed_by=by, **fields)
    filing.full_clean()
    return _save(filing, by)
