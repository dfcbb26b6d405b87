import pytest

from assessment.catalogs import load_default_rules


@pytest.fixture(autouse=True)
def default_rules(db):
    """The data migration's rules: a transactional test's flush removes them, so put them back."""
    load_default_rules()
