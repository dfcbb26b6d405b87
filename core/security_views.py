"""Pages of the 安全管理员 (grants) and the 审计管理员 (the audit trail), 三权分立."""
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cadres.models import Unit
from cadres.selectors import managed_unit_roots
from core import roles, security
from core.audit_selectors import audit_events_filtered
from core.errors import DomainError
from core.jobs import job_start
from core.models import SecurityPolicy
from core.security_forms import AuditFilterForm, JurisdictionForm, RoleForm, SecurityPolicyForm, UserSearchForm
from core.security_policy import security_policy, security_policy_save

User = get_user_model()
PAGE_SIZE = 50


def _requires(check):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


auditor_only = _requires(roles.can_read_audit)
granter_only = _requires(roles.can_grant)
# The security policy is the 安全管理员's alone (not even the bootstrap superuser's).
security_admin_only = _requires(roles.is_security_admin)


@auditor_only
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = audit_events_filtered(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_list.html", {"form": form, "page": page, "query": query.urlencode(),
                                                    "export_params": form.params() if filters else {}})


@require_POST
@auditor_only
def audit_export(request):
    form = AuditFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "筛选条件有误，请检查后再导出。")
        return redirect("audit_list")
    job = job_start(user=request.user, kind="audit.export", params=form.params())
    return redirect(job)


@granter_only
def security_users(request):
    form = UserSearchForm(request.GET or None)
    qs = User.objects.order_by("username").prefetch_related("groups")
    if form.is_valid():
        q = form.cleaned_data["q"]
        if q:
            qs = qs.filter(username__contains=q) | qs.filter(first_name__contains=q)
        if form.cleaned_data["role"]:
            qs = qs.filter(groups__name=form.cleaned_data["role"])
    page = Paginator(qs.distinct(), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/security_users.html", {"form": form, "page": page, "query": query.urlencode()})


@granter_only
def security_user(request, pk):
    account = get_object_or_404(User.objects.prefetch_related(Prefetch("groups")), pk=pk)
    return render(request, "core/security_user.html", {
        "account": account,
        "account_roles": sorted(g.name for g in account.groups.all()),
        "units": managed_unit_roots(account).order_by("path"),
        "role_form": RoleForm(),
        "unit_form": JurisdictionForm(),
        "is_self": account.pk == request.user.pk,
    })


GRANT_ACTIONS = {
    "role_grant": (RoleForm, lambda by, user, data, request: security.role_grant(
        by=by, user=user, role=data["role"], request=request), "已授予角色。"),
    "role_revoke": (RoleForm, lambda by, user, data, request: security.role_revoke(
        by=by, user=user, role=data["role"], request=request), "已撤销角色。"),
    "jurisdiction_grant": (JurisdictionForm, lambda by, user, data, request: security.jurisdiction_grant(
        by=by, user=user, unit=data["unit"], request=request), "已授予管辖范围。"),
    "jurisdiction_revoke": (JurisdictionForm, lambda by, user, data, request: security.jurisdiction_revoke(
        by=by, user=user, unit=data["unit"], request=request), "已撤销管辖范围。"),
}


@require_POST
@granter_only
def security_grant(request, pk, action):
    account = get_object_or_404(User, pk=pk)
    if action not in GRANT_ACTIONS:
        raise PermissionDenied
    form_class, handler, done = GRANT_ACTIONS[action]
    form = form_class(request.POST)
    if action == "jurisdiction_revoke":
        form.fields["unit"].queryset = Unit.objects.all()
    if not form.is_valid():
        messages.error(request, "请选择要授予或撤销的" + ("角色。" if form_class is RoleForm else "单位。"))
    else:
        try:
            handler(request.user, account, form.cleaned_data, request)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, done)
    # The user's admin page posts here too, and returns there.
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(back)
    return redirect("security_user", pk=account.pk)


@security_admin_only
def security_policy_edit(request):
    """Password, lockout, session and second-factor rules (8.1.5.3 b), with their history."""
    if request.method == "POST":
        form = SecurityPolicyForm(request.POST)
        if form.is_valid():
            try:
                security_policy_save(by=request.user, data=form.cleaned_data, request=request)
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, "安全策略已保存，即时生效。")
                return redirect("security_policy")
    else:
        form = SecurityPolicyForm(initial=security_policy().form_initial())
    changes = SecurityPolicy.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "core/security_policy.html", {"form": form, "changes": changes})
