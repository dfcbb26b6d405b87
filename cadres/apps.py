from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = "干部信息"

    def ready(self):
        import cadres.jobs  # noqa: F401  registers the export job
        from cadres.sweeps import influence_periods_ending
        from core.reminders import register_sweep

        register_sweep("cadres_influence_periods_ending", influence_periods_ending)
