"""The dashboard as a spreadsheet: the same columns and labels as on screen, one laureate a
line, in a sheet named « Lauréats » (see emergence.xlsx for what every export shares)."""

import io
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from openpyxl import Workbook

from emergence.jobs import JobFile, JobOutcome, Progress, rows_progress
from emergence.models import BackgroundJob
from emergence.xlsx import XLSX_CONTENT_TYPE, xlsx_workbook
from partners.filters import DashboardFilter
from partners.models import PartnerMembership
from partners.sharing import PARTNER_FIELDS, display_row, partner_rows, seeking_searches

COLUMN_WIDTHS = {
    "pitch": 60,
    "field": 30,
    "school": 30,
    "place": 20,
    "kind": 22,
    "track": 22,
    "degree": 20,
    "situation": 24,
    "status": 24,
}


def dashboard_workbook(rows: Iterable[dict]) -> Workbook:
    """A write-only workbook of ``rows`` (as made by ``display_row``), one laureate a line."""
    return xlsx_workbook(
        title=gettext("Laureates"),
        headers=[capfirst(str(label)) for label, _path in PARTNER_FIELDS.values()],
        rows=(_line(row) for row in rows),
        widths=[COLUMN_WIDTHS.get(key, 14) for key in PARTNER_FIELDS],
    )


def dashboard_export_filename() -> str:
    return f"emergence-laureates-{timezone.localdate():%Y-%m-%d}.xlsx"


def dashboard_filter(query: QueryDict, searches: QuerySet | None = None) -> DashboardFilter:
    """The dashboard's filters as ``query`` sets them, over ``searches`` (by default the
    laureates shared with partners, ``seeking_searches()``)."""
    return DashboardFilter(
        query or None, queryset=seeking_searches() if searches is None else searches
    )


def dashboard_export_run(job: BackgroundJob, progress: Progress) -> JobOutcome:
    """A partner member's export of more than BACKGROUND_EXPORT_ROWS laureates (the job
    ``partner-export``), filtered as their dashboard was: read in chunks, written as a
    write-only workbook. Only a member of a company that is still a partner gets the file."""
    membership = PartnerMembership.objects.select_related("company").get(user=job.owner)
    if not membership.company.active:
        raise PermissionDenied
    found = dashboard_filter(QueryDict(job.params.get("query", ""))).qs
    progress.total(found.count())
    rows = (display_row(row) for row in partner_rows(found).iterator(chunk_size=2000))
    content = io.BytesIO()
    dashboard_workbook(rows_progress(rows, progress)).save(content)
    return JobOutcome(
        file=JobFile(content.getvalue(), dashboard_export_filename(), XLSX_CONTENT_TYPE)
    )


def _line(row: dict) -> list:
    # Choices read as on the dashboard's cards: « Stage », « École d'ingénieur ».
    return [capfirst(row[key]) if key in CHOICES else row[key] for key in PARTNER_FIELDS]


CHOICES = ("kind", "track", "situation", "status")
