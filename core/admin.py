"""The security policy in the admin: read only for everyone (the 安全管理员 changes it on
/security/policy/, where the bounds are checked and each change is audited)."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.models import SecurityPolicy


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "password_min_length", "password_min_classes", "password_max_age_days",
                    "lockout_failure_limit", "session_idle_minutes", "session_absolute_hours",
                    "session_concurrent_limit", "updated_at", "updated_by")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
