"""Who acts next on a unit's annual assessment (the grade batch) and where they find it
(issue 12): each open step of the year, the people responsible for it (those who can perform
it), and the workbench items. The unit's own organization department enters, asks and
archives (the staff of the nearest level holding jurisdiction, as for a tolerance case's
leaders); its leaders decide the 优秀 requests above the normal share.

The open steps are one set of conditions (TO_GRADE … TO_TELL) over the annotations of
with_year_steps / with_grade_steps: the workbench filters all the user's years and grades
with them in SQL, year_steps / grade_steps evaluate them for one, and the archive service
refuses by the same ungraded_cadres, so the page, the workbench and the service agree."""
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from assessment.models import (
    ApprovalStatus,
    AssessmentYear,
    CadreGrade,
    Grade,
    GradeReview,
    QuotaApproval,
    ReviewRequestStatus,
    YearStatus,
)
from cadres.models import Cadre, CadreStatus
from cadres.selectors import units_in_charge_by_roles, users_with_jurisdiction
from core import roles

MODULE = "年度考核"
WORKBENCH_LIMIT = 20

# Open steps of a year (over with_year_steps' annotations): grading while cadres remain to be
# graded, a leader's decision while an excess request is pending, then archiving.
TO_GRADE = Q(status=YearStatus.OPEN, has_ungraded=True)
AWAITS_LEADER = Q(status=YearStatus.OPEN, has_pending=True)
TO_ARCHIVE = Q(status=YearStatus.OPEN, has_ungraded=False, has_pending=False)
# Open steps of a grade (over with_grade_steps' annotations): a pending re-review is answered;
# a 不称职 grade is told to the cadre (the 30 days for a re-review run from that day, 公务员法
# art. 95) unless a re-review already shows they were told.
TO_ANSWER = Q(under_review=True)
TO_TELL = Q(grade=Grade.INCOMPETENT, told_on__isnull=True, reviewed=False)


@dataclass(frozen=True)
class Step:
    """An open step: what is to be done, the id of the form or link that does it on the
    page, and who is responsible (each of them can perform it)."""

    label: str
    action_id: str
    responsibles: list


def ungraded_cadres(unit_id, year) -> QuerySet[Cadre]:
    """The cadres still to be graded in a unit's assessment of `year`: its active cadres with
    no grade for that year in any unit (the roster of assessed_cadres less everyone graded).

    A cadre graded elsewhere this year and then transferred here cannot be graded again (one
    grade per cadre and year: grade_one_per_cadre_year; the batch refuses them), so counting
    them as ungraded kept the year from ever being archived. unit_id and year: values, or
    OuterRefs to an AssessmentYear's columns (with_year_steps)."""
    if isinstance(year, OuterRef):
        year = OuterRef(year)  # one level deeper: the grade subquery inside the cadre one
    graded = CadreGrade.objects.filter(cadre=OuterRef("pk"), year=year)
    return Cadre.objects.filter(unit_id=unit_id, status=CadreStatus.ACTIVE).filter(~Exists(graded))


def with_year_steps(years: QuerySet[AssessmentYear]) -> QuerySet[AssessmentYear]:
    """`years` with what TO_GRADE, AWAITS_LEADER and TO_ARCHIVE are decided on."""
    pending = QuotaApproval.objects.filter(assessment_year=OuterRef("pk"), status=ApprovalStatus.PENDING)
    return years.annotate(has_ungraded=Exists(ungraded_cadres(OuterRef("unit_id"), OuterRef("year"))),
                          has_pending=Exists(pending))


def with_grade_steps(grades: QuerySet[CadreGrade]) -> QuerySet[CadreGrade]:
    """`grades` with what TO_ANSWER and TO_TELL are decided on."""
    reviews = GradeReview.objects.filter(grade=OuterRef("pk"))
    return grades.annotate(under_review=Exists(reviews.filter(status=ReviewRequestStatus.PENDING)),
                           reviewed=Exists(reviews))


def _which(qs: QuerySet, **conditions: Q) -> dict[str, bool]:
    """Which of `conditions` the single row of `qs` meets, in one query."""
    flags = qs.annotate(**{name: ExpressionWrapper(q, output_field=BooleanField()) for name, q in conditions.items()})
    return flags.values(*conditions).get()


def year_staff(ay: AssessmentYear) -> list:
    return list(users_with_jurisdiction(ay.unit, roles.STAFF_ROLES, nearest=True))


def year_leaders(ay: AssessmentYear) -> list:
    return list(users_with_jurisdiction(ay.unit, {roles.Role.LEADER}, nearest=True))


def year_steps(ay: AssessmentYear) -> list[Step]:
    """The open steps of an annual assessment (TO_GRADE, AWAITS_LEADER, TO_ARCHIVE)."""
    if ay.status != YearStatus.OPEN:
        return []
    open_steps = _which(with_year_steps(AssessmentYear.objects.filter(pk=ay.pk)),
                        grade=TO_GRADE, decide=AWAITS_LEADER, archive=TO_ARCHIVE)
    steps = []
    if open_steps["grade"]:
        ungraded = ungraded_cadres(ay.unit_id, ay.year).count()
        steps.append(Step(f"评定等次（尚有 {ungraded} 人未评定）", "batch-link", year_staff(ay)))
    if open_steps["decide"]:
        pending = ay.quota_approvals.filter(status=ApprovalStatus.PENDING).order_by("requested_at", "id").first()
        steps.append(Step(f"审批优秀等次超比例申请（优秀 {pending.excellent_count} 名）",
                          f"quota-decision-{pending.pk}", year_leaders(ay)))
    if open_steps["archive"]:
        steps.append(Step("核对等次后归档", "year-close", year_staff(ay)))
    return steps


def grade_steps(grade: CadreGrade) -> list[Step]:
    """The open steps of one grade (TO_ANSWER, else TO_TELL)."""
    open_steps = _which(with_grade_steps(CadreGrade.objects.filter(pk=grade.pk)), answer=TO_ANSWER, tell=TO_TELL)
    if not (open_steps["answer"] or open_steps["tell"]):
        return []
    staff = list(users_with_jurisdiction(grade.cadre.unit, roles.STAFF_ROLES, nearest=True))
    if open_steps["answer"]:
        return [Step("录入复核结论", "action-answer", staff)]
    return [Step("记录告知本人日期", "action-notify", staff)]


def workbench_items(user, today):
    """The staff's years to grade or to archive and grades awaiting a step; the leaders'
    pending excess requests. Only the units the user is responsible for (nearest level); a
    fixed number of queries."""
    from core.panels import WorkItem

    staff, leader = roles.is_staff_member(user), roles.is_leader(user)
    if not (staff or leader):
        return []
    in_charge = units_in_charge_by_roles(user, {"staff": roles.STAFF_ROLES, "leader": {roles.Role.LEADER}})
    items = []
    if staff:
        units = in_charge["staff"]
        years = (with_year_steps(AssessmentYear.objects.filter(unit__in=units)).filter(TO_GRADE | TO_ARCHIVE)
                 .select_related("unit").order_by("year", "unit__path")[:WORKBENCH_LIMIT])
        for ay in years:
            what, stage = ("评定等次", "评定中") if ay.has_ungraded else ("归档", "待归档")
            items.append(WorkItem(MODULE, f"{what}：{ay.unit}{ay.year}年度考核", f"/assessment/years/{ay.pk}/", None,
                                  stage))
        grades = (with_grade_steps(CadreGrade.objects.filter(cadre__unit__in=units)).filter(TO_ANSWER | TO_TELL)
                  .select_related("cadre").only("id", "year", "grade", "cadre", "cadre__name")
                  .order_by("year", "id")[:WORKBENCH_LIMIT])
        for g in grades:
            what, stage = ("答复复核", "复核中") if g.under_review else ("告知本人", "待告知")
            items.append(WorkItem(MODULE, f"{what}：{g.cadre.name}{g.year}年度考核“{g.grade}”",
                                  f"/assessment/grades/{g.pk}/", None, stage))
    if leader:
        # The requests themselves (one item each) of the years AWAITS_LEADER selects.
        approvals = (QuotaApproval.objects.filter(status=ApprovalStatus.PENDING, assessment_year__status=YearStatus.OPEN,
                                                  assessment_year__unit__in=in_charge["leader"])
                     .select_related("assessment_year__unit").order_by("requested_at", "id")[:WORKBENCH_LIMIT])
        for a in approvals:
            ay = a.assessment_year
            items.append(WorkItem(MODULE, f"审批：{ay.unit}{ay.year}年度考核优秀等次超比例申请（{a.excellent_count} 名）",
                                  f"/assessment/years/{ay.pk}/", None, "待领导审批"))
    return items
