from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "care"
    verbose_name = "关心关爱"

    def ready(self):
        import care.jobs  # noqa: F401  registers the export job
        from cadres.models import (
            Cadre,
            FollowUpVisit,
            Sanction,
            SanctionType,
            Unit,
            UnitGroupObjectPermission,
            UnitUserObjectPermission,
        )
        from care.follow_ups import connect_follow_up_signals
        from care.models import Concern, Consultation, ConsultationSubmission, FollowUpSchedule
        from care.panels import cadre_care_tab
        from care.reminders import care_reminders, workbench_items
        from core.panels import CadreTab, register_cadre_tab, register_workbench_source
        from core.reminders import register_sweep

        connect_follow_up_signals()
        register_sweep("care_due", care_reminders)
        register_workbench_source(workbench_items, reads=(
            Concern, ConsultationSubmission, Consultation, Sanction, SanctionType, FollowUpVisit, FollowUpSchedule,
            Cadre, Unit, UnitUserObjectPermission, UnitGroupObjectPermission))

        register_cadre_tab(CadreTab("care", "关心关爱", "care/cadre_tab.html",
                                    lambda cadre, user: cadre_care_tab(cadre=cadre, user=user)))
