"""The activity report itself: one laureate's answers for one period, its statuses and its
sections.

The core questions are columns of ActivityReport, so that staff can filter, sort and
score them in the database; the extra questions of a period live in a Questionnaire
version and their answers in ``ActivityReport.extra_answers``, keyed by question key.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from emergence.history import HistoricalRecords
from reports.models.periods import ReportPeriod
from reports.models.questions import Questionnaire

RATINGS = [(n, str(n)) for n in range(1, 6)]
# The longest free-text answer, in characters (a counter on the form shows what is left).
ANSWER_TEXT_MAX_LENGTH = 3000
RATING_FIELDS = [
    "studies_rating",
    "sponsor_relationship",
    "project_progress",
    "civic_involvement",
    "stress",
]


def rating_field(label: str, help_text: str = "") -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label,
        null=True,
        blank=True,
        choices=RATINGS,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=help_text,
    )


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    REVIEWED = "reviewed", _("reviewed")


class Exams(models.TextChoices):
    PASSED = "passed", _("all passed")
    PARTLY = "partly", _("some failed")
    FAILED = "failed", _("failed")
    NONE_YET = "none_yet", _("no exams yet")


class SearchChoice(models.TextChoices):
    INTERNSHIP = "internship", _("an internship")
    WORK_STUDY = "work_study", _("a work-study contract")
    JOB = "job", _("a job")
    NOTHING = "nothing", _("nothing now")


class ActivityReportQuerySet(models.QuerySet):
    def submitted(self):
        return self.exclude(status=ReportStatus.DRAFT)

    def for_user(self, user):
        """The reports a laureate may see: their own."""
        return self.filter(laureate__user=user)


class ActivityReport(models.Model):
    """One laureate's report for one period: draft -> submitted -> reviewed."""

    laureate = models.ForeignKey(
        "laureates.Laureate",
        verbose_name=_("laureate"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    period = models.ForeignKey(
        ReportPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="reports"
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        help_text=_("The version of the extra questions this report was answered with."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved at"), auto_now=True)
    # Counts the saves of the answers: a save made from an older version (another tab, a
    # stale page) is refused instead of silently replacing newer answers.
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_reports",
    )
    review_comment = models.TextField(_("review comment"), blank=True)

    # Studies
    studies_rating = rating_field(_("How are your studies going?"), _("1: badly, 5: very well"))
    studies_comment = models.TextField(
        _("About your studies"), max_length=ANSWER_TEXT_MAX_LENGTH, blank=True
    )
    exams = models.CharField(
        _("Exams this quarter"), max_length=10, choices=Exams.choices, blank=True
    )
    repeated_year = models.BooleanField(_("I am repeating a year"), default=False)
    changed_track = models.BooleanField(_("I changed track"), default=False)

    # Sponsor
    sponsor_met = models.BooleanField(_("Did you meet your sponsor this quarter?"), null=True)
    sponsor_meetings = models.PositiveSmallIntegerField(
        _("How many times?"), null=True, blank=True, validators=[MaxValueValidator(99)]
    )
    sponsor_last_met_on = models.DateField(_("Last meeting"), null=True, blank=True)
    sponsor_relationship = rating_field(
        _("How is the relationship with your sponsor?"), _("1: difficult, 5: excellent")
    )
    sponsor_comment = models.TextField(
        _("About your sponsor"), max_length=ANSWER_TEXT_MAX_LENGTH, blank=True
    )

    # Professional project
    project_progress = rating_field(
        _("How far has your professional project moved?"), _("1: not at all, 5: a lot")
    )
    project_next_steps = models.TextField(
        _("Next steps"), max_length=ANSWER_TEXT_MAX_LENGTH, blank=True
    )

    # Civic action, self-assessed
    civic_involvement = rating_field(
        _("How involved were you in your civic action?"), _("1: not at all, 5: very")
    )
    civic_actions = models.TextField(
        _("What did you do?"), max_length=ANSWER_TEXT_MAX_LENGTH, blank=True
    )
    civic_hours = models.PositiveSmallIntegerField(
        _("Hours this quarter"), null=True, blank=True, validators=[MaxValueValidator(2000)]
    )

    # The placement the laureate was in when the report started (carried over), and whether
    # they say it goes on; "what comes next" is the search below.
    placement = models.ForeignKey(
        "laureates.Placement",
        verbose_name=_("placement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    placement_goes_on = models.BooleanField(_("Does it go on?"), null=True)

    # Search: submitting copies it into the laureate's current Search.
    search_kind = models.CharField(
        _("What are you looking for?"), max_length=12, choices=SearchChoice.choices, blank=True
    )
    search_field = models.CharField(_("Field"), max_length=200, blank=True)
    search_starts_on = models.DateField(_("From"), null=True, blank=True)
    search_duration_months = models.PositiveSmallIntegerField(
        _("Duration (months)"), null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    search_place = models.CharField(_("Where"), max_length=200, blank=True)
    search_pitch = models.TextField(
        _("Your pitch"), max_length=1000, blank=True, help_text=_("A few lines for companies.")
    )

    # Wellbeing: staff only, never shown to partners or sponsors.
    stress = rating_field(_("Your stress level"), _("1: calm, 5: very stressed"))
    wants_contact = models.BooleanField(_("I would like the team to contact me"), default=False)
    wellbeing_note = models.TextField(
        _("Anything you want to tell the team"), max_length=ANSWER_TEXT_MAX_LENGTH, blank=True
    )

    comment = models.TextField(_("Free comment"), max_length=ANSWER_TEXT_MAX_LENGTH, blank=True)

    extra_answers = models.JSONField(_("answers to the extra questions"), default=dict, blank=True)
    carried_over = models.JSONField(
        _("sections carried over"),
        default=list,
        blank=True,
        help_text=_("Sections pre-filled from the previous report."),
    )

    objects = ActivityReportQuerySet.as_manager()
    # The report's life (submitted, late, reviewed, reopened), never its answers: the history
    # keeps these fields only, so an answer added later stays out of it too.
    history = HistoricalRecords(
        fields=[
            "laureate",
            "period",
            "status",
            "submitted_at",
            "is_late",
            "reviewed_at",
            "reviewed_by",
            "review_comment",
        ],
        laureate=["laureate"],
    )

    class Meta:
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")
        ordering = ["-period__year", "-period__quarter", "laureate"]
        # Who may read the confidential answers: emergence/roles.py.
        permissions = [
            ("read_all_confidential", _("Can read every laureate's confidential answers")),
            (
                "read_followed_confidential",
                _("Can read the confidential answers of the laureates they follow"),
            ),
        ]
        indexes = [models.Index(fields=["period", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["laureate", "period"], name="one_report_per_laureate_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="submitted_report_has_a_date",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True})
                    | Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"report_{name}_1_to_5",
                )
                for name in RATING_FIELDS
            ],
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.laureate}"

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT


# The report's sections and their answers, in the form's order. The form, the admin,
# the export and the life cycle all read them from here.
ANSWER_SECTIONS = {
    "studies": ["studies_rating", "studies_comment", "exams", "repeated_year", "changed_track"],
    "sponsor": [
        "sponsor_met",
        "sponsor_meetings",
        "sponsor_last_met_on",
        "sponsor_relationship",
        "sponsor_comment",
    ],
    "project": ["project_progress", "project_next_steps"],
    "civic": ["civic_involvement", "civic_actions", "civic_hours"],
    # Whether the placement the report carries goes on (asked only when it carries one).
    "search": [
        "placement_goes_on",
        "search_kind",
        "search_field",
        "search_starts_on",
        "search_duration_months",
        "search_place",
        "search_pitch",
    ],
    # Confidential (reports/confidential.py): the laureate, their referent and the
    # programme lead only; never sponsors or partner companies.
    "wellbeing": ["stress", "wants_contact", "wellbeing_note"],
    "comment": ["comment"],
}
ANSWER_FIELDS = [name for names in ANSWER_SECTIONS.values() for name in names]
