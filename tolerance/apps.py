from django.apps import AppConfig


class ToleranceConfig(AppConfig):
    name = "tolerance"
    verbose_name = "容错纠错与澄清正名"

    def ready(self):
        from core.panels import CadreTab, register_cadre_tab
        from tolerance.selectors import cadre_tolerance_entries

        register_cadre_tab(CadreTab("tolerance", "容错纠错", "tolerance/cadre_tab.html",
                                    lambda cadre, user: {"entries": cadre_tolerance_entries(cadre=cadre, user=user)}))
