"""Who may do what through the API. Each decision lives in one function here, so the
integrator can switch it in one place (e.g. to the 安全管理员 role of core.roles)."""
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import BasePermission

from core import roles


def may_manage_tokens(user) -> bool:
    """Create and revoke API tokens: a grant, so the security administrator's job (等保三级
    separates it from the system administrator), or the bootstrap superuser while enabled."""
    return roles.can_grant(user)


class ScopedRolePermission(BasePermission):
    """The view names the scope a token needs (`required_scope`, or `write_scope` for POST)
    and the role check the page applies (`role_check`). A browser session carries every
    scope: the user's own rights are the limit there."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            raise NotAuthenticated("请提供有效的接口令牌（Authorization: Bearer …）或先登录。")
        token = getattr(request, "auth", None)
        scope = getattr(view, "write_scope", None) if request.method == "POST" else view.required_scope
        from api.models import ApiToken, Scope

        if isinstance(token, ApiToken) and scope not in token.scopes:
            raise PermissionDenied(f"该令牌没有“{Scope(scope).label}”（{scope}）权限范围。")
        check = getattr(view, "write_check", None) if request.method == "POST" else None
        check = check or view.role_check
        if not check(request.user):
            raise PermissionDenied(view.role_denied_message)
        return True
