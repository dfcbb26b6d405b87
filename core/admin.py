"""The security policy in the admin: read only for everyone (the 安全管理员 changes it on
/security/policy/, where the bounds are checked and each change is audited).

The user's admin page carries its jurisdiction (管辖范围): the units it manages, and for
the 安全管理员 (or the bootstrap superuser before the administrators exist) the forms that
grant and revoke them. The forms post to the same grant view as the 安全管理员's pages
(core.security_views.security_grant), so one service keeps the rules: only the granter
grants, nobody grants himself, administrators hold no jurisdiction, each grant is audited."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from cadres.selectors import managed_unit_roots
from core import roles
from core.models import SecurityPolicy
from core.people import unit_label
from core.security_forms import JurisdictionForm

User = get_user_model()


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


class AccountAdmin(UserAdmin):
    def change_view(self, request, object_id, form_url="", extra_context=None):
        account = self.get_object(request, unquote(object_id))
        extra_context = dict(extra_context or {})
        if account is not None:
            extra_context.update({
                "jurisdiction_units": [(unit.pk, unit_label(unit)) for unit in managed_unit_roots(account).order_by("path")],
                "may_grant": roles.can_grant(request.user) and account.pk != request.user.pk
                and not roles.is_administrator(account),
                "jurisdiction_form": JurisdictionForm(),
                "is_self": account.pk == request.user.pk,
            })
        return super().change_view(request, object_id, form_url, extra_context)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AccountAdmin)


# ---- django-celery-beat: the schedules, in Chinese ---------------------------------------
# The product's periodic jobs run on crontab schedules (config/celery.py); the interval,
# solar and clocked kinds are unused, and their admin pages only showed English.
from django_celery_beat import admin as beat_admin  # noqa: E402
from django_celery_beat.models import (  # noqa: E402
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from core.labels import crontab_description  # noqa: E402

for _model in (ClockedSchedule, IntervalSchedule, SolarSchedule, PeriodicTask, CrontabSchedule):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class ScheduleDescription:
    @admin.display(description="执行时间说明")
    def schedule_description(self, obj):
        crontab = obj if isinstance(obj, CrontabSchedule) else getattr(obj, "crontab", None)
        return crontab_description(crontab) if crontab else "（未设置）"


class PeriodicTaskAdmin(ScheduleDescription, beat_admin.PeriodicTaskAdmin):
    list_display = ("name", "enabled", "crontab", "last_run_at", "total_run_count")
    list_filter = ["enabled", "last_run_at"]
    fieldsets = (
        (None, {"fields": ("name", "regtask", "task", "enabled", "description")}),
        ("执行时间", {"fields": ("crontab", "schedule_description", "start_time", "last_run_at", "one_off")}),
    )
    readonly_fields = ("last_run_at", "schedule_description")


class CrontabScheduleAdmin(ScheduleDescription, admin.ModelAdmin):
    list_display = ("__str__",)
    fields = ("schedule_description", "minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone")
    readonly_fields = ("schedule_description",)


admin.site.register(PeriodicTask, PeriodicTaskAdmin)
admin.site.register(CrontabSchedule, CrontabScheduleAdmin)

# django-otp's device pages: an English search hint ("Search by user's …") and section titles.
OTP_SECTIONS = {"Identity": "身份", "Timestamps": "时间", "Configuration": "配置", "State": "状态",
                "Throttling": "失败限制"}


def _chinese_sections(get_fieldsets):
    def get_fieldsets_in_chinese(request, obj=None):
        return [(OTP_SECTIONS.get(title, title), options) for title, options in get_fieldsets(request, obj)]
    return get_fieldsets_in_chinese


for _model_admin in list(admin.site._registry.values()):
    if _model_admin.model._meta.app_label in ("otp_totp", "otp_static"):
        _model_admin.search_help_text = "按用户的用户名或电子邮件地址搜索"
        _model_admin.get_fieldsets = _chinese_sections(_model_admin.get_fieldsets)
        for _name in ("qrcode_link",):
            if hasattr(type(_model_admin), _name):
                getattr(type(_model_admin), _name).short_description = "二维码"
