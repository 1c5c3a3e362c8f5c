"""Spreadsheet import and export shared by every resource: formats, widgets, safety rules.

The rules: an import is all-or-nothing and names each bad row by its line in the
spreadsheet (the header is line 1, the first row line 2) and each bad cell by the column
header written in the file; French and English column headers are accepted, whatever their
case or accents; a CSV saved by Excel in France (semicolons, UTF-8 with a BOM, dd/mm/yyyy
dates) and Excel's « Texte Unicode » (UTF-16, tabs) import; phone numbers stay text;
exported cells that a spreadsheet would run as a formula are neutralised.

A package by topic: ``cells`` (text compared, formulas neutralised), ``limits`` (how big an
import may be), ``formats`` (CSV and XLSX), ``widgets`` (how a cell reads and writes),
``resources`` (the all-or-nothing bulk import and the export), ``admin`` (the console's pages).
Everything is imported from ``emergence.spreadsheets``.
"""

from emergence.spreadsheets.admin import SpreadsheetAdminMixin, SpreadsheetModelAdmin
from emergence.spreadsheets.bulk import bulk_write
from emergence.spreadsheets.cells import exports_in_french, neutralise, normalise, unneutralise
from emergence.spreadsheets.formats import CSV, FORMATS, XLSX
from emergence.spreadsheets.limits import ImportTooLarge, import_rows_check, import_size_check
from emergence.spreadsheets.resources import SpreadsheetResource, import_errors, import_problems
from emergence.spreadsheets.widgets import (
    BooleanWidget,
    ChoiceWidget,
    DateWidget,
    EmailWidget,
    IntegerWidget,
    PhoneWidget,
    TextWidget,
)

__all__ = [
    "CSV",
    "FORMATS",
    "XLSX",
    "BooleanWidget",
    "ChoiceWidget",
    "DateWidget",
    "EmailWidget",
    "ImportTooLarge",
    "IntegerWidget",
    "PhoneWidget",
    "SpreadsheetAdminMixin",
    "SpreadsheetModelAdmin",
    "SpreadsheetResource",
    "TextWidget",
    "bulk_write",
    "exports_in_french",
    "import_errors",
    "import_problems",
    "import_rows_check",
    "import_size_check",
    "neutralise",
    "normalise",
    "unneutralise",
]
