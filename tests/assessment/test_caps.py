"""Grade caps as the jurisdiction's policy data (seed 004, Xianyang; DESIGN §3), enforced in
the service; only sanctions and measures in force count."""
import pytest

from assessment import services
from assessment.models import CadreGrade, CapSubject, CapTrigger, GradeCapPolicy, GradeCapRule
from core.errors import DomainError
from tests.assessment.builders import D, batch, grade, interviews, open_year, team_interviews, unit_with_cadres
from tests.factories import CadreFactory, SanctionFactory, sanction_type
from tests.tolerance.builders import load_policy, walk_case
from tolerance.models import Outcome, Stage


@pytest.fixture
def five(world):
    """Five cadres: one 优秀 fits the quota (floor(5 × 20%) = 1)."""
    unit, cadres = unit_with_cadres(world, 5)
    return open_year(world, unit), cadres


@pytest.mark.parametrize("count, refused, allowed", [
    (0, [], ["优秀", "称职", "基本称职", "不称职"]),
    (1, ["优秀"], ["称职", "基本称职", "不称职"]),
    (2, ["优秀", "称职"], ["基本称职", "不称职"]),
    (3, ["优秀", "称职"], ["基本称职", "不称职"]),
])
def test_a_cadres_interviews_in_the_year_cap_the_grade(world, five, count, refused, allowed):
    ay, cadres = five
    interviews(cadres[0], count)
    for value in refused:
        with pytest.raises(DomainError) as e:
            grade(world, ay, cadres[0], value)
        assert f"本年度被约谈 {count} 次" in e.value.message
        assert "咸阳" in e.value.message
    for value in allowed:
        assert grade(world, ay, cadres[0], value).grade == value


def test_the_refusal_names_the_rule_its_citation_and_what_is_allowed(world, five):
    ay, cadres = five
    interviews(cadres[0], 2)
    with pytest.raises(DomainError) as e:
        grade(world, ay, cadres[0], "称职")
    message = e.value.message
    assert message.startswith("不能评为“称职”：本年度被约谈 2 次")
    assert "约谈2次以上的，直接评为“基本称职”或“不称职”等次" in message
    assert message.endswith("只能评定为：基本称职、不称职。")
    assert not CadreGrade.objects.exists()


def test_interviews_in_another_year_do_not_count(world, five):
    ay, cadres = five
    interviews(cadres[0], 2, year=2024)
    interviews(cadres[0], 1, year=2026)
    assert grade(world, ay, cadres[0], "优秀").grade == "优秀"


def test_a_waived_interview_does_not_count(world, five):
    ay, cadres = five
    for m in interviews(cadres[0], 2):
        m.status = "waived"
        m.save()
    assert grade(world, ay, cadres[0], "优秀").grade == "优秀"


def test_other_measures_than_interviews_do_not_cap(world, five):
    from tests.factories import MeasureFactory

    ay, cadres = five
    MeasureFactory(cadre=cadres[0], kind="提醒", date=D(2025, 4, 1))
    assert grade(world, ay, cadres[0], "优秀").grade == "优秀"


@pytest.mark.parametrize("count, team_refused, leader_excellent", [
    (1, [], True),
    (2, ["好"], False),
    (3, ["好", "较好"], False),
])
def test_team_interviews_cap_the_team_and_its_main_leader(world, count, team_refused, leader_excellent):
    unit, cadres = unit_with_cadres(world, 5)
    cadres[0].is_main_leader = cadres[0].is_team_member = True
    cadres[0].save()
    ay = open_year(world, unit)
    team_interviews(world, unit, count)
    for value in ["好", "较好", "一般", "较差"]:
        if value in team_refused:
            with pytest.raises(DomainError) as e:
                services.team_grade_record(assessment_year=ay, grade=value, by=world.users["staff_a"])
            assert f"领导班子本年度被约谈 {count} 次" in e.value.message
        else:
            assert services.team_grade_record(assessment_year=ay, grade=value, by=world.users["staff_a"]).grade == value
    if leader_excellent:
        assert grade(world, ay, cadres[0], "优秀").grade == "优秀"
    else:
        with pytest.raises(DomainError, match="单位主要负责人不得评为“优秀”"):
            grade(world, ay, cadres[0], "优秀")
        assert grade(world, ay, cadres[0], "称职").grade == "称职"
    # Other team members are not capped by the team's interviews.
    assert grade(world, ay, cadres[1], "称职").grade == "称职"


def test_a_unit_without_a_leadership_team_gets_no_team_grade(world):
    unit, _ = unit_with_cadres(world, 2)
    unit.has_leadership_team = False
    unit.save()
    ay = open_year(world, unit)
    with pytest.raises(DomainError, match="不设领导班子"):
        services.team_grade_record(assessment_year=ay, grade="好", by=world.users["staff_a"])


@pytest.mark.parametrize("decision, allowed", [
    (D(2024, 12, 30), True),   # ends 2025-12-30, the day before the assessment date
    (D(2024, 12, 31), True),   # ends 2025-12-31: usable again on the assessment date itself
    (D(2025, 1, 1), False),    # ends 2026-01-01: still inside on 2025-12-31
])
def test_an_influence_period_on_the_assessment_date_forbids_excellent(world, five, decision, allowed):
    ay, cadres = five
    SanctionFactory(cadre=cadres[0], sanction_type=sanction_type("政务处分", "记过"), decision_date=decision)
    if allowed:
        assert grade(world, ay, cadres[0], "优秀").grade == "优秀"
    else:
        with pytest.raises(DomainError, match="处于处分影响期内：记过（2025-01-01作出，影响期至2026-01-01止）"):
            grade(world, ay, cadres[0], "优秀")
        assert grade(world, ay, cadres[0], "称职").grade == "称职"


def test_the_influence_period_is_judged_on_the_years_own_assessment_date(world):
    unit, cadres = unit_with_cadres(world, 5)
    ay = open_year(world, unit, assessment_date=D(2025, 6, 30))
    SanctionFactory(cadre=cadres[0], sanction_type=sanction_type("政务处分", "警告"), decision_date=D(2025, 1, 1))
    with pytest.raises(DomainError, match="2025-06-30"):
        grade(world, ay, cadres[0], "优秀")  # ends 2025-07-01


def test_a_matter_ruled_exempt_through_tolerance_never_counts(world):
    """The interviews and the sanction of a matter ruled 免责 are waived by the ruling, so
    they cap nothing (the "four unaffected", DESIGN §3)."""
    load_policy(world)
    CadreFactory.create_batch(4, unit=world.township_a)  # five assessed: room for one 优秀
    measures = interviews(world.cadre_a, 2, year=2026)
    sanction = SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 2, 1))
    walk_case(world, Stage.FEEDBACK, outcome=Outcome.EXEMPT, related_measures=measures, related_sanctions=[sanction])
    ay = open_year(world, world.township_a, year=2026)
    assert grade(world, ay, world.cadre_a, "优秀").grade == "优秀"


def test_the_same_matter_not_tolerated_keeps_capping(world):
    load_policy(world)
    CadreFactory.create_batch(4, unit=world.township_a)
    measures = interviews(world.cadre_a, 2, year=2026)
    walk_case(world, Stage.FEEDBACK, outcome=Outcome.NOT_TOLERATED, related_measures=measures)
    ay = open_year(world, world.township_a, year=2026)
    with pytest.raises(DomainError, match="本年度被约谈 2 次"):
        grade(world, ay, world.cadre_a, "称职")


def test_a_jurisdictions_own_policy_replaces_the_default(world, five):
    ay, cadres = five
    local = GradeCapPolicy.objects.create(title="清河县考核办法", issuing_body="清河县委组织部", unit=world.unit_a,
                                          effective_from=D(2020, 1, 1))
    GradeCapRule.objects.create(policy=local, number=1, subject=CapSubject.CADRE, trigger=CapTrigger.CADRE_INTERVIEWS,
                                min_count=3, allowed_grades=["基本称职", "不称职"], citation="约谈3次以上的不得评为称职以上。")
    interviews(cadres[0], 2)
    assert grade(world, ay, cadres[0], "优秀").grade == "优秀"  # the Xianyang rules do not apply here
    interviews(cadres[1], 3)
    with pytest.raises(DomainError, match="清河县考核办法"):
        grade(world, ay, cadres[1], "称职")


def test_a_policy_not_yet_in_force_on_the_assessment_date_is_not_used(world, five):
    ay, cadres = five
    GradeCapPolicy.objects.create(title="清河县新办法", issuing_body="清河县委组织部", unit=world.unit_a,
                                  effective_from=D(2026, 6, 1))
    interviews(cadres[0], 1)
    with pytest.raises(DomainError, match="咸阳"):
        grade(world, ay, cadres[0], "优秀")


def test_a_batch_saves_the_valid_rows_and_refuses_each_capped_row_with_its_reason(world, five):
    ay, cadres = five
    interviews(cadres[1], 1)
    interviews(cadres[2], 2)
    result = batch(world, ay, [(cadres[0], "称职"), (cadres[1], "优秀"), (cadres[2], "称职"), (cadres[3], "基本称职"),
                               (cadres[4], "")])
    assert {g.cadre for g in result.saved} == {cadres[0], cadres[3]}
    assert set(result.refused) == {cadres[1].pk, cadres[2].pk}
    assert "本年度被约谈 1 次" in result.refused[cadres[1].pk]
    assert "本年度被约谈 2 次" in result.refused[cadres[2].pk]
    assert dict(CadreGrade.objects.values_list("cadre_id", "grade")) == {cadres[0].pk: "称职", cadres[3].pk: "基本称职"}
