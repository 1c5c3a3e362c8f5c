"""Quarterly activity reports: periods, versioned questionnaires, the reports themselves.

The core questions are columns of ActivityReport, so that staff can filter, sort and
score them in the database; the extra questions of a period live in a Questionnaire
version and their answers in ``ActivityReport.extra_answers``, keyed by question key.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from emergence.history import HistoricalRecords

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


class ReportPeriodQuerySet(models.QuerySet):
    def opened(self, on: datetime.date | None = None):
        return self.filter(opens_on__lte=on or timezone.localdate())

    def by_slug(self, slug: str):
        """The period named like ``2026-q4`` (an empty QuerySet for any other text)."""
        year, _sep, quarter = slug.partition("-q")
        if not (year.isdigit() and quarter in {"1", "2", "3", "4"}):
            return self.none()
        return self.filter(year=int(year), quarter=int(quarter))

    def for_laureate(self, laureate):
        """The periods a laureate reports on: those that open after the day they joined (a
        laureate who joined on 1 September owes nothing for the quarter opening that day)."""
        return self.filter(opens_on__gt=laureate.joined_on)

    def with_report_of(self, laureate):
        """Attach ``laureate_reports``: the laureate's report of each period (0 or 1), in one
        extra query whatever the number of periods."""
        return self.prefetch_related(
            models.Prefetch(
                "reports",
                queryset=ActivityReport.objects.filter(laureate=laureate).order_by(),
                to_attr="laureate_reports",
            )
        )


class ReportPeriod(models.Model):
    """A quarter, named like ``2026-q4``: laureates answer between its opening and due dates."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), choices=[(n, f"Q{n}") for n in range(1, 5)]
    )
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due on"))
    questionnaire = models.ForeignKey(
        "Questionnaire",
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="periods",
        help_text=_("The extra questions asked this quarter, on top of the core report."),
    )

    objects = ReportPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("report period")
        verbose_name_plural = _("report periods")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="one_period_per_quarter"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="quarter_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(due_on__gt=models.F("opens_on")),
                name="period_due_after_it_opens",
                violation_error_message=_("The due date must come after the opening date."),
            ),
        ]

    def __str__(self) -> str:
        return self.slug

    @property
    def slug(self) -> str:
        """The period's name and URL part: ``2026-q4`` is year 2026, quarter 4."""
        return f"{self.year}-q{self.quarter}"

    def is_open(self, on: datetime.date | None = None) -> bool:
        return self.opens_on <= (on or timezone.localdate())

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        return (on or timezone.localdate()) > self.due_on


def quarter_dates(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """Default dates: opens on the 1st of the quarter's last month, due 15 days after it ends."""
    last_month = quarter * 3
    opens_on = datetime.date(year, last_month, 1)
    next_quarter_start = (
        datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, last_month + 1, 1)
    )
    return opens_on, next_quarter_start + datetime.timedelta(days=14)


def periods_create_for_school_year(*, start_year: int) -> list[ReportPeriod]:
    """Create the four quarters of school year ``start_year``-``start_year + 1`` if missing.

    A school year runs from September: its quarters are Q4 of the first calendar year,
    then Q1 to Q3 of the next. Existing periods (and their adjusted dates) are kept.
    """
    quarters = [(start_year, 4), (start_year + 1, 1), (start_year + 1, 2), (start_year + 1, 3)]
    periods = []
    for year, quarter in quarters:
        opens_on, due_on = quarter_dates(year, quarter)
        period, _created = ReportPeriod.objects.get_or_create(
            year=year, quarter=quarter, defaults={"opens_on": opens_on, "due_on": due_on}
        )
        periods.append(period)
    return periods


class Questionnaire(models.Model):
    """A version of the extra questions. Frozen once a submitted report has used it."""

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="questionnaire_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.reports.exclude(status=ReportStatus.DRAFT).exists()


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("scale 1–5")
    YES_NO = "yes_no", _("yes / no")
    SHORT_TEXT = "short_text", _("short text")
    LONG_TEXT = "long_text", _("long text")
    CHOICE = "choice", _("choice")


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    key = models.SlugField(
        _("key"),
        max_length=50,
        help_text=_("Stable across years: answers to the same key are compared."),
    )
    label_fr = models.CharField(_("label in French"), max_length=300)
    label_en = models.CharField(_("label in English"), max_length=300)
    kind = models.CharField(_("type"), max_length=12, choices=QuestionKind.choices)
    choices = models.TextField(
        _("choices"),
        blank=True,
        help_text=_("For a choice: one per line, as “value | French label | English label”."),
    )
    required = models.BooleanField(_("required"), default=False)
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_(
            "Like the wellbeing answers: read only by the laureate, their referent and the "
            "programme lead; other staff see that it was answered, never the answer."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "key"], name="question_key_unique_in_questionnaire"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        english = (translation.get_language() or "fr").startswith("en")
        return self.label_en if english and self.label_en else self.label_fr

    def choice_list(self) -> list[tuple[str, str]]:
        """[(value, label in the active language)] from the ``choices`` text."""
        english = (translation.get_language() or "fr").startswith("en")
        options = []
        for line in self.choices.splitlines():
            parts = [part.strip() for part in line.split("|")]
            if not parts[0]:
                continue
            french = parts[1] if len(parts) > 1 and parts[1] else parts[0]
            label = parts[2] if english and len(parts) > 2 and parts[2] else french
            options.append((parts[0], label))
        return options


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


class TriageState(models.TextChoices):
    NEW = "new", _("new")
    ASSIGNED = "assigned", _("assigned")
    CONTACTED = "contacted", _("contacted")
    CLOSED = "closed", _("closed")


class FollowUpLevel(models.TextChoices):
    """How closely staff follow a laureate: it weighs in the triage order and sets the
    default delay before the next contact."""

    STANDARD = "standard", pgettext_lazy("follow-up level", "standard")
    REINFORCED = "reinforced", pgettext_lazy("follow-up level", "reinforced")
    ALERT = "alert", pgettext_lazy("follow-up level", "alert")


class ContactOutcome(models.TextChoices):
    REACHED_FINE = "fine", _("reached: all is well")
    REACHED_HELP = "help", _("reached: needs help")
    NOT_REACHED = "not_reached", _("not reached")
    MESSAGE_LEFT = "message", _("message left")


class Triage(models.Model):
    """Where staff stand with a laureate who needs attention, and who is in charge.

    A triage lives in cycles: closing it ends the current cycle; a new reason after the
    close opens the next one (``cycle`` + 1, state "new"). Every step is a TriageEvent.
    """

    laureate = models.OneToOneField(
        "laureates.Laureate",
        verbose_name=_("laureate"),
        on_delete=models.CASCADE,
        related_name="triage",
    )
    state = models.CharField(
        _("triage state"), max_length=10, choices=TriageState.choices, default=TriageState.NEW
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="triages",
        limit_choices_to={"is_staff": True},
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    cycle = models.PositiveIntegerField(_("cycle"), default=1)
    opened_at = models.DateTimeField(_("cycle opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The triage rules that held when the cycle was closed: the list marks the others new.
    closed_reasons = models.JSONField(_("reasons at the close"), default=list, blank=True)
    level = models.CharField(
        _("follow-up level"),
        max_length=10,
        choices=FollowUpLevel.choices,
        default=FollowUpLevel.STANDARD,
    )
    next_contact_on = models.DateField(_("next contact on"), null=True, blank=True)
    # A staff member's flag: a reason of its own until the cycle is closed.
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)
    flag_note = models.CharField(_("why flagged"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("triage")
        verbose_name_plural = _("triages")
        indexes = [
            models.Index(fields=["assigned_to", "next_contact_on"]),
            models.Index(fields=["state", "next_contact_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="closed", closed_at__isnull=False)
                | (~Q(state="closed") & Q(closed_at__isnull=True)),
                name="closed_triage_has_a_close_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.laureate} · {self.get_state_display()}"


class TriageEventKind(models.TextChoices):
    OPENED = "opened", _("cycle opened")
    ASSIGNED = "assigned", _("assigned")
    CONTACTED = "contacted", _("contacted")
    LEVEL = "level", _("follow-up level changed")
    FLAGGED = "flagged", _("flagged")
    CLOSED = "closed", _("closed")


class TriageEvent(models.Model):
    """One step of a laureate's follow-up, for the history of cycles on their page."""

    laureate = models.ForeignKey(
        "laureates.Laureate",
        verbose_name=_("laureate"),
        on_delete=models.CASCADE,
        related_name="triage_events",
    )
    cycle = models.PositiveIntegerField(_("cycle"))
    kind = models.CharField(_("what"), max_length=10, choices=TriageEventKind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    follow_up = models.ForeignKey(
        "laureates.FollowUp",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="triage_events",
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=ContactOutcome.choices, blank=True
    )
    next_contact_on = models.DateField(_("next contact on"), null=True, blank=True)
    level = models.CharField(
        _("follow-up level"), max_length=10, choices=FollowUpLevel.choices, blank=True
    )
    # The triage rules (keys of reports.triage.WEIGHTS, "flag", "overdue"...) behind an
    # opening, so the history says why a cycle started.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("triage event")
        verbose_name_plural = _("triage events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["laureate", "-at"])]

    def __str__(self) -> str:
        return f"{self.laureate} · {self.cycle} · {self.get_kind_display()}"


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


class ReadWhat(models.TextChoices):
    REPORT = "report", _("report")
    REPORT_CONFIDENTIAL = "report_confidential", _("report, with its confidential answers")
    EXPORT_CONFIDENTIAL = "export_confidential", _("export with confidential answers")


class ReportReadQuerySet(models.QuerySet):
    def older_than(self, days: int):
        return self.filter(at__lt=timezone.now() - datetime.timedelta(days=days))


class ReportRead(models.Model):
    """A staff member opened a laureate's report or their confidential answers (who looked).

    Written by reports/confidential.py, read by the programme lead, deleted after
    ``RETENTION_DAYS["read_records"]`` (a retention rule of reports/personal_data.py). The
    reader's e-mail is copied so that the record still says who it was after their account
    is deleted (not once they are erased).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="report_reads",
    )
    user_email = models.EmailField(_("e-mail address of who looked"))
    # Deleting the laureate keeps the record (who looked, when), without them: a log never
    # blocks a deletion.
    laureate = models.ForeignKey(
        "laureates.Laureate",
        verbose_name=_("laureate"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="report_reads",
    )
    report = models.ForeignKey(
        ActivityReport,
        verbose_name=_("report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reads",
    )
    period = models.CharField(_("period"), max_length=10, blank=True)
    what = models.CharField(_("what"), max_length=20, choices=ReadWhat.choices)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = ReportReadQuerySet.as_manager()

    class Meta:
        verbose_name = _("read record")
        verbose_name_plural = _("read records (who looked)")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["laureate", "-at"], name="report_read_laureate_at")]

    def __str__(self) -> str:
        return f"{self.user_email} · {self.description}"

    @property
    def description(self) -> str:
        """What was read, in words: « rapport 2026-q4 », « export de 2026-q4 … »."""
        if self.what == ReadWhat.EXPORT_CONFIDENTIAL:
            return _("export of %(period)s with confidential answers") % {"period": self.period}
        if self.what == ReadWhat.REPORT_CONFIDENTIAL:
            return _("report %(period)s, with its confidential answers") % {"period": self.period}
        return _("report %(period)s") % {"period": self.period}


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
