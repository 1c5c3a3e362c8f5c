"""Report periods: the quarters laureates report on, with their opening and due dates."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
        from reports.models.activity_reports import ActivityReport  # imports this module

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
