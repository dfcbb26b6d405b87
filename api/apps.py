from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "信息共享接口"

    def ready(self):
        from api import schema  # noqa: F401  (registers the schema extensions)
