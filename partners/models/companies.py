"""Partner companies and the members who see the dashboard for theirs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    active = models.BooleanField(pgettext_lazy("company", "active"), default=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerMembership(models.Model):
    """Makes a user a partner member: they see the dashboard for their company."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="partner_membership",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="memberships"
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("partner member")
        verbose_name_plural = _("partner members")
        ordering = ["company__name", "user__last_name"]

    def __str__(self) -> str:
        return f"{self.user} ({self.company})"
