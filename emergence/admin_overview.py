"""The admin's index page is the staff overview (« Le programme en un coup d'œil »).

:func:`overview_install` wraps the site's ``index`` view so that its template
(``templates/admin/index.html``) gets the panels every app registered
(:mod:`emergence.overview`), narrowed by the GET filter form at the top of the page, for the
staff member's permissions: a role sees the panels whose lists it may open; staff without
a role see the plain list of applications. The list of applications stays below the panels.
"""

import dataclasses
import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from emergence.charts import chart_svg
from emergence.overview import (
    OverviewFilters,
    Panel,
    Table,
    overview_filter_choices,
    overview_panels,
)
from emergence.overview_snapshots import overview_snapshot, viewer_permissions
from emergence.roles import is_staff, may_see_yearly_report

#: The school years the form offers, back from the current one.
SCHOOL_YEARS_SHOWN = 12


def school_year_of(day: datetime.date) -> int:
    """The year the school year of ``day`` starts in (it turns on 1 September)."""
    return day.year if day.month >= 9 else day.year - 1


class OverviewFilterForm(forms.Form):
    """What every panel is narrowed by; an unknown value is ignored, not an error."""

    school_year = forms.TypedChoiceField(
        label=_("School year"), required=False, coerce=int, empty_value=None
    )
    promotion = forms.TypedChoiceField(
        label=_("Promotion"), required=False, coerce=int, empty_value=None
    )
    track = forms.ChoiceField(label=_("Track"), required=False)
    referent = forms.TypedChoiceField(
        label=_("Referent"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, choices: dict, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        current = school_year_of(today)
        everything = [("", _("All"))]
        self.fields["school_year"].choices = everything + [
            (str(year), f"{year}–{year + 1}")
            for year in range(current, current - SCHOOL_YEARS_SHOWN, -1)
        ]
        self.fields["promotion"].choices = everything + choices.get("promotion_id", [])
        self.fields["track"].choices = everything + choices.get("track", [])
        self.fields["referent"].choices = everything + choices.get("referent_id", [])

    def filters(self, *, permissions: frozenset[str] | None) -> OverviewFilters:
        """The valid values of the form as filters (each field on its own)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return OverviewFilters(
            school_year=data.get("school_year"),
            promotion_id=data.get("promotion"),
            track=data.get("track") or None,
            referent_id=data.get("referent"),
            permissions=permissions,
        )


@dataclasses.dataclass
class DrawnTable:
    """A table as the template reads it: its rows' HTML, and its chart."""

    table: Table
    body: str  # the rows (<tr>…</tr>), empty when there is nothing to count
    svg: str


def _cell_html(value, link: str | None, *, first: bool) -> str:
    # What the template's {{ value }} writes (localised, escaped), in a cell of its own.
    if value is None:
        shown = format_html('<span title="{}">—</span>', gettext("not shown or no answer"))
    else:
        shown = conditional_escape(str(localize(template_localtime(value))))
        if link:
            shown = format_html('<a href="{}">{}</a>', link, shown)
    return f'<th scope="row">{shown}</th>' if first else f"<td>{shown}</td>"


def table_drawn(table: Table) -> DrawnTable:
    """The table's rows written once in Python: the overview's hundreds of cells through
    the template's loops were most of the page's time (about 90 of its 130 ms)."""
    links = table.links or []
    rows = []
    for r, row in enumerate(table.rows):
        row_links = links[r] if r < len(links) else []
        cells = (
            _cell_html(value, row_links[c] if c < len(row_links) else None, first=c == 0)
            for c, value in enumerate(row)
        )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return DrawnTable(table=table, body=mark_safe("".join(rows)), svg=chart_svg(table))


def overview_context(request) -> dict:
    """``overview`` for the index template: the filter form and the panels drawn, or
    nothing for staff without a role."""
    user = request.user
    if not is_staff(user):
        return {}
    permissions = viewer_permissions(user)
    if permissions is not None and not permissions:
        return {}
    today = timezone.localdate()
    form = OverviewFilterForm(request.GET or None, choices=overview_filter_choices(), today=today)
    filters = form.filters(permissions=permissions)
    # Unfiltered, the figures counted at night (a few seconds' work at 100,000 laureates);
    # narrowed, or when the night's count is missing, counted now.
    counted_at = None
    stored = None
    if filters == OverviewFilters(permissions=permissions):
        stored = overview_snapshot(language=get_language(), permissions=permissions)
    if stored is not None:
        panels, counted_at = stored
    else:
        panels: list[Panel] = overview_panels(filters)
    if not panels:
        return {}
    return {
        "overview": {
            "form": form,
            "filters": filters,
            "school_year": filters.school_year or school_year_of(today),
            "yearly_report": may_see_yearly_report(user),
            "counted_at": counted_at,
            "panels": [
                {"panel": panel, "tables": [table_drawn(table) for table in panel.tables]}
                for panel in panels
            ],
        }
    }


def overview_install(site) -> None:
    """Make ``site``'s index page the overview (call before its URLs are built)."""
    index = site.index

    def overview_index(request, extra_context=None):
        return index(request, extra_context={**overview_context(request), **(extra_context or {})})

    site.index = overview_index
