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
        # Third-party models in the admin speak Chinese too (core.labels, locale/zh_Hans).
        from core.labels import name_third_party_apps, readable_third_party_objects, translate_third_party_labels

        translate_third_party_labels()
        name_third_party_apps()
        readable_third_party_objects()
        # A user account reads as its holder's name and post everywhere Django prints it
        # (admin titles, foreign-key choices, history), never as the login name.
        from django.contrib.auth import get_user_model

        from core.people import person_label

        get_user_model().__str__ = person_label
        from core.history_display import install_admin_history_display

        install_admin_history_display()
        # 三权分立 over every ModelAdmin, the deploy check on the superuser, and the
        # authentication events of the audit trail.
        from django.contrib import admin

        from core import admin_policy, audit_export, audit_signals, checks, security  # noqa: F401

        admin_policy.apply(admin.site)
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from core import passwords, sessions

        user_logged_in.connect(passwords.on_login, dispatch_uid="core.passwords.on_login")
        user_logged_in.connect(sessions.on_login, dispatch_uid="core.sessions.on_login")
        user_logged_out.connect(sessions.on_logout, dispatch_uid="core.sessions.on_logout")
