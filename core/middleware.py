"""Session expiry joins the audit trail (GB/T 22239-2019 8.1.4.3)."""
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core import roles
from core.audit import audit_log
from core.models import AuditEvent


class SessionExpiryAuditMiddleware:
    """A request that carries the cookie of a session the server no longer accepts, while that
    expired session row still names a user, records 会话过期 once (the row is then removed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if key and not request.user.is_authenticated and settings.SESSION_ENGINE.endswith(".db"):
            row = Session.objects.filter(session_key=key, expire_date__lte=timezone.now()).first()
            if row is not None:
                user_id = row.get_decoded().get("_auth_user_id")
                if user_id:
                    from django.contrib.auth import get_user_model

                    user = get_user_model().objects.filter(pk=user_id).first()
                    audit_log(AuditEvent.Type.SESSION_EXPIRED, user=user, request=request,
                              detail="闲置超时，会话已结束")
                row.delete()
        return self.get_response(request)


# Business modules: case contents, allegations, reporters, care notes, assessments and the registry.
BUSINESS_NAMESPACES = {"cadres", "tolerance", "care", "assessment"}


class AdministratorScopeMiddleware:
    """三权分立 in one place for every page: the three administrators (系统管理员, 安全管理员,
    审计管理员) never open a business module, whatever a view's own check would say. They work
    in the admin site (系统管理员), the grant pages (安全管理员) and the audit pages (审计管理员)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match and match.namespaces and match.namespaces[0] in BUSINESS_NAMESPACES \
                and roles.is_administrator(request.user):
            raise PermissionDenied("管理员不能查看业务数据（三权分立）。")
