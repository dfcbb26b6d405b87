from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "考核研判"

    def ready(self):
        import assessment.jobs  # noqa: F401  registers the export job
        from assessment.models import AssessmentYear, CadreGrade, GradeReview, QuarterlyReview, QuotaApproval
        from assessment.reminders import quarterly_review_reminders, workbench_items
        from assessment.routing import workbench_items as grade_batch_workbench_items
        from assessment.selectors import cadre_assessment_overview
        from assessment.services import promotion_record_for_posting
        from cadres.models import Cadre, Unit, UnitGroupObjectPermission, UnitUserObjectPermission
        from core.panels import CadreTab, register_cadre_tab, register_posting_hook, register_workbench_source
        from core.reminders import register_sweep

        register_posting_hook(promotion_record_for_posting)
        register_sweep("assessment_quarterly_reviews", quarterly_review_reminders)
        grants = (Unit, UnitUserObjectPermission, UnitGroupObjectPermission)
        register_workbench_source(workbench_items, reads=(QuarterlyReview, *grants))
        register_workbench_source(grade_batch_workbench_items, reads=(
            AssessmentYear, CadreGrade, GradeReview, QuotaApproval, Cadre, *grants))

        register_cadre_tab(CadreTab("assessment", "考核研判", "assessment/cadre_tab.html",
                                    lambda cadre, user: cadre_assessment_overview(cadre=cadre, user=user)))
