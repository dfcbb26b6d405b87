from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = "干部信息"

    def ready(self):
        import cadres.jobs  # noqa: F401  registers the export job
        from cadres.sweeps import influence_periods_ending
        from core.reminders import register_sweep

        register_sweep("cadres_influence_periods_ending", influence_periods_ending)

        # Unit labels carry their county's name, cached per process: drop it on any change.
        from django.db.models.signals import post_delete, post_save

        from cadres.models import Unit, forget_unit_names

        post_save.connect(forget_unit_names, sender=Unit, dispatch_uid="cadres.unit_names.save")
        post_delete.connect(forget_unit_names, sender=Unit, dispatch_uid="cadres.unit_names.delete")
