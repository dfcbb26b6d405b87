"""Reads of the assessment module. Which objects a user may see always starts from the
registry's selectors (cadres_visible_to, units_visible_to); whole-unit computations (caps,
quota, quarter facts, rankings, the shortlist) are set-based: a fixed number of queries
whatever the number of cadres."""
import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from dateutil.relativedelta import relativedelta
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from assessment.catalogs import DEFAULT_CEILING_PERCENT, DEFAULT_NORMAL_PERCENT, PRIORITY_SITUATIONS
from assessment.models import (
    DEPARTMENT_KINDS,
    ApprovalStatus,
    AssessmentYear,
    CadreGrade,
    CapSubject,
    CapTrigger,
    Grade,
    GradeCapPolicy,
    GradeReview,
    InformationItem,
    InfoSource,
    Polarity,
    PriorityRecord,
    Promotion,
    QuarterlyReview,
    QuotaApproval,
    QuotaRule,
    RankingEntry,
    ReviewEvent,
    ReviewRequestStatus,
    ReviewStatus,
    TeamGrade,
    TeamInterview,
)
from assessment.qualifications import Qualification, qualification_blocks, qualification_for
from cadres.models import (
    AchievementRecord,
    AchievementSource,
    Cadre,
    CadreStatus,
    Commendation,
    CommendationLevel,
    MeasureKind,
    Rank,
    RecordStatus,
    Sanction,
    SupervisionMeasure,
    Unit,
    UnitKind,
    unit_qualified_name,
)
from cadres.selectors import cadres_in_subtree, cadres_visible_to, units_visible_to
from cadres.tenure import township_full_years
from core import roles
from core.db import date_between, kept_until_changed, models_read_by
from core.validation import safe_date_add

# ---------------------------------------------------------------- who may see and act


def can_grade(user) -> bool:
    """Organization-department staff enter grades and run the quarterly reviews."""
    return roles.can_edit_registry(user)


def can_approve(user) -> bool:
    """Leaders approve 优秀 grades above the normal share."""
    return roles.is_leader(user)


def assessment_years_visible_to(user) -> QuerySet[AssessmentYear]:
    return AssessmentYear.objects.filter(unit__in=units_visible_to(user))


def grades_visible_to(user) -> QuerySet[CadreGrade]:
    """A grade is part of the cadre's record: it follows the cadre's current unit."""
    return CadreGrade.objects.filter(cadre__in=cadres_visible_to(user))


def team_interviews_visible_to(user) -> QuerySet[TeamInterview]:
    return TeamInterview.objects.filter(unit__in=units_visible_to(user))


def reviews_visible_to(user) -> QuerySet[QuarterlyReview]:
    return QuarterlyReview.objects.filter(department__in=units_visible_to(user))


def ranking_entries_visible_to(user) -> QuerySet[RankingEntry]:
    """The entries of the rankings of the reviews the user may see, as the review's rankings
    tab shows them: a ranking stays with the review it was given in, so an entry of a cadre
    transferred since still shows (without a link to the cadre)."""
    return RankingEntry.objects.filter(ranking__review__in=reviews_visible_to(user))


def priority_records_visible_to(user) -> QuerySet[PriorityRecord]:
    return PriorityRecord.objects.filter(cadre__in=cadres_visible_to(user))


def departments_visible_to(user) -> QuerySet[Unit]:
    return units_visible_to(user).filter(kind__in=DEPARTMENT_KINDS).order_by("path")


# ---------------------------------------------------------------- lists


def assessment_year_list(*, user, year=None, unit=None, status="", q="") -> QuerySet[AssessmentYear]:
    qs = assessment_years_visible_to(user).select_related("unit", "team_grade").annotate(
        graded=Count("grades", distinct=True),
        excellent=Count("grades", filter=Q(grades__grade=Grade.EXCELLENT), distinct=True))
    if year:
        qs = qs.filter(year=year)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(unit__name__contains=q)
    return qs.order_by("-year", "unit__path", "id")


def year_grade_list(*, user, assessment_year, grade="", q="") -> QuerySet[CadreGrade]:
    qs = grades_visible_to(user).filter(assessment_year=assessment_year).select_related("cadre", "graded_by")
    if grade:
        qs = qs.filter(grade=grade)
    if q:
        qs = qs.filter(cadre__name__contains=q)
    return qs.order_by("cadre__name", "id")


def team_interview_list(*, user, unit=None, year=None, q="") -> QuerySet[TeamInterview]:
    qs = team_interviews_visible_to(user).select_related("unit", "recorded_by")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if year:
        qs = qs.filter(date__year=year)
    if q:
        qs = qs.filter(Q(issue__contains=q) | Q(unit__name__contains=q))
    return qs.order_by("-date", "-id")


# How a grade was narrowed by the caps (GradeCapRule triggers): the facts grade_limits reads,
# as SQL conditions on CadreGrade, so the dashboard and the grade list count the same grades.
CAP_CAUSES = {
    "interview": "本人当年被约谈",
    "influence": "考核基准日处于处分影响期内",
}


def grade_capped_q(cause: str = "") -> Q:
    """Grades whose cadre met a cap trigger of the default rules (《咸阳市领导班子和领导干部约谈办法
    （试行）》: a cadre interviewed in the year; DESIGN §3: the assessment date inside an influence
    period): only measures and sanctions in force count, as in grade_limits. No cause: either."""
    interview = Exists(SupervisionMeasure.objects.filter(
        cadre=OuterRef("cadre_id"), kind=MeasureKind.INTERVIEW, status=RecordStatus.IN_FORCE,
        date__year=OuterRef("year")))
    influence = Exists(Sanction.objects.filter(
        cadre=OuterRef("cadre_id"), status=RecordStatus.IN_FORCE,
        decision_date__lte=OuterRef("assessment_year__assessment_date"),
        influence_end__gt=OuterRef("assessment_year__assessment_date")))
    if cause == "interview":
        return Q(interview)
    if cause == "influence":
        return Q(influence)
    return Q(interview) | Q(influence)


REVIEW_RESULTS = {"any": "申请复核", **{s.value: s.label for s in ReviewRequestStatus}}


def grade_review_q(result: str) -> Q:
    """Grades with a re-review (any), or one with the given status (复核中, 维持, 变更)."""
    reviews = GradeReview.objects.filter(grade=OuterRef("pk"))
    if result != "any":
        reviews = reviews.filter(status=result)
    return Q(Exists(reviews))


def grades_by_assessing_unit(user) -> QuerySet[CadreGrade]:
    """Grades of the assessment years the user may see: a grade stays with the unit that
    assessed it, so a cadre transferred since counts where they were graded."""
    return CadreGrade.objects.filter(assessment_year__in=assessment_years_visible_to(user))


def grade_filter_q(*, year=None, grade="", capped="", review="") -> Q:
    q = Q()
    if year:
        q &= Q(year=year)
    if grade:
        q &= Q(grade=grade)
    if capped:
        q &= grade_capped_q("" if capped == "all" else capped)
    if review:
        q &= grade_review_q(review)
    return q


def grade_list(*, user, year=None, unit=None, grade="", capped="", review="", q="") -> QuerySet[CadreGrade]:
    """Grades across the assessment years in a unit subtree (by the assessing unit)."""
    qs = grades_by_assessing_unit(user).filter(grade_filter_q(year=year, grade=grade, capped=capped, review=review))
    if unit is not None:
        qs = qs.filter(assessment_year__unit__path__startswith=unit.path)
    if q:
        qs = qs.filter(cadre__name__contains=q)
    return qs.select_related("cadre", "assessment_year__unit").order_by("-year", "assessment_year__unit__path",
                                                                       "cadre__name", "id")


# A quarterly review is held when its report is done (研判报告完成, ReviewEvent to REPORTED).
TIMELINESS = {"on_time": "按期完成", "late": "逾期完成", "missing": "逾期未完成"}


def review_timeliness_q(timeliness: str, today: datetime.date) -> Q:
    reported = ReviewEvent.objects.filter(review=OuterRef("pk"), to_status=ReviewStatus.REPORTED)
    on_time = Exists(reported.filter(at__date__lte=OuterRef("deadline")))
    if timeliness == "on_time":
        return Q(on_time)
    if timeliness == "late":
        return Q(Exists(reported)) & ~Q(on_time)
    return ~Q(Exists(reported)) & Q(deadline__lt=today)


def review_list(*, user, year=None, quarter=None, status="", department=None, unit=None, timeliness="",
                today: datetime.date | None = None) -> QuerySet[QuarterlyReview]:
    qs = reviews_visible_to(user).select_related("department").annotate(
        item_count=Count("items", distinct=True), ranking_count=Count("rankings", distinct=True))
    if year:
        qs = qs.filter(year=year)
    if quarter:
        qs = qs.filter(quarter=quarter)
    if status:
        qs = qs.filter(status=status)
    if department is not None:
        qs = qs.filter(department=department)
    if unit is not None:
        qs = qs.filter(department__path__startswith=unit.path)
    if timeliness:
        qs = qs.filter(review_timeliness_q(timeliness, today or timezone.localdate()))
    return qs.order_by("-year", "-quarter", "department__path", "id")


def ranking_entry_filter_q(*, year=None, quarter=None, category="", bold=False) -> Q:
    """The filters of the ranking entry list (shared with the leaders' dashboard): the review's
    year and quarter, the ranking's category, and only entries with a 敢抓敢管说明."""
    q = Q()
    if year:
        q &= Q(ranking__review__year=year)
    if quarter:
        q &= Q(ranking__review__quarter=quarter)
    if category:
        q &= Q(ranking__category__contains=category)
    if bold:
        q &= ~Q(bold_work_note="")
    return q


def ranking_entry_list(*, user, year=None, quarter=None, unit=None, review=None, category="", bold=False,
                       q="") -> QuerySet[RankingEntry]:
    """Ranking entries of visible reviews, by the review's department subtree (`unit`), each
    with the number of cadres ranked in its ranking (`ranked`)."""
    qs = ranking_entries_visible_to(user).filter(
        ranking_entry_filter_q(year=year, quarter=quarter, category=category, bold=bold))
    if unit is not None:
        qs = qs.filter(ranking__review__department__path__startswith=unit.path)
    if review is not None:
        qs = qs.filter(ranking__review=review)
    if q:
        qs = qs.filter(cadre__name__contains=q)
    ranked = (RankingEntry.objects.filter(ranking=OuterRef("ranking_id")).order_by().values("ranking")
              .annotate(n=Count("pk")).values("n"))
    return (qs.select_related("ranking__review__department", "ranking__evaluator", "cadre__unit")
            .annotate(ranked=Subquery(ranked))
            .order_by("-ranking__review__year", "-ranking__review__quarter", "ranking__review__department__path",
                      "ranking__category", "ranking_id", "position", "id"))


def priority_filter_q(*, situation="", since=None, until=None) -> Q:
    """The record filters of the priority list (shared with the leaders' dashboard)."""
    q = date_between("recorded_on", since, until)
    if situation:
        q &= Q(situation=situation)
    return q


def priority_record_list(*, user, situation="", q="", unit=None, since=None, until=None) -> QuerySet[PriorityRecord]:
    qs = priority_records_visible_to(user).select_related("cadre__unit", "recorded_by")
    qs = qs.filter(priority_filter_q(situation=situation, since=since, until=until))
    if q:
        qs = qs.filter(cadre__name__contains=q)
    if unit is not None:
        qs = qs.filter(cadre__unit__path__startswith=unit.path)
    return qs.order_by("-recorded_on", "-id")


# ---------------------------------------------------------------- policy data


def ancestor_paths(unit: Unit) -> list[str]:
    steplen = Unit.steplen
    return [unit.path[:i] for i in range(steplen, len(unit.path) + 1, steplen)]


def cap_policy_for(unit: Unit, on: datetime.date) -> GradeCapPolicy | None:
    """The caps in force for the unit on the date: the nearest ancestor's own policy, else
    the default set (no unit)."""
    return (
        GradeCapPolicy.objects.filter(Q(unit__path__in=ancestor_paths(unit)) | Q(unit__isnull=True),
                                      effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by(F("unit__depth").desc(nulls_last=True), "-effective_from", "-id")
        .prefetch_related("rules")
        .first()
    )


@dataclass(frozen=True)
class QuotaPercents:
    normal: int
    ceiling: int
    citation: str = ""


def quota_percents(unit: Unit) -> QuotaPercents:
    rule = QuotaRule.objects.filter(unit_kind=unit.kind).first()
    if rule is None:
        return QuotaPercents(DEFAULT_NORMAL_PERCENT, DEFAULT_CEILING_PERCENT)
    return QuotaPercents(rule.normal_percent, rule.ceiling_percent, rule.citation)


# ---------------------------------------------------------------- annual assessment


def year_grades(assessment_year: AssessmentYear) -> dict[int, str]:
    """cadre id → grade of everyone graded in the unit-year (a few hundred at most): one
    query that the roster, the quota and the batch page share."""
    return dict(CadreGrade.objects.filter(assessment_year=assessment_year).order_by().values_list("cadre_id", "grade"))


def assessed_cadres(assessment_year: AssessmentYear, *, within: QuerySet[Cadre] | None = None,
                    graded: Iterable[int] | None = None) -> QuerySet[Cadre]:
    """Those taking part in the unit's assessment (among `within`, e.g. the user's visible
    cadres): its active cadres, and anyone already graded in it (a cadre graded and then
    transferred still counts). `graded`: the ids of year_grades when already read.

    The graded ids are read first (one unit-year: a few hundred at most), so the condition is
    "unit and status, or one of these ids": two index scans ORed as bitmaps. As a subquery the
    OR made PostgreSQL scan the whole cadre table, so the page grew with the city (issue #16)."""
    if graded is None:
        graded = year_grades(assessment_year)
    return (Cadre.objects if within is None else within).filter(
        Q(unit_id=assessment_year.unit_id, status=CadreStatus.ACTIVE) | Q(pk__in=list(graded)))


@dataclass
class QuotaFigures:
    """The 优秀 quota of a unit-year: floor(n × normal %) passes, up to floor(n × ceiling %)
    with a leader's approval, never beyond."""

    unit_name: str
    assessed: int
    excellent: int
    normal_percent: int
    ceiling_percent: int
    approved_count: int | None = None
    pending_count: int | None = None

    @property
    def normal_max(self) -> int:
        return self.assessed * self.normal_percent // 100

    @property
    def ceiling_max(self) -> int:
        return self.assessed * self.ceiling_percent // 100

    @property
    def allowed(self) -> int:
        if self.approved_count is not None:
            return max(self.normal_max, min(self.approved_count, self.ceiling_max))
        return self.normal_max

    def refusal(self, total: int) -> str | None:
        """Why `total` 优秀 grades in the unit-year are not allowed (None if they are)."""
        n = self.assessed
        if total <= self.normal_max:
            return None
        if total > self.ceiling_max:
            return (f"优秀等次超过最高比例：{self.unit_name}参加考核 {n} 人，优秀最多 {self.ceiling_max} 名"
                    f"（{n}×{self.ceiling_percent}% 向下取整），本次保存后将达 {total} 名。")
        if self.approved_count is not None and total <= self.allowed:
            return None
        approved = f"（已批准至 {self.allowed} 名）" if self.approved_count is not None else ""
        return (f"优秀等次超过常规比例：{self.unit_name}参加考核 {n} 人，常规比例内最多 {self.normal_max} 名"
                f"（{n}×{self.normal_percent}% 向下取整），本次保存后将达 {total} 名。超出常规比例、"
                f"不超过 {self.ceiling_max} 名（{self.ceiling_percent}%）的，须经领导批准{approved}。")


def quota_figures(assessment_year: AssessmentYear, *, excellent: int | None = None,
                  graded: dict[int, str] | None = None) -> QuotaFigures:
    """`graded`: year_grades(assessment_year) when the caller has read it already."""
    percents = quota_percents(assessment_year.unit)
    approved = pending = None
    for approval in assessment_year.quota_approvals.filter(
            status__in=[ApprovalStatus.APPROVED, ApprovalStatus.PENDING]).order_by("-decided_at", "-id"):
        if approval.status == ApprovalStatus.APPROVED:
            approved = approved or approval  # the latest decision stands
        else:
            pending = pending or approval
    if graded is None:
        graded = year_grades(assessment_year)
    if excellent is None:
        excellent = sum(1 for grade in graded.values() if grade == Grade.EXCELLENT)
    return QuotaFigures(
        unit_name=assessment_year.unit.qualified_name, assessed=assessed_cadres(assessment_year, graded=graded).count(),
        excellent=excellent, normal_percent=percents.normal, ceiling_percent=percents.ceiling,
        approved_count=approved.excellent_count if approved else None,
        pending_count=pending.excellent_count if pending else None)


def quota_use(*, user, unit: Unit, year: int) -> list[tuple[AssessmentYear, QuotaFigures]]:
    """The 优秀 quota of every assessment year in the unit subtree for the year (the user's
    visible ones), as quota_figures computes it for one, in five queries whatever the number
    of units: the years, the assessed (active cadres of each unit, plus those graded in it who
    are not), the 优秀 granted, the approvals, the quota rules."""
    years = list(assessment_years_visible_to(user).filter(year=year, unit__path__startswith=unit.path)
                 .select_related("unit").order_by("unit__path"))
    if not years:
        return []
    by_unit = {ay.unit_id: ay for ay in years}
    active = dict(Cadre.objects.filter(unit_id__in=list(by_unit), status=CadreStatus.ACTIVE).order_by()
                  .values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))
    graded = {ay_id: (n, excellent) for ay_id, n, excellent in (
        CadreGrade.objects.filter(assessment_year__in=years).order_by().values("assessment_year_id").annotate(
            n=Count("pk", filter=~Q(cadre__status=CadreStatus.ACTIVE, cadre__unit_id=F("assessment_year__unit_id"))),
            excellent=Count("pk", filter=Q(grade=Grade.EXCELLENT)))
        .values_list("assessment_year_id", "n", "excellent"))}
    approved: dict[int, int] = {}
    for ay_id, count in (QuotaApproval.objects.filter(assessment_year__in=years, status=ApprovalStatus.APPROVED)
                         .order_by("assessment_year_id", "decided_at", "id")
                         .values_list("assessment_year_id", "excellent_count")):
        approved[ay_id] = count  # the latest decision wins, as in quota_figures
    rules = {r.unit_kind: r for r in QuotaRule.objects.all()}
    result = []
    for ay in years:
        rule = rules.get(ay.unit.kind)
        others, excellent = graded.get(ay.pk, (0, 0))
        result.append((ay, QuotaFigures(
            unit_name=ay.unit.name, assessed=active.get(ay.unit_id, 0) + others, excellent=excellent,
            normal_percent=rule.normal_percent if rule else DEFAULT_NORMAL_PERCENT,
            ceiling_percent=rule.ceiling_percent if rule else DEFAULT_CEILING_PERCENT,
            approved_count=approved.get(ay.pk))))
    return result


@dataclass
class Limits:
    """The grades one cadre (or the team) may receive, and the rules that narrow them."""

    scale: list[str]
    facts: list[str] = field(default_factory=list)
    triggered: list[tuple] = field(default_factory=list)  # (rule, policy title, figure)

    @property
    def allowed(self) -> list[str]:
        allowed = list(self.scale)
        for rule, _, _ in self.triggered:
            allowed = [g for g in allowed if g in rule.allowed_grades]
        return allowed

    def refusal(self, grade: str) -> str | None:
        blocking = [(r, title, fig) for r, title, fig in self.triggered if grade not in r.allowed_grades]
        if not blocking:
            return None
        reasons = "；".join(f"{fig}（《{title}》第{r.number}条：{r.citation.rstrip('。')}）" for r, title, fig in blocking)
        allowed = "、".join(self.allowed) or "无"
        return f"不能评为“{grade}”：{reasons}。只能评定为：{allowed}。"


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def team_interview_count(unit: Unit, year: int) -> int:
    """Only interviews in force count (DESIGN §3: exempted matters never count)."""
    return TeamInterview.objects.filter(unit=unit, status=RecordStatus.IN_FORCE, date__range=_year_bounds(year)).count()


def grade_limits(assessment_year: AssessmentYear, cadres: list[Cadre]) -> tuple[dict[int, Limits], Limits]:
    """The caps of seed 004 (Xianyang) as the jurisdiction's policy data, for a batch of
    cadres and the unit's team: three queries for any number of cadres. Only sanctions and
    measures in force count, so a matter ruled 免责 (waived) never caps a grade."""
    year, on = assessment_year.year, assessment_year.assessment_date
    policy = cap_policy_for(assessment_year.unit, on)
    rules = list(policy.rules.all()) if policy else []
    ids = [c.pk for c in cadres]
    interviews = dict(
        SupervisionMeasure.objects.filter(cadre_id__in=ids, kind=MeasureKind.INTERVIEW, status=RecordStatus.IN_FORCE,
                                          date__range=_year_bounds(year))
        .values("cadre_id").annotate(n=Count("id")).values_list("cadre_id", "n"))
    influence: dict[int, list[str]] = {}
    for cadre_id, type_name, decided, end in (
            Sanction.objects.filter(cadre_id__in=ids, status=RecordStatus.IN_FORCE, decision_date__lte=on,
                                    influence_end__gt=on)
            .values_list("cadre_id", "sanction_type__name", "decision_date", "influence_end")):
        influence.setdefault(cadre_id, []).append(
            f"{type_name}（{decided:%Y-%m-%d}作出，影响期至{end:%Y-%m-%d}止）")
    team_count = team_interview_count(assessment_year.unit, year) if rules else 0

    def triggered(subject, counts: dict) -> list[tuple]:
        hits = []
        for rule in rules:
            if rule.subject != subject:
                continue
            count, figure = counts.get(rule.trigger, (0, ""))
            if count >= rule.min_count:
                hits.append((rule, policy.title, figure))
        return hits

    team_fig = (team_count, f"领导班子本年度被约谈 {team_count} 次")
    result = {}
    for cadre in cadres:
        n = interviews.get(cadre.pk, 0)
        sanctions = influence.get(cadre.pk, [])
        counts = {
            CapTrigger.CADRE_INTERVIEWS: (n, f"本年度被约谈 {n} 次"),
            CapTrigger.INFLUENCE_PERIOD: (len(sanctions), f"考核基准日（{on:%Y-%m-%d}）处于处分影响期内：{'、'.join(sanctions)}"),
        }
        limits = Limits(scale=Grade.values, triggered=triggered(CapSubject.CADRE, counts))
        if cadre.is_main_leader:
            limits.triggered += triggered(CapSubject.MAIN_LEADER, {
                **counts, CapTrigger.TEAM_INTERVIEWS: team_fig})
        if n:
            limits.facts.append(f"本年度被约谈 {n} 次")
        limits.facts += [f"处分影响期：{s}" for s in sanctions]
        if cadre.is_main_leader and team_count:
            limits.facts.append(f"所在班子本年度被约谈 {team_count} 次")
        result[cadre.pk] = limits
    team = Limits(scale=TeamGrade.values, triggered=triggered(CapSubject.TEAM, {CapTrigger.TEAM_INTERVIEWS: team_fig}))
    if team_count:
        team.facts.append(f"本年度被约谈 {team_count} 次")
    return result, team


def bold_work_notes(cadre_ids, year: int) -> dict[int, list[str]]:
    """Seed 000 Q4: notes on cadres ranked low because they dared to take on hard cases, from
    the year's quarterly rankings, shown to whoever grades them."""
    notes: dict[int, list[str]] = {}
    rows = (RankingEntry.objects.filter(cadre_id__in=cadre_ids, ranking__review__year=year)
            .exclude(bold_work_note="")
            .values_list("cadre_id", "ranking__review__quarter", "ranking__evaluator_title", "ranking__evaluator__name",
                         "position", "bold_work_note")
            .order_by("ranking__review__quarter", "id"))
    for cadre_id, quarter, title, evaluator, position, note in rows:
        notes.setdefault(cadre_id, []).append(f"第{quarter}季度{title}{evaluator}排第{position}名：{note}")
    return notes


@dataclass
class GradingRow:
    cadre: Cadre
    current: CadreGrade | None
    limits: Limits
    notes: list[str]
    elsewhere: str = ""


def grading_rows(assessment_year: AssessmentYear, cadres: list[Cadre]) -> tuple[list[GradingRow], Limits]:
    """Everything the batch page shows beside each cadre: the current grade (or the unit that
    already graded them this year), the caps that apply and why, and the bold-work notes."""
    ids = [c.pk for c in cadres]
    current, elsewhere = {}, {}
    # One grade per cadre and year (grade_one_per_cadre_year): this unit's, or another's.
    for grade in (CadreGrade.objects.filter(cadre_id__in=ids, year=assessment_year.year).order_by()
                  .annotate(unit_name=F("assessment_year__unit__name"), unit_path=F("assessment_year__unit__path"))):
        if grade.assessment_year_id == assessment_year.pk:
            current[grade.cadre_id] = grade
        else:
            elsewhere[grade.cadre_id] = unit_qualified_name(grade.unit_path, grade.unit_name)
    limits, team = grade_limits(assessment_year, cadres)
    notes = bold_work_notes(ids, assessment_year.year)
    return [GradingRow(c, current.get(c.pk), limits[c.pk], notes.get(c.pk, []), elsewhere.get(c.pk, ""))
            for c in cadres], team


def grade_reviews(grade: CadreGrade) -> QuerySet[GradeReview]:
    return grade.reviews.select_related("recorded_by", "answered_by")


# ---------------------------------------------------------------- quarterly analysis


def review_scope(review: QuarterlyReview) -> QuerySet[Cadre]:
    """The cadres of the department's jurisdiction (its unit's subtree)."""
    return Cadre.objects.filter(cadres_in_subtree(review.department.path))


def review_teams(review: QuarterlyReview) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=review.department.path, has_leadership_team=True).order_by("path")


@dataclass(frozen=True)
class Fact:
    source: str
    source_id: int
    cadre_id: int
    date: datetime.date
    polarity: str
    summary: str


def quarter_facts(review: QuarterlyReview) -> list[Fact]:
    """The quarter's facts from the other modules, for every cadre of the jurisdiction: one
    query per kind of record, none per cadre. Only sanctions and measures in force: a matter
    ruled 免责 never appears among the negative facts (DESIGN §3)."""
    from tolerance.models import Outcome, Ruling

    start, end = review.period
    scope = review_scope(review).values("pk")
    facts = []
    for pk, cadre_id, date, category, name, matter in Sanction.objects.filter(
            cadre_id__in=scope, status=RecordStatus.IN_FORCE, decision_date__range=(start, end)).values_list(
            "pk", "cadre_id", "decision_date", "sanction_type__category", "sanction_type__name", "matter"):
        facts.append(Fact(InfoSource.SANCTION, pk, cadre_id, date, Polarity.NEGATIVE, f"受到{category}·{name}：{matter}"))
    for pk, cadre_id, date, kind, issue, by_whom in SupervisionMeasure.objects.filter(
            cadre_id__in=scope, status=RecordStatus.IN_FORCE, date__range=(start, end)).values_list(
            "pk", "cadre_id", "date", "kind", "issue", "by_whom"):
        facts.append(Fact(InfoSource.MEASURE, pk, cadre_id, date, Polarity.NEGATIVE, f"被{by_whom}{kind}：{issue}"))
    for pk, cadre_id, date, outcome, title in Ruling.objects.filter(
            determination__status="current", determination__decided_on__range=(start, end),
            case_cadre__cadre_id__in=scope).values_list(
            "pk", "case_cadre__cadre_id", "determination__decided_on", "outcome", "case_cadre__case__title"):
        label = Outcome(outcome).label
        polarity = Polarity.NEGATIVE if outcome == Outcome.NOT_TOLERATED else Polarity.NEUTRAL
        extra = "（“四个不受影响”）" if outcome == Outcome.EXEMPT else ""
        facts.append(Fact(InfoSource.TOLERANCE, pk, cadre_id, date, polarity, f"容错纠错认定{label}{extra}：{title}"))
    for pk, cadre_id, description, source in AchievementRecord.objects.filter(
            cadre_id__in=scope, year=review.year, quarter=review.quarter).exclude(
            source=AchievementSource.QUARTERLY).values_list("pk", "cadre_id", "description", "source"):
        facts.append(Fact(InfoSource.ACHIEVEMENT, pk, cadre_id, end, Polarity.POSITIVE,
                          f"实绩（{source}）：{description}"[:500]))
    for pk, cadre_id, date, level, kind, title in Commendation.objects.filter(
            cadre_id__in=scope, date__range=(start, end)).values_list(
            "pk", "cadre_id", "date", "level", "kind", "title"):
        facts.append(Fact(InfoSource.COMMENDATION, pk, cadre_id, date, Polarity.POSITIVE, f"获{level}{kind}：{title}"))
    return facts + _allegation_facts(review, scope)


def _allegation_facts(review: QuarterlyReview, scope) -> list[Fact]:
    """Allegations (petitions, reports) concluded in the quarter, one fact per cadre named.

    Only conclusions count: an allegation still being verified, or closed without
    verification, says nothing yet about the cadre (seed 002 art. 11(3)). Found 属实 or 部分属实
    it is a negative fact, unless the accountability case it led to ruled the cadre 免责; 失实
    or 诬告陷害, a neutral one saying the cadre was cleared, so that the report is not held
    against them. Never who reported it. Keyed by the allegation-cadre link, as one
    allegation may name several cadres."""
    from tolerance.models import Allegation, AllegationStatus, Conclusion, Outcome, Ruling

    start, end = review.period
    rows = list(Allegation.subjects.through.objects.filter(
        cadre_id__in=scope, allegation__status=AllegationStatus.CONCLUDED,
        allegation__concluded_on__range=(start, end)).values_list(
        "pk", "cadre_id", "allegation__concluded_on", "allegation__conclusion", "allegation__issue",
        "allegation__tolerance_case_id"))
    case_ids = {case_id for *_, case_id in rows if case_id}
    exempt = set(Ruling.objects.filter(
        determination__status="current", outcome=Outcome.EXEMPT, case_cadre__case_id__in=case_ids).values_list(
        "case_cadre__case_id", "case_cadre__cadre_id")) if case_ids else set()
    facts = []
    for pk, cadre_id, date, conclusion, issue, case_id in rows:
        label = Conclusion(conclusion).label
        if conclusion in (Conclusion.TRUE, Conclusion.PARTLY):
            if (case_id, cadre_id) not in exempt:
                facts.append(Fact(InfoSource.ALLEGATION, pk, cadre_id, date, Polarity.NEGATIVE,
                                  f"反映的问题经核查{label}：{issue}"))
        else:
            facts.append(Fact(InfoSource.ALLEGATION, pk, cadre_id, date, Polarity.NEUTRAL,
                              f"反映的问题经核查{label}，已澄清：{issue}"))
    return facts


def review_item_list(*, review, source="", polarity="", q="") -> QuerySet[InformationItem]:
    qs = review.items.select_related("cadre__unit", "entered_by")
    if source:
        qs = qs.filter(source=source)
    if polarity:
        qs = qs.filter(polarity=polarity)
    if q:
        qs = qs.filter(cadre__name__contains=q)
    return qs.order_by("cadre__unit__path", "cadre__name", "date", "id")


@dataclass
class RankedCadre:
    cadre_id: int
    name: str
    unit_name: str
    position: str
    mean: Fraction
    evaluators: int
    notes: list[str] = field(default_factory=list)
    top: bool = False
    bottom: bool = False

    @property
    def mean_display(self) -> str:
        return f"{float(self.mean):.2f}".rstrip("0").rstrip(".")


def named_top_bottom(rows: list[RankedCadre], top_n: int, bottom_n: int) -> None:
    """Mark the top and bottom few by mean rank (1 is best). Everyone tied with the last
    one inside a cut is named too, so a cut never splits a tie (seed 002 art. 14(2))."""
    ordered = sorted(rows, key=lambda r: (r.mean, r.name))
    if not ordered:
        return
    if top_n:
        cut = ordered[min(top_n, len(ordered)) - 1].mean
        for r in ordered:
            r.top = r.mean <= cut
    if bottom_n:
        cut = ordered[-min(bottom_n, len(ordered))].mean
        for r in ordered:
            r.bottom = r.mean >= cut and not r.top


def ranking_results(review: QuarterlyReview) -> list[tuple[str, list[RankedCadre]]]:
    """Per category: every ranked cadre with the mean of their ranks across evaluators, best
    first, with the top and bottom few marked. Two queries."""
    rows = (RankingEntry.objects.filter(ranking__review=review)
            .values("ranking__category", "cadre_id", "cadre__name", "cadre__unit__name", "cadre__unit__path",
                    "cadre__position")
            .annotate(total=Sum("position"), n=Count("id")))
    notes: dict[tuple, list[str]] = {}
    for category, cadre_id, title, evaluator, note in (
            RankingEntry.objects.filter(ranking__review=review).exclude(bold_work_note="")
            .values_list("ranking__category", "cadre_id", "ranking__evaluator_title", "ranking__evaluator__name",
                         "bold_work_note")):
        notes.setdefault((category, cadre_id), []).append(f"{title}{evaluator}：{note.rstrip('。')}")
    categories: dict[str, list[RankedCadre]] = {}
    for r in rows:
        category = r["ranking__category"]
        categories.setdefault(category, []).append(RankedCadre(
            cadre_id=r["cadre_id"], name=r["cadre__name"], unit_name=unit_qualified_name(r["cadre__unit__path"], r["cadre__unit__name"]),
            position=r["cadre__position"], mean=Fraction(r["total"], r["n"]), evaluators=r["n"],
            notes=notes.get((category, r["cadre_id"]), [])))
    result = []
    for category in sorted(categories):
        ranked = categories[category]
        named_top_bottom(ranked, review.top_n, review.bottom_n)
        result.append((category, sorted(ranked, key=lambda r: (r.mean, r.name))))
    return result


def team_facts(review: QuarterlyReview, unit: Unit) -> QuerySet[InformationItem]:
    """The quarter's facts about the team's members, listed beside its report."""
    return review.items.filter(cadre__unit=unit).select_related("cadre").order_by("cadre__name", "date", "id")


# ---------------------------------------------------------------- promotion shortlist

# Rank levels: 职级 map to the leadership level they correspond to (公务员职务与职级并行规定).
RANK_LEVEL = {
    Rank.KEYUAN: 0,
    Rank.SIJI_ZHUREN: 1, Rank.SANJI_ZHUREN: 1, Rank.FU_KE: 1,
    Rank.ERJI_ZHUREN: 2, Rank.YIJI_ZHUREN: 2, Rank.ZHENG_KE: 2,
    Rank.FU_CHU: 3,
    Rank.ERJI_DIAOYANYUAN: 4, Rank.YIJI_DIAOYANYUAN: 4, Rank.ZHENG_CHU: 4,
    Rank.FU_TING: 5, Rank.ZHENG_TING: 6,
}
FU_KE_LEVEL = RANK_LEVEL[Rank.FU_KE]
# Promotion targets: the leadership levels, 副科级 and above.
TARGET_RANKS = [(r.value, r.label) for r in (Rank.FU_KE, Rank.ZHENG_KE, Rank.FU_CHU, Rank.ZHENG_CHU, Rank.FU_TING,
                                              Rank.ZHENG_TING)]
GRADE_WINDOW_YEARS = 2  # 基本称职 or 不称职 in the last two years blocks (DESIGN §3)
ADMONITION_BLOCK_MONTHS = 6  # 受到诫勉的，六个月内不得提拔
TOWNSHIP_YEARS = 3  # seed 002 art. 12(4)
PRIORITY_LABELS = dict(PRIORITY_SITUATIONS)


@dataclass(slots=True)
class ShortlistRow:
    cadre_id: int
    name: str
    unit_name: str
    position: str
    rank: str
    township_days: int = 0
    blocks: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.blocks


def is_county_level(unit: Unit) -> bool:
    """A county-level body promotes within a county's subtree (seed 002 art. 12(4))."""
    return Unit.objects.filter(path__in=ancestor_paths(unit), kind=UnitKind.COUNTY).exists()


@dataclass(frozen=True)
class ShortlistContext:
    on: datetime.date
    target_level: int
    county: bool  # the unit is a county-level body (the township-experience priority applies)
    # 《党政领导干部选拔任用工作条例》arts. 8-9 in force for the unit (assessment.qualifications)
    qualification: Qualification | None = None


@dataclass(frozen=True)
class ShortlistCondition:
    """One kind of block or priority, twice: `where(ctx)` is the SQL condition on Cadre (None
    when it does not apply) that ranks, filters and counts the whole list in the database;
    `reasons(ids, ctx)` writes the texts for a page's cadres only, as (cadre_id, text) in
    the order they are shown. A new rule is one more entry in SHORTLIST_BLOCKS (or
    SHORTLIST_PRIORITIES): a condition and its text."""
    name: str
    where: Callable[[ShortlistContext], Q | None]
    reasons: Callable[[list[int], ShortlistContext], Iterable[tuple[int, str]]]
    # How the shortlist's filter and the dashboard name the block (blocks only).
    label: str = ""


def _sanction_where(ctx):
    return Q(pk__in=Sanction.objects.filter(status=RecordStatus.IN_FORCE, decision_date__lte=ctx.on,
                                            influence_end__gt=ctx.on).values("cadre_id"))


def _sanction_reasons(ids, ctx):
    for cadre_id, type_name, decided, end in Sanction.objects.filter(
            cadre_id__in=ids, status=RecordStatus.IN_FORCE, decision_date__lte=ctx.on, influence_end__gt=ctx.on
    ).values_list("cadre_id", "sanction_type__name", "decision_date", "influence_end").order_by("influence_end"):
        yield cadre_id, f"处分影响期内：{type_name}（{decided:%Y-%m-%d}作出），{end:%Y-%m-%d}起方可使用"


def _tolerance_where(ctx):
    from tolerance.selectors import promotion_blocked

    return promotion_blocked()


def _tolerance_reasons(ids, ctx):
    from tolerance.selectors import promotion_blocks

    for cadre_id, reasons in promotion_blocks(ids).items():
        for reason in reasons:
            yield cadre_id, reason


def _weak_grade_where(ctx):
    return Q(pk__in=CadreGrade.objects.filter(grade__in=[Grade.BASIC, Grade.INCOMPETENT],
                                              year__gte=ctx.on.year - GRADE_WINDOW_YEARS).values("cadre_id"))


def _weak_grade_reasons(ids, ctx):
    for cadre_id, year, grade in CadreGrade.objects.filter(
            cadre_id__in=ids, grade__in=[Grade.BASIC, Grade.INCOMPETENT], year__gte=ctx.on.year - GRADE_WINDOW_YEARS
    ).values_list("cadre_id", "year", "grade").order_by("year"):
        yield cadre_id, f"近{GRADE_WINDOW_YEARS}年内年度考核为“{grade}”（{year}年度）"


def _admonitions(ctx):
    since = ctx.on - relativedelta(months=ADMONITION_BLOCK_MONTHS)
    return SupervisionMeasure.objects.filter(kind=MeasureKind.ADMONITION, status=RecordStatus.IN_FORCE,
                                             date__gt=since, date__lte=ctx.on)


def _admonition_reasons(ids, ctx):
    for cadre_id, date in _admonitions(ctx).filter(cadre_id__in=ids).values_list("cadre_id", "date").order_by("date"):
        end = safe_date_add(date, months=ADMONITION_BLOCK_MONTHS)
        yield cadre_id, f"受到诫勉（{date:%Y-%m-%d}），{ADMONITION_BLOCK_MONTHS}个月内不得提拔，{end:%Y-%m-%d}起方可使用"


def _priority_record_reasons(ids, ctx):
    for cadre_id, situation, recorded_on in PriorityRecord.objects.filter(cadre_id__in=ids).values_list(
            "cadre_id", "situation", "recorded_on").order_by("recorded_on"):
        yield cadre_id, f"{PRIORITY_LABELS.get(situation, situation)}（{recorded_on:%Y-%m-%d}登记）"


def _excellent(ctx):
    return CadreGrade.objects.filter(grade=Grade.EXCELLENT, year__gte=ctx.on.year - GRADE_WINDOW_YEARS)


def _two_excellent_where(ctx):
    # An 优秀 whose cadre also had 优秀 the year before, both within the window.
    return Q(pk__in=_excellent(ctx).filter(Exists(_excellent(ctx).filter(
        cadre_id=OuterRef("cadre_id"), year=OuterRef("year") - 1))).values("cadre_id"))


def _two_excellent_reasons(ids, ctx):
    excellent: dict[int, set[int]] = {}
    for cadre_id, year in _excellent(ctx).filter(cadre_id__in=ids).values_list("cadre_id", "year"):
        excellent.setdefault(cadre_id, set()).add(year)
    for cadre_id, years in excellent.items():
        pairs = [y for y in sorted(years, reverse=True) if y - 1 in years]
        if pairs:
            yield cadre_id, f"连续两年年度考核优秀（{pairs[0] - 1}、{pairs[0]}年度）"


def _commendations():
    return Commendation.objects.filter(level__in=[CommendationLevel.PROVINCIAL, CommendationLevel.NATIONAL])


def _commendation_reasons(ids, ctx):
    for cadre_id, level, title, date in _commendations().filter(cadre_id__in=ids).values_list(
            "cadre_id", "level", "title", "date").order_by("date"):
        yield cadre_id, f"获{level}表彰：{title}（{date:%Y-%m-%d}）"


def _at_least_years_before(on: datetime.date, years: int) -> tuple[datetime.date, int]:
    """The latest start date with `years` full calendar years by `on`, and the same span in days
    (for finished township postings, which are stored as days): calendar years, never ÷ 365."""
    start = on - relativedelta(years=years)
    return start, (on - start).days


def _township_where(ctx):
    if not (ctx.target_level >= FU_KE_LEVEL and ctx.county):
        return None
    start, days = _at_least_years_before(ctx.on, TOWNSHIP_YEARS)
    return (Q(township_anchor__isnull=False, township_anchor__lte=start)
            | Q(township_anchor__isnull=True, township_days_closed__gte=days))


def _township_reasons(ids, ctx):
    if _township_where(ctx) is None:
        return
    for cadre_id, anchor, closed in Cadre.objects.filter(pk__in=ids).values_list(
            "pk", "township_anchor", "township_days_closed"):
        years = township_full_years(anchor, closed, ctx.on)
        if years >= TOWNSHIP_YEARS:
            yield cadre_id, (f"具有{TOWNSHIP_YEARS}年以上乡镇工作经历（满{years}年），"
                             f"县级机关提拔副科级以上领导干部优先考虑")


def _qualification_where(ctx):
    """The SQL twin of assessment.qualifications.qualification_blocks: more than one grade
    below the target, or too few full years in rank, at work or at the grassroots."""
    where = Q(rank__in=[rank for rank, level in RANK_LEVEL.items() if level < ctx.target_level - 1])
    rule = ctx.qualification
    if rule is None:
        return where
    if rule.min_years_in_rank:
        start, _ = _at_least_years_before(ctx.on, rule.min_years_in_rank)
        where |= Q(rank_since__isnull=True) | Q(rank_since__gt=start)
    if rule.min_work_years:
        start, _ = _at_least_years_before(ctx.on, rule.min_work_years)
        where |= Q(work_start_date__isnull=True) | Q(work_start_date__gt=start)
    if rule.min_grassroots_years:
        start, days = _at_least_years_before(ctx.on, rule.min_grassroots_years)
        where |= (Q(township_anchor__isnull=False, township_anchor__gt=start)
                  | Q(township_anchor__isnull=True, township_days_closed__lt=days))
    return where


def _qualification_reasons(ids, ctx):
    for cadre_id, rank, rank_since, work_start, anchor, closed in Cadre.objects.filter(pk__in=ids).values_list(
            "pk", "rank", "rank_since", "work_start_date", "township_anchor", "township_days_closed"):
        for text in qualification_blocks(
                rule=ctx.qualification, rank_level=RANK_LEVEL[rank], target_level=ctx.target_level,
                rank_since=rank_since, work_start=work_start, township_anchor=anchor, township_days_closed=closed,
                on=ctx.on):
            yield cadre_id, text


# The order of each list is the order of a cadre's reasons on the page and in the export.
SHORTLIST_BLOCKS = [
    ShortlistCondition("qualification", _qualification_where, _qualification_reasons,
                       "任职资格不符（逐级提拔、任职年限、工作年限、基层工作经历）"),
    ShortlistCondition("sanction", _sanction_where, _sanction_reasons, "处分影响期内"),
    ShortlistCondition("tolerance", _tolerance_where, _tolerance_reasons, "问题线索未核实或问责（容错纠错）未认定"),
    ShortlistCondition("weak_grade", _weak_grade_where, _weak_grade_reasons,
                       f"近{GRADE_WINDOW_YEARS}年年度考核为基本称职或不称职"),
    ShortlistCondition("admonition", lambda ctx: Q(pk__in=_admonitions(ctx).values("cadre_id")), _admonition_reasons,
                       f"受到诫勉未满{ADMONITION_BLOCK_MONTHS}个月"),
]
SHORTLIST_BLOCK_CHOICES = [(c.name, c.label) for c in SHORTLIST_BLOCKS]
# The blocks that stop a promotion whatever the target post: the qualification rules depend
# on the post and rank sought, so they are judged on the shortlist for a chosen target only.
TARGET_FREE_BLOCKS = [c for c in SHORTLIST_BLOCKS if c.name != "qualification"]


def shortlist_block_q(name: str, *, on: datetime.date) -> Q:
    """A target-independent block (TARGET_FREE_BLOCKS) as a condition on Cadre, on a day."""
    ctx = ShortlistContext(on=on, target_level=RANK_LEVEL[Rank.ZHENG_TING], county=False)
    condition = next(c for c in TARGET_FREE_BLOCKS if c.name == name)
    return condition.where(ctx)
SHORTLIST_PRIORITIES = [
    ShortlistCondition("priority_record", lambda ctx: Q(pk__in=PriorityRecord.objects.values("cadre_id")),
                       _priority_record_reasons, "第三条及附件1登记的情形"),
    ShortlistCondition("two_excellent", _two_excellent_where, _two_excellent_reasons, "连续两年年度考核优秀"),
    ShortlistCondition("commendation", lambda ctx: Q(pk__in=_commendations().values("cadre_id")),
                       _commendation_reasons, "获省级以上表彰"),
    ShortlistCondition("township", _township_where, _township_reasons, f"{TOWNSHIP_YEARS}年以上乡镇工作经历"),
]
SHORTLIST_PRIORITY_CHOICES = [(c.name, c.label) for c in SHORTLIST_PRIORITIES]


def shortlist_priority_q(name: str, *, on: datetime.date, county: bool) -> Q:
    """One priority of the shortlist for the highest target rank (SHORTLIST_PRIORITIES) as a
    condition on Cadre, on a day; `county`: the shortlist's unit is county-level (is_county_level)."""
    ctx = ShortlistContext(on=on, target_level=RANK_LEVEL[Rank.ZHENG_TING], county=county)
    return _any([c for c in SHORTLIST_PRIORITIES if c.name == name], ctx)


def _any(conditions, ctx) -> Q:
    """OR of the conditions that apply (a condition no row meets when none does)."""
    result = None
    for condition in conditions:
        where = condition.where(ctx)
        if where is not None:
            result = where if result is None else result | where
    return result if result is not None else Q(pk__in=[])


@dataclass
class Shortlist:
    """The shortlist of a unit as a query: `cadres` ranked (unit, name) with `blocked` and
    `priority` computed in SQL; `rows(values)` turns a page of it into ShortlistRows.
    `parts`: whatever `cadres` depends on besides the data (see shortlist_query); `narrowed`:
    filtered by a block or a priority."""
    cadres: QuerySet
    ctx: ShortlistContext
    blocked: Q
    priority: Q
    parts: tuple = ()
    narrowed: bool = False

    def shown(self, show: str = "") -> QuerySet:
        if show == "eligible":
            return self.cadres.exclude(self.blocked)
        if show == "blocked":
            return self.cadres.filter(self.blocked)
        if show == "priority":
            return self.cadres.exclude(self.blocked).filter(self.priority)
        return self.cadres

    def counts(self) -> dict:
        """total / eligible / blocked / priority, kept until a table the candidates or the
        conditions read changes (core.db.kept_until_changed, shortlist_read_models): counting
        evaluates every block and priority over all the candidates, a whole city's 60,000, and
        the page shows them on every view and every page of the list (issue #16)."""
        return kept_until_changed("shortlist-counts", self.parts, shortlist_read_models(), self.counted)

    def counted(self) -> dict:
        """counts() afresh, in one query. Grouped by the two conditions as columns, so that
        each is evaluated once per candidate: as three FILTERs the blocks were evaluated twice
        over a whole city's candidates (issue #16)."""
        counts = {"total": 0, "blocked": 0, "priority": 0}
        for row in (self.cadres.order_by()
                    .annotate(is_blocked=ExpressionWrapper(self.blocked, output_field=BooleanField()),
                              is_priority=ExpressionWrapper(self.priority, output_field=BooleanField()))
                    .values("is_blocked", "is_priority").annotate(n=Count("pk"))):
            counts["total"] += row["n"]
            if row["is_blocked"]:
                counts["blocked"] += row["n"]
            elif row["is_priority"]:
                counts["priority"] += row["n"]
        counts["eligible"] = counts["total"] - counts["blocked"]
        return counts

    def page_values(self, show: str, start: int, stop: int) -> list[tuple]:
        """SHORTLIST_VALUES of shown(show)[start:stop]. The first page of the whole list reads
        its 50 rows in the order of an index; any other ranks the rows a condition selects
        (blocked, priority: evaluated over every candidate again) or skips thousands, so its
        ids are kept like the counts (a city's blocked list: 0.25 s a view, issue #16)."""
        values = self.shown(show).values_list(*SHORTLIST_VALUES)
        if not (show or start or self.narrowed):
            return list(values[start:stop])
        ids = kept_until_changed("shortlist-page", (*self.parts, show, start, stop), shortlist_read_models(),
                                 lambda: list(self.shown(show).values_list("pk", flat=True)[start:stop]))
        found = {row[0]: row for row in Cadre.objects.filter(pk__in=ids).values_list(*SHORTLIST_VALUES)}
        return [found[pk] for pk in ids if pk in found]

    def rows(self, values) -> list[ShortlistRow]:
        """The reasons of the given cadres (values of `shown()`): a fixed number of queries."""
        rows = {pk: ShortlistRow(pk, name, unit_qualified_name(unit_path, unit_name), position, rank,
                                 (self.ctx.on - anchor).days if anchor else closed)
                for pk, name, unit_name, position, rank, anchor, closed, unit_path in values}
        ids = list(rows)
        if not ids:
            return []
        for conditions, attr in ((SHORTLIST_BLOCKS, "blocks"), (SHORTLIST_PRIORITIES, "priorities")):
            for condition in conditions:
                for cadre_id, text in condition.reasons(ids, self.ctx):
                    getattr(rows[cadre_id], attr).append(text)
        return list(rows.values())

    def iter_rows(self, show: str = "", chunk: int = 2000):
        """Every shown row with its reasons, a chunk at a time (for the export)."""
        values = self.shown(show).values_list(*SHORTLIST_VALUES)
        start = 0
        while True:
            batch = list(values[start:start + chunk])
            yield from self.rows(batch)
            if len(batch) < chunk:
                return
            start += chunk


SHORTLIST_VALUES = ("pk", "name", "unit__name", "position", "rank", "township_anchor", "township_days_closed",
                    "unit_path")


def shortlist_candidates(unit_ids, target_rank: str) -> QuerySet[Cadre]:
    """The cadres a shortlist for `target_rank` weighs: active, in the given units (a list
    or a subquery of the units visible in the subtree), below the target rank."""
    below = [r for r, level in RANK_LEVEL.items() if level < RANK_LEVEL[target_rank]]
    return Cadre.objects.filter(unit_id__in=unit_ids, status=CadreStatus.ACTIVE, rank__in=below)


@functools.cache
def shortlist_read_models() -> tuple:
    """Every table the shortlist's candidates and its block and priority conditions read,
    found in their SQL (core.db.models_read_by) rather than listed by hand: the tables whose
    changes renew the kept counts. Each condition is taken where it applies and reads the
    most (a county-level unit, a target rank with every qualification figure)."""
    ctx = ShortlistContext(on=datetime.date(2000, 1, 1), target_level=RANK_LEVEL[Rank.ZHENG_TING], county=True,
                           qualification=Qualification(Rank.ZHENG_TING, 1, 1, 1))
    conditions = [c.where(ctx) for c in (*SHORTLIST_BLOCKS, *SHORTLIST_PRIORITIES)]
    assert None not in conditions, "a condition left out of the kept counts' tables"
    return models_read_by(shortlist_candidates([0], Rank.ZHENG_TING).filter(functools.reduce(Q.__or__, conditions)))


def shortlist_query(*, user, unit: Unit, target_rank: str, on: datetime.date | None = None,
                    q: str = "", block: str = "", priority: str = "") -> Shortlist:
    """For a unit (with its subtree) and a target rank: the active cadres below that rank in
    the user's jurisdiction, each eligible or blocked, ranked by unit and name, with the
    blocks and priorities as SQL conditions (each an uncorrelated IN over its record table,
    which PostgreSQL hashes once), so the page filters, counts and pages in the database and
    writes reasons for its 50 rows only."""
    on = on or timezone.localdate()
    ctx = ShortlistContext(on=on, target_level=RANK_LEVEL[target_rank], county=is_county_level(unit),
                           qualification=qualification_for(unit, target_rank))
    # Visibility follows the cadre's unit, so the cadres visible in the subtree are exactly
    # those of the visible units in it: the cadre-unit index answers it.
    unit_ids = list(units_visible_to(user).filter(path__startswith=unit.path).values_list("pk", flat=True))
    cadres = shortlist_candidates(unit_ids, target_rank)
    if q:
        cadres = cadres.filter(name__contains=q)
    if block:
        # Only the cadres blocked for this reason (among others, perhaps).
        cadres = cadres.filter(_any([c for c in SHORTLIST_BLOCKS if c.name == block], ctx))
    if priority:
        # Only the cadres with this priority reason (blocked or not, as `block` does).
        cadres = cadres.filter(_any([c for c in SHORTLIST_PRIORITIES if c.name == priority], ctx))
    cadres = cadres.order_by("unit__path", "name", "pk")
    # The key of what is kept for it: the units it reads (the user's jurisdiction within the
    # unit's subtree: a revoked grant or a moved unit changes them), the day, the rank and the
    # rules in force (ctx), and the filters.
    parts = (tuple(sorted(unit_ids)), target_rank, ctx, q, block, priority)
    return Shortlist(cadres, ctx, _any(SHORTLIST_BLOCKS, ctx), _any(SHORTLIST_PRIORITIES, ctx), parts,
                     narrowed=bool(block or priority))


def shortlist_priority_reasons(*, cadre_id: int, unit: Unit, target_rank: str, on: datetime.date) -> list[str]:
    """The priority reasons the shortlist of `unit` for `target_rank` on `on` gives the cadre
    (snapshotted by a promotion)."""
    ctx = ShortlistContext(on=on, target_level=RANK_LEVEL[target_rank], county=is_county_level(unit))
    return [text for condition in SHORTLIST_PRIORITIES for _, text in condition.reasons([cadre_id], ctx)]


def promotions_visible_to(user) -> QuerySet[Promotion]:
    """Like every cadre record, a promotion follows the cadre's current unit."""
    return Promotion.objects.filter(cadre__in=cadres_visible_to(user))


def promotion_filter_q(*, since=None, until=None, priority=False) -> Q:
    """The record filters of the promotion list, as one condition (counted as is)."""
    q = Q()
    if since:
        q &= Q(promoted_on__gte=since)
    if until:
        q &= Q(promoted_on__lte=until)
    if priority:
        q &= Q(priority_count__gt=0)
    return q


def promotion_list(*, user, q="", unit=None, since=None, until=None, priority=False) -> QuerySet[Promotion]:
    qs = promotions_visible_to(user).select_related("cadre", "unit")
    if q:
        qs = qs.filter(cadre__name__contains=q)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.filter(promotion_filter_q(since=since, until=until, priority=priority)).order_by("-promoted_on", "-id")


def promotion_shortlist(*, user, unit: Unit, target_rank: str, on: datetime.date | None = None,
                        q: str = "") -> list[ShortlistRow]:
    """The whole shortlist as rows with their reasons (see shortlist_query)."""
    return list(shortlist_query(user=user, unit=unit, target_rank=target_rank, on=on, q=q).iter_rows())


# ---------------------------------------------------------------- the cadre page


def cadre_assessment_overview(*, cadre: Cadre, user) -> dict:
    """The "考核研判" tab of the cadre page: grades with their re-reviews, ranking notes,
    priority situations and the latest quarterly facts. A fixed number of queries."""
    grades = list(CadreGrade.objects.filter(cadre=cadre).select_related("assessment_year__unit")
                  .prefetch_related("reviews").order_by("-year"))
    visible_reviews = reviews_visible_to(user)
    entries = list(RankingEntry.objects.filter(cadre=cadre, ranking__review__in=visible_reviews)
                   .select_related("ranking__review__department", "ranking__evaluator")
                   .order_by("-ranking__review__year", "-ranking__review__quarter", "id")[:20])
    return {
        "assessment_grades": grades,
        "ranking_entries": entries,
        "priority_records": list(cadre.priority_records.select_related("recorded_by")),
        "review_items": list(cadre.review_items.filter(review__in=visible_reviews).select_related("review__department")
                             .order_by("-review__year", "-review__quarter", "-date", "-id")[:20]),
        "can_grade": can_grade(user),
    }
