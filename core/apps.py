from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "基础"

    def ready(self):
        # Each app's jobs.py registers its background jobs (core.jobs.register_job), in the
        # web process and in the Celery worker alike.
        autodiscover_modules("jobs")
        # Every model DateField refuses dates outside a sane range (see core.validation).
        from core.validation import install_model_date_validators

        install_model_date_validators()
        # 三权分立 over every ModelAdmin, the deploy check on the superuser, and the
        # authentication events of the audit trail.
        from django.contrib import admin

        from core import admin_policy, audit_export, audit_signals, checks, security  # noqa: F401

        admin_policy.apply(admin.site)
