"""This app's part of the staff overview (emergence/overview.py): reports in and missing,
the triage, and the answers over time.

Each figure is one query grouped in the database. Confidential answers (stress, extra
questions marked confidential) are shown only as averages or counts over at least
``CONFIDENTIAL_MIN_GROUP`` laureates; a smaller group's cell is empty, with a note.
"""

from django.utils import timezone
from django.utils.translation import gettext

from emergence.overview import Headline, OverviewFilters, OverviewPart, Panel
from laureates.overview import laureate_q
from reports.models import ActivityReport
from reports.overview.answers import (
    COHORT_LINES,
    COHORT_QUARTERS,
    COMPARABLE_KINDS,
    answers_panel,
)
from reports.overview.common import LAUREATES_LIST, REPORTS_LIST, TRIAGES_LIST
from reports.overview.reports import periods_q, reports_panel
from reports.overview.triage import REASON_RULES, triage_panel
from reports.triage import ANSWERED

__all__ = [
    "COHORT_LINES",
    "COHORT_QUARTERS",
    "COMPARABLE_KINDS",
    "LAUREATES_LIST",
    "PART",
    "REASON_RULES",
    "REPORTS_LIST",
    "TRIAGES_LIST",
    "answers_panel",
    "headline",
    "panels",
    "periods_q",
    "reports_panel",
    "triage_panel",
]


def panels(filters: OverviewFilters) -> list[Panel]:
    today = timezone.localdate()
    found = []
    if filters.allows("reports.view_activityreport"):
        found.append(reports_panel(filters, today))
    if filters.allows("reports.view_triage"):
        found.append(triage_panel(filters, today))
    if filters.allows("reports.view_activityreport"):
        found.append(answers_panel(filters, today))
    return found


def headline(filters: OverviewFilters) -> list[Headline]:
    answered = ActivityReport.objects.filter(
        laureate_q(filters, "laureate__"),
        periods_q(filters, "period__", today=timezone.localdate()),
        status__in=ANSWERED,
    ).count()
    return [Headline("reports_answered", gettext("Reports answered"), answered)]


PART = OverviewPart(app="reports", order=10, panels=panels, headline=headline)
