from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Activity reports")

    def ready(self):
        from emergence.personal_data import personal_data_register
        from reports.personal_data import PART

        # « Mes données »: this app's part of the download, the erasure and retention.
        personal_data_register(PART)

        from emergence.overview import overview_register
        from reports import overview

        # The staff overview (/admin/) and the yearly report: this app's panels.
        overview_register(overview.PART)

        from laureates.panels import register_home_panel
        from reports.panels import reports_panel

        # /me/: the card of what is due next in this app.
        register_home_panel(reports_panel)

        from emergence.jobs import job_register
        from reports.exports import period_export_run

        # A period export of more than BACKGROUND_EXPORT_ROWS reports runs in a worker.
        job_register("period-export", period_export_run)
