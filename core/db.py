"""Database upkeep the code does itself, and results kept until their data change."""
import hashlib

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

KEPT_SECONDS = 3600
_GENERATION_KEY = "core:kept:generation"


def _fingerprint_sql(models) -> str:
    parts = []
    for model in models:
        parts.append(f"(SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)})")
        history = getattr(model, "history", None)
        if history is not None:
            parts.append(f"(SELECT MAX(history_id) FROM {connection.ops.quote_name(history.model._meta.db_table)})")
    return "SELECT " + ", ".join(parts)


def data_fingerprint(*models) -> tuple:
    """What changes whenever a row of `models` is written, in one query of index lookups: each
    table's highest id (rows added, also in bulk) and, for a model with history, the newest
    history row (every save, deletion or move through the ORM, the services and the imports
    writes one; bulk_update_with_history too)."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql(models))
        return tuple(cursor.fetchone())


def kept_until_changed(name: str, parts: tuple, models: tuple, compute):
    """`compute()`, or its result kept in the cache under `name`, `parts` (whatever the result
    depends on besides the data: the query, the user's scope, the day) and the fingerprint of
    `models` (data_fingerprint): a write to any of them gives a new key in every process, so
    a kept result is never older than the last change of its data.

    For aggregates over a whole jurisdiction that no index can make cheap (the workbench's
    count of active cadres, the compliance totals of a city): the first view after a change
    computes them, the next read them from the cache."""
    from django.core.cache import cache

    generation = cache.get(_GENERATION_KEY, 0)
    key = f"core:kept:{name}:" + hashlib.sha256(
        repr((generation, connection.alias, parts, data_fingerprint(*models))).encode()).hexdigest()
    result = cache.get(key)
    if result is None:
        result = compute()
        cache.set(key, result, KEPT_SECONDS)
    return result


def kept_forget():
    """Drop every kept result (tests roll back rows whose ids the next test reuses)."""
    from django.core.cache import cache

    cache.set(_GENERATION_KEY, cache.get(_GENERATION_KEY, 0) + 1, None)
