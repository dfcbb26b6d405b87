"""The token page: list, issue (shown once) and revoke, for whoever may manage tokens."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from api import services
from api.forms import TokenCreateForm
from api.models import ApiToken
from api.permissions import may_manage_tokens
from core.errors import DomainError

NEW_TOKEN_KEY = "api_new_token"


def _require_manager(user):
    if not may_manage_tokens(user):
        raise PermissionDenied("只有安全管理员可以管理接口令牌。")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    _require_manager(request.user)
    form = TokenCreateForm(request.POST or None)
    # The new token is shown once, on the page the post redirects to (a redirect, so a
    # double click or a reload does not issue a second token: core.idempotency).
    raw = request.session.pop(NEW_TOKEN_KEY, None) if request.method == "GET" else None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.token_create(by=request.user, request=request, **form.cleaned_data)
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            request.session[NEW_TOKEN_KEY] = raw
            messages.success(request, f"已签发令牌“{token.note}”。令牌只显示这一次，请立即复制并安全交给使用方。")
            return redirect("api:token_list")
    tokens = ApiToken.objects.select_related("user", "created_by", "revoked_by")
    page = Paginator(tokens, 50).get_page(request.GET.get("page"))
    return render(request, "api/token_list.html", {"form": form, "page": page, "raw_token": raw})


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk):
    _require_manager(request.user)
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    if request.method == "POST":
        try:
            services.token_revoke(token=token, by=request.user, request=request)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已吊销令牌“{token.note}”。")
        return redirect("api:token_list")
    return render(request, "api/token_revoke.html", {"token": token})


@login_required
def api_docs(request):
    """Swagger UI from the vendored sidecar assets; the init script is a static file (CSP)."""
    return render(request, "api/docs.html")
