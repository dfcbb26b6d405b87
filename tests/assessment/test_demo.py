"""The demo data builds through the real services and is safe to run again."""
from assessment.demo import build_assessment_demo
from assessment.models import AssessmentYear, CadreGrade, QuarterlyReview, Ranking, TeamAssessment
from cadres.models import UnitKind
from core.roles import Role
from tests.factories import UserFactory, make_unit


def test_the_demo_builds_a_year_of_grades_and_a_quarterly_review_and_runs_twice(world):
    for name in ["东城镇", "西河乡", "南山镇", "北岭乡"]:  # beside the world's 清河县 and its 城关镇
        make_unit(name, UnitKind.TOWNSHIP, world.unit_a)
    make_unit("县财政局", UnitKind.DEPARTMENT, world.unit_a)
    UserFactory(username="qinghe_staff", role=Role.CADRE_SECTION)
    world.users["leader"].username = "leader_of_world"
    world.users["leader"].save()
    UserFactory(username="leader", role=Role.LEADER)

    build_assessment_demo()
    counts = (AssessmentYear.objects.count(), CadreGrade.objects.count(), TeamAssessment.objects.count(),
              QuarterlyReview.objects.count(), Ranking.objects.count())
    assert counts == (2, 21, 2, 3, 2)  # reviews: the city and its two counties
    assert CadreGrade.objects.filter(grade="优秀").count() == 5  # 3 in 城关镇 with approval, 2 in 县财政局
    build_assessment_demo()
    assert (AssessmentYear.objects.count(), CadreGrade.objects.count(), TeamAssessment.objects.count(),
            QuarterlyReview.objects.count(), Ranking.objects.count()) == counts
