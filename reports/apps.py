from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Activity reports")

    def ready(self):
        from laureates.panels import register_home_panel
        from reports.panels import reports_panel

        # /me/: the card of what is due next in this app.
        register_home_panel(reports_panel)
