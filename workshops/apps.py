from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = _("Workshops")

    def ready(self):
        from emergence.personal_data import personal_data_register
        from workshops.personal_data import PART

        # « Mes données »: this app's part of the download, the erasure and retention.
        personal_data_register(PART)

        from emergence.overview import overview_register
        from workshops import overview

        # The staff overview (/admin/) and the yearly report: this app's panels.
        overview_register(overview.PART)

        from laureates.panels import register_home_panel
        from workshops.panels import workshops_panel

        # /me/: the card of what is due next in this app.
        register_home_panel(workshops_panel)

        from laureates.activities import register_participation
        from workshops.animators import workshops_attended

        # The report review page and the laureate's console page: sessions attended.
        register_participation(workshops_attended)
