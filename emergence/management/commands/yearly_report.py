"""``manage.py yearly_report --school-year 2026 [--language fr|en] [--output FILE.xlsx]
[--html FILE.html]``: the yearly report for funders, as the console's button produces it."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from emergence.yearly_report import (
    yearly_report_filename,
    yearly_report_html,
    yearly_report_xlsx,
)


class Command(BaseCommand):
    help = (
        "Write the yearly report of a school year (2026 for 2026-2027) as an XLSX workbook, "
        "one sheet per table with the headline numbers first, and optionally as a standalone "
        "printable HTML page (A4)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--school-year",
            type=int,
            required=True,
            help="The year the school year starts in: 2026 for 2026-2027.",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="The report's language (default: %(default)s).",
        )
        parser.add_argument(
            "--output",
            help="Where to write the workbook (default: yearly-report-YEAR-YEAR.xlsx, named "
            "in the report's language, in the current folder).",
        )
        parser.add_argument("--html", help="Also write the printable page to this file.")

    def handle(self, *args, school_year: int, language: str, output, html, **options):
        if not 1990 <= school_year <= 2100:
            raise CommandError(f"--school-year {school_year}: give a year such as 2026.")
        if output is None:
            with translation.override(language):
                output = yearly_report_filename(school_year=school_year, extension="xlsx")
        Path(output).write_bytes(yearly_report_xlsx(school_year=school_year, language=language))
        self.stdout.write(f"Workbook written: {output}")
        if html:
            Path(html).write_text(
                yearly_report_html(school_year=school_year, language=language), encoding="utf-8"
            )
            self.stdout.write(f"Printable page written: {html}")
