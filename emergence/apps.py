from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergenceConfig(AppConfig):
    name = "emergence"
    verbose_name = _("Accounts")
