"""Spreadsheets written as people read them in Excel or LibreOffice: a named sheet, a bold
and frozen header row with a filter on it, dates and numbers as real cells (dd/mm/yyyy), and
text that a spreadsheet would run as a formula neutralised. Every XLSX export goes through
:func:`xlsx_workbook`, the partners' dashboard, the staff's report export and the console's.
"""

import datetime
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from emergence.spreadsheets import BooleanWidget, neutralise

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Excel refuses a longer text in one cell.
MAX_CELL_LENGTH = 32_767
#: The date formats of the cells: French and British readers alike read 01/09/2026.
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
#: Excel's limit on a sheet's name, and the characters it refuses in one.
MAX_TITLE_LENGTH = 31
_TITLE_REFUSED = re.compile(r"[\[\]:*?/\\]")

_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def sheet_title(title: str) -> str:
    """``title`` as Excel accepts a sheet's name: without []:*?/\\, at most 31 characters."""
    title = _TITLE_REFUSED.sub("-", str(title)).strip("' ")
    return title[:MAX_TITLE_LENGTH] or "Export"


def cut_text(text: str) -> str:
    """``text`` cut to fit one cell, with a visible marker when it is longer than that."""
    if len(text) <= MAX_CELL_LENGTH:
        return text
    marker = gettext(" … [cut]")
    return text[: MAX_CELL_LENGTH - len(marker)] + marker


def _cell(sheet, value):
    """A cell holding ``value`` as a spreadsheet should: a date, a number, or safe text."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):  # in words, as the site says it
        return BooleanWidget().render(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):  # in the programme's time zone, as on the site
            value = timezone.make_naive(value)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    text = cut_text(neutralise(str(value)))
    if "\n" in text:
        cell = WriteOnlyCell(sheet, value=text)
        cell.alignment = _WRAP
        return cell
    return text


def xlsx_workbook(
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    widths: Sequence[int | None] | None = None,
) -> Workbook:
    """A workbook of one sheet named ``title``: ``headers`` in bold, frozen, with a filter,
    then one line per row. Write-only, so that 100,000 rows cost little memory."""
    book = Workbook(write_only=True)
    xlsx_sheet(book, title=title, headers=headers, rows=rows, widths=widths)
    return book


def xlsx_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """:func:`xlsx_workbook`'s file: the write-only workbook keeps its rows in a temporary
    file as they come, not in memory."""
    stream = io.BytesIO()
    xlsx_workbook(title=title, headers=headers, rows=rows).save(stream)
    return stream.getvalue()


def xlsx_sheet(
    book: Workbook,
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    widths: Sequence[int | None] | None = None,
) -> None:
    """Add to the write-only ``book`` a sheet as :func:`xlsx_workbook` writes it (a workbook
    of several tables, such as the yearly report, adds one per table)."""
    sheet = book.create_sheet(title=sheet_title(title))
    sheet.freeze_panes = "A2"  # must be set before the first row is written
    for index, header in enumerate(headers, start=1):
        width = widths[index - 1] if widths and index <= len(widths) else None
        sheet.column_dimensions[get_column_letter(index)].width = width or max(
            12, min(len(str(header)) + 4, 40)
        )
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=neutralise(str(header)))
        cell.font = _BOLD
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        count += 1
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
