from django.apps import AppConfig


class ToleranceConfig(AppConfig):
    name = "tolerance"
    verbose_name = "容错纠错与澄清正名"
