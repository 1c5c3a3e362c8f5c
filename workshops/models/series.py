"""Workshop series: one school year of workshops for one track, led by a staff member and
animated by the same senior laureates."""

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from laureates.models import Laureate, Track
from workshops.models.key_dates import (
    KeyDate,
    SchoolZone,
    default_school_zone,
    validate_school_year,
)

SESSIONS_PER_YEAR = 4


class WorkshopSeriesQuerySet(models.QuerySet):
    def with_session_count(self):
        return self.annotate(session_count=Count("sessions", distinct=True))


class WorkshopSeries(models.Model):
    school_year = models.CharField(
        _("school year"),
        max_length=9,
        validators=[validate_school_year],
        help_text=_("Like “2026-2027”."),
    )
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    audience_from_year = models.PositiveSmallIntegerField(_("audience from study year"), default=1)
    audience_to_year = models.PositiveSmallIntegerField(
        _("audience to study year"),
        default=2,
        help_text=_(
            "Laureates of the track in these study years are invited (1st and 2nd by default)."
        ),
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff lead"),
        on_delete=models.PROTECT,
        related_name="led_workshop_series",
        limit_choices_to={"is_staff": True},
    )
    animators = models.ManyToManyField(
        Laureate,
        verbose_name=_("animators"),
        related_name="animated_workshop_series",
        blank=True,
        help_text=_(
            "Senior laureates of the same track, further in their studies than the audience, "
            "who animate every session of the series."
        ),
    )
    school_zone = models.CharField(
        _("school-holiday zone"),
        max_length=1,
        choices=SchoolZone.choices,
        default=default_school_zone,
        help_text=_(
            "The zone of the schools' académie (Paris, Créteil, Versailles: C); proposed prépa "
            "sessions fall in its school holidays."
        ),
    )

    objects = WorkshopSeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("workshop series")
        verbose_name_plural = _("workshop series")
        ordering = ["-school_year", "track"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience_from_year__gte=1)
                & Q(audience_to_year__gte=F("audience_from_year")),
                name="workshop_series_audience_years_in_order",
                violation_error_message=_(
                    "The audience's last study year cannot come before its first."
                ),
            ),
            models.CheckConstraint(
                condition=Q(school_year__regex=r"^[0-9]{4}-[0-9]{4}$"),
                name="workshop_series_school_year_format",
                violation_error_message=_("Write the school year like “2026-2027”."),
            ),
        ]

    def __str__(self) -> str:
        # Track(…).label rather than get_track_display(), which hashes every lazy label of the
        # choices: the console's filter by series names them all on each page.
        return f"{Track(self.track).label} {self.school_year}"

    @property
    def audience_years(self) -> range:
        return range(self.audience_from_year, self.audience_to_year + 1)

    def animator_errors(self, animators) -> list[str]:
        """Why each of ``animators`` cannot animate this series (empty when all can)."""
        errors = []
        for laureate in animators:
            if laureate.track != self.track:
                errors.append(
                    _("%(name)s is in %(their)s, not in the series' track (%(track)s).")
                    % {
                        "name": laureate,
                        "their": laureate.get_track_display(),
                        "track": self.get_track_display(),
                    }
                )
            elif laureate.study_year <= self.audience_to_year:
                errors.append(
                    _(
                        "%(name)s is in study year %(year)d: animators must be further in their "
                        "studies than the audience (years %(first)d to %(last)d)."
                    )
                    % {
                        "name": laureate,
                        "year": laureate.study_year,
                        "first": self.audience_from_year,
                        "last": self.audience_to_year,
                    }
                )
        return errors

    def publish_errors(self) -> list[str]:
        """Why no session of this series may be published yet (empty when it may): a series
        is led by an active staff member and at least one animator."""
        errors = []
        lead = self.lead
        if lead is None or not (lead.is_active and lead.is_staff):
            errors.append(
                _("%(series)s has no active staff lead: choose one before publishing.")
                % {"series": self}
            )
        if not self.animators.exists():
            errors.append(
                _("%(series)s has no animator: name at least one senior laureate first.")
                % {"series": self}
            )
        return errors

    def animators_locked(self) -> bool:
        """Once a session is published, the animators stay for the school year: changing
        one asks for a reason and tells the registered laureates."""
        return self.pk is not None and self.sessions.filter(published_at__isnull=False).exists()

    def session_count_warning(self, count: int) -> str | None:
        """A warning when the series does not plan SESSIONS_PER_YEAR sessions."""
        if count == SESSIONS_PER_YEAR:
            return None
        return ngettext(
            "This series has %(count)d session; a series plans %(planned)d per school year.",
            "This series has %(count)d sessions; a series plans %(planned)d per school year.",
            count,
        ) % {"count": count, "planned": SESSIONS_PER_YEAR}

    def key_dates(self):
        return KeyDate.objects.filter(track=self.track, school_year=self.school_year)
