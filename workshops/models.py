"""Médecine and prépa workshops: series, key dates, sessions, registrations, feedback, feeds.

A series is one school year of workshops for one track, led by a staff member and animated
by the same senior laureates; its sessions are placed before the track's key dates. The
functions that change several rows at once live in ``workshops.services``.
"""

import datetime
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from laureates.models import Laureate, Track

SESSIONS_PER_YEAR = 4


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
        return f"{self.get_track_display()} {self.school_year}"

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


class SessionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def upcoming(self, now: datetime.datetime | None = None):
        return self.filter(ends_at__gt=now or timezone.now())

    def for_audience(self, laureate: Laureate):
        """Published sessions of the laureate's track whose audience includes their year."""
        return self.published().filter(
            series__track=laureate.track,
            series__audience_from_year__lte=laureate.study_year,
            series__audience_to_year__gte=laureate.study_year,
        )

    def visible_to(self, laureate: Laureate):
        """What a laureate may open: their audience's sessions, and any they registered for
        or animate."""
        return self.published().filter(
            Q(
                series__track=laureate.track,
                series__audience_from_year__lte=laureate.study_year,
                series__audience_to_year__gte=laureate.study_year,
            )
            | Exists(Registration.objects.filter(session=OuterRef("pk"), laureate=laureate))
            | Exists(
                WorkshopSeries.animators.through.objects.filter(
                    workshopseries_id=OuterRef("series_id"), laureate_id=laureate.pk
                )
            )
        )

    def animated_by(self, laureate: Laureate):
        return self.filter(series__animators=laureate)

    def awaiting_feedback_from(self, laureate: Laureate, now: datetime.datetime | None = None):
        """Sessions the laureate attended, now over, not yet rated by them."""
        return (
            self.filter(ends_at__lt=now or timezone.now())
            .filter(
                Exists(
                    Registration.objects.filter(
                        session=OuterRef("pk"), laureate=laureate, attended=True
                    )
                )
            )
            .exclude(Exists(Feedback.objects.filter(session=OuterRef("pk"), laureate=laureate)))
        )

    def with_attendance(self):
        """Annotate ``average_rating`` (None before any rating), ``rating_count``,
        ``present_count`` and ``marked_count`` (confirmed registrations whose attendance was
        taken), each one subquery."""

        def scalar(queryset, aggregate):
            return Subquery(queryset.order_by().values("session").annotate(v=aggregate).values("v"))

        ratings = Feedback.objects.filter(session=OuterRef("pk"))
        confirmed = Registration.objects.filter(
            session=OuterRef("pk"), status=RegistrationStatus.CONFIRMED
        )
        return self.annotate(
            average_rating=scalar(ratings, Avg("rating")),
            rating_count=Coalesce(scalar(ratings, Count("pk")), 0),
            present_count=Coalesce(scalar(confirmed.filter(attended=True), Count("pk")), 0),
            marked_count=Coalesce(scalar(confirmed.filter(attended__isnull=False), Count("pk")), 0),
        )

    def with_confirmed_count(self):
        confirmed = (
            Registration.objects.filter(session=OuterRef("pk"), status=RegistrationStatus.CONFIRMED)
            .order_by()
            .values("session")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(confirmed_count=Coalesce(Subquery(confirmed), 0)).annotate(
            places_left=F("capacity") - F("confirmed_count")
        )

    def with_registration_of(self, laureate: Laureate):
        """Annotate the laureate's own registration: ``my_registration_id``, ``my_status``."""
        mine = Registration.objects.filter(session=OuterRef("pk"), laureate=laureate)
        return self.annotate(
            my_registration_id=Subquery(mine.values("pk")[:1]),
            my_status=Subquery(mine.values("status")[:1]),
        )

    def with_key_date(self):
        """Annotate ``key_date`` and ``key_date_label``: the date the session prepares for."""
        key = KeyDate.objects.filter(
            track=OuterRef("series__track"),
            school_year=OuterRef("series__school_year"),
            kind=OuterRef("moment"),
        )
        return self.annotate(
            key_date=Subquery(key.values("date")[:1]),
            key_date_label=Subquery(key.values("label")[:1]),
            key_window_starts=Subquery(key.values("window_starts")[:1]),
            key_window_ends=Subquery(key.values("window_ends")[:1]),
        )

    def with_checks(self):
        """Annotate what a session's warnings need (workshops.moments.session_warnings), in
        the page's one query: its key moment, its rank in the series, a clash with another
        series of the track or with its lead's or animators' other sessions, exams that day."""
        earlier = (
            Session.objects.filter(series=OuterRef("series"))
            .filter(
                Q(starts_at__lt=OuterRef("starts_at"))
                | Q(starts_at=OuterRef("starts_at"), pk__lt=OuterRef("pk"))
            )
            .order_by()
            .values("series")
            .annotate(n=Count("pk"))
            .values("n")
        )
        same_track = (
            Session.objects.filter(
                series__track=OuterRef("series__track"),
                starts_at__lt=OuterRef("ends_at"),
                ends_at__gt=OuterRef("starts_at"),
            )
            .exclude(series=OuterRef("series"))
            .order_by("starts_at")
        )
        exams = KeyDate.objects.filter(
            track=OuterRef("series__track"),
            school_year=OuterRef("series__school_year"),
            exams_end__isnull=False,
            date__lte=OuterRef("ends_on"),
            exams_end__gte=OuterRef("starts_on"),
        ).order_by("date")
        return (
            self.with_key_date()
            .with_conflict()
            .annotate(
                series_rank=Coalesce(Subquery(earlier), 0) + 1,
                starts_on=TruncDate("starts_at"),
                ends_on=TruncDate("ends_at"),
            )
            .annotate(
                clash_theme=Subquery(same_track.values("theme")[:1]),
                exams_label=Subquery(exams.values("label")[:1]),
            )
        )

    def overlapping(self, session: "Session"):
        return self.filter(starts_at__lt=session.ends_at, ends_at__gt=session.starts_at).exclude(
            pk=session.pk
        )

    def with_conflict(self):
        """Annotate ``has_conflict``: the staff lead or an animator is due in another session
        at the same time."""
        animators = WorkshopSeries.animators.through.objects.filter(
            workshopseries_id=OuterRef(OuterRef("series_id"))
        ).values("laureate_id")
        others = (
            Session.objects.filter(
                starts_at__lt=OuterRef("ends_at"), ends_at__gt=OuterRef("starts_at")
            )
            .exclude(pk=OuterRef("pk"))
            .filter(
                Q(series__lead_id=OuterRef("series__lead_id"))
                | Q(series__animators__in=Subquery(animators))
            )
        )
        return self.annotate(has_conflict=Exists(others))


class Session(models.Model):
    series = models.ForeignKey(
        WorkshopSeries,
        verbose_name=_("series"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    moment = models.CharField(
        _("prepares for"),
        max_length=12,
        choices=Moment.choices,
        help_text=_("The key moment of the track this session prepares for."),
    )
    theme = models.CharField(_("theme"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=20)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    animator_note = models.TextField(
        _("animators' note"),
        blank=True,
        max_length=2000,
        help_text=_("What happened, written by the animators during or after the session."),
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("workshop session")
        verbose_name_plural = _("workshop sessions")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="workshop_session_ends_after_it_starts",
                violation_error_message=_("A session must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="workshop_session_capacity_at_least_one",
                violation_error_message=_("A session welcomes at least one laureate."),
            ),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(video_url=""),
                name="workshop_session_has_place_or_video_link",
                violation_error_message=_("Give a place or a video link (or both)."),
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.theme} ({local:%d/%m/%Y %H:%M})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def days_before(self, key_date: datetime.date | None) -> int | None:
        """Days from this session to ``key_date`` (negative once the key date has passed)."""
        if key_date is None:
            return None
        return (key_date - timezone.localdate(self.starts_at)).days

    @property
    def attendance_rate(self) -> float | None:
        """Of the confirmed registrations whose attendance was taken, the share who came
        (needs ``with_attendance``)."""
        if not getattr(self, "marked_count", 0):
            return None
        return self.present_count / self.marked_count

    def conflicts(self) -> list["Session"]:
        """Other sessions at the same time that share the staff lead or an animator."""
        animators = self.series.animators.all()
        return list(
            Session.objects.overlapping(self)
            .filter(Q(series__lead_id=self.series.lead_id) | Q(series__animators__in=animators))
            .select_related("series")
            .distinct()
        )


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", pgettext_lazy("registration status", "registered")
    WAITING = "waiting", pgettext_lazy("registration status", "on the waiting list")
    CANCELLED = "cancelled", pgettext_lazy("registration status", "cancelled")


class RegistrationQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waiting(self):
        return self.filter(status=RegistrationStatus.WAITING).order_by("registered_at", "pk")

    def active(self):
        return self.exclude(status=RegistrationStatus.CANCELLED)


class Registration(models.Model):
    session = models.ForeignKey(
        Session,
        verbose_name=pgettext_lazy("workshop", "session"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    laureate = models.ForeignKey(
        Laureate,
        verbose_name=_("laureate"),
        on_delete=models.CASCADE,
        related_name="workshop_registrations",
    )
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    promoted_at = models.DateTimeField(_("moved off the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["session__starts_at", "registered_at"]
        indexes = [models.Index(fields=["session", "status", "registered_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "laureate"],
                name="one_registration_per_laureate_and_session",
                violation_error_message=_("This laureate is already registered for this session."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.laureate} · {self.session}"


class Feedback(models.Model):
    """A laureate's rating of a session they attended (older rows, from before feedback was
    asked per session, rate the whole series and have no session)."""

    series = models.ForeignKey(
        WorkshopSeries,
        verbose_name=_("series"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    session = models.ForeignKey(
        Session,
        verbose_name=pgettext_lazy("workshop", "session"),
        on_delete=models.CASCADE,
        related_name="feedback",
        null=True,
        blank=True,
    )
    laureate = models.ForeignKey(
        Laureate,
        verbose_name=_("laureate"),
        on_delete=models.CASCADE,
        related_name="workshop_feedback",
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), choices=[(n, str(n)) for n in range(1, 6)]
    )
    helped = models.TextField(_("what helped"), blank=True, max_length=2000)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("given on"), default=timezone.now)

    class Meta:
        verbose_name = _("workshop feedback")
        verbose_name_plural = _("workshop feedback")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "laureate"],
                condition=Q(session__isnull=True),
                name="one_feedback_per_laureate_and_series",
                violation_error_message=_(
                    "This laureate has already given feedback on this series."
                ),
            ),
            models.UniqueConstraint(
                fields=["session", "laureate"],
                name="one_feedback_per_laureate_and_session",
                violation_error_message=_(
                    "This laureate has already given feedback on this session."
                ),
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5),
                name="workshop_feedback_rating_1_to_5",
                violation_error_message=_("The rating goes from 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.laureate} · {self.session or self.series} · {self.rating}/5"


class AnimatorChangeKind(models.TextChoices):
    ADDED = "added", pgettext_lazy("animator", "added")
    REMOVED = "removed", pgettext_lazy("animator", "removed")


class AnimatorChange(models.Model):
    """An animator added to or removed from a series once its first session was published:
    animators stay the same for the school year, so each change says why."""

    series = models.ForeignKey(
        WorkshopSeries,
        verbose_name=_("series"),
        on_delete=models.CASCADE,
        related_name="animator_changes",
    )
    laureate = models.ForeignKey(
        Laureate,
        verbose_name=_("animator"),
        on_delete=models.CASCADE,
        related_name="animator_changes",
    )
    kind = models.CharField(_("change"), max_length=10, choices=AnimatorChangeKind.choices)
    reason = models.TextField(_("reason"), max_length=1000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("change of animators")
        verbose_name_plural = _("changes of animators")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="animator_change_has_a_reason",
                violation_error_message=_("Say why the animators change."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series} · {self.laureate} · {self.get_kind_display()}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret token of a laureate's personal calendar address."""

    laureate = models.OneToOneField(
        Laureate,
        verbose_name=_("laureate"),
        on_delete=models.CASCADE,
        related_name="workshop_calendar",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.laureate)
