"""Races that need real row locks (PostgreSQL; skipped with a message on SQLite)."""
import threading

import pytest
from django.db import connection

from assessment import services
from assessment.catalogs import load_default_rules
from assessment.models import CadreGrade, QuarterlyReview
from tests.assessment.builders import D, batch, open_year, unit_with_cadres


@pytest.mark.django_db(transaction=True)
def test_two_batches_at_once_cannot_both_take_the_last_excellent_place(postgres_only, world):
    """Five assessed: one 优秀. The year's row lock serialises the quota count."""
    load_default_rules()
    unit, cadres = unit_with_cadres(world, 5)
    ay = open_year(world, unit)
    results, barrier = [], threading.Barrier(2)

    def grade(cadre):
        barrier.wait()
        try:
            results.append(batch(world, ay, [(cadre, "优秀")]))
        finally:
            connection.close()

    threads = [threading.Thread(target=grade, args=(c,)) for c in cadres[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r.saved) for r in results) == [0, 1]
    assert CadreGrade.objects.filter(grade="优秀").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_periodic_opening_run_twice_at_once_opens_each_review_once(postgres_only, world):
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        try:
            services.quarterly_reviews_open(D(2026, 5, 20))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert QuarterlyReview.objects.count() == 3
