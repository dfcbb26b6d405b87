"""Bearer tokens: `Authorization: Bearer dd_<prefix>_<secret>`."""
import datetime
import hashlib
import hmac

from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed

from api.models import ApiToken
from core.audit import client_ip

TOKEN_PREFIX = "dd_"
LAST_USE_RESOLUTION = datetime.timedelta(minutes=1)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def split_token(raw: str) -> str | None:
    """The lookup prefix of a well-formed token, else None."""
    if not raw.startswith(TOKEN_PREFIX) or raw.count("_") < 2:
        return None
    prefix = raw[len(TOKEN_PREFIX):].split("_", 1)[0]
    return prefix if 4 <= len(prefix) <= 16 else None


_ROLE_SEPARATOR = "\x1f"  # a control character, never in a role name


def _token_with_roles(prefix: str) -> ApiToken | None:
    """The token, its user and the user's role names in one query: every call checks the
    roles next (core.roles.roles_of keeps them on the user for the request)."""
    members = User.groups.through._meta.db_table
    aggregate = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    role_names = RawSQL(f"SELECT {aggregate}(g.name, %s) FROM {Group._meta.db_table} g"
                        f" JOIN {members} m ON m.group_id = g.id"
                        f" WHERE m.user_id = {ApiToken._meta.db_table}.user_id", [_ROLE_SEPARATOR])
    token = ApiToken.objects.select_related("user").annotate(role_names=role_names).filter(prefix=prefix).first()
    if token is not None:
        token.user._role_names = set(filter(None, (token.role_names or "").split(_ROLE_SEPARATOR)))
    return token


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] != self.keyword:
            raise AuthenticationFailed("身份凭证格式有误，应为“Authorization: Bearer 令牌”。")
        raw = parts[1]
        prefix = split_token(raw)
        request._request._api_token_prefix = (prefix or "")[:16]
        token = _token_with_roles(prefix) if prefix else None
        if token is None or not hmac.compare_digest(token.key_hash, token_digest(raw)):
            raise AuthenticationFailed("接口令牌无效。")
        if token.revoked_at is not None:
            raise AuthenticationFailed("接口令牌已被吊销。")
        if token.expires_at <= timezone.now():
            raise AuthenticationFailed("接口令牌已过期，请联系安全管理员重新签发。")
        if not token.user.is_active:
            raise AuthenticationFailed("令牌所属账号已停用。")
        # Last use, listed on the token page: at most one UPDATE a minute per token (every call
        # is in the audit trail anyway), and no history row.
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USE_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=client_ip(request._request)[:45])
        return token.user, token

    def authenticate_header(self, request):
        # Makes an unauthenticated call a 401 (with this challenge) rather than a 403.
        return self.keyword


class BrowserSessionAuthentication(SessionAuthentication):
    """The browser's own calls (the docs page), with Django's CSRF check on writes."""
