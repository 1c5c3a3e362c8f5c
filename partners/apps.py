from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self):
        from laureates.panels import register_home_panel
        from partners.panels import introductions_panel, offers_panel

        register_home_panel(introductions_panel)
        register_home_panel(offers_panel)

        from emergence.personal_data import personal_data_register
        from partners.personal_data import PART

        # « Mes données »: this app's part of the download, the erasure and retention.
        personal_data_register(PART)

        from emergence.overview import overview_register
        from partners import overview

        # The staff overview (/admin/) and the yearly report: this app's panels.
        overview_register(overview.PART)

        from emergence.jobs import job_register
        from partners.exports import dashboard_export_run

        # A partner's export of more than BACKGROUND_EXPORT_ROWS laureates runs in a worker.
        job_register("partner-export", dashboard_export_run)
