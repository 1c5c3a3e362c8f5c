"""What sponsors and laureates record about their sponsorship: the meetings (logged by one
side, confirmed by the other) and the yearly answer on the fit (read by staff only).

The functions that change them are in laureates/sponsors.py."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    SPONSOR = "sponsor", _("the sponsor")
    LAUREATE = "laureate", _("the laureate")
    STAFF = "staff", _("the programme team")


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    VIDEO = "video", _("video call")
    PHONE = "phone", _("phone call")


class MeetingTopic(models.TextChoices):
    STUDIES = "studies", _("studies")
    WORK = "work", _("internship or job")
    PROJECT = "project", _("professional project")
    PERSONAL = "personal", _("personal matters")
    OTHER = "other", _("other")


class SponsorMeetingQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def awaiting(self, side: str):
        """Meetings the other side logged that ``side`` has not confirmed yet."""
        return self.filter(confirmed_at__isnull=True).exclude(logged_by=side)


class SponsorMeeting(models.Model):
    sponsorship = models.ForeignKey(
        "laureates.Sponsorship",
        verbose_name=_("sponsorship"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    date = models.DateField(_("date of the meeting"))
    mode = models.CharField(_("how"), max_length=10, choices=MeetingMode.choices)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    note = models.TextField(
        _("note for both of you"),
        blank=True,
        max_length=2000,
        help_text=_("The sponsor and the laureate both read it."),
    )
    private_note = models.TextField(
        _("note for the programme team only"),
        blank=True,
        max_length=2000,
        help_text=_("Only the programme team reads it."),
    )
    logged_by = models.CharField(_("logged by"), max_length=10, choices=Side.choices)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)

    objects = SponsorMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("sponsor meeting")
        verbose_name_plural = _("sponsor meetings")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["sponsorship", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(logged_by__in=Side.values), name="sponsor_meeting_logged_by_a_side"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=MeetingMode.values), name="sponsor_meeting_mode_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sponsorship} · {self.date}"

    def clean(self):
        unknown = [topic for topic in self.topics or [] if topic not in MeetingTopic.values]
        if not isinstance(self.topics, list) or unknown:
            raise ValidationError({"topics": gettext("Choose the topics from the list.")})

    def topic_labels(self) -> list[str]:
        labels = dict(MeetingTopic.choices)
        return [str(labels[topic]) for topic in self.topics or [] if topic in labels]

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class SponsorshipFit(models.Model):
    """Once a year, each side's answer to « How well does this sponsorship work? » (1 to 5)."""

    sponsorship = models.ForeignKey(
        "laureates.Sponsorship",
        verbose_name=_("sponsorship"),
        on_delete=models.CASCADE,
        related_name="fits",
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices[:2])
    year = models.PositiveSmallIntegerField(_("year"))
    score = models.PositiveSmallIntegerField(_("score (1 to 5)"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sponsorship fit answer")
        verbose_name_plural = _("sponsorship fit answers")
        ordering = ["-year", "sponsorship", "side"]
        constraints = [
            models.UniqueConstraint(
                fields=["sponsorship", "side", "year"],
                name="one_fit_answer_per_side_and_year",
                violation_error_message=_("This question was already answered this year."),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="sponsorship_fit_score_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(side__in=["sponsor", "laureate"]), name="sponsorship_fit_side"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sponsorship} · {self.year} · {self.side}: {self.score}"
