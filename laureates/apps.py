from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LaureatesConfig(AppConfig):
    name = "laureates"
    verbose_name = _("Laureates")

    def ready(self):
        from emergence.personal_data import personal_data_register
        from laureates.personal_data import PART

        # « Mes données »: this app's part of the download, the erasure and retention.
        personal_data_register(PART)

        from emergence.overview import overview_register
        from laureates import overview

        # The staff overview (/admin/) and the yearly report: this app's panels.
        overview_register(overview.PART)
