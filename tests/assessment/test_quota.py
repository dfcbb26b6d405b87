"""The 优秀 quota, counted over the whole unit-year after the batch: up to floor(n × 20%)
passes, up to floor(n × 25%) with a leader's recorded approval, never beyond (DESIGN §3)."""
import pytest

from assessment import services
from assessment.models import ApprovalStatus, CadreGrade, QuotaRule
from assessment.selectors import quota_figures
from cadres.models import CadreStatus
from core.errors import DomainError
from tests.assessment.builders import D, batch, grade, open_year, staff, unit_with_cadres
from tests.factories import CadreFactory


def excellent(world, ay, cadres):
    return batch(world, ay, [(c, "优秀") for c in cadres])


def approve(world, ay, count):
    approval = services.quota_excess_request(assessment_year=ay, excellent_count=count, reason="实绩突出",
                                             by=staff(world))
    return services.quota_excess_decide(approval=approval, approve=True, reason="同意", by=world.users["leader"])


@pytest.mark.parametrize("n, normal, ceiling", [(10, 2, 2), (11, 2, 2), (20, 4, 5), (4, 0, 1)])
def test_the_figures_are_floors_of_the_percentages(world, n, normal, ceiling):
    unit, _ = unit_with_cadres(world, n)
    figures = quota_figures(open_year(world, unit))
    assert (figures.assessed, figures.normal_max, figures.ceiling_max) == (n, normal, ceiling)


@pytest.mark.parametrize("n", [10, 11])
def test_with_10_or_11_assessed_two_pass_and_a_third_is_refused_even_with_approval(world, n):
    unit, cadres = unit_with_cadres(world, n)
    ay = open_year(world, unit)
    assert len(excellent(world, ay, cadres[:2]).saved) == 2
    result = excellent(world, ay, cadres[2:3])
    assert result.saved == []
    message = result.refused[cadres[2].pk]
    assert f"参加考核 {n} 人，优秀最多 2 名（{n}×25% 向下取整），本次保存后将达 3 名" in message
    with pytest.raises(DomainError, match="不能超过最高比例"):
        services.quota_excess_request(assessment_year=ay, excellent_count=3, reason="理由", by=staff(world))


def test_with_20_assessed_four_pass_the_fifth_needs_approval_and_the_sixth_is_refused(world):
    unit, cadres = unit_with_cadres(world, 20)
    ay = open_year(world, unit)
    assert len(excellent(world, ay, cadres[:4]).saved) == 4
    refused = excellent(world, ay, cadres[4:5]).refused[cadres[4].pk]
    assert "常规比例内最多 4 名（20×20% 向下取整），本次保存后将达 5 名" in refused
    assert "不超过 5 名（25%）的，须经领导批准" in refused

    approval = approve(world, ay, 5)
    assert (approval.status, approval.decided_by, approval.decision_reason) == (
        ApprovalStatus.APPROVED, world.users["leader"], "同意")
    assert len(excellent(world, ay, cadres[4:5]).saved) == 1
    refused = excellent(world, ay, cadres[5:6]).refused[cadres[5].pk]
    assert "优秀最多 5 名（20×25% 向下取整），本次保存后将达 6 名" in refused
    assert CadreGrade.objects.filter(grade="优秀").count() == 5


def test_the_quota_counts_the_whole_year_after_the_batch(world):
    """A batch that lowers one 优秀 and raises another stays within the quota."""
    unit, cadres = unit_with_cadres(world, 10)
    ay = open_year(world, unit)
    excellent(world, ay, cadres[:2])
    result = batch(world, ay, [(cadres[0], "称职"), (cadres[2], "优秀")])
    assert result.refused == {}
    assert set(CadreGrade.objects.filter(grade="优秀").values_list("cadre_id", flat=True)) == {cadres[1].pk, cadres[2].pk}


def test_a_batch_over_the_quota_refuses_every_new_excellent_and_saves_the_other_rows(world):
    unit, cadres = unit_with_cadres(world, 10)
    ay = open_year(world, unit)
    result = batch(world, ay, [(cadres[0], "优秀"), (cadres[1], "优秀"), (cadres[2], "优秀"), (cadres[3], "称职")])
    assert [g.cadre for g in result.saved] == [cadres[3]]
    assert set(result.refused) == {cadres[0].pk, cadres[1].pk, cadres[2].pk}
    assert "本批新评优秀的 3 人均未保存" in result.refused[cadres[0].pk]


def test_an_unchanged_excellent_is_not_refused_when_the_quota_shrinks(world):
    unit, cadres = unit_with_cadres(world, 10)
    ay = open_year(world, unit)
    excellent(world, ay, cadres[:2])
    QuotaRule.objects.filter(unit_kind=unit.kind).update(normal_percent=10, ceiling_percent=10)
    result = batch(world, ay, [(cadres[0], "优秀"), (cadres[1], "优秀")])
    assert result.refused == {} and len(result.unchanged) == 2


def test_the_percentages_are_data_per_unit_type(world):
    unit, cadres = unit_with_cadres(world, 10)
    QuotaRule.objects.filter(unit_kind=unit.kind).update(normal_percent=30, ceiling_percent=30)
    ay = open_year(world, unit)
    assert len(excellent(world, ay, cadres[:3]).saved) == 3
    assert quota_figures(ay).normal_max == 3


def test_those_assessed_are_the_units_active_cadres_and_anyone_already_graded(world):
    unit, cadres = unit_with_cadres(world, 9)
    CadreFactory(unit=unit, status=CadreStatus.RETIRED)
    CadreFactory(unit=world.township_a)  # below or beside the unit: not assessed here
    ay = open_year(world, unit)
    grade(world, ay, cadres[0], "称职")
    cadres[0].unit = world.unit_b
    cadres[0].save()
    assert quota_figures(ay).assessed == 9


def test_a_cadre_outside_the_unit_cannot_be_graded_in_it(world):
    unit, _ = unit_with_cadres(world, 5)
    ay = open_year(world, unit)
    with pytest.raises(DomainError, match="不是清河县东城镇参加本年度考核的干部"):
        grade(world, ay, world.cadre_a, "称职")


def test_a_cadre_is_graded_once_a_year_whichever_unit_assesses(world):
    unit, cadres = unit_with_cadres(world, 5)
    other, _ = unit_with_cadres(world, 5, name="西河乡")
    first = open_year(world, unit)
    grade(world, first, cadres[0], "称职")
    cadres[0].unit = other
    cadres[0].save()
    with pytest.raises(DomainError, match="已在清河县东城镇2025年度考核中评定等次"):
        grade(world, open_year(world, other), cadres[0], "称职")


def test_an_approval_needs_a_reason_a_figure_above_normal_and_a_leader(world):
    unit, _ = unit_with_cadres(world, 20)
    ay = open_year(world, unit)
    with pytest.raises(DomainError, match="无需审批：清河县东城镇参加考核 20 人，常规比例内优秀最多 4 名"):
        services.quota_excess_request(assessment_year=ay, excellent_count=4, reason="理由", by=staff(world))
    with pytest.raises(DomainError, match="请填写申请理由"):
        services.quota_excess_request(assessment_year=ay, excellent_count=5, reason=" ", by=staff(world))
    approval = services.quota_excess_request(assessment_year=ay, excellent_count=5, reason="理由", by=staff(world))
    with pytest.raises(DomainError, match="已有一项超比例申请"):
        services.quota_excess_request(assessment_year=ay, excellent_count=5, reason="理由", by=staff(world))
    with pytest.raises(DomainError, match="须由部门领导审批"):
        services.quota_excess_decide(approval=approval, approve=True, reason="同意", by=staff(world))
    decided = services.quota_excess_decide(approval=approval, approve=False, reason="不同意", by=world.users["leader"])
    assert decided.status == ApprovalStatus.REJECTED
    with pytest.raises(DomainError, match="不能重复审批"):
        services.quota_excess_decide(approval=approval, approve=True, reason="同意", by=world.users["leader"])
    assert quota_figures(ay).allowed == 4


def test_grades_leave_history_by_the_user_who_entered_them(world):
    unit, cadres = unit_with_cadres(world, 5)
    ay = open_year(world, unit)
    batch(world, ay, [(cadres[0], "称职")])
    batch(world, ay, [(cadres[0], "基本称职")])
    batch(world, ay, [(cadres[0], "基本称职")])  # unchanged: no new history row
    record = CadreGrade.objects.get()
    assert record.history.count() == 2
    assert set(record.history.values_list("history_user", flat=True)) == {staff(world).pk}


def test_an_archived_year_refuses_grades_and_archiving_needs_everyone_graded(world):
    unit, cadres = unit_with_cadres(world, 2)
    ay = open_year(world, unit)
    grade(world, ay, cadres[0], "称职")
    with pytest.raises(DomainError, match="还有 1 名干部未评定等次"):
        services.assessment_year_close(assessment_year=ay, by=staff(world))
    grade(world, ay, cadres[1], "称职")
    services.assessment_year_close(assessment_year=ay, by=staff(world))
    with pytest.raises(DomainError, match="已归档"):
        grade(world, ay, cadres[1], "基本称职")


def test_a_year_is_opened_once_per_unit(world):
    unit, _ = unit_with_cadres(world, 1)
    open_year(world, unit)
    with pytest.raises(DomainError, match="东城镇2025年度考核已经建立"):
        open_year(world, unit)
    with pytest.raises(DomainError, match="考核基准日（2024-12-31）应在2026年内"):
        services.assessment_year_open(unit=unit, year=2026, by=staff(world), assessment_date=D(2024, 12, 31))
