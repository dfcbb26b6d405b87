"""The records at a city's scale (core.scale_demo) that demo_data adds for the benchmarks: written
in bulk, proportional to the cadres, once."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from care.follow_ups import refresh_follow_up_due
from care.models import CareParticipant, Concern
from core.models import Notification
from core.scale_demo import build_scale_records
from tests.factories import CadreFactory, SanctionFactory
from tests.tolerance.builders import load_policy
from tolerance.models import Allegation, ToleranceCase


def test_records_at_scale_are_written_in_bulk_and_once(world):
    load_policy(world)
    for i in range(40):
        cadre = CadreFactory(unit=world.township_a if i % 2 else world.unit_b)
        if i % 4 == 0:
            SanctionFactory(cadre=cadre)
    with CaptureQueriesContext(connection) as captured:
        written = build_scale_records(10_000, log=lambda line: None)  # 1/10 of the per-100k figures
    assert written["cases"] == 600 and ToleranceCase.objects.count() >= 600
    assert written["allegations"] == 1000 and Allegation.objects.count() >= 1000
    assert written["concerns"] == 4000 and Concern.objects.count() >= 4000
    assert written["notifications"] == 1000 == Notification.objects.filter(kind="scale_demo").count()
    assert CareParticipant.objects.count() > 40
    assert len(captured) < 400  # a few statements per batch (SQLite: ~100 rows), never one per row (~8,000 rows)
    assert refresh_follow_up_due() == 0  # the visits written are in the stored schedules
    assert build_scale_records(10_000, log=lambda line: None) == {}  # a second run adds nothing
