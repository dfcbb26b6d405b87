"""Writes of the api app: issuing and revoking tokens, and running a write once per
Idempotency-Key."""
import datetime
import hashlib
import json
import secrets

from django.db import connection, transaction
from django.utils import timezone

from api.authentication import TOKEN_PREFIX, token_digest
from api.models import ApiToken, IdempotencyRecord, Scope, TokenKind
from api.permissions import may_manage_tokens
from core.audit import audit_log
from core.errors import DomainError
from core.models import AuditEvent

MAX_TOKEN_DAYS = 366  # a partner's token is re-issued at least yearly


def _save(instance, by, **kwargs):
    instance._history_user = by
    instance.save(**kwargs)
    return instance


@transaction.atomic
def token_create(*, by, user, note: str, scopes: list[str], expires_on: datetime.date,
                 kind: str = TokenKind.PERSONAL, partner_body: str = "", request=None) -> tuple[ApiToken, str]:
    """Issue a token; returns it with the raw value, which is shown once and never stored."""
    if not may_manage_tokens(by):
        raise DomainError("只有安全管理员可以签发接口令牌。")
    if not user.is_active:
        raise DomainError("所属账号已停用，不能签发令牌。")
    unknown = set(scopes) - set(Scope.values)
    if not scopes or unknown:
        raise DomainError("请选择至少一项有效的权限范围。", field="scopes")
    today = timezone.localdate()
    if not today < expires_on <= today + datetime.timedelta(days=MAX_TOKEN_DAYS):
        raise DomainError(f"有效期应在明天至 {MAX_TOKEN_DAYS} 天内。", field="expires_on")
    if kind == TokenKind.SERVICE and not partner_body:
        raise DomainError("合作单位服务账号的令牌请选择合作单位。", field="partner_body")
    if not note.strip():
        raise DomainError("请写明用途说明。", field="note")
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(24)}"
    expires_at = timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.max))
    token = _save(ApiToken(user=user, kind=kind, partner_body=partner_body, note=note.strip(), prefix=prefix,
                           key_hash=token_digest(raw), scopes=[s for s in Scope.values if s in scopes],
                           expires_at=expires_at, created_by=by), by)
    audit_log(AuditEvent.Type.GRANT, user=by, request=request, obj=token,
              detail=f"签发接口令牌给 {user.get_username()}，权限范围：{'、'.join(token.scopes)}，"
                     f"有效期至 {expires_on:%Y-%m-%d}")
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, by, request=None) -> ApiToken:
    if not may_manage_tokens(by):
        raise DomainError("只有安全管理员可以吊销接口令牌。")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise DomainError("该令牌已被吊销。")
    token.revoked_at, token.revoked_by = timezone.now(), by
    _save(token, by, update_fields=["revoked_at", "revoked_by"])
    audit_log(AuditEvent.Type.REVOKE, user=by, request=request, obj=token, detail="吊销接口令牌")
    return token


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\0".join([method.encode(), path.encode(), body])).hexdigest()


class IdempotencyConflict(DomainError):
    pass


def idempotent_write(*, owner: str, key: str, fingerprint: str, write) -> tuple[int, dict, bool]:
    """Run `write()` (which returns (status, body)) once per (owner, key).

    Returns (status, body, replayed). The record is inserted first, in the write's
    transaction: a concurrent repeat's insert waits on the unique index until the first
    commits, then fails and reads the stored answer; if the first rolled back, the repeat
    simply runs. Refused writes (4xx) keep no record, so a corrected retry may reuse the key."""
    with transaction.atomic():
        record_id = _claim_key(owner, key, fingerprint)
        if record_id is None:
            existing = IdempotencyRecord.objects.get(owner=owner, key=key)
            if existing.fingerprint != fingerprint:
                raise IdempotencyConflict("该 Idempotency-Key 已用于另一个请求，请为新的请求使用新的键。",
                                          field="Idempotency-Key")
            return existing.status_code, existing.body, True
        status, body = write()
        if status >= 400:
            transaction.set_rollback(True)
            return status, body, False
        IdempotencyRecord.objects.filter(pk=record_id).update(
            status_code=status, body=json.loads(json.dumps(body, default=str)))
        return status, body, False


def _claim_key(owner: str, key: str, fingerprint: str) -> int | None:
    """Insert the key's record and return its id, or None when the key is taken. One
    statement (ON CONFLICT DO NOTHING, PostgreSQL and SQLite alike) instead of an insert
    in a savepoint that catches the IntegrityError: the same wait on the unique index for a
    concurrent repeat, two round trips fewer."""
    table = IdempotencyRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (owner, key, fingerprint, status_code, body, created_at)"
                       f" VALUES (%s, %s, %s, 0, %s, %s) ON CONFLICT (owner, key) DO NOTHING RETURNING id",
                       [owner, key, fingerprint, "{}", connection.ops.adapt_datetimefield_value(timezone.now())])
        row = cursor.fetchone()
    return row[0] if row else None
