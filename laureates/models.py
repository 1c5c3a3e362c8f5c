"""Laureates, their promotions, their sponsors and the staff's follow-ups."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Promotion(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class Track(models.TextChoices):
    MEDICINE = "medecine", _("Medicine")
    PREPA = "prepa", _("Preparatory classes")
    UNIVERSITY = "universite", _("University")
    ENGINEERING = "ingenieur", _("Engineering school")
    BUSINESS = "commerce", _("Business school")
    IUT_BTS = "iut_bts", _("IUT/BTS")
    OTHER = "autre", _("Other")


class Status(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("laureate status", "active")
    ALUMNI = "alumni", pgettext_lazy("laureate status", "alumni")
    LEFT = "left", pgettext_lazy("laureate status", "left the programme")


class Situation(models.TextChoices):
    STUDYING = "studying", _("studying")
    IN_WORK = "in_work", _("in work")
    SEEKING = "seeking", _("seeking")


class LaureateQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Status.ACTIVE)

    def with_current_sponsor(self):
        return self.filter(_has_current_sponsorship())

    def without_current_sponsor(self):
        return self.filter(~_has_current_sponsorship())

    def with_current_sponsor_name(self):
        """Annotate ``current_sponsor_name`` with one subquery, whatever the list's length."""
        current = (
            Sponsorship.objects.current()
            .filter(laureate=OuterRef("pk"))
            .annotate(name=Concat(F("sponsor__first_name"), Value(" "), F("sponsor__last_name")))
            .values("name")[:1]
        )
        return self.annotate(current_sponsor_name=Subquery(current))

    def search(self, text: str):
        query = Q()
        for word in text.split():
            query &= (
                Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
                | Q(user__email__icontains=word)
                | Q(school__icontains=word)
            )
        return self.filter(query)


def _has_current_sponsorship() -> Exists:
    return Exists(Sponsorship.objects.current().filter(laureate=OuterRef("pk")))


class Laureate(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="laureate",
    )
    promotion = models.ForeignKey(
        Promotion, verbose_name=_("promotion"), on_delete=models.PROTECT, related_name="laureates"
    )
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    study_year = models.PositiveSmallIntegerField(
        _("study year"), default=1, help_text=_("1 for the first year after the baccalauréat.")
    )
    school = models.CharField(_("school"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    situation = models.CharField(
        _("situation"), max_length=10, choices=Situation.choices, default=Situation.STUDYING
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referred_laureates",
        limit_choices_to={"is_staff": True},
    )
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)

    objects = LaureateQuerySet.as_manager()

    class Meta:
        verbose_name = _("laureate")
        verbose_name_plural = _("laureates")
        ordering = ["user__last_name", "user__first_name"]
        indexes = [models.Index(fields=["status", "track"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(study_year__gte=1) & Q(study_year__lte=12),
                name="laureate_study_year_1_to_12",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def current_sponsorship(self) -> "Sponsorship | None":
        return self.sponsorships.current().select_related("sponsor__company").first()


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

    class Meta:
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


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

    objects = SponsorshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("sponsorship")
        verbose_name_plural = _("sponsorships")
        ordering = ["-started_on"]
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
        ]

    def __str__(self) -> str:
        return f"{self.sponsor} → {self.laureate}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class Channel(models.TextChoices):
    PHONE = "phone", _("phone call")
    EMAIL = "email", _("e-mail")
    MEETING = "meeting", _("meeting")
    VIDEO = "video", _("video call")
    MESSAGE = "message", _("text message")


class FollowUp(models.Model):
    laureate = models.ForeignKey(
        Laureate, verbose_name=_("laureate"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.date} · {self.get_channel_display()}"


class SearchKind(models.TextChoices):
    INTERNSHIP = "internship", _("internship")
    WORK_STUDY = "work_study", _("work-study contract")
    JOB = "job", _("job")


class SearchQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)


class Search(models.Model):
    """What a laureate is looking for now: an internship, a work-study contract or a job."""

    laureate = models.ForeignKey(
        Laureate, verbose_name=_("laureate"), on_delete=models.CASCADE, related_name="searches"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=SearchKind.choices)
    field = models.CharField(_("field"), max_length=200, blank=True)
    starts_on = models.DateField(_("available from"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), null=True, blank=True
    )
    place = models.CharField(_("where"), max_length=200, blank=True)
    pitch = models.TextField(_("pitch"), max_length=1000, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = SearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("search")
        verbose_name_plural = _("searches")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["laureate"],
                condition=Q(closed_on__isnull=True),
                name="one_open_search_per_laureate",
                violation_error_message=_("This laureate already has an open search."),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} · {self.field}" if self.field else self.get_kind_display()
        )


def search_set(
    *,
    laureate: Laureate,
    kind: str | None,
    field: str = "",
    starts_on=None,
    duration_months: int | None = None,
    place: str = "",
    pitch: str = "",
) -> "Search | None":
    """Make ``kind`` the laureate's open search (or close it when ``kind`` is empty)."""
    current = laureate.searches.open().select_for_update().first()
    if not kind:
        if current is not None:
            current.closed_on = timezone.localdate()
            current.save(update_fields=["closed_on", "updated_at"])
        return None
    search = current or Search(laureate=laureate)
    search.kind = kind
    search.field = field
    search.starts_on = starts_on
    search.duration_months = duration_months
    search.place = place
    search.pitch = pitch
    search.save()
    return search
