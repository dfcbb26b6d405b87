"""The audit trail (审计日志): one function writes every security-relevant event.

Each row is written in the caller's transaction, so an action and its record commit or roll
back together. Rows form a chain: each stores the keyed SM3 hash (HMAC-SM3, GB/T 39786-2021)
of its own content and the previous row's hash; `audit_chain_verify` recomputes the chain and
reports the first row that was edited, inserted or removed. Writers serialise on a lock so the
chain has one order (a PostgreSQL advisory lock held to commit; SQLite serialises writers anyway);
on PostgreSQL the lock, the chain check and the insert are one statement (core_audit_append)."""
import hashlib
import hmac
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core import roles
from core.models import AuditEvent

_CHAIN_LOCK = 727_001  # arbitrary constant naming the advisory lock


def _key() -> bytes:
    configured = getattr(settings, "AUDIT_HMAC_KEY", "")
    if configured:
        return configured.encode()
    # Derived, so a fresh install works; production sets AUDIT_HMAC_KEY so that rotating
    # SECRET_KEY never breaks the verification of old rows.
    return hashlib.sha256(b"dandang-audit:" + settings.SECRET_KEY.encode()).digest()


def _digest(prev_hash: str, fields: dict) -> str:
    payload = json.dumps([prev_hash, fields], ensure_ascii=False, sort_keys=True, default=str).encode()
    mac = crypto_hmac.HMAC(_key(), hashes.SM3())
    mac.update(payload)
    return mac.finalize().hex()


def _hashed_fields(event: AuditEvent) -> dict:
    return {
        "created_at": event.created_at.isoformat(), "user_id": event.user_id, "username": event.username,
        "user_display": event.user_display, "role": event.role, "ip": event.ip_address,
        "type": event.event_type, "object_type": event.object_type, "object_id": event.object_id,
        "object_repr": event.object_repr, "outcome": event.outcome, "detail": event.detail, "count": event.count,
    }


def client_ip(request) -> str:
    if request is None:
        return ""
    # axes resolves the client address through the configured proxy count; fall back to the socket.
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "") or ""


def audit_log(event_type: str, *, user=None, request=None, obj=None, outcome: str = AuditEvent.Outcome.SUCCESS,
              detail: str = "", count: int | None = None, username: str = "") -> AuditEvent:
    """Record one event. `user` defaults to the request's user; `obj` is the record concerned
    (its type, key and text are copied); `count` is how many records an export or search returned."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    event = AuditEvent(
        event_type=event_type, outcome=outcome, detail=detail[:4000], count=count,
        ip_address=client_ip(request)[:45],
    )
    if user is not None:
        event.user_id = user.pk
        event.username = user.get_username()
        event.user_display = (user.get_full_name() or user.get_username())[:150]
        event.role = "、".join(sorted(roles.roles_of(user)))[:100]
    else:
        event.username = username[:150]
    if obj is not None:
        event.object_type = obj._meta.verbose_name[:100]
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:200]
    event.created_at = timezone.now()
    if connection.vendor == "postgresql":
        _append_postgresql(event)
        return event
    # No savepoint: if the row cannot be written the caller's transaction fails with it, which
    # is what "an action and its record commit together" asks, and it saves two round trips.
    with transaction.atomic(savepoint=False):
        _chain(event, _chain_tail())
        event.save(force_insert=True)
    return event


def _chain(event: AuditEvent, prev_hash: str):
    event.prev_hash = prev_hash
    event.hash = _digest(prev_hash, _hashed_fields(event))


# The hash this process appended last: most often still the chain's tail, so that the row can be
# chained before the database is asked (a hint only; core_audit_append checks it under the lock).
_known_tail = {"hash": None}


def _append_postgresql(event: AuditEvent):
    """One round trip when this process knows the tail (a search, a read: an autocommitted
    statement of its own, or a statement of the caller's transaction). core_audit_append
    (migration core 0016) takes the chain lock, and inserts only if the row was chained to the
    actual tail; if not, it returns the tail and the row is chained again, in a transaction
    that keeps the lock from that call on, so at most three calls are ever needed."""
    row_id, tail = _append_call(event, _known_tail["hash"])
    if row_id is None:
        # No savepoint, as above: inside the caller's transaction this joins it.
        with transaction.atomic(savepoint=False):
            for _ in range(2):
                row_id, tail = _append_call(event, tail)
                if row_id is not None:
                    break
    if row_id is None:  # cannot happen while the lock is held; never write a forked chain
        raise RuntimeError("audit chain lock not held")
    event.pk = row_id
    event._state.adding = False
    event._state.db = connection.alias
    _known_tail["hash"] = event.hash


_COLUMNS = None


def _append_call(event: AuditEvent, expected: str | None) -> tuple[int | None, str]:
    global _COLUMNS
    if _COLUMNS is None:
        _COLUMNS = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    _chain(event, expected or "")
    row = {f.column: f.get_db_prep_value(f.value_from_object(event), connection) for f in _COLUMNS}
    with connection.cursor() as cursor:
        cursor.execute("SELECT new_id, tail FROM core_audit_append(%s, %s, %s)",
                       [_CHAIN_LOCK, "" if expected is None else expected,
                        json.dumps(row, ensure_ascii=False, default=str)])
        return cursor.fetchone()


def _chain_tail() -> str:
    """The last row's hash (SQLite, which serialises writers: no lock needed)."""
    return AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""


def audit_chain_verify(*, batch: int = 5000) -> list[str]:
    """Problems found in the chain, oldest first (empty when intact)."""
    problems = []
    prev_hash = None
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return problems
        for event in rows:
            if prev_hash is not None and event.prev_hash != prev_hash:
                problems.append(f"第 {event.pk} 条：与上一条的摘要不衔接（其前有记录被删除或插入）")
            if not hmac.compare_digest(event.hash, _digest(event.prev_hash, _hashed_fields(event))):
                problems.append(f"第 {event.pk} 条：内容与摘要不符（记录被修改）")
            prev_hash = event.hash
            last_id = event.pk
