"""Sponsors and their sponsorships of laureates (the functions that change them are in
laureates/sponsors.py; the meetings and fit answers in :mod:`.meetings`)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from emergence.history import HistoricalRecords
from laureates.models.people import Laureate


class Sponsor(models.Model):
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail address"), unique=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    company = models.ForeignKey(
        "partners.Company",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="sponsors",
    )
    # Their sign-in to /sponsor/ (laureates/sponsors.py: sponsor_account_give); none until
    # staff give them access or an import does.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsor",
    )

    class Meta:
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class EndReason(models.TextChoices):
    MOVED = "moved", _("moved away")
    NO_TIME = "no_time", _("no time any more")
    MISMATCH = "mismatch", _("not a good match")
    LAUREATE_LEFT = "laureate_left", _("the laureate left the programme")
    GRADUATED = "graduated", _("the laureate graduated")


class SponsorshipQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_on__isnull=True)


class Sponsorship(models.Model):
    laureate = models.ForeignKey(
        Laureate, verbose_name=_("laureate"), on_delete=models.CASCADE, related_name="sponsorships"
    )
    sponsor = models.ForeignKey(
        Sponsor, verbose_name=_("sponsor"), on_delete=models.PROTECT, related_name="sponsorships"
    )
    started_on = models.DateField(_("start date"), default=timezone.localdate)
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for ending"), max_length=20, choices=EndReason.choices, blank=True
    )

    objects = SponsorshipQuerySet.as_manager()
    history = HistoricalRecords(laureate=["laureate"])

    class Meta:
        verbose_name = _("sponsorship")
        verbose_name_plural = _("sponsorships")
        ordering = ["-started_on"]
        # The console's list: its order (and the date hierarchy's first and last day).
        indexes = [models.Index(fields=["started_on", "id"], name="sponsorship_started_id")]
        constraints = [
            models.UniqueConstraint(
                fields=["laureate"],
                condition=Q(ended_on__isnull=True),
                name="one_current_sponsorship_per_laureate",
                violation_error_message=_("This laureate already has a current sponsor."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="sponsorship_ends_after_it_starts",
                violation_error_message=_("A sponsorship cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(end_reason="") | Q(ended_on__isnull=False),
                name="sponsorship_end_reason_only_when_ended",
                violation_error_message=_("Only an ended sponsorship has a reason for ending."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sponsor} → {self.laureate}"

    def clean(self):
        # Sponsorships ended before the reason existed have none; every new end says why
        # (the console, an import): the programme learns why sponsorships end.
        if self.ended_on is not None and not self.end_reason:
            if self._state.adding or self._ended_on_at_load is None:
                raise ValidationError(
                    {"end_reason": gettext("Say why the sponsorship ends.")}, code="required"
                )

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._ended_on_at_load = instance.__dict__.get("ended_on")
        return instance

    _ended_on_at_load: "datetime.date | None" = None

    @property
    def is_current(self) -> bool:
        return self.ended_on is None
