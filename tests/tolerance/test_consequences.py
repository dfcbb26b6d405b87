"""Consequences reach the cadre's record in the determination's transaction; a new
determination after re-review supersedes the old ones and deletes nothing."""
import datetime

import pytest

from cadres.models import RecordStatus, Sanction, SupervisionMeasure
from tests.factories import MeasureFactory, SanctionFactory, sanction_type
from tests.tolerance.builders import D, determine, load_policy, walk_case
from tolerance import services
from tolerance.models import Consequence, Determination, Outcome, Stage
from tolerance.selectors import case_figures


@pytest.fixture(autouse=True)
def policy(world):
    return load_policy(world)


def test_exemption_waives_recorded_sanctions_and_measures_and_creates_none(world):
    recorded = SanctionFactory(cadre=world.cadre_a)
    measure = MeasureFactory(cadre=world.cadre_a, kind="诫勉")
    walk_case(world, Stage.FEEDBACK, outcome=Outcome.EXEMPT, related_sanctions=[recorded],
              related_measures=[measure], proposed_sanction_type=sanction_type("政务处分", "记过"))
    recorded.refresh_from_db()
    measure.refresh_from_db()
    assert (recorded.status, measure.status) == (RecordStatus.WAIVED, RecordStatus.WAIVED)
    assert Sanction.objects.filter(cadre=world.cadre_a).count() == 1
    assert recorded.history.latest().history_user == world.users["leader"]


def test_a_reduced_outcome_writes_the_reduced_sanction_with_its_influence_period(world):
    recorded = SanctionFactory(cadre=world.cadre_a, sanction_type=sanction_type("政务处分", "记大过"))
    walk_case(world, Stage.FEEDBACK, outcome=Outcome.REDUCED, related_sanctions=[recorded])
    reduced = Sanction.objects.get(cadre=world.cadre_a, status=RecordStatus.IN_FORCE)
    assert reduced.sanction_type == sanction_type("政务处分", "警告")
    assert (reduced.decision_date, reduced.influence_end) == (D(2026, 5, 10), D(2026, 11, 10))
    recorded.refresh_from_db()
    assert recorded.status == RecordStatus.SUPERSEDED


def test_not_tolerated_makes_the_proposed_sanction_stand(world):
    walk_case(world, Stage.FEEDBACK, outcome=Outcome.NOT_TOLERATED,
              proposed_sanction_type=sanction_type("政务处分", "记过"), proposed_measure_kind="诫勉")
    s = Sanction.objects.get(cadre=world.cadre_a)
    assert (s.sanction_type.name, s.status, s.influence_end) == ("记过", RecordStatus.IN_FORCE, D(2027, 5, 10))
    assert SupervisionMeasure.objects.get(cadre=world.cadre_a).kind == "诫勉"


def test_a_rereview_supersedes_the_old_consequences_in_one_go_and_deletes_nothing(world):
    recorded = SanctionFactory(cadre=world.cadre_a)
    case = walk_case(world, Stage.CLOSED, outcome=Outcome.NOT_TOLERATED, related_sanctions=[recorded])
    cc = case.case_cadres.get()
    services.rereview_request(case=case, case_cadre=cc, by=world.users["staff_a"], requested_on=D(2026, 6, 1),
                              grounds="应予容错")
    determine(world, case, Outcome.EXEMPT, number="清容认〔2026〕2号", decided_on=D(2026, 6, 20))
    recorded.refresh_from_db()
    assert recorded.status == RecordStatus.WAIVED
    old, new = Determination.objects.filter(case=case).order_by("recorded_at", "id")
    assert (old.status, new.status) == ("superseded", "current")
    assert Consequence.objects.filter(ruling__determination=old, active=False).count() == 1
    assert Consequence.objects.filter(ruling__determination=new, active=True, effect="waived").count() == 1


def test_a_rereview_from_reduced_to_not_tolerated_supersedes_the_reduced_sanction(world):
    case = walk_case(world, Stage.CLOSED, outcome=Outcome.LIGHTER, proposed_sanction_type=sanction_type("政务处分", "记过"))
    reduced = Sanction.objects.get(cadre=world.cadre_a)
    services.rereview_request(case=case, case_cadre=case.case_cadres.get(), by=world.users["staff_a"],
                              requested_on=D(2026, 5, 20), grounds="x")
    determine(world, case, Outcome.NOT_TOLERATED, number="2", decided_on=D(2026, 6, 1))
    reduced.refresh_from_db()
    assert reduced.status == RecordStatus.SUPERSEDED
    standing = Sanction.objects.get(cadre=world.cadre_a, status=RecordStatus.IN_FORCE)
    assert standing.sanction_type.name == "记过"
    assert Sanction.objects.filter(cadre=world.cadre_a).count() == 2  # nothing deleted


def test_a_refused_determination_writes_no_consequence(world):
    recorded = SanctionFactory(cadre=world.cadre_a)
    case = walk_case(world, Stage.DETERMINATION, related_sanctions=[recorded], checklist={"exclusion": 1})
    with pytest.raises(Exception):
        determine(world, case, Outcome.EXEMPT)
    recorded.refresh_from_db()
    assert recorded.status == RecordStatus.IN_FORCE
    assert not Consequence.objects.exists()


def test_the_cadre_page_shows_the_case_and_its_effect(client, world):
    from tests.conftest import client_for

    walk_case(world, Stage.FEEDBACK, outcome=Outcome.EXEMPT)
    client_for(client, world.users["staff_a"])
    page = client.get(f"/cadres/{world.cadre_a.pk}/?tab=tolerance").content.decode()
    assert "免责" in page and "四个不受影响" in page
    client.logout()
    client_for(client, world.users["officer_unassigned"])
    assert client.get(f"/cadres/{world.cadre_a.pk}/?tab=tolerance").status_code == 403


def test_figures_count_outcomes_by_year_and_unit_within_the_jurisdiction(world):
    walk_case(world, Stage.FEEDBACK, outcome=Outcome.EXEMPT)
    walk_case(world, Stage.FEEDBACK, outcome=Outcome.NOT_TOLERATED)
    figures = case_figures(user=world.users["leader"])
    assert figures["by_outcome_year"] == [(2026, "exempt", 1), (2026, "not_tolerated", 1)]
    assert figures["by_unit"] == [("清河县城关镇", 2)]
    assert figures["wrongly_not_tolerated"] == 1
    assert case_figures(user=world.users["staff_b"])["by_unit"] == []
    assert datetime.date(2026, 5, 10).year == 2026
