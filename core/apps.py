from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "基础"

    def ready(self):
        # Every model DateField refuses dates outside a sane range (see core.validation).
        from core.validation import install_model_date_validators

        install_model_date_validators()
