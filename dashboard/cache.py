"""The dashboard's counts cached per user's jurisdiction, unit, period and day, dropped by
any write to the records behind them.

Every save or delete of a model of the registry, tolerance, assessment or care apps bumps one
version number in the shared cache (Redis in production), then again once its transaction commits; the
version is part of every key, so the next dashboard counts afresh. Writes that send no signal
(queryset.update, bulk_create, raw SQL: bulk loads, the daily sweeps) are caught by the
timeout: no entry lives longer than CACHE_SECONDS, and none outlives its day (the day is in
the key, so the live figures, counted as of today, never show yesterday's). The key also
holds the user's jurisdiction (their granted subtrees, or all for an administrator) and the
user, so no one reads a figure counted for someone else's permissions.

If the shared cache is unreachable, the dashboard counts without it."""
import hashlib
import logging

from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from cadres.selectors import _jurisdiction
from core import roles

logger = logging.getLogger(__name__)

APPS = {"cadres", "tolerance", "assessment", "care"}
VERSION_KEY = "dashboard:data-version"
CACHE_SECONDS = 600


def _cache():
    return caches["shared"]


def data_version() -> int:
    version = _cache().get(VERSION_KEY)
    if version is None:
        _cache().add(VERSION_KEY, 1, None)
        version = _cache().get(VERSION_KEY) or 1
    return version


def _bump() -> None:
    try:
        _cache().incr(VERSION_KEY)
    except ValueError:  # not there yet (or evicted): any new number differs from the keys in use
        _cache().add(VERSION_KEY, 2, None)
    except Exception:  # noqa: BLE001 - an unreachable cache must never fail a write
        logger.warning("领导驾驶舱缓存版本未能更新", exc_info=True)


def records_changed(sender, **kwargs) -> None:
    """Bumped at once (this transaction's own next read counts afresh) and again on commit (a
    dashboard counted by someone else in between, before the commit, is not kept)."""
    if getattr(sender, "_meta", None) is not None and sender._meta.app_label in APPS:
        _bump()
        transaction.on_commit(_bump)


def connect_signals() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(records_changed, dispatch_uid=f"dashboard-cache-{signal}")


def cache_key(user, *parts) -> str:
    paths, _ = _jurisdiction(user)
    scope = "all" if roles.is_admin(user) else ",".join(paths)
    digest = hashlib.sha1(f"{user.pk}|{scope}|{'|'.join(map(str, parts))}".encode()).hexdigest()
    return f"dashboard:{data_version()}:{digest}"


def cached(user, parts: tuple, compute):
    """compute() once per user, jurisdiction, parts (unit, period, day, …) and data version."""
    try:
        key = cache_key(user, *parts)
        value = _cache().get(key)
    except Exception:  # noqa: BLE001
        logger.warning("领导驾驶舱缓存不可用，直接统计", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            _cache().set(key, value, CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("领导驾驶舱缓存写入失败", exc_info=True)
    return value
