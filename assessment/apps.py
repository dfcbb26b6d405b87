from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "考核研判"

    def ready(self):
        import assessment.jobs  # noqa: F401  registers the export job
        from assessment.reminders import quarterly_review_reminders, workbench_items
        from assessment.routing import workbench_items as grade_batch_workbench_items
        from assessment.selectors import cadre_assessment_overview
        from assessment.services import promotion_record_for_posting
        from core.panels import CadreTab, register_cadre_tab, register_posting_hook, register_workbench_source
        from core.reminders import register_sweep

        register_posting_hook(promotion_record_for_posting)
        register_sweep("assessment_quarterly_reviews", quarterly_review_reminders)
        register_workbench_source(workbench_items)
        register_workbench_source(grade_batch_workbench_items)

        register_cadre_tab(CadreTab("assessment", "考核研判", "assessment/cadre_tab.html",
                                    lambda cadre, user: cadre_assessment_overview(cadre=cadre, user=user)))
