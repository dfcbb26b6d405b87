"""What every API view shares: authentication, scope and role checks, a body size limit,
throttling per token, cursor pagination, Chinese error bodies and one audit row per call."""
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from api.authentication import ApiTokenAuthentication, BrowserSessionAuthentication
from api.models import ApiToken
from api.permissions import ScopedRolePermission
from core.audit import audit_log
from core.errors import DomainError
from core.models import AuditEvent

logger = logging.getLogger(__name__)

NOT_FOUND = "对象不存在，或不在您的权限范围内。"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


class DomainRefusal(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"


def _flatten(detail) -> dict[str, list[str]]:
    """DRF's nested error detail as {field: [messages]} (nested fields joined with dots)."""
    out: dict[str, list[str]] = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, (dict, list)):
                    walk(prefix, v)
                else:
                    out.setdefault(prefix or "non_field_errors", []).append(str(v))
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return out


def api_exception_handler(exc, context):
    """Every error as {"detail": message, "code": code, "errors": {field: [messages]}}."""
    if isinstance(exc, DomainError):
        exc = exceptions.ValidationError({exc.field or "non_field_errors": [exc.message]})
        exc.refusal = True
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        only = errors.get("non_field_errors") if list(errors) == ["non_field_errors"] else None
        detail = only[0] if only and len(only) == 1 else "提交的数据有误，请按字段说明修改后重试。"
        body = {"detail": detail, "code": "refused" if getattr(exc, "refusal", False) else "invalid",
                "errors": errors}
    elif isinstance(exc, exceptions.Throttled):
        body = {"detail": f"请求过于频繁，请 {exc.wait or 1:.0f} 秒后再试。", "code": "throttled", "errors": {}}
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        body = {"detail": str(detail), "code": getattr(exc.detail, "code", code) or code, "errors": {}}
    response.data = body
    return response


THROTTLE_CACHE = "shared"  # settings.CACHES: Redis in production, so every worker counts alike


def throttle_hit(ident: str, num_requests: int, duration: int, now: float | None = None) -> float | None:
    """Count one call of `ident` and return None when it is within the rate, else the
    seconds to wait. A sliding window over two fixed windows (the previous window's count
    weighted by how much of it still overlaps), counted with the cache's atomic increment,
    so concurrent calls in different gunicorn workers never lose a count and a burst at a
    window boundary cannot double the rate."""
    cache = caches[THROTTLE_CACHE]
    now = time.time() if now is None else now
    window, elapsed = divmod(now, duration)
    key = f"api-throttle:{ident}:{duration}:{int(window)}"
    cache.add(key, 0, timeout=2 * duration)
    try:
        current = cache.incr(key)
    except ValueError:  # expired between add and incr: this call is the window's first
        cache.set(key, 1, timeout=2 * duration)
        current = 1
    previous = cache.get(f"api-throttle:{ident}:{duration}:{int(window) - 1}", 0)
    weighted = previous * (1 - elapsed / duration) + current
    if weighted <= num_requests:
        return None
    # When enough of the previous window has slid out (or, with none, at the next window).
    if previous and current <= num_requests:
        return max(1.0, duration * (1 - (num_requests - current) / previous) - elapsed)
    return max(1.0, duration - elapsed)


class TokenRateThrottle(BaseThrottle):
    """Per token (or per user for the browser's session), counted in the shared cache so
    the rate holds across gunicorn workers; the rate is read from settings on each call so
    tests and deployments can change it. If the shared cache cannot be reached the call
    goes through (logged): the rate protects the service, it is not an access control."""

    def allow_request(self, request, view):
        num_requests, duration = SimpleRateThrottle.parse_rate(None, settings.API_THROTTLE_RATE)
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        try:
            self._wait = throttle_hit(ident, num_requests, duration)
        except Exception:  # noqa: BLE001  (Redis down or slow: never a 500 for a rate counter)
            logger.exception("接口限流计数失败（共享缓存不可用），本次请求不限流")
            return True
        return self._wait is None

    def wait(self):
        return self._wait


class ApiCursorPagination(CursorPagination):
    """Cursor pagination: a page deep in the list costs what the first does, and rows
    inserted meanwhile neither repeat nor skip rows. The view names its orderings
    (`orderings`: query value → fields, the last one unique) and the default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering_param = "ordering"

    def get_ordering(self, request, queryset, view):
        value = request.query_params.get(self.ordering_param) or view.default_ordering
        if value not in view.orderings:
            raise exceptions.ValidationError({self.ordering_param: [
                f"不支持的排序“{value}”，可选：{'、'.join(view.orderings)}。"]})
        return view.orderings[value]

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for p in params:
            if p["name"] == self.cursor_query_param:
                p["description"] = "翻页游标：取上一页返回的 next 或 previous 链接中的值。"
            if p["name"] == self.page_size_query_param:
                p["description"] = f"每页条数，默认 {self.page_size}，最多 {self.max_page_size}。"
        params.append({"name": self.ordering_param, "required": False, "in": "query",
                       "description": "排序方式。",
                       "schema": {"type": "string", "enum": list(view.orderings), "default": view.default_ordering}})
        return params


class ApiView(GenericAPIView):
    """Base of every endpoint. Subclasses set `required_scope`, `role_check` (the same
    check the pages apply) and `role_denied_message`; the selectors do the rest."""

    authentication_classes = [ApiTokenAuthentication, BrowserSessionAuthentication]
    permission_classes = [ScopedRolePermission]
    throttle_classes = [TokenRateThrottle]
    pagination_class = ApiCursorPagination
    role_denied_message = "您没有访问此项信息的权限。"
    write_scope = None
    orderings: dict = {}
    default_ordering = ""

    def initial(self, request, *args, **kwargs):
        length = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.API_MAX_BODY_BYTES
        if not length.isdigit() or int(length) > limit:
            raise PayloadTooLarge(f"请求内容过大，上限为 {limit // 1024} KB。")
        super().initial(request, *args, **kwargs)

    def audit_object(self, obj):
        """The record this call concerned, named in the audit row."""
        self.request._api_audit_obj = obj
        return obj

    def paginated(self, queryset, serializer_class, **context):
        page = self.paginate_queryset(queryset)
        self.request._api_audit_count = len(page)
        data = serializer_class(page, many=True, context={"request": self.request, **context}).data
        return self.get_paginated_response(data)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        _audit_call(request, response)
        return response


def _audit_call(request, response):
    """One audit row per call: who, which token, the endpoint, the object or how many, the
    outcome. Never the body (it may name a reporter)."""
    code = response.status_code
    outcome = (AuditEvent.Outcome.SUCCESS if code < 400 else
               AuditEvent.Outcome.DENIED if code in (401, 403, 404) else AuditEvent.Outcome.FAILURE)
    token = getattr(request, "auth", None)
    user = request.user if getattr(request, "user", None) is not None and request.user.is_authenticated else None
    if isinstance(token, ApiToken):
        via = f"令牌 {token.prefix}"
    elif user is not None:
        via = "浏览器会话"
    else:
        prefix = getattr(request._request, "_api_token_prefix", "")
        via = f"未通过认证（令牌 {prefix}）" if prefix else "未通过认证"
    audit_log(AuditEvent.Type.API_CALL, user=user, request=request._request,
              obj=getattr(request, "_api_audit_obj", None),
              outcome=outcome, count=getattr(request, "_api_audit_count", None),
              detail=f"{request.method} {request.get_full_path()[:300]}（{via}）→ {code}")


def created(data) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)
