"""The yearly report for funders and partner companies: the overview's tables for one school
year, with the programme's headline numbers, as a printable page and as an XLSX workbook (one
sheet per table). Produced from the console (``admin/yearly-report/``) or by
``manage.py yearly_report``.

The figures are the overview's own (:mod:`emergence.overview`): each app's part computes them
in the database, and hides confidential answers unless they are an aggregate over at least
:data:`~emergence.overview.CONFIDENTIAL_MIN_GROUP` laureates. The report adds nothing to them
and leaves out the links to the console's lists behind the numbers: it never holds a row about
one laureate.
"""

import dataclasses
import datetime
import io
from collections.abc import Iterable, Sequence

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import Workbook

from emergence.charts import chart_svg
from emergence.overview import (
    Headline,
    OverviewFilters,
    Panel,
    Table,
    overview_headline,
    overview_panels,
)
from emergence.xlsx import MAX_TITLE_LENGTH, sheet_title, xlsx_sheet

#: The stylesheets of the page (the charts' and the report's, print included), inlined in the
#: standalone file written by the command.
STYLESHEETS = ("css/overview_charts.css", "css/yearly_report.css")


def school_year_label(school_year: int) -> str:
    return f"{school_year}–{school_year + 1}"


@dataclasses.dataclass(frozen=True)
class YearlyReport:
    school_year: int
    produced_on: datetime.date
    filters: OverviewFilters
    headline: Sequence[Headline]
    panels: Sequence[Panel]

    @property
    def label(self) -> str:
        return school_year_label(self.school_year)

    @property
    def tables(self) -> list[Table]:
        return [table for panel in self.panels for table in panel.tables]


def yearly_report(*, school_year: int) -> YearlyReport:
    """The figures of ``school_year``, in the active language, without the console's links
    and without the team's internal panels (the triage)."""
    filters = OverviewFilters(school_year=school_year)
    panels = [
        dataclasses.replace(
            panel,
            tables=[dataclasses.replace(table, links=None) for table in panel.tables],
        )
        for panel in overview_panels(filters)
        if not panel.internal
    ]
    return YearlyReport(
        school_year=school_year,
        produced_on=timezone.localdate(),
        filters=filters,
        headline=overview_headline(filters),
        panels=panels,
    )


# The workbook --------------------------------------------------------------------------------


def unique_sheet_titles(titles: Iterable[str]) -> list[str]:
    """Sheet names Excel accepts for ``titles``: cleaned, at most 31 characters, and unique
    (Excel ignores case), a repeated name ending in " (2)", " (3)"…"""
    seen: set[str] = set()
    names = []
    for title in titles:
        base = name = sheet_title(title)
        number = 2
        while name.casefold() in seen:
            suffix = f" ({number})"
            name = base[: MAX_TITLE_LENGTH - len(suffix)].rstrip() + suffix
            number += 1
        seen.add(name.casefold())
        names.append(name)
    return names


def _filters_rows(report: YearlyReport) -> list[tuple[str, object]]:
    everything = gettext("all")
    filters = report.filters
    return [
        (gettext("School year"), report.label),
        (gettext("Produced on"), report.produced_on),
        (gettext("Promotion"), filters.promotion_id or everything),
        (gettext("Track"), filters.track or everything),
        (gettext("Referent"), filters.referent_id or everything),
    ]


def yearly_report_workbook(report: YearlyReport) -> Workbook:
    """The workbook of ``report``: the headline numbers, one sheet per table, and a last
    sheet saying which school year, when, with which filters, and what each sheet shows."""
    tables = report.tables
    headline_title, *table_titles, about_title = unique_sheet_titles(
        [
            gettext("Headline numbers"),
            *[table.title for table in tables],
            gettext("About this report"),
        ]
    )
    book = Workbook(write_only=True)
    xlsx_sheet(
        book,
        title=headline_title,
        headers=[gettext("Figure"), gettext("Value")],
        rows=[(line.label, line.value) for line in report.headline],
        widths=[48, 14],
    )
    for title, table in zip(table_titles, tables, strict=True):
        xlsx_sheet(
            book,
            title=title,
            headers=[str(column) for column in table.columns],
            rows=table.rows,
            widths=[32],
        )
    about = _filters_rows(report)
    about += [
        (name, " ".join(part for part in (table.title + ".", table.summary, table.note) if part))
        for name, table in zip(table_titles, tables, strict=True)
    ]
    xlsx_sheet(
        book,
        title=about_title,
        headers=[gettext("Item"), gettext("Value")],
        rows=about,
        widths=[32, 100],
    )
    return book


def yearly_report_xlsx(*, school_year: int, language: str) -> bytes:
    """The yearly report of ``school_year`` as an XLSX workbook, in ``language``."""
    with translation.override(language):
        book = yearly_report_workbook(yearly_report(school_year=school_year))
        out = io.BytesIO()
        book.save(out)
    return out.getvalue()


def yearly_report_filename(*, school_year: int, extension: str) -> str:
    """An ASCII file name (it goes in an HTTP header): "rapport-annuel-2026-2027.xlsx"."""
    name = gettext("yearly-report")  # outside the f-string, where makemessages finds it
    return f"{name}-{school_year}-{school_year + 1}.{extension}"


# The printable page --------------------------------------------------------------------------


def yearly_report_context(report: YearlyReport) -> dict:
    """What the printable page shows: the headline numbers, then each panel's tables with
    their chart, drawn as the overview draws it (an SVG without style or script, styled by
    ``static/css/overview_charts.css``)."""
    return {
        "report": report,
        "panels": [
            {
                "panel": panel,
                "tables": [{"table": table, "chart": chart_svg(table)} for table in panel.tables],
            }
            for panel in report.panels
        ],
    }


def _static_text(path: str) -> str:
    with open(finders.find(path), encoding="utf-8") as css:
        return css.read()


def yearly_report_html(*, school_year: int, language: str) -> str:
    """The printable page as one standalone HTML file (its stylesheet inside), in
    ``language``: what the command writes with ``--html``."""
    with translation.override(language):
        report = yearly_report(school_year=school_year)
        stylesheet = "\n".join(_static_text(path) for path in STYLESHEETS)
        return render_to_string(
            "admin/yearly_report_standalone.html",
            {
                **yearly_report_context(report),
                "stylesheet": stylesheet,
                "language_code": language,
            },
        )
