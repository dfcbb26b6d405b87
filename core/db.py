"""Database upkeep the code does itself, and results kept until their data change."""
import functools
import hashlib
import logging

from django.core.cache import caches
from django.db import connection

# An import or a generator that wrote at least this many rows refreshes the planner's statistics.
ANALYZE_AFTER_ROWS = 500


def analyze(*models) -> None:
    """Refresh the planner's statistics after a bulk write (of `models`' tables, or all).

    PostgreSQL's autovacuum catches up only after a while; until then the planner sees the
    old row counts, and a page over freshly written rows can pick a nested loop over millions
    of rows (care compliance took 7 s instead of 54 ms, issue #16)."""
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(tables) if tables else "ANALYZE")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


# ------------------------------------------------------------------ results kept until the data change

# The one mechanism for results kept until their data change (the workbench's count of active
# cadres, care compliance, the dashboard's counts). A write that leaves neither a new row nor a
# history row (queryset.update, raw SQL: the daily sweeps) is seen at the latest when the entry
# expires.
KEPT_SECONDS = 600
_GENERATION_KEY = "core:kept:generation"
logger = logging.getLogger(__name__)


def _kept_cache():
    """The cache every process shares (Redis in production), so one worker's result serves all."""
    return caches["shared"]


@functools.lru_cache
def _fingerprint_sql(models: tuple) -> str:
    parts = []
    for model in models:
        for tracked in (model, getattr(getattr(model, "history", None), "model", None)):
            if tracked is not None:
                parts.append(f"(SELECT MAX({connection.ops.quote_name(tracked._meta.pk.column)}) "
                             f"FROM {connection.ops.quote_name(tracked._meta.db_table)})")
    return "SELECT " + ", ".join(parts)


def data_fingerprint(*models) -> tuple:
    """What changes whenever a row of `models` is written, in one query of index lookups: each
    table's highest id (rows added, also in bulk) and, for a model with history, the newest
    history row (every save, deletion or move through the ORM, the services and the imports
    writes one; bulk_update_with_history too)."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql(tuple(models)))
        return tuple(cursor.fetchone())


def kept_until_changed(name: str, parts: tuple, models: tuple, compute):
    """`compute()`, or its result kept in the shared cache under `name`, `parts` (whatever the
    result depends on besides the data: the query, the user's scope, the day) and the
    fingerprint of `models` (data_fingerprint): a write to any of them gives a new key in
    every process, so a kept result is never older than the last change of its data.

    For aggregates over a whole jurisdiction that no index can make cheap: the first view
    after a change computes them, the next read them from the cache. If the cache is
    unreachable, the result is computed every time."""
    try:
        cache = _kept_cache()
        generation = cache.get(_GENERATION_KEY, 0)
        key = f"core:kept:{name}:" + hashlib.sha256(repr((
            generation, connection.settings_dict["NAME"], parts, data_fingerprint(*models))).encode()).hexdigest()
        result = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must never fail a page
        logger.warning("共用缓存不可用，直接计算", exc_info=True)
        return compute()
    if result is None:
        result = compute()
        try:
            cache.set(key, result, KEPT_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("共用缓存写入失败", exc_info=True)
    return result


def kept_forget():
    """Drop every kept result (tests roll back rows whose ids the next test reuses)."""
    cache = _kept_cache()
    cache.set(_GENERATION_KEY, cache.get(_GENERATION_KEY, 0) + 1, None)
