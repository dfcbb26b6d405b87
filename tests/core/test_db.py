from cadres.models import Cadre
from core.db import analyze


def test_analyze_refreshes_statistics_of_some_tables_or_all_on_every_database(db):
    analyze(Cadre, Cadre.tags.through)
    analyze()
