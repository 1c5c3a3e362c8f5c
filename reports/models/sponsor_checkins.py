"""Sponsors' answers to the quarterly question (the e-mail, links and pages that ask it are
in reports/checkins.py)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models.periods import ReportPeriod


class CheckinAnswer(models.TextChoices):
    """A sponsor's answer to the quarterly « Avez-vous rencontré … ce trimestre ? »."""

    MET = "met", _("yes, we met")
    NOT_YET = "not_yet", _("not yet")
    LOST_CONTACT = "lost_contact", _("we have lost contact")


class SponsorCheckin(models.Model):
    """A sponsor's answer, for one sponsorship and one period, to the quarterly e-mail's
    question (reports/checkins.py). Staff only: neither the laureate nor partners see it."""

    sponsorship = models.ForeignKey(
        "laureates.Sponsorship",
        verbose_name=_("sponsorship"),
        on_delete=models.CASCADE,
        related_name="checkins",
    )
    period = models.ForeignKey(
        ReportPeriod,
        verbose_name=_("period"),
        on_delete=models.CASCADE,
        related_name="sponsor_checkins",
    )
    answer = models.CharField(_("sponsor's answer"), max_length=12, choices=CheckinAnswer.choices)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    note = models.TextField(_("sponsor's note (staff only)"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("sponsor check-in")
        verbose_name_plural = _("sponsor check-ins")
        ordering = ["-answered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sponsorship", "period"], name="one_checkin_per_sponsorship_per_period"
            ),
            models.CheckConstraint(
                condition=Q(answer__in=["met", "not_yet", "lost_contact"]),
                name="checkin_answer_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.sponsorship}"
