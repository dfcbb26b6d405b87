
from django.urls import reverse
from django.utils import timezone

from core import roles
from core.reminders import unread_count

# Modules whose issues have not landed yet are shown as "即将上线", never as fake pages.
COMING_MODULES = []


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    items = [("工作台", reverse("home"), request.path == reverse("home"))]
    if roles.can_view_registry(user):
        items.append(("驾驶舱", reverse("dashboard:index"), request.path.startswith("/dashboard/")))
    if roles.can_view_registry(user):
        items.append(("干部信息", reverse("cadres:list"), request.path.startswith("/cadres/")))
        items.append(("单位机构", reverse("cadres:unit_tree"), request.path.startswith("/units/")))
    if roles.can_view_registry(user) or roles.is_discipline_officer(user):
        items.append(("容错纠错", reverse("tolerance:list"), request.path.startswith(("/tolerance/", "/reforms/"))))
        items.append(("线索与澄清", reverse("tolerance:allegation_list"),
                      request.path.startswith(("/allegations/", "/clarifications/"))))
    if roles.can_view_registry(user):
        items.append(("考核研判", reverse("assessment:year_list"), request.path.startswith("/assessment/")))
    if roles.can_view_registry(user):
        items.append(("关心关爱", reverse("care:activity_list"), request.path.startswith("/care/")))
    if roles.can_grant(user):
        items.append(("授权管理", reverse("security_users"), request.path.startswith("/security/users/")))
        # API tokens are grants too (api.permissions.may_manage_tokens): the same administrator.
        items.append(("接口令牌", reverse("api:token_list"), request.path.startswith("/api/tokens/")))
    if roles.is_security_admin(user):
        items.append(("安全策略", reverse("security_policy"), request.path.startswith("/security/policy/")))
    if roles.can_read_audit(user):
        items.append(("审计日志", reverse("audit_list"), request.path.startswith("/audit/")))
    return {
        "nav_items": items,
        "nav_coming": COMING_MODULES,
        "user_roles": sorted(roles.roles_of(user)),
        # The admin site: the bootstrap superuser and the 系统管理员.
        "user_is_admin": roles.is_admin(user) or roles.is_system_admin(user),
        # The API's documentation, for those whose accounts the API serves and who issue tokens.
        "may_read_api_docs": (roles.can_view_registry(user) or roles.is_discipline_officer(user)
                              or roles.can_grant(user)),
        "today": timezone.localdate(),
        "unread_count": unread_count(user),
    }
