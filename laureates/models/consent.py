"""A laureate's consent to be shown to partner companies: its text, its rows, and the
functions that give and withdraw it."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emergence.history import BY_THE_LAUREATE, HistoricalRecords, stored_reason
from laureates.models.dates import add_months
from laureates.models.people import Laureate
from laureates.models.searches import search_sharing_refresh

#: Bump the version whenever the text below changes: each consent records the one it saw.
CONSENT_VERSION = "2026-2"
CONSENT_TEXT = _(
    "I agree that the programme's partner companies may see, on their dashboard, my name, "
    "promotion, school, track, study year, my level of study (degree and its year), my "
    "situation (studying, in an internship, in a work-study contract, in work or looking for "
    "work), whether I am an alumnus of the programme, and what I am looking for (internship, "
    "work-study contract or job: field, from when, how long, where, and my pitch). They "
    "never see my e-mail address, my phone number, my activity reports or the programme "
    "team's notes. "
    "A company that wants to meet me asks the programme team, who ask me first. "
    "This consent lasts 12 months; I can withdraw it at any time."
)
CONSENT_MONTHS = 12
# From this many days before expiry, the laureate's page asks them to renew.
CONSENT_RENEW_PROMPT_DAYS = 30


class PartnerConsentQuerySet(models.QuerySet):
    def open(self):
        """Neither withdrawn nor replaced by a renewal (it may have expired)."""
        return self.filter(withdrawn_at__isnull=True, replaced_at__isnull=True)

    def valid(self, today: datetime.date | None = None):
        return self.open().filter(expires_on__gt=today or timezone.localdate())


class PartnerConsent(models.Model):
    """A laureate's consent to be shown to partner companies: one row per decision.

    Giving it again (a renewal, or a new text version) replaces the open row; withdrawing
    it closes the open row. The history stays, for the record of who agreed to what, when.
    """

    laureate = models.ForeignKey(
        Laureate,
        verbose_name=_("laureate"),
        on_delete=models.CASCADE,
        related_name="partner_consents",
    )
    version = models.CharField(_("text version"), max_length=20)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    expires_on = models.DateField(_("expires on"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    replaced_at = models.DateTimeField(_("renewed at"), null=True, blank=True)

    objects = PartnerConsentQuerySet.as_manager()
    # Each decision's history says who and why: "by the laureate" on their own page.
    history = HistoricalRecords(laureate=["laureate"])

    class Meta:
        verbose_name = _("consent to partner sharing")
        verbose_name_plural = _("consents to partner sharing")
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["laureate"],
                condition=Q(withdrawn_at__isnull=True, replaced_at__isnull=True),
                name="one_open_partner_consent_per_laureate",
            ),
        ]
        indexes = [
            models.Index(fields=["laureate", "expires_on"]),
            # Whose consent is valid today (the partners' dashboard): open consents only.
            models.Index(
                fields=["laureate", "expires_on"],
                condition=Q(withdrawn_at__isnull=True, replaced_at__isnull=True),
                name="open_consent_laureate_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.laureate} · {self.version} · {self.given_at:%Y-%m-%d}"

    def is_valid(self, today: datetime.date | None = None) -> bool:
        open_ = self.withdrawn_at is None and self.replaced_at is None
        return open_ and self.expires_on > (today or timezone.localdate())


def consent_give(
    *, laureate: Laureate, version: str = CONSENT_VERSION, reason: str = ""
) -> PartnerConsent:
    """Record the laureate's consent to ``version`` of the text, valid 12 months from now.

    The history records ``reason``, "by the laureate" unless another is given.
    """
    if version != CONSENT_VERSION:
        raise ValidationError(_("The consent text has changed: please read it again."))
    now = timezone.now()
    reason = reason or stored_reason(BY_THE_LAUREATE)
    with transaction.atomic():
        # One row at most (a constraint): saved, so that the history keeps the renewal.
        for previous in laureate.partner_consents.open().select_for_update():
            previous.replaced_at = now
            previous._change_reason = reason
            previous.save(update_fields=["replaced_at"])
        consent = PartnerConsent(
            laureate=laureate,
            version=version,
            given_at=now,
            expires_on=add_months(timezone.localdate(now), CONSENT_MONTHS),
        )
        consent._change_reason = reason
        consent.save()
        search_sharing_refresh(laureate_ids=[laureate.pk])
        return consent


def consent_withdraw(*, laureate: Laureate, reason: str = "") -> int:
    """Close the laureate's open consent: partners no longer see them from the next request.

    The history records ``reason``, "by the laureate" unless another is given.
    """
    reason = reason or stored_reason(BY_THE_LAUREATE)
    withdrawn = 0
    with transaction.atomic():
        for consent in laureate.partner_consents.open().select_for_update():
            consent.withdrawn_at = timezone.now()
            consent._change_reason = reason
            consent.save(update_fields=["withdrawn_at"])
            withdrawn += 1
        # Even when nothing was open: a column left set by a missed path is cleared now.
        search_sharing_refresh(laureate_ids=[laureate.pk])
    return withdrawn
