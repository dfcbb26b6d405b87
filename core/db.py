"""Database upkeep the code does itself, and results kept until their data change."""
import datetime
import functools
import hashlib
import logging
import re

from django.apps import apps
from django.core.cache import caches
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import Q
from django.dispatch import receiver

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
    """Built once per set of models (simple-history builds a new manager class on every access
    to `Model.history`, a tenth of a millisecond per model)."""
    quote = connection.ops.quote_name
    parts = []
    for model in models:
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        history = getattr(model, "history", None)
        if history is not None:
            parts += [f"(SELECT MAX({pk}) FROM {table})",
                      f"(SELECT MAX({quote(history.model._meta.pk.column)}) FROM {quote(history.model._meta.db_table)})"]
        else:
            parts += [f"(SELECT COUNT(*) FROM {table})", f"(SELECT MAX({pk}) FROM {table})"]
            if any(f.name == "is_active" for f in model._meta.concrete_fields):
                parts.append(f"(SELECT SUM(CASE WHEN is_active THEN {pk} ELSE 0 END) FROM {table})")
    return "SELECT " + ", ".join(parts)


# On PostgreSQL a fingerprint is a prepared statement of the connection: planning its dozens
# of subqueries took 4-8 ms on every view, longer than running them (under 1 ms).
_PREPARED = "_kept_fingerprints_prepared"


@receiver(connection_created, dispatch_uid="kept_fingerprints_not_prepared")
def _none_prepared_yet(sender, connection, **kwargs):
    setattr(connection, _PREPARED, set())


def data_fingerprint(*models) -> tuple:
    """What changes whenever a row of `models` is written, in one query of index lookups:

    - a model with history: its table's highest id (rows added, also in bulk) and the newest
      history row (every save, deletion or move through the ORM, the services and the imports
      writes one; bulk_update_with_history too);
    - a table without history (grants, role memberships, many-to-many rows), whose rows are
      added and deleted, not edited: its row count and highest id (the highest id alone
      misses a revoked grant);
    - with an `is_active` flag and no history (the users): also the sum of the active rows'
      ids (someone deactivated)."""
    sql = _fingerprint_sql(tuple(models))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            name = "kept_fingerprint_" + hashlib.sha1(sql.encode()).hexdigest()[:16]
            prepared = getattr(connection, _PREPARED, None)
            if prepared is None:
                prepared = set()
                setattr(connection, _PREPARED, prepared)
            if name not in prepared:
                # A prepared statement lasts as long as the session, whatever the transaction does.
                cursor.execute(f"PREPARE {name} AS {sql}")
                prepared.add(name)
            cursor.execute(f"EXECUTE {name}")
        else:
            cursor.execute(sql)
        return tuple(cursor.fetchone())


def models_read_by(queryset) -> tuple:
    """The models whose tables `queryset`'s SQL reads (every FROM and JOIN, its subqueries'
    too), in table order: the `models` of a result kept until its data change, derived from
    the query itself, so that a condition which comes to read another table is watched
    without anyone adding it to a list."""
    sql, _ = queryset.query.sql_with_params()
    by_table = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    tables = sorted(set(re.findall(r'(?:FROM|JOIN) "([^"]+)"', sql)))
    missing = [t for t in tables if t not in by_table]
    if missing:  # a raw table no model names could not be fingerprinted
        raise ValueError(f"no model for the tables {missing}")
    return tuple(by_table[t] for t in tables)


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


def date_between(field: str, since: datetime.date | None, until: datetime.date | None) -> Q:
    """`field` (a date, or a datetime's `__date`) within [since, until], either end open: the
    period filter of every list and figure."""
    q = Q()
    if since:
        q &= Q(**{f"{field}__gte": since})
    if until:
        q &= Q(**{f"{field}__lte": until})
    return q
