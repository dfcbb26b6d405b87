"""Writes of the assessment module: one function per workflow action (STYLE 1). Each checks
the current state, locks the row it changes, refuses with a DomainError naming the rule and
the figures, and sets the acting user on every history row. Rules: DESIGN §3 "Assessment"."""
import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from assessment.catalogs import BOLD_WORK_SITUATION, PRIORITY_SITUATIONS
from assessment.models import (
    DEPARTMENT_KINDS,
    MANUAL_SOURCES,
    ApprovalStatus,
    AssessmentYear,
    CadreGrade,
    Grade,
    GradeReview,
    InformationItem,
    Polarity,
    PriorityRecord,
    Promotion,
    QuarterlyReview,
    QuotaApproval,
    Ranking,
    RankingEntry,
    ReviewEvent,
    ReviewRequestStatus,
    ReviewStatus,
    TeamAssessment,
    TeamGrade,
    TeamInterview,
    TeamReport,
    YearStatus,
    december_31,
    quarter_bounds,
)
from assessment.routing import ungraded_cadres, year_leaders, year_staff
from assessment.selectors import (
    RANK_LEVEL,
    assessed_cadres,
    grade_limits,
    quarter_facts,
    quota_figures,
    review_scope,
    shortlist_priority_reasons,
)
from cadres.models import AchievementRecord, AchievementSource, Cadre, Unit, unit_qualified_name
from core import roles
from core.audit import AuditEvent, audit_log
from core.errors import DomainError
from core.reminders import notify
from core.validation import safe_date_add

REREVIEW_DAYS = 30  # 公务员法 art. 95: 复核 within 30 days of learning the result
REVIEW_DEADLINE_DAYS = 15  # a quarter's review is due this many days after the quarter ends


def _save(instance, by, **kwargs):
    instance._history_user = by
    instance.save(**kwargs)
    return instance


# ---------------------------------------------------------------- annual assessment


@transaction.atomic
def assessment_year_open(*, unit: Unit, year: int, by, assessment_date: datetime.date | None = None) -> AssessmentYear:
    """Start a unit's annual assessment; the assessment date defaults to 31 December."""
    assessment_date = assessment_date or december_31(year)
    if assessment_date.year != year:
        raise DomainError(f"考核基准日（{assessment_date:%Y-%m-%d}）应在{year}年内。")
    if AssessmentYear.objects.filter(unit=unit, year=year).exists():
        raise DomainError(f"{unit.qualified_name}{year}年度考核已经建立，无需重复建立。")
    try:
        with transaction.atomic():
            ay = _save(AssessmentYear(unit=unit, year=year, assessment_date=assessment_date, created_by=by), by)
    except IntegrityError:  # created by someone else in the meantime
        raise DomainError(f"{unit.qualified_name}{year}年度考核已经建立，无需重复建立。") from None
    # Opened from above (the city for a county's unit): the unit's own staff grade it.
    notify([u.pk for u in year_staff(ay) if u.pk != by.pk], kind="assessment_year_opened",
           key=f"assessment-year:{ay.pk}:opened", title=f"{ay.unit}{year}年度考核已建立，请评定等次",
           url=f"/assessment/years/{ay.pk}/")
    return ay


@dataclass
class BatchResult:
    """What a batch did, row by row: saved, unchanged, refused (cadre id → reason)."""

    saved: list[CadreGrade] = field(default_factory=list)
    unchanged: list[CadreGrade] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)
    team_saved: TeamAssessment | None = None
    team_refused: str = ""

    @property
    def saved_summary(self) -> str:
        return "、".join(f"{g.cadre.name}（{g.grade}）" for g in self.saved)


def _locked_year(assessment_year) -> AssessmentYear:
    return AssessmentYear.objects.select_for_update().select_related("unit").get(pk=assessment_year.pk)


def _check_rows(ay: AssessmentYear, rows: list[dict], *, existing: dict[int, CadreGrade]) -> tuple[list[dict], dict]:
    """Apply every rule to the rows (dicts with cadre, grade, remarks) before anything is
    written: roster, one grade per cadre and year, caps, then the quota over the whole
    unit-year as it would stand after the batch."""
    refused: dict[int, str] = {}
    cadres = [r["cadre"] for r in rows]
    ids = [c.pk for c in cadres]
    roster = set(assessed_cadres(ay).filter(pk__in=ids).values_list("pk", flat=True))
    elsewhere = {pk: unit_qualified_name(path, name) for pk, path, name in
                 CadreGrade.objects.filter(cadre_id__in=ids, year=ay.year).exclude(assessment_year=ay)
                 .values_list("cadre_id", "assessment_year__unit__path", "assessment_year__unit__name")}
    limits, _ = grade_limits(ay, cadres)
    accepted = []
    for row in rows:
        cadre, grade = row["cadre"], row["grade"]
        if grade not in Grade.values:
            refused[cadre.pk] = f"“{grade}”不是有效的考核等次。"
        elif cadre.pk not in roster:
            refused[cadre.pk] = f"{cadre.name}不是{ay.unit.qualified_name}参加本年度考核的干部，不能在本单位评定等次。"
        elif cadre.pk in elsewhere:
            refused[cadre.pk] = f"{cadre.name}已在{elsewhere[cadre.pk]}{ay.year}年度考核中评定等次，同一年度只评定一次。"
        elif message := limits[cadre.pk].refusal(grade):
            refused[cadre.pk] = message
        else:
            accepted.append(row)

    # 优秀 quota, counted over the whole unit-year after the batch (DESIGN §3).
    final = dict(ay.grades.values_list("cadre_id", "grade"))
    for row in accepted:
        final[row["cadre"].pk] = row["grade"]
    total = sum(1 for g in final.values() if g == Grade.EXCELLENT)
    new_excellent = [r for r in accepted if r["grade"] == Grade.EXCELLENT
                     and getattr(existing.get(r["cadre"].pk), "grade", None) != Grade.EXCELLENT]
    if new_excellent:
        message = quota_figures(ay).refusal(total)
        if message:
            # Every new 优秀 of the batch is refused rather than an arbitrary few: the staff
            # choose whom to keep, or ask a leader to approve the excess.
            for row in new_excellent:
                refused[row["cadre"].pk] = message + f"本批新评优秀的 {len(new_excellent)} 人均未保存。"
            accepted = [r for r in accepted if r not in new_excellent]
    return accepted, refused


@transaction.atomic
def grades_record_batch(*, assessment_year: AssessmentYear, rows: list[dict], by, team_grade: str = "",
                        team_remarks: str = "") -> BatchResult:
    """Batch entry for a unit: rows are dicts with cadre, grade and remarks (a blank grade
    leaves the row alone). Valid rows are saved and refused rows are left as they were,
    each with its reason. The year's row lock serialises batches, so two staff saving at
    once cannot both take the last 优秀 place."""
    ay = _locked_year(assessment_year)
    if ay.status != YearStatus.OPEN:
        raise DomainError(f"{ay}已归档，不能再修改考核等次。")
    rows = [r for r in rows if r.get("grade")]
    result = BatchResult()
    existing = {g.cadre_id: g for g in ay.grades.select_related("cadre").filter(cadre_id__in=[r["cadre"].pk for r in rows])}
    accepted, result.refused = _check_rows(ay, rows, existing=existing)
    for row in accepted:
        cadre, grade, remarks = row["cadre"], row["grade"], row.get("remarks", "") or ""
        current = existing.get(cadre.pk)
        if current is None:
            result.saved.append(_save(CadreGrade(assessment_year=ay, cadre=cadre, grade=grade, remarks=remarks,
                                                 graded_by=by), by))
        elif (current.grade, current.remarks) != (grade, remarks):
            current.grade, current.remarks, current.graded_by = grade, remarks, by
            result.saved.append(_save(current, by, update_fields=["grade", "remarks", "graded_by", "graded_at"]))
        else:
            result.unchanged.append(current)
    if team_grade:
        _record_team_grade(ay, team_grade, team_remarks, by, result)
    return result


def _record_team_grade(ay: AssessmentYear, grade: str, remarks: str, by, result: BatchResult) -> None:
    if not ay.unit.has_leadership_team:
        result.team_refused = f"{ay.unit.qualified_name}不设领导班子，不评定班子等次。"
        return
    if grade not in TeamGrade.values:
        result.team_refused = f"“{grade}”不是有效的领导班子考核等次。"
        return
    _, team = grade_limits(ay, [])
    if message := team.refusal(grade):
        result.team_refused = message
        return
    current = TeamAssessment.objects.filter(assessment_year=ay).first()
    if current is None:
        result.team_saved = _save(TeamAssessment(assessment_year=ay, grade=grade, remarks=remarks, graded_by=by), by)
    elif (current.grade, current.remarks) != (grade, remarks):
        current.grade, current.remarks, current.graded_by = grade, remarks, by
        result.team_saved = _save(current, by, update_fields=["grade", "remarks", "graded_by", "graded_at"])


def grade_record(*, assessment_year: AssessmentYear, cadre: Cadre, grade: str, by, remarks: str = "") -> CadreGrade:
    """One cadre's grade, by the same rules as a batch; a refusal raises."""
    result = grades_record_batch(assessment_year=assessment_year, by=by,
                                 rows=[{"cadre": cadre, "grade": grade, "remarks": remarks}])
    if cadre.pk in result.refused:
        raise DomainError(result.refused[cadre.pk])
    return (result.saved or result.unchanged)[0]


def team_grade_record(*, assessment_year: AssessmentYear, grade: str, by, remarks: str = "") -> TeamAssessment:
    result = grades_record_batch(assessment_year=assessment_year, rows=[], by=by, team_grade=grade,
                                 team_remarks=remarks)
    if result.team_refused:
        raise DomainError(result.team_refused)
    return result.team_saved or TeamAssessment.objects.get(assessment_year=assessment_year)


@transaction.atomic
def quota_excess_request(*, assessment_year: AssessmentYear, excellent_count: int, reason: str, by) -> QuotaApproval:
    """Ask a leader to allow more 优秀 grades than the normal share, up to the ceiling."""
    ay = _locked_year(assessment_year)
    if ay.status != YearStatus.OPEN:
        raise DomainError(f"{ay}已归档。")
    if not reason.strip():
        raise DomainError("请填写申请理由。")
    fig = quota_figures(ay)
    if excellent_count <= fig.normal_max:
        raise DomainError(f"无需审批：{ay.unit.qualified_name}参加考核 {fig.assessed} 人，常规比例内优秀最多 {fig.normal_max} 名"
                          f"（{fig.normal_percent}%），申请的 {excellent_count} 名在常规比例之内。")
    if excellent_count > fig.ceiling_max:
        raise DomainError(f"不能超过最高比例：{ay.unit.qualified_name}参加考核 {fig.assessed} 人，优秀最多 {fig.ceiling_max} 名"
                          f"（{fig.assessed}×{fig.ceiling_percent}% 向下取整），申请的 {excellent_count} 名超出上限。")
    if ay.quota_approvals.filter(status=ApprovalStatus.PENDING).exists():
        raise DomainError("已有一项超比例申请等待领导审批，请待审批后再申请。")
    approval = _save(QuotaApproval(assessment_year=ay, excellent_count=excellent_count, request_reason=reason,
                                   requested_by=by), by)
    notify([u.pk for u in year_leaders(ay)], kind="quota_request", key=f"quota:{approval.pk}:requested",
           title=f"{ay.unit}{ay.year}年度考核申请优秀等次 {excellent_count} 名（超过常规比例），请审批",
           url=f"/assessment/years/{ay.pk}/")
    return approval


@transaction.atomic
def quota_excess_decide(*, approval: QuotaApproval, approve: bool, reason: str, by) -> QuotaApproval:
    """A leader approves or refuses the request; who, when and why are recorded."""
    if not roles.is_leader(by):
        raise DomainError("优秀等次超比例须由部门领导审批。")
    approval = QuotaApproval.objects.select_for_update().select_related("assessment_year__unit").get(pk=approval.pk)
    if approval.status != ApprovalStatus.PENDING:
        raise DomainError(f"该申请已{approval.get_status_display()}，不能重复审批。")
    if not reason.strip():
        raise DomainError("请填写审批意见。")
    if approve:
        fig = quota_figures(approval.assessment_year)
        if approval.excellent_count > fig.ceiling_max:
            raise DomainError(f"不能批准：参加考核人数现为 {fig.assessed} 人，优秀最多 {fig.ceiling_max} 名"
                              f"（{fig.ceiling_percent}%），申请的 {approval.excellent_count} 名超出上限。")
    approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    approval.decided_by, approval.decided_at, approval.decision_reason = by, timezone.now(), reason
    audit_log(AuditEvent.Type.TRANSITION, user=by, obj=approval, detail=f"超比例申请：{approval.get_status_display()}")
    _save(approval, by, update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    ay = approval.assessment_year
    notify([approval.requested_by_id], kind="quota_decided", key=f"quota:{approval.pk}:decided",
           title=f"{ay.unit}{ay.year}年度考核优秀等次超比例申请{approval.get_status_display()}",
           url=f"/assessment/years/{ay.pk}/")
    return approval


@transaction.atomic
def assessment_year_close(*, assessment_year: AssessmentYear, by) -> AssessmentYear:
    """Archive the year: no more grade entry (re-reviews still answer). Refused while
    cadres remain ungraded or an approval is pending."""
    ay = _locked_year(assessment_year)
    if ay.status != YearStatus.OPEN:
        raise DomainError(f"{ay}已归档。")
    ungraded = ungraded_cadres(ay.unit_id, ay.year).count()  # as year_steps and the workbench count them
    if ungraded:
        raise DomainError(f"还有 {ungraded} 名干部未评定等次，不能归档。")
    if ay.quota_approvals.filter(status=ApprovalStatus.PENDING).exists():
        raise DomainError("有超比例申请尚待领导审批，不能归档。")
    ay.status = YearStatus.CLOSED
    audit_log(AuditEvent.Type.TRANSITION, user=by, obj=ay, detail="考核年度归档")
    return _save(ay, by, update_fields=["status"])


@transaction.atomic
def grade_notify(*, grade: CadreGrade, told_on: datetime.date, by) -> CadreGrade:
    """Record the day the cadre was told the grade: the 30 days for a re-review run from it."""
    grade = CadreGrade.objects.select_for_update().get(pk=grade.pk)
    if told_on > timezone.localdate():
        raise DomainError("告知日期不能晚于今天。")
    if grade.reviews.exists():
        raise DomainError("已有复核申请，告知日期不能再修改。")
    if grade.told_on == told_on:
        return grade  # the same date again (a repeated post): nothing changes, no history
    grade.told_on = told_on
    return _save(grade, by, update_fields=["told_on"])


@transaction.atomic
def grade_rereview_request(*, grade: CadreGrade, requested_on: datetime.date, grounds: str, by) -> GradeReview:
    """复核: a cadre graded 不称职 may ask within 30 days of being told (公务员法 art. 95).
    Day 30 is in time, day 31 is late."""
    grade = CadreGrade.objects.select_for_update().select_related("cadre").get(pk=grade.pk)
    if grade.grade != Grade.INCOMPETENT:
        raise DomainError(f"只有年度考核被评为“不称职”的干部可以申请复核，{grade.cadre.name}的等次为“{grade.grade}”。")
    if grade.told_on is None:
        raise DomainError("尚未记录告知本人日期：复核期限自告知之日起计算，请先记录告知日期。")
    if not grounds.strip():
        raise DomainError("请填写复核理由。")
    days = (requested_on - grade.told_on).days
    if days < 0:
        raise DomainError(f"申请日期（{requested_on:%Y-%m-%d}）不能早于告知日期（{grade.told_on:%Y-%m-%d}）。")
    if days > REREVIEW_DAYS:
        last = safe_date_add(grade.told_on, days=REREVIEW_DAYS)
        raise DomainError(f"已超过复核申请期限：应自知道考核结果之日起{REREVIEW_DAYS}日内提出（{grade.told_on:%Y-%m-%d}告知，"
                          f"最迟 {last:%Y-%m-%d}），{requested_on:%Y-%m-%d}申请已是第 {days} 日。")
    if grade.reviews.filter(status=ReviewRequestStatus.PENDING).exists():
        raise DomainError("该等次已有复核申请正在办理。")
    return _save(GradeReview(grade=grade, requested_on=requested_on, grounds=grounds, recorded_by=by,
                             original_grade=grade.grade), by)


@transaction.atomic
def grade_rereview_answer(*, review: GradeReview, answered_on: datetime.date, answer: str, new_grade: str = "",
                          by) -> GradeReview:
    """The answer to a re-review; a changed grade must satisfy the same caps and quota, and
    is written to the grade (its history keeps the old one)."""
    review = GradeReview.objects.select_for_update().select_related("grade__assessment_year__unit",
                                                                    "grade__cadre").get(pk=review.pk)
    if review.status != ReviewRequestStatus.PENDING:
        raise DomainError("该复核申请已经答复。")
    if not answer.strip():
        raise DomainError("请填写复核意见。")
    if answered_on < review.requested_on:
        raise DomainError(f"复核决定日期不能早于申请日期（{review.requested_on:%Y-%m-%d}）。")
    grade = review.grade
    changed = bool(new_grade) and new_grade != grade.grade
    if changed:
        ay = _locked_year(grade.assessment_year)
        accepted, refused = _check_rows(ay, [{"cadre": grade.cadre, "grade": new_grade}], existing={grade.cadre_id: grade})
        if refused:
            raise DomainError("复核后等次不能保存：" + refused[grade.cadre_id])
        grade.grade, grade.graded_by = new_grade, by
        _save(grade, by, update_fields=["grade", "graded_by", "graded_at"])
    review.status = ReviewRequestStatus.CHANGED if changed else ReviewRequestStatus.UPHELD
    review.new_grade = new_grade if changed else ""
    review.answered_on, review.answer, review.answered_by = answered_on, answer, by
    audit_log(AuditEvent.Type.TRANSITION, user=by, obj=review, detail=f"复核答复：{review.get_status_display()}")
    return _save(review, by, update_fields=["status", "new_grade", "answered_on", "answer", "answered_by"])


@transaction.atomic
def team_interview_record(*, unit: Unit, date: datetime.date, issue: str, by_whom: str, by) -> TeamInterview:
    """约谈 of a leadership team (seed 004, Xianyang); it caps the team's and its main
    leader's grades for the year."""
    if not unit.has_leadership_team:
        raise DomainError(f"{unit.qualified_name}不设领导班子。")
    if date > timezone.localdate():
        raise DomainError("约谈日期不能晚于今天。")
    interview = TeamInterview(unit=unit, date=date, issue=issue, by_whom=by_whom, recorded_by=by)
    interview.full_clean()
    return _save(interview, by)


# ---------------------------------------------------------------- quarterly analysis


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def review_deadline(year: int, quarter: int) -> datetime.date:
    return quarter_bounds(year, quarter)[1] + datetime.timedelta(days=REVIEW_DEADLINE_DAYS)


def quarterly_review_open(*, department: Unit, year: int, quarter: int, by=None) -> tuple[QuarterlyReview, bool]:
    """Open one department's review for a quarter; opening it again changes nothing (the
    unique key decides, so two runs at once cannot both create it)."""
    if department.kind not in DEPARTMENT_KINDS:
        raise DomainError(f"{department.qualified_name}不是开展季度分析研判的地区（市、县区）。")
    if quarter not in (1, 2, 3, 4):
        raise DomainError("季度应为 1 至 4。")
    key = {"department": department, "year": year, "quarter": quarter}
    existing = QuarterlyReview.objects.filter(**key).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            review = _save(QuarterlyReview(**key, deadline=review_deadline(year, quarter)), by)
            _save(ReviewEvent(review=review, from_status="", to_status=ReviewStatus.OPEN, actor=by,
                              reason="开启季度分析研判" if by else "按季度自动开启"), by)
    except IntegrityError:  # opened by a concurrent run: the unique key kept it single
        return QuarterlyReview.objects.get(**key), False
    return review, True


def quarterly_reviews_open(today: datetime.date | None = None) -> list[QuarterlyReview]:
    """The periodic job: open the current quarter's review for every department (city and
    counties). Safe to run twice: returns only the reviews it created."""
    year, quarter = quarter_of(today or timezone.localdate())
    created = []
    for department in Unit.objects.filter(kind__in=DEPARTMENT_KINDS).order_by("path"):
        review, was_created = quarterly_review_open(department=department, year=year, quarter=quarter)
        if was_created:
            created.append(review)
    return created


def _locked_review(review) -> QuarterlyReview:
    return QuarterlyReview.objects.select_for_update().select_related("department").get(pk=review.pk)


def _require_status(review: QuarterlyReview, *expected: str) -> None:
    if review.status not in expected:
        allowed = "、".join(ReviewStatus(s).label for s in expected)
        raise DomainError(f"研判当前处于“{review.get_status_display()}”状态，只能在“{allowed}”状态下办理此项"
                          f"（可能已被他人办理，请刷新页面）。")


def _move(review: QuarterlyReview, *, to: str, by, reason: str) -> QuarterlyReview:
    event = ReviewEvent(review=review, from_status=review.status, to_status=to, actor=by, reason=reason)
    review.status = to
    _save(review, by, update_fields=["status"])
    _save(event, by)
    audit_log(AuditEvent.Type.TRANSITION, user=by, obj=review, detail=f"{event.get_from_status_display()} → {event.get_to_status_display()}：{reason}")
    return review


def _sync_facts(review: QuarterlyReview, by) -> tuple[int, int]:
    """Bring the gathered items in line with the other modules: add new facts, drop those
    whose record no longer counts (e.g. a measure since waived by a 免责 ruling). Set-based;
    a second run adds nothing."""
    facts = {(f.source, f.source_id): f for f in quarter_facts(review)}
    existing = {(source, source_id): pk for pk, source, source_id in
                review.items.filter(source_id__isnull=False).values_list("pk", "source", "source_id")}
    new = [InformationItem(review=review, cadre_id=f.cadre_id, source=f.source, source_id=f.source_id,
                           polarity=f.polarity, date=f.date, summary=f.summary)
           for key, f in facts.items() if key not in existing]
    bulk_create_with_history(new, InformationItem, default_user=by)
    stale = [pk for key, pk in existing.items() if key not in facts]
    for item in InformationItem.objects.filter(pk__in=stale):
        item._history_user = by
        item.delete()
    return len(new), len(stale)


@transaction.atomic
def review_start_collecting(*, review: QuarterlyReview, by) -> QuarterlyReview:
    """开始收集信息: gathers the quarter's facts from the other modules."""
    review = _locked_review(review)
    _require_status(review, ReviewStatus.OPEN)
    added, _ = _sync_facts(review, by)
    return _move(review, to=ReviewStatus.COLLECTING, by=by, reason=f"开始收集信息，自动汇集 {added} 条")


@transaction.atomic
def review_gather(*, review: QuarterlyReview, by) -> tuple[int, int]:
    """Gather again (new records since the last time); returns (added, removed)."""
    review = _locked_review(review)
    _require_status(review, ReviewStatus.COLLECTING)
    return _sync_facts(review, by)


@transaction.atomic
def information_item_add(*, review: QuarterlyReview, cadre: Cadre, source: str, date: datetime.date, summary: str,
                         by, polarity: str = Polarity.NEUTRAL) -> InformationItem:
    """Information entered by staff: from discipline, audit, petitions, inspections or
    frontline observation (seed 002 art. 14(1))."""
    review = _locked_review(review)
    _require_status(review, ReviewStatus.OPEN, ReviewStatus.COLLECTING)
    if source not in MANUAL_SOURCES:
        raise DomainError("请选择信息来源（纪检监察、审计、信访、巡察、一线考察识别或其他）。")
    if not review_scope(review).filter(pk=cadre.pk).exists():
        raise DomainError(f"{cadre.name}不在{review.department.qualified_name}的研判范围内。")
    start, end = review.period
    if not start <= date <= end:
        raise DomainError(f"信息日期应在本季度内（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）。")
    if not summary.strip():
        raise DomainError("请填写情况摘要。")
    return _save(InformationItem(review=review, cadre=cadre, source=source, date=date, summary=summary,
                                 polarity=polarity, entered_by=by), by)


@transaction.atomic
def ranking_record(*, review: QuarterlyReview, evaluator: Cadre, evaluator_title: str, category: str,
                   entries: list[tuple[Cadre, int, str]], by) -> Ranking:
    """One evaluator's ranking (seed 002 art. 14(2)): entries are (cadre, position, bold-work
    note); positions must be exactly 1…n, each once."""
    review = _locked_review(review)
    _require_status(review, ReviewStatus.COLLECTING)
    if not evaluator_title.strip() or not category.strip():
        raise DomainError("请填写评价人职务和排名类别。")
    if not entries:
        raise DomainError("请至少为一名干部填写名次。")
    positions = sorted(p for _, p, _ in entries)
    if positions != list(range(1, len(entries) + 1)):
        raise DomainError(f"名次应为 1 至 {len(entries)} 且各不相同（共 {len(entries)} 人），"
                          f"现填写的名次为 {'、'.join(map(str, positions))}。")
    ranked_ids = {c.pk for c, _, _ in entries}
    if len(ranked_ids) != len(entries):
        raise DomainError("同一名干部不能重复排名。")
    if evaluator.pk in ranked_ids:
        raise DomainError("评价人不能对本人排名。")
    in_scope = set(review_scope(review).filter(pk__in=ranked_ids | {evaluator.pk}).values_list("pk", flat=True))
    outside = [c.name for c, _, _ in entries if c.pk not in in_scope]
    if evaluator.pk not in in_scope:
        outside.insert(0, f"评价人{evaluator.name}")
    if outside:
        raise DomainError(f"不在{review.department.qualified_name}研判范围内：{'、'.join(outside)}。")
    if review.rankings.filter(evaluator=evaluator, category=category.strip()).exists():
        raise DomainError(f"{evaluator.name}对“{category}”的排名已经录入；如需修改，请先删除原排名。")
    ranking = _save(Ranking(review=review, evaluator=evaluator, evaluator_title=evaluator_title.strip(),
                            category=category.strip(), entered_by=by), by)
    bulk_create_with_history([RankingEntry(ranking=ranking, cadre=c, position=p, bold_work_note=(note or "").strip())
                              for c, p, note in entries], RankingEntry, default_user=by)
    return ranking


@transaction.atomic
def ranking_delete(*, ranking: Ranking, by) -> None:
    """Withdraw a ranking entered by mistake, while information is still being collected."""
    review = _locked_review(ranking.review)
    _require_status(review, ReviewStatus.COLLECTING)
    if not Ranking.objects.filter(pk=ranking.pk).exists():  # under the review's lock: a repeated post
        raise DomainError("该排名已被删除（可能已被他人删除），请刷新页面。")
    for entry in ranking.entries.all():
        entry._history_user = by
        entry.delete()
    ranking._history_user = by
    ranking.delete()


@transaction.atomic
def review_finish_ranking(*, review: QuarterlyReview, by) -> QuarterlyReview:
    review = _locked_review(review)
    _require_status(review, ReviewStatus.COLLECTING)
    count = review.rankings.count()
    if not count:
        raise DomainError("尚未录入任何综合评价排名，不能结束排名。")
    return _move(review, to=ReviewStatus.RANKED, by=by, reason=f"综合评价排名完成，共 {count} 份排名")


@transaction.atomic
def team_report_write(*, review: QuarterlyReview, unit: Unit, text: str, by) -> TeamReport:
    """The analysis report of one leadership team (seed 002 art. 14(3))."""
    review = _locked_review(review)
    _require_status(review, ReviewStatus.RANKED)
    if not unit.has_leadership_team or not unit.path.startswith(review.department.path):
        raise DomainError(f"{unit.qualified_name}不是{review.department.qualified_name}研判范围内的领导班子。")
    if not text.strip():
        raise DomainError("请填写研判报告。")
    report = TeamReport.objects.select_for_update().filter(review=review, unit=unit).first()
    if report is None:
        return _save(TeamReport(review=review, unit=unit, text=text, written_by=by), by)
    if report.text != text:
        report.text, report.written_by = text, by
        _save(report, by, update_fields=["text", "written_by", "updated_at"])
    return report


@transaction.atomic
def review_report(*, review: QuarterlyReview, by) -> QuarterlyReview:
    """研判报告完成: the facts are brought up to date once more, then the quarter's facts
    are written into each cadre's achievement record (实绩档案, seed 002 art. 14(1)), one
    record per cadre, in bulk with history."""
    review = _locked_review(review)
    _require_status(review, ReviewStatus.RANKED)
    reports = review.reports.count()
    if not reports:
        raise DomainError("尚未撰写任何领导班子研判报告。")
    _sync_facts(review, by)
    lines: dict[int, list[str]] = {}
    for cadre_id, date, source, polarity, summary in review.items.order_by("cadre_id", "date", "id").values_list(
            "cadre_id", "date", "source", "polarity", "summary"):
        label = InformationItem(source=source).get_source_display()
        mark = {Polarity.POSITIVE: "＋", Polarity.NEGATIVE: "－"}.get(polarity, "·")
        lines.setdefault(cadre_id, []).append(f"{mark} {date:%Y-%m-%d} {label}：{summary}")
    records = [AchievementRecord(
        cadre_id=cadre_id, year=review.year, quarter=review.quarter, source=AchievementSource.QUARTERLY,
        description=f"{review.department.qualified_name}{review.year}年第{review.quarter}季度分析研判记入：\n" + "\n".join(items),
        recorded_by=by) for cadre_id, items in lines.items()]
    bulk_create_with_history(records, AchievementRecord, default_user=by)
    return _move(review, to=ReviewStatus.REPORTED, by=by,
                 reason=f"研判报告 {reports} 份完成，{len(records)} 名干部的季度情况记入实绩档案")


@transaction.atomic
def review_close(*, review: QuarterlyReview, by) -> QuarterlyReview:
    review = _locked_review(review)
    _require_status(review, ReviewStatus.REPORTED)
    return _move(review, to=ReviewStatus.CLOSED, by=by, reason="季度分析研判办结")


# ---------------------------------------------------------------- promotion


@transaction.atomic
def priority_record_add(*, cadre: Cadre, situation: str, facts: str, recorded_on: datetime.date, by,
                        organization_finding: str = "") -> PriorityRecord:
    """Record a priority-promotion situation (seed 002 art. 3, annex 1). Art. 3(4) — setbacks
    or criticism from bold work — needs the organization's finding that the cadre is truly
    excellent, and no tolerance ruling."""
    if situation not in dict(PRIORITY_SITUATIONS):
        raise DomainError("请选择优先提拔使用的情形。")
    if not facts.strip():
        raise DomainError("请填写事实和依据。")
    if situation == BOLD_WORK_SITUATION and not organization_finding.strip():
        raise DomainError("第三条（四）情形须经组织考察确实优秀：请填写组织考察结论。")
    if recorded_on > timezone.localdate():
        raise DomainError("登记日期不能晚于今天。")
    return _save(PriorityRecord(cadre=cadre, situation=situation, facts=facts, organization_finding=organization_finding,
                                recorded_on=recorded_on, recorded_by=by), by)


# ---------------------------------------------------------------- promotions


def promotion_record_for_posting(*, posting, rank_before: str, by) -> Promotion | None:
    """Called by cadres.services.posting_add, in its transaction, for a new current posting:
    when its rank is above the one held before (职务职级晋升), record the promotion with the
    priority reasons the shortlist gives the cadre on the day of the posting (a snapshot).
    A transfer at the same level or a demotion records nothing."""
    if not (posting.rank and rank_before) or RANK_LEVEL.get(posting.rank, -1) <= RANK_LEVEL.get(rank_before, -1):
        return None
    reasons = shortlist_priority_reasons(cadre_id=posting.cadre_id, unit=posting.unit, target_rank=posting.rank,
                                         on=posting.start_date)
    return _save(Promotion(posting=posting, cadre_id=posting.cadre_id, unit=posting.unit,
                           promoted_on=posting.start_date, rank_before=rank_before, rank_after=posting.rank,
                           position=posting.position, priority_reasons="\n".join(reasons),
                           priority_count=len(reasons), recorded_by=by), by)
