"""Chinese labels for the third-party models the admin shows (django-axes, django-otp,
django-celery-beat …).

Their verbose names are partly plain strings ("throttling failure timestamp", "TOTP device"),
which no translation catalog can reach. Wrapping each in gettext_lazy, with the same English
text as message id, lets the project's catalog (locale/zh_Hans) translate it, while the
migration autodetector, which runs with translations off, still sees the original text: the
third-party apps' migrations stay untouched."""
from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, override

PROJECT_APPS = {"core", "cadres", "tolerance", "assessment", "care", "appointment", "dashboard", "api"}


def _lazy(value):
    return value if isinstance(value, Promise) or not isinstance(value, str) else gettext_lazy(value)


def translate_third_party_labels() -> None:
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            continue
        # Model names are not part of the migration state: rewrap even a lazy plural
        # (Django's default "TOTP device" + "s").
        with override(None):
            name, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
        model._meta.verbose_name, model._meta.verbose_name_plural = gettext_lazy(name), gettext_lazy(plural)
        for field in model._meta.fields:
            if not (field.auto_created and field.primary_key):
                field.verbose_name = _lazy(field.verbose_name)
                field.help_text = _lazy(field.help_text) if field.help_text else field.help_text


# Third-party apps named by their package ("Axes", "Otp_Totp") on the admin index.
APP_NAMES = {"axes": "登录防护", "otp_totp": "动态口令", "otp_static": "备用口令"}


def name_third_party_apps() -> None:
    for label, name in APP_NAMES.items():
        if apps.is_installed(label) or label in apps.app_configs:
            apps.get_app_config(label).verbose_name = name


def crontab_description(crontab) -> str:
    """分 5 时 0，每日（北京时间）: a cron schedule as the 系统管理员 reads it."""
    parts = [("分", crontab.minute), ("时", crontab.hour), ("日", crontab.day_of_month),
             ("月", crontab.month_of_year), ("星期", crontab.day_of_week)]
    text = "，".join(f"{unit} {'每' if value == '*' else value}" for unit, value in parts)
    zone = str(crontab.timezone)
    return f"{text}（{'北京时间' if zone in ('Asia/Shanghai', 'PRC', 'Asia/Chongqing') else '时区 ' + zone}）"


def readable_third_party_objects() -> None:
    """Names of third-party rows that read in English ("Access Log for admin @ …")."""
    from django_celery_beat.models import CrontabSchedule

    CrontabSchedule.__str__ = crontab_description
    try:
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    except ImportError:  # pragma: no cover
        return
    def who(record) -> str:
        # The account by its holder's name; a login name nobody holds is the record itself.
        from django.contrib.auth import get_user_model

        from core.people import person_label

        user = get_user_model().objects.filter(username=record.username).first()
        return person_label(user) if user else f"不存在的账号“{record.username}”"

    AccessLog.__str__ = lambda self: f"{who(self)} 于 {self.attempt_time:%Y-%m-%d %H:%M} 登录"
    AccessAttempt.__str__ = lambda self: f"{who(self)} 于 {self.attempt_time:%Y-%m-%d %H:%M} 尝试登录"
    AccessFailureLog.__str__ = lambda self: f"{who(self)} 于 {self.attempt_time:%Y-%m-%d %H:%M} 登录失败"
