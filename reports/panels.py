"""The card reports adds to the laureate's page /me/ (see laureates.panels)."""

from django.db.models import OuterRef, Subquery

from reports.models import ActivityReport, ReportPeriod, ReportStatus

#: How many recent periods the card looks at: the open one, and one still late before it.
PANEL_PERIODS = 2


def reports_panel(laureate) -> dict | None:
    """The reports still to fill in (due date, status, link), or the last one sent; one query."""
    mine = ActivityReport.objects.filter(laureate=laureate, period=OuterRef("pk")).order_by()
    periods = list(
        ReportPeriod.objects.opened()
        .for_laureate(laureate)
        .annotate(my_status=Subquery(mine.values("status")[:1]))
        .order_by("-year", "-quarter")[:PANEL_PERIODS]
    )
    if not periods:
        return None
    to_do = [period for period in periods if period.my_status in (None, ReportStatus.DRAFT)]
    for period in to_do:
        period.status_key = "draft" if period.my_status else "not_started"
        period.late = period.is_overdue()
    return {
        "template": "reports/_home_panel.html",
        "context": {"to_do": list(reversed(to_do)), "last": periods[0]},
    }
