"""The log of what partner members looked at, and when."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models.companies import Company


class PartnerViewKind(models.TextChoices):
    DASHBOARD = "dashboard", _("dashboard")
    LAUREATE = "laureate", _("laureate page")
    EXPORT = "export", _("export")


class PartnerViewLog(models.Model):
    """Who, at a partner company, looked at what and when: staff read it, nobody edits it."""

    # Erasing or deleting the viewer or the laureate keeps the row, without them: the log
    # never blocks an erasure and the company's counts stay.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("viewed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="partner_views",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="views"
    )
    kind = models.CharField(_("page"), max_length=10, choices=PartnerViewKind.choices)
    laureate = models.ForeignKey(
        "laureates.Laureate",
        verbose_name=_("laureate"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_views",
    )
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    viewed_at = models.DateTimeField(_("viewed at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("partner view")
        verbose_name_plural = _("partner views")
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.viewed_at:%Y-%m-%d %H:%M}"
