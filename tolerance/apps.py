from django.apps import AppConfig


class ToleranceConfig(AppConfig):
    name = "tolerance"
    verbose_name = "容错纠错与澄清正名"

    def ready(self):
        import tolerance.jobs  # noqa: F401  registers the export job
        from cadres.models import Cadre, Unit, UnitGroupObjectPermission, UnitUserObjectPermission
        from core.panels import CadreTab, register_cadre_tab, register_inquiry_check, register_workbench_source
        from core.reminders import register_sweep
        from tolerance import sweeps
        from tolerance.allegation_services import earlier_inquiries
        from tolerance.models import (
            Allegation,
            AllegationGroupObjectPermission,
            AllegationUserObjectPermission,
            CaseCadre,
            CaseGroupObjectPermission,
            CaseUserObjectPermission,
            ClarificationNotice,
            ToleranceCase,
        )
        from tolerance.selectors import cadre_tolerance_entries, workbench_items

        register_sweep("tolerance_case_deadlines", sweeps.case_deadlines)
        register_sweep("tolerance_allegation_deadlines", sweeps.allegation_deadlines)
        register_sweep("tolerance_rereview_windows", sweeps.rereview_windows)
        register_workbench_source(workbench_items, reads=(
            ToleranceCase, CaseCadre, CaseUserObjectPermission, CaseGroupObjectPermission, Allegation,
            AllegationUserObjectPermission, AllegationGroupObjectPermission, ClarificationNotice, Cadre, Unit,
            UnitUserObjectPermission, UnitGroupObjectPermission))
        register_inquiry_check(lambda cadre, issue: earlier_inquiries(cadres=[cadre], issue=issue))

        register_cadre_tab(CadreTab("tolerance", "容错纠错", "tolerance/cadre_tab.html",
                                    lambda cadre, user: {"entries": cadre_tolerance_entries(cadre=cadre, user=user)}))
