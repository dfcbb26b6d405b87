import pytest


@pytest.fixture(autouse=True)
def care_defaults(db):
    """The rows the care data migration loads: a transactional test's flush removes them."""
    from care.defaults import load_defaults

    load_defaults()
