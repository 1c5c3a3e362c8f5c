"""The staff overview (« Le programme en un coup d'œil ») and the yearly report for funders.

Like « Mes données », the overview is collected, not reached for: each app registers one
:class:`OverviewPart` from its ``AppConfig.ready()`` with :func:`overview_register`, and
``emergence`` never imports the apps above it. A part gives:

- ``panels(filters) -> list[Panel]``: its figures, each a :class:`Table` of numbers computed
  by one aggregate query (or a few) in the database, never by a loop over laureates;
- ``headline(filters) -> list[Headline]``: the programme's headline numbers it owns
  (laureates followed, reports answered, workshops held, …) for the yearly report.

The admin's index page draws the panels (a chart beside each table); the yearly report
(``manage.py yearly_report`` and its button) writes the same tables to a printable page and to
an XLSX workbook, one sheet per table. One definition of each figure serves both.
"""

import datetime
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from django.urls import get_script_prefix, reverse

#: The smallest group whose confidential answers may be shown, as an aggregate only.
CONFIDENTIAL_MIN_GROUP = 5


@dataclass(frozen=True)
class OverviewFilters:
    """What the staff member narrowed the overview to; ``None`` is "all".

    ``school_year`` is the year the school year starts in (2026 for 2026–2027: from
    1 September 2026 to 31 August 2027)."""

    school_year: int | None = None
    promotion_id: int | None = None
    track: str | None = None
    referent_id: int | None = None
    #: The viewer's permissions (``None``: everything, as for the yearly report): a part
    #: leaves out, without computing them, the panels whose list the viewer may not open.
    permissions: frozenset[str] | None = None

    def allows(self, *perms: str) -> bool:
        """Whether the viewer holds every one of ``perms`` (always, without a viewer)."""
        return self.permissions is None or all(perm in self.permissions for perm in perms)

    @property
    def school_year_bounds(self) -> tuple[datetime.date, datetime.date] | None:
        """First and last day of the chosen school year, or ``None`` for all years."""
        if self.school_year is None:
            return None
        return (
            datetime.date(self.school_year, 9, 1),
            datetime.date(self.school_year + 1, 8, 31),
        )


Cell = str | int | float | datetime.date | None


@dataclass(frozen=True)
class Chart:
    """How a table is drawn: ``kind`` "bar" (grouped), "stacked" (stacked bars) or "line";
    the first column labels the x axis and ``series`` names the columns (by index) drawn,
    one series each."""

    kind: Literal["bar", "stacked", "line"]
    series: Sequence[int]
    #: The y axis's range, for example (1, 5) for the answers' scales.
    y_range: tuple[float, float] | None = None


@dataclass(frozen=True)
class Table:
    """One figure: a title, a sentence that says what it shows (read by screen readers
    beside the chart), the columns and rows of its numbers, and optionally a link per cell
    to the admin list behind the number (``links[r][c]``, ``None`` where there is none)."""

    key: str
    title: str
    summary: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    links: Sequence[Sequence[str | None]] | None = None
    chart: Chart | None = None
    #: A note under the table (for example why some groups are hidden).
    note: str = ""


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    tables: Sequence[Table]
    #: The team's own working figures (the triage: who needs whom, each referent's load): on
    #: the overview, never in the yearly report that goes to funders and partner companies.
    internal: bool = False


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: int | float


@dataclass(frozen=True)
class OverviewPart:
    app: str
    #: Where the app's panels come on the page (lower first).
    order: int
    panels: Callable[[OverviewFilters], list[Panel]]
    headline: Callable[[OverviewFilters], list[Headline]] | None = None
    #: The choices this app offers the overview's filter form, by filter name
    #: ("promotion_id", "track", "referent_id"): ``{name: [(value, label), ...]}``.
    filter_choices: Callable[[], dict[str, list[tuple[str, str]]]] | None = None


_parts: list[OverviewPart] = []


def overview_register(part: OverviewPart) -> OverviewPart:
    """Add an app's part (registering the same app again replaces its part)."""
    _parts[:] = [known for known in _parts if known.app != part.app]
    _parts.append(part)
    _parts.sort(key=lambda known: known.order)
    return part


def overview_parts() -> list[OverviewPart]:
    return list(_parts)


def overview_panels(filters: OverviewFilters) -> list[Panel]:
    """Every app's panels, in order."""
    return [panel for part in _parts for panel in part.panels(filters)]


def overview_filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The filter form's choices, gathered from the parts that offer some."""
    choices: dict[str, list[tuple[str, str]]] = {}
    for part in _parts:
        if part.filter_choices:
            choices.update(part.filter_choices())
    return choices


def overview_headline(filters: OverviewFilters) -> list[Headline]:
    """Every app's headline numbers, in order."""
    return [line for part in _parts if part.headline for line in part.headline(filters)]


@functools.lru_cache(maxsize=256)
def _list_url(viewname: str, prefix: str) -> str:
    # A page has hundreds of links to a dozen lists: each list's URL is reversed once.
    return reverse(viewname)


def overview_link(viewname: str, **params) -> str:
    """The URL of an admin list (``"admin:laureates_laureate_changelist"``) narrowed by the
    list's own filters (``status__exact="active"``); ``None`` values are left out."""
    query = urlencode({name: value for name, value in params.items() if value is not None})
    url = _list_url(viewname, get_script_prefix())
    return f"{url}?{query}" if query else url
