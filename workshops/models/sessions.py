"""The sessions of a series, the laureates' registrations to them and their feedback, with
the QuerySets that select them (the three refer to one another, so they live together)."""

import datetime

from django.db import models
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from laureates.models import Laureate
from workshops.models.key_dates import KeyDate, Moment
from workshops.models.series import WorkshopSeries


class SessionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def upcoming(self, now: datetime.datetime | None = None):
        return self.filter(ends_at__gt=now or timezone.now())

    def around(self, weeks: int, now: datetime.datetime | None = None):
        """Sessions starting within ``weeks`` weeks before or after ``now``."""
        now = now or timezone.now()
        window = datetime.timedelta(weeks=weeks)
        return self.filter(starts_at__range=(now - window, now + window))

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
