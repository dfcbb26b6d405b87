import datetime

import pytest

from core.errors import DomainError
from tests.tolerance.builders import file_case, load_policy
from tolerance.models import PolicyClause, PolicyDocument
from tolerance.selectors import policy_in_force

D = datetime.date


def test_the_shipped_catalogs_have_the_seed_counts(world):
    zjk = load_policy(world)
    counts = {k: zjk.clauses.filter(kind=k).count() for k in ("condition", "situation", "exclusion")}
    assert counts == {"condition": 6, "situation": 12, "exclusion": 10}
    daye = load_policy(world, "daye", world.unit_a)
    assert daye.is_partial and daye.clauses.count() == 4
    load_policy(world)  # loading twice changes nothing
    assert PolicyClause.objects.filter(document=zjk).count() == 28


def test_the_nearest_ancestor_with_a_document_in_force_wins(world):
    city = load_policy(world)
    county = load_policy(world, "daye", world.unit_a)
    assert policy_in_force(world.township_a, D(2026, 1, 1)) == county
    assert policy_in_force(world.unit_b, D(2026, 1, 1)) == city


def test_a_document_that_ended_the_day_before_the_error_does_not_apply(world):
    city = load_policy(world)
    county = load_policy(world, "daye", world.unit_a)
    county.effective_to = D(2026, 2, 28)
    county.save()
    assert policy_in_force(world.township_a, D(2026, 2, 28)) == county  # last day still in force
    assert policy_in_force(world.township_a, D(2026, 3, 1)) == city


def test_a_document_not_yet_in_force_on_the_error_date_does_not_apply(world):
    load_policy(world)
    assert policy_in_force(world.township_a, D(2017, 12, 31)) is None


def test_filing_stores_the_policy_and_refuses_without_one(world):
    load_policy(world)
    case = file_case(world, error_date=D(2026, 3, 1))
    assert case.policy.title.startswith("张家口市")
    assert case.case_cadres.get().checklist.count() == 28
    with pytest.raises(DomainError, match="没有适用的容错政策文件"):
        file_case(world, error_date=D(2017, 1, 1))
    assert PolicyDocument.objects.count() == 1
