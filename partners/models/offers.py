"""The internships, work-study contracts and jobs partner companies offer to laureates."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laureates.models import SearchKind
from partners.models.companies import Company


class OfferQuerySet(models.QuerySet):
    def open(self, today: datetime.date | None = None):
        """Offers still taking candidates: not closed by hand, closing date not passed, of an
        active company. An offer closes by itself the day after its closing date."""
        return self.filter(
            closed_at__isnull=True,
            closes_on__gte=today or timezone.localdate(),
            company__active=True,
        )


class Offer(models.Model):
    """An internship, work-study contract or job a partner company offers to laureates."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="offers"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=SearchKind.choices)
    title = models.CharField(_("title"), max_length=200)
    field = models.CharField(_("field"), max_length=200, blank=True)
    place = models.CharField(_("where"), max_length=200, blank=True)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"),
        null=True,
        blank=True,
        help_text=_("Empty for a permanent job."),
    )
    description = models.TextField(_("description"), max_length=4000)
    closes_on = models.DateField(
        _("closing date"), help_text=_("The offer leaves every list the day after.")
    )
    how_to_apply = models.TextField(_("how to apply"), max_length=1000, blank=True)
    # field and place folded by laureates.models.search_fold(): matched in the database.
    field_folded = models.CharField(max_length=200, blank=True, default="", editable=False)
    place_folded = models.CharField(max_length=200, blank=True, default="", editable=False)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers_posted",
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["closes_on", "pk"]
        indexes = [
            models.Index(
                fields=["kind", "closes_on"],
                condition=Q(closed_at__isnull=True),
                name="open_offer_kind_closes",
            ),
            models.Index(fields=["company", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_months__isnull=True)
                | Q(duration_months__gte=1, duration_months__lte=60),
                name="offer_duration_1_to_60_months",
                violation_error_message=_("A duration is between 1 and 60 months."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.title}"
