"""Quiet periods: dates when no reminder goes out (reports/reminders.py)."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class QuietPeriodQuerySet(models.QuerySet):
    def overlapping(self, first: datetime.date, last: datetime.date):
        return self.filter(starts_on__lte=last, ends_on__gte=first)


class QuietPeriod(models.Model):
    """Dates when no reminder goes out (exam weeks, holidays); what falls due in them is sent
    on the first day after (reports/reminders.py)."""

    name = models.CharField(_("name"), max_length=100, help_text=_("For instance “January exams”."))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"), help_text=_("Included: nothing is sent that day."))

    objects = QuietPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("quiet period")
        verbose_name_plural = _("quiet periods")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="quiet_period_ends_after_it_starts",
                violation_error_message=_("The last day cannot come before the first."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on:%d/%m/%Y} – {self.ends_on:%d/%m/%Y})"
