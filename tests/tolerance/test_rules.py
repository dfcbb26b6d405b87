"""The outcome-consistency rule (seed 002 annex 2), every outcome and edge."""
import pytest

from core.errors import DomainError
from tests.tolerance.builders import determine, load_policy, walk_case
from tolerance.models import Outcome, Ruling, Stage

TOLERATED = [Outcome.EXEMPT, Outcome.LIGHTER, Outcome.REDUCED]


@pytest.fixture
def policy(world):
    return load_policy(world)


@pytest.mark.parametrize("outcome", TOLERATED + [Outcome.NOT_TOLERATED])
def test_every_outcome_may_be_recorded_when_all_conditions_hold_with_a_situation_and_no_exclusion(world, policy, outcome):
    case = walk_case(world, Stage.FEEDBACK, outcome=outcome)
    assert case.stage == Stage.FEEDBACK
    assert Ruling.objects.get(case_cadre__case=case).outcome == outcome


@pytest.mark.parametrize("outcome", TOLERATED)
def test_an_exclusion_refuses_tolerance_and_names_the_clause(world, policy, outcome):
    case = walk_case(world, Stage.DETERMINATION, checklist={"exclusion": 7})
    with pytest.raises(DomainError, match="存在不予容错情形第7项"):
        determine(world, case, outcome)
    case.refresh_from_db()
    assert case.stage == Stage.DETERMINATION and not case.determinations.exists()


@pytest.mark.parametrize("outcome", TOLERATED)
def test_one_unmet_condition_refuses_tolerance(world, policy, outcome):
    case = walk_case(world, Stage.DETERMINATION, checklist={"conditions": {3}})
    with pytest.raises(DomainError, match="容错条件第3项未满足"):
        determine(world, case, outcome)


def test_a_condition_without_evidence_does_not_count_as_met(world, policy):
    case = walk_case(world, Stage.DETERMINATION, checklist={"evidence": "  "})
    with pytest.raises(DomainError, match="容错条件第1项缺少依据和证据"):
        determine(world, case, Outcome.EXEMPT)


def test_no_situation_refuses_tolerance(world, policy):
    case = walk_case(world, Stage.DETERMINATION, checklist={"situation": None})
    with pytest.raises(DomainError, match="没有适用的容错情形"):
        determine(world, case, Outcome.LIGHTER)


def test_not_tolerated_is_always_allowed_and_the_wrong_refusal_is_flagged(world, policy):
    """Seed 002 art. 11(4): tolerance that should have been granted and was not."""
    case = walk_case(world, Stage.FEEDBACK, outcome=Outcome.NOT_TOLERATED)
    assert Ruling.objects.get(case_cadre__case=case).should_have_been_tolerated is True


def test_not_tolerated_with_an_exclusion_is_not_flagged(world, policy):
    case = walk_case(world, Stage.FEEDBACK, outcome=Outcome.NOT_TOLERATED, checklist={"exclusion": 2})
    assert Ruling.objects.get(case_cadre__case=case).should_have_been_tolerated is False


def test_a_partial_policy_without_conditions_needs_only_a_situation(world):
    load_policy(world, "daye", world.city)
    case = walk_case(world, Stage.FEEDBACK, outcome=Outcome.EXEMPT, checklist={"situation": 2})
    assert case.stage == Stage.FEEDBACK


def test_each_cadre_of_a_case_is_ruled_on_their_own_checklist(world, policy):
    from tests.factories import CadreFactory
    from tolerance import services

    other = CadreFactory(unit=world.township_a, name="丙干部")
    case = walk_case(world, Stage.CONSULTATION, cadres=[world.cadre_a, other])
    # reopen nothing: make the second cadre's checklist show an exclusion before consultation
    cc_other = case.case_cadres.get(cadre=other)
    item = cc_other.checklist.get(clause__kind="exclusion", clause__number=1)
    services.checklist_record(case_cadre=cc_other, by=world.users["officer_assigned"], answers={item.pk: (True, "")})
    for cc in case.case_cadres.all():
        services.defence_record(case_cadre=cc, by=world.users["staff_a"], statement="陈述", recorded_on=case.error_date)
    services.case_record_consultation(case=case, by=world.users["staff_a"], date=case.error_date, bodies="b",
                                      minutes="m", proposed_outcome=Outcome.EXEMPT)
    cc_a = case.case_cadres.get(cadre=world.cadre_a)
    outcomes = {cc_a.pk: (Outcome.EXEMPT, None), cc_other.pk: (Outcome.EXEMPT, None)}
    with pytest.raises(DomainError, match="丙干部：只能认定为“不予容错”"):
        services.case_determine(case=case, by=world.users["leader"], decision_number="1", decided_on=case.error_date,
                                deciding_body="县委", reasons="r", outcomes=outcomes)
    outcomes[cc_other.pk] = (Outcome.NOT_TOLERATED, None)
    services.case_determine(case=case, by=world.users["leader"], decision_number="1", decided_on=case.error_date,
                            deciding_body="县委", reasons="r", outcomes=outcomes)
    assert {r.case_cadre.cadre.name: r.outcome for r in Ruling.objects.filter(case_cadre__case=case)} == {
        "甲干部": Outcome.EXEMPT, "丙干部": Outcome.NOT_TOLERATED}
