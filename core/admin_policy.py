"""One policy over every ModelAdmin of the admin site (三权分立, GB/T 22239-2019 8.1.5).

Applied once when the apps are ready (core.apps), so an admin class added later by any module
is covered without editing it:
- the three administrators see only the models of their duty (系统管理员: units, accounts,
  reference data and schedules; 安全管理员: accounts and lockouts, read only; 审计管理员: the
  audit trail, read only); nothing of cases, allegations, reporters or care;
- records that make the trail (audit rows, case events, history rows, access logs, login
  records) are never deleted or changed through the admin, not even by a superuser;
- guardian's object-permission pages are closed: grants go through core.security only, which
  refuses self-grants and records each grant in the audit trail;
- a disabled superuser (SUPERUSER_DISABLED) has no admin at all."""
from functools import wraps

from django.core.exceptions import PermissionDenied

from core import roles

# Models of each administrator's duty, by "app_label.model_name".
SYSTEM_ADMIN_MODELS = {
    "auth.user", "cadres.unit", "cadres.sanctiontype", "cadres.tag", "tolerance.policydocument",
    "tolerance.stagedeadline", "assessment.gradecappolicy", "assessment.gradecaprule", "assessment.quotarule",
    "care.obligationrule", "care.leaveentitlement", "care.followupschedule",
    "django_celery_beat.periodictask", "django_celery_beat.crontabschedule",
    "django_celery_beat.intervalschedule", "django_celery_beat.clockedschedule",
    "django_celery_beat.solarevent",
}
# Read only: the security administrator grants through core.security's pages, not the admin.
SECURITY_ADMIN_MODELS = {"auth.user", "auth.group", "axes.accessattempt", "axes.accesslog",
                         "axes.accessfailurelog", "core.securitypolicy"}
AUDIT_ADMIN_MODELS = {"core.auditevent"}
# Records of what happened: never deleted or edited through the admin.
UNDELETABLE = {"core.auditevent", "tolerance.caseevent", "tolerance.reporteraccesslog",
               "care.confidentialnoteaccess", "axes.accesslog", "axes.accessfailurelog", "admin.logentry"}
# Fields of a user that only grants (core.security) may change.
USER_GRANT_FIELDS = ("groups", "user_permissions", "is_superuser")


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _is_trail(model) -> bool:
    # simple-history's Historical* models are trail too.
    return _label(model) in UNDELETABLE or model.__name__.startswith("Historical")


def allowed(user, model, action: str) -> bool | None:
    """False when the policy refuses; None when it leaves the decision to the ModelAdmin."""
    if not (user and user.is_authenticated):
        return None
    label = _label(model)
    if action in ("delete", "change") and _is_trail(model):
        return False
    if user.is_superuser and roles.superuser_disabled():
        return False
    if not roles.is_administrator(user):
        return None
    if roles.is_system_admin(user):
        return label in SYSTEM_ADMIN_MODELS and not (label == "auth.user" and action == "delete")
    if roles.is_security_admin(user):
        return label in SECURITY_ADMIN_MODELS and action in ("view", "module")
    if roles.is_audit_admin(user):
        return label in AUDIT_ADMIN_MODELS and action in ("view", "module")
    return False


def _wrap(model_admin, name: str, action: str):
    original = getattr(model_admin, name)

    @wraps(original)
    def checked(request, *args, **kwargs):
        verdict = allowed(request.user, model_admin.model, action)
        if verdict is False:
            return False
        if verdict is True and roles.is_administrator(request.user):
            # Their duty, even without Django model permissions on their group.
            return True
        return original(request, *args, **kwargs)

    setattr(model_admin, name, checked)


def _closed(view):
    @wraps(view)
    def refuse(request, *args, **kwargs):
        raise PermissionDenied("授权只能通过安全管理员的授权页面进行。")

    return refuse


def _user_admin_readonly(model_admin):
    original = model_admin.get_readonly_fields

    def get_readonly_fields(request, obj=None):
        fields = list(original(request, obj))
        if not roles.is_admin(request.user):
            fields += [f for f in USER_GRANT_FIELDS if f not in fields]
        return fields

    model_admin.get_readonly_fields = get_readonly_fields


def apply(site) -> None:
    if getattr(site, "_dandang_policy", False):
        return
    site._dandang_policy = True
    for model, model_admin in site._registry.items():
        for name, action in (("has_view_permission", "view"), ("has_add_permission", "add"),
                             ("has_change_permission", "change"), ("has_delete_permission", "delete"),
                             ("has_module_permission", "module")):
            _wrap(model_admin, name, action)
        # guardian's GuardedModelAdmin: object-permission pages would let anyone with the
        # admin grant himself access to a case or allegation.
        for view in ("obj_perms_manage_view", "obj_perms_manage_user_view", "obj_perms_manage_group_view"):
            if hasattr(model_admin, view):
                setattr(model_admin, view, _closed(getattr(model_admin, view)))
        if _label(model) == "auth.user":
            _user_admin_readonly(model_admin)

    def has_permission(request):
        user = request.user
        if user.is_active and user.is_superuser and roles.superuser_disabled():
            return False
        # The class's own check, looked up now: config/urls.py makes the site an OTPAdminSite
        # (second factor) after this runs.
        target = getattr(site, "_wrapped", site)  # admin.site is a lazy proxy
        return type(target).has_permission(target, request)

    site.has_permission = has_permission
