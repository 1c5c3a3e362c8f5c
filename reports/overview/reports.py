"""The reports panel: reports in, late, in draft and not started per period; response rate."""

import datetime

from django.db.models import OuterRef, Q
from django.utils.translation import gettext

from emergence.overview import Chart, OverviewFilters, Panel, Table, overview_link
from laureates.models import Laureate, Status
from laureates.overview import laureate_params, laureate_q, overview_window
from reports.models import ActivityReport, ReportPeriod, ReportStatus
from reports.overview.common import LAUREATES_LIST, REPORTS_LIST, _count
from reports.triage import ANSWERED


def periods_q(filters: OverviewFilters, prefix: str = "", *, today: datetime.date) -> Q:
    """The periods of the school year chosen (its Q4, then Q1 to Q3 of the next calendar
    year, as ``periods_create_for_school_year`` makes them), else those that opened in the
    last two years; never one still to open."""
    opened = Q(**{f"{prefix}opens_on__lte": today})
    if filters.school_year is not None:
        year = filters.school_year
        return opened & (
            Q(**{f"{prefix}year": year, f"{prefix}quarter": 4})
            | Q(**{f"{prefix}year": year + 1, f"{prefix}quarter__lte": 3})
        )
    start, _end = overview_window(filters, today=today)
    return opened & Q(**{f"{prefix}opens_on__gte": start})


def _periods(filters: OverviewFilters, today: datetime.date):
    """The opened periods of the window, with their expected reports and what came in, in
    one query (the laureates owing a report: active, joined before the period opened)."""
    owing = Laureate.objects.filter(
        laureate_q(filters), status=Status.ACTIVE, joined_on__lt=OuterRef("opens_on")
    )
    reports = ActivityReport.objects.filter(
        laureate_q(filters, "laureate__"),
        period=OuterRef("pk"),
        laureate__status=Status.ACTIVE,
        laureate__joined_on__lt=OuterRef("opens_on"),
    )
    return list(
        ReportPeriod.objects.filter(periods_q(filters, today=today))
        .annotate(
            expected=_count(owing),
            on_time=_count(reports.filter(status__in=ANSWERED, is_late=False)),
            late=_count(reports.filter(status__in=ANSWERED, is_late=True)),
            draft=_count(reports.filter(status=ReportStatus.DRAFT)),
        )
        .order_by("year", "quarter")
    )


def reports_panel(filters: OverviewFilters, today: datetime.date) -> Panel:
    periods = _periods(filters, today)
    for period in periods:
        period.not_started = max(period.expected - period.on_time - period.late - period.draft, 0)
        period.answered = period.on_time + period.late
    recent = list(reversed(periods[-2:]))
    rows, links = [], []
    for period in recent:
        in_period = {"period__id__exact": period.pk, **laureate_params(filters, "laureate__")}
        rows.append(
            [
                period.slug,
                period.expected,
                period.on_time,
                period.late,
                period.draft,
                period.not_started,
            ]
        )
        links.append(
            [
                None,
                None,
                overview_link(
                    REPORTS_LIST, status__in="submitted,reviewed", is_late__exact=0, **in_period
                ),
                overview_link(
                    REPORTS_LIST, status__in="submitted,reviewed", is_late__exact=1, **in_period
                ),
                overview_link(REPORTS_LIST, status__exact=ReportStatus.DRAFT, **in_period),
                overview_link(LAUREATES_LIST, not_started=period.pk, **laureate_params(filters)),
            ]
        )
    status = Table(
        key="reports_status",
        title=gettext("Reports of the open and the last periods"),
        summary=(
            gettext(
                "%(period)s: %(answered)d of %(expected)d expected reports are in "
                "(%(late)d late), %(draft)d are drafts and %(missing)d not started."
            )
            % {
                "period": recent[0].slug,
                "answered": recent[0].answered,
                "expected": recent[0].expected,
                "late": recent[0].late,
                "draft": recent[0].draft,
                "missing": recent[0].not_started,
            }
            if recent
            else gettext("No report period has opened yet.")
        ),
        columns=[
            gettext("Period"),
            gettext("Expected"),
            gettext("Submitted on time"),
            gettext("Late"),
            gettext("Draft"),
            gettext("Not started"),
        ],
        rows=rows,
        links=links,
        chart=Chart(kind="stacked", series=[2, 3, 4, 5]),
        note=gettext(
            "Expected: active laureates who joined before the period opened. "
            "« Not started » opens the list of those without any report."
        ),
    )
    rate_rows = [
        [
            period.slug,
            period.expected,
            period.answered,
            round(100 * period.answered / period.expected, 1) if period.expected else None,
        ]
        for period in periods
    ]
    rates = [row[3] for row in rate_rows if row[3] is not None]
    response = Table(
        key="response_rate",
        title=gettext("Response rate per period"),
        summary=(
            gettext("From %(low)s %% to %(high)s %% of the expected reports answered, per period.")
            % {"low": min(rates), "high": max(rates)}
            if rates
            else gettext("No report expected in these periods.")
        ),
        columns=[
            gettext("Period"),
            gettext("Expected"),
            gettext("Answered"),
            gettext("Response rate (%)"),
        ],
        rows=rate_rows,
        links=[
            [
                None,
                None,
                overview_link(
                    REPORTS_LIST,
                    period__id__exact=period.pk,
                    status__in="submitted,reviewed",
                    **laureate_params(filters, "laureate__"),
                ),
                None,
            ]
            for period in periods
        ],
        chart=Chart(kind="line", series=[3], y_range=(0, 100)),
    )
    return Panel(key="reports", title=gettext("Activity reports"), tables=[status, response])
