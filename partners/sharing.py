"""What partner companies may see of a laureate: one allow-list, used by every partner page.

The dashboard, the laureate page and the export all read rows built here with
``.values()`` of exactly these columns, so nothing else (contact details, reports,
wellbeing, triage, follow-ups, the referent) is ever loaded for a partner.
"""

import datetime

from django.db.models import FilteredRelation, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from laureates.models import Laureate, Search, SearchKind, Track

#: column -> (label, path from the laureate's open Search)
PARTNER_FIELDS: dict[str, tuple[str, str]] = {
    "first_name": (_("First name"), "laureate__user__first_name"),
    "last_name": (_("Last name"), "laureate__user__last_name"),
    "promotion": (_("Promotion"), "laureate__promotion__year"),
    "school": (_("School"), "laureate__school"),
    "track": (_("Track"), "laureate__track"),
    "study_year": (_("Study year"), "laureate__study_year"),
    "kind": (_("Looking for"), "kind"),
    "field": (_("Field"), "field"),
    "starts_on": (_("From"), "starts_on"),
    "duration_months": (_("Duration (months)"), "duration_months"),
    "place": (_("Where"), "place"),
    "pitch": (_("Pitch"), "pitch"),
}

TRACK_LABELS = dict(Track.choices)
KIND_LABELS = dict(SearchKind.choices)


def _from_laureate(path: str) -> str:
    """The same column seen from a Laureate whose open search is joined as ``open_search``."""
    laureate_path = path.removeprefix("laureate__")
    return laureate_path if laureate_path != path else f"open_search__{path}"


def seeking_searches(today: datetime.date | None = None) -> QuerySet:
    """The dashboard's rows: open searches of laureates who share their profile with partners."""
    return Search.objects.shared_with_partners(today)


def shared_laureate(pk: int, today: datetime.date | None = None) -> dict | None:
    """The allowed columns of laureate ``pk`` (its search's empty when it has none), or None
    when the laureate does not share their profile with partners."""
    row = (
        Laureate.objects.visible_to_partners(today)
        .filter(pk=pk)
        .annotate(
            open_search=FilteredRelation("searches", condition=Q(searches__closed_on__isnull=True))
        )
        .values("id", *(_from_laureate(path) for _label, path in PARTNER_FIELDS.values()))
        .first()
    )
    if row is None:
        return None
    return display_row({path: row[_from_laureate(path)] for path in _paths()} | {"id": pk})


def partner_rows(searches: QuerySet) -> QuerySet:
    """Rows of exactly the allowed columns (plus the laureate's id, for links), as dicts
    keyed by path; :func:`display_row` names them."""
    return searches.values("laureate_id", *_paths())


def _paths() -> list[str]:
    return [path for _label, path in PARTNER_FIELDS.values()]


def display_row(row: dict) -> dict:
    """A row keyed by column, its choices in words, as people read it on a page or a sheet."""
    shown = {key: row[path] for key, (_label, path) in PARTNER_FIELDS.items()}
    shown["id"] = row["id"] if "id" in row else row["laureate_id"]
    shown["track"] = str(TRACK_LABELS.get(shown["track"], shown["track"] or ""))
    shown["raw_kind"] = shown["kind"]
    shown["kind"] = str(KIND_LABELS.get(shown["kind"], shown["kind"] or ""))
    return shown
