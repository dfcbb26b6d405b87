from cadres.models import Cadre
from core.db import analyze


def test_analyze_refreshes_statistics_of_some_tables_or_all_on_every_database(db):
    analyze(Cadre, Cadre.tags.through)
    analyze()


def test_models_read_by_names_every_table_of_a_query_and_its_subqueries(db):
    from django.db.models import Q

    from cadres.models import Sanction, Unit
    from core.db import models_read_by

    query = Cadre.objects.filter(Q(unit__path__startswith="0001") | Q(pk__in=Sanction.objects.values("cadre_id")),
                                 tags__name="x")
    assert set(models_read_by(query)) == {Cadre, Unit, Sanction, Cadre.tags.through, Cadre.tags.field.related_model}
