from django.contrib import admin, messages
from django.utils import timezone

from api import services
from api.forms import TokenCreateForm
from api.models import ApiToken
from api.permissions import may_manage_tokens
from core.errors import DomainError


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued and revoked through the services (audited, shown once); nothing
    else about a token is editable."""

    list_display = ("note", "prefix", "user", "kind", "partner_body", "expires_at", "state", "last_used_at",
                    "created_by", "created_at")
    list_filter = ("kind", "partner_body")
    search_fields = ("note", "prefix", "user__username")
    actions = ["revoke"]
    readonly_fields = ("user", "kind", "partner_body", "note", "prefix", "scopes", "expires_at", "created_by",
                       "created_at", "revoked_at", "revoked_by", "last_used_at", "last_used_ip")

    @admin.display(description="状态")
    def state(self, token):
        return token.state_label

    def has_module_permission(self, request):
        return may_manage_tokens(request.user)

    def has_view_permission(self, request, obj=None):
        return may_manage_tokens(request.user)

    def has_add_permission(self, request):
        return may_manage_tokens(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record of who held which token stays

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return _AdminTokenForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": list(TokenCreateForm.base_fields)})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def save_model(self, request, obj, form, change):
        token, raw = services.token_create(by=request.user, request=request, **form.cleaned_data)
        form.instance = token
        obj.pk = token.pk
        messages.warning(request, f"新令牌（只显示这一次，请立即复制）：{raw}")

    def save_related(self, request, form, formsets, change):
        pass

    def log_addition(self, request, obj, message):
        pass  # the audit trail records the grant

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        done = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                services.token_revoke(token=token, by=request.user, request=request)
                done += 1
            except DomainError as e:
                self.message_user(request, e.message, messages.ERROR)
        self.message_user(request, f"已吊销 {done} 个令牌（{timezone.localtime():%Y-%m-%d %H:%M}）。")


class _AdminTokenForm(TokenCreateForm):
    """The page's form, shaped as the admin expects a ModelForm to be."""

    class _meta:
        model = ApiToken
        fields = list(TokenCreateForm.base_fields)

    def __init__(self, *args, instance=None, **kwargs):
        kwargs.pop("use_required_attribute", None)
        super().__init__(*args, **kwargs)
        self.instance = instance or ApiToken()

    def save(self, commit=True):
        return self.instance

    def save_m2m(self):
        pass

    def validate_unique(self):
        pass
