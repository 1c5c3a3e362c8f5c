"""The calendar of a track's school year: the moments sessions prepare for, school years,
the window a moment's session falls in, the school-holiday zones, and the key dates."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from laureates.models import Track


class Moment(models.TextChoices):
    """The moments of a school year a session prepares for, in the order they come."""

    START_OF_YEAR = "start", _("start of the school year")
    MIDTERM_EXAMS = "midterms", _("mid-term exams")
    MOCK_EXAMS = "mock", _("mock competitive exams")
    COMPETITIVE_EXAMS = "competitive", _("competitive exams")


def validate_school_year(value: str) -> None:
    match = re.fullmatch(r"(\d{4})-(\d{4})", value or "")
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValidationError(
            _("Write the school year as two following years, like “2026-2027”."),
            code="school_year",
        )


def school_year_of(day: datetime.date) -> str:
    """The school year a day belongs to: it turns on 1 August."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


# The usual window of a moment, in days from its key date, when staff leave it empty: the four
# weeks from the rentrée, the weeks just before an exam (more before the concours).
MOMENT_WINDOW_DAYS = {
    Moment.START_OF_YEAR: (0, 27),
    Moment.MIDTERM_EXAMS: (-35, -1),
    Moment.MOCK_EXAMS: (-28, -1),
    Moment.COMPETITIVE_EXAMS: (-42, -1),
}


def moment_window(
    *,
    kind: str,
    date: datetime.date,
    starts: datetime.date | None = None,
    ends: datetime.date | None = None,
) -> tuple[datetime.date, datetime.date]:
    """The days a session for this moment may fall on: the ones staff set, or the usual ones."""
    first, last = MOMENT_WINDOW_DAYS[kind]
    return (
        starts or date + datetime.timedelta(days=first),
        ends or date + datetime.timedelta(days=last),
    )


class SchoolZone(models.TextChoices):
    """The three French school-holiday zones (académies are grouped into them)."""

    A = "A", _("zone A")
    B = "B", _("zone B")
    C = "C", _("zone C")


def default_school_zone() -> str:
    return settings.WORKSHOPS_DEFAULT_ZONE


class KeyDate(models.Model):
    """A key moment of a track's school year: its key date (the rentrée, or the first day of
    the exams or concours), the window its session falls in, and the exams' last day."""

    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    school_year = models.CharField(
        _("school year"),
        max_length=9,
        validators=[validate_school_year],
        help_text=_("Like “2026-2027”."),
    )
    kind = models.CharField(_("moment"), max_length=12, choices=Moment.choices)
    label = models.CharField(
        _("label"), max_length=200, help_text=_("For example “PASS exams, first semester”.")
    )
    date = models.DateField(
        _("key date"),
        help_text=_("The rentrée, or the first day of the exams or concours."),
    )
    exams_end = models.DateField(
        _("last day of the exams"),
        null=True,
        blank=True,
        help_text=_(
            "The exams or concours run from the key date to this day: sessions are not held "
            "then. Empty: no exams (the rentrée)."
        ),
    )
    window_starts = models.DateField(
        _("sessions from"),
        null=True,
        blank=True,
        help_text=_(
            "The first day a session for this moment may fall on. Empty: the usual window (the "
            "four weeks from the rentrée; before exams, the five weeks before them, six before "
            "the concours, four before mock exams)."
        ),
    )
    window_ends = models.DateField(
        _("sessions until"),
        null=True,
        blank=True,
        help_text=_("The last day a session for this moment may fall on. Empty: the usual one."),
    )

    class Meta:
        verbose_name = _("key moment")
        verbose_name_plural = _("key moments")
        ordering = ["-school_year", "track", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "school_year", "kind"],
                name="one_key_date_per_track_year_and_moment",
                violation_error_message=_(
                    "This track already has a key date for this moment of the school year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(school_year__regex=r"^[0-9]{4}-[0-9]{4}$"),
                name="key_date_school_year_format",
                violation_error_message=_("Write the school year like “2026-2027”."),
            ),
            models.CheckConstraint(
                condition=Q(exams_end__isnull=True) | Q(exams_end__gte=F("date")),
                name="key_date_exams_end_after_they_start",
                violation_error_message=_("The exams cannot end before the key date."),
            ),
            models.CheckConstraint(
                condition=Q(window_starts__isnull=True)
                | Q(window_ends__isnull=True)
                | Q(window_ends__gte=F("window_starts")),
                name="key_date_window_in_order",
                violation_error_message=_("The window's last day cannot come before its first."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.date:%d/%m/%Y})"

    @property
    def window(self) -> tuple[datetime.date, datetime.date]:
        return moment_window(
            kind=self.kind, date=self.date, starts=self.window_starts, ends=self.window_ends
        )
