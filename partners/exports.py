"""The dashboard as a spreadsheet: the same columns, formula-neutralised, French headers."""

from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from emergence.spreadsheets import neutralise
from partners.sharing import PARTNER_FIELDS

COLUMN_WIDTHS = {"pitch": 60, "field": 30, "school": 30, "place": 20}


def dashboard_workbook(rows: Iterable[dict]) -> Workbook:
    """A write-only workbook of ``rows`` (as made by ``display_row``), one laureate a line."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for index, key in enumerate(PARTNER_FIELDS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS.get(key, 14)
    sheet.append([str(label) for label, _path in PARTNER_FIELDS.values()])
    for row in rows:
        sheet.append([neutralise(row[key]) for key in PARTNER_FIELDS])
    return book
