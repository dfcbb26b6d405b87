"""Who acts next on a unit's annual assessment (the grade batch) and where they find it
(issue 12): each open step of the year, the people responsible for it (those who can perform
it), and the workbench items. The unit's own organization department enters, asks and
archives (the staff of the nearest level holding jurisdiction, as for a tolerance case's
leaders); its leaders decide the 优秀 requests above the normal share."""
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

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
from assessment.selectors import assessed_cadres
from cadres.models import Cadre, CadreStatus
from cadres.selectors import units_in_charge_of, users_with_jurisdiction
from core import roles

MODULE = "年度考核"
WORKBENCH_LIMIT = 20


@dataclass(frozen=True)
class Step:
    """An open step: what is to be done, the id of the form or link that does it on the
    page, and who is responsible (each of them can perform it)."""

    label: str
    action_id: str
    responsibles: list


def year_staff(ay: AssessmentYear) -> list:
    return list(users_with_jurisdiction(ay.unit, roles.STAFF_ROLES, nearest=True))


def year_leaders(ay: AssessmentYear) -> list:
    return list(users_with_jurisdiction(ay.unit, {roles.Role.LEADER}, nearest=True))


def year_steps(ay: AssessmentYear) -> list[Step]:
    """The open steps of an annual assessment: grading while cadres remain ungraded, a
    leader's decision while an excess request is pending, then archiving."""
    if ay.status != YearStatus.OPEN:
        return []
    steps = []
    ungraded = assessed_cadres(ay).exclude(assessment_grades__assessment_year=ay).count()
    pending = ay.quota_approvals.filter(status=ApprovalStatus.PENDING).first()
    if ungraded:
        steps.append(Step(f"评定等次（尚有 {ungraded} 人未评定）", "batch-link", year_staff(ay)))
    if pending:
        steps.append(Step(f"审批优秀等次超比例申请（优秀 {pending.excellent_count} 名）",
                          f"quota-decision-{pending.pk}", year_leaders(ay)))
    if not ungraded and not pending:
        steps.append(Step("核对等次后归档", "year-close", year_staff(ay)))
    return steps


def grade_steps(grade: CadreGrade) -> list[Step]:
    """The open steps of one grade: a pending re-review is answered; a 不称职 grade is told
    to the cadre (the 30 days for a re-review run from that day, 公务员法 art. 95)."""
    staff = list(users_with_jurisdiction(grade.cadre.unit, roles.STAFF_ROLES, nearest=True))
    if grade.reviews.filter(status=ReviewRequestStatus.PENDING).exists():
        return [Step("录入复核结论", "action-answer", staff)]
    if grade.grade == Grade.INCOMPETENT and grade.told_on is None and not grade.reviews.exists():
        return [Step("记录告知本人日期", "action-notify", staff)]
    return []


def workbench_items(user, today):
    """The staff's open years (grade, or archive once all are graded and nothing awaits a
    leader) and grades awaiting a step; the leaders' pending excess requests. Only the
    units the user is responsible for (nearest level); a fixed number of queries."""
    from core.panels import WorkItem

    items = []
    if roles.is_staff_member(user):
        units = units_in_charge_of(user, roles.STAFF_ROLES)
        graded = CadreGrade.objects.filter(cadre=OuterRef("pk"), assessment_year=OuterRef(OuterRef("pk")))
        ungraded = Cadre.objects.filter(unit_id=OuterRef("unit_id"), status=CadreStatus.ACTIVE).filter(~Exists(graded))
        pending = QuotaApproval.objects.filter(assessment_year=OuterRef("pk"), status=ApprovalStatus.PENDING)
        years = (AssessmentYear.objects.filter(status=YearStatus.OPEN, unit__in=units)
                 .annotate(ungraded=Exists(ungraded), pending=Exists(pending))
                 .filter(Q(ungraded=True) | Q(pending=False)).select_related("unit")
                 .order_by("year", "unit__path")[:WORKBENCH_LIMIT])
        for ay in years:
            what, stage = ("评定等次", "评定中") if ay.ungraded else ("归档", "待归档")
            items.append(WorkItem(MODULE, f"{what}：{ay.unit}{ay.year}年度考核", f"/assessment/years/{ay.pk}/", None,
                                  stage))
        under_review = GradeReview.objects.filter(grade=OuterRef("pk"), status=ReviewRequestStatus.PENDING)
        any_review = GradeReview.objects.filter(grade=OuterRef("pk"))
        grades = (CadreGrade.objects.filter(cadre__unit__in=units)
                  .annotate(under_review=Exists(under_review), reviewed=Exists(any_review))
                  .filter(Q(under_review=True) | Q(grade=Grade.INCOMPETENT, told_on__isnull=True, reviewed=False))
                  .select_related("cadre").order_by("year", "id")[:WORKBENCH_LIMIT])
        for g in grades:
            what, stage = ("答复复核", "复核中") if g.under_review else ("告知本人", "待告知")
            items.append(WorkItem(MODULE, f"{what}：{g.cadre.name}{g.year}年度考核“{g.grade}”",
                                  f"/assessment/grades/{g.pk}/", None, stage))
    if roles.is_leader(user):
        approvals = (QuotaApproval.objects.filter(status=ApprovalStatus.PENDING,
                                                  assessment_year__unit__in=units_in_charge_of(user, {roles.Role.LEADER}))
                     .select_related("assessment_year__unit").order_by("requested_at", "id")[:WORKBENCH_LIMIT])
        for a in approvals:
            ay = a.assessment_year
            items.append(WorkItem(MODULE, f"审批：{ay.unit}{ay.year}年度考核优秀等次超比例申请（{a.excellent_count} 名）",
                                  f"/assessment/years/{ay.pk}/", None, "待领导审批"))
    return items
