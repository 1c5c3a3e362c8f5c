"""The dashboard as a spreadsheet: the same columns and labels as on screen, one laureate a
line, in a sheet named « Lauréats » (see emergence.xlsx for what every export shares)."""

from collections.abc import Iterable

from django.utils.text import capfirst
from django.utils.translation import gettext
from openpyxl import Workbook

from emergence.xlsx import xlsx_workbook
from partners.sharing import PARTNER_FIELDS

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


def _line(row: dict) -> list:
    # Choices read as on the dashboard's cards: « Stage », « École d'ingénieur ».
    return [capfirst(row[key]) if key in CHOICES else row[key] for key in PARTNER_FIELDS]


CHOICES = ("kind", "track", "situation", "status")
