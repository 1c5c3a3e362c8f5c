"""What partner companies may see of a laureate: one allow-list, used by every partner page.

The dashboard, the laureate page and the export all read rows built here with
``.values()`` of exactly these columns, so nothing else (contact details, reports,
wellbeing, triage, follow-ups, the referent) is ever loaded for a partner.

The situation, the degree and its year and whether they are an alumnus were named by the
consent text from version 2026-2 on: they are read through ``shared_*`` annotations that
are empty for a laureate whose open consent is older (still valid for what it named).
"""

import datetime
from typing import NamedTuple

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FilteredRelation,
    PositiveSmallIntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from laureates.models import (
    Laureate,
    Search,
    SearchKind,
    Situation,
    Status,
    Track,
    search_fresh_since,
)

#: The consent versions whose text names the columns of LEVEL_COLUMNS; add each later
#: version that still names them.
LEVEL_CONSENT_VERSIONS = ("2026-2",)

#: annotation -> the laureate's column it shows when their consent names it.
LEVEL_COLUMNS = {
    "shared_status": "status",
    "shared_situation": "situation",
    "shared_degree": "degree",
    "shared_degree_year": "degree_year",
}

#: column -> (label, path from the laureate's open Search, or one of LEVEL_COLUMNS)
PARTNER_FIELDS: dict[str, tuple[str, str]] = {
    "first_name": (_("First name"), "laureate__user__first_name"),
    "last_name": (_("Last name"), "laureate__user__last_name"),
    "promotion": (_("Promotion"), "laureate__promotion__year"),
    "school": (_("School"), "laureate__school"),
    "track": (_("Track"), "laureate__track"),
    "study_year": (_("Study year"), "laureate__study_year"),
    "degree": (_("Degree"), "shared_degree"),
    "degree_year": (_("Year of the degree"), "shared_degree_year"),
    "situation": (_("Situation"), "shared_situation"),
    "status": (pgettext_lazy("partner column", "Alumni"), "shared_status"),
    "kind": (_("Looking for"), "kind"),
    "field": (_("Field"), "field"),
    "starts_on": (_("From"), "starts_on"),
    "duration_months": (_("Duration (months)"), "duration_months"),
    "place": (_("Where"), "place"),
    "pitch": (_("Pitch"), "pitch"),
}

TRACK_LABELS = dict(Track.choices)
KIND_LABELS = dict(SearchKind.choices)
SITUATION_LABELS = dict(Situation.choices)
ALUMNI_LABEL = pgettext_lazy("partner dashboard", "alumni of the programme")


def _level_columns(prefix: str, consent: str) -> dict:
    """The LEVEL_COLUMNS as expressions: the laureate's value when their open consent
    (joined as ``consent``) names it, else empty."""
    named = Q(**{f"{consent}__version__in": LEVEL_CONSENT_VERSIONS})
    columns = {}
    for name, column in LEVEL_COLUMNS.items():
        numeric = column == "degree_year"
        columns[name] = Case(
            When(named, then=F(f"{prefix}{column}")),
            default=Value(None if numeric else ""),
            output_field=PositiveSmallIntegerField() if numeric else CharField(),
        )
    return columns


def _open_consent(path: str) -> FilteredRelation:
    # At most one open consent per laureate (a constraint), and the caller already keeps
    # only laureates whose open consent is valid: the join adds no row.
    open_ = {f"{path}__withdrawn_at__isnull": True, f"{path}__replaced_at__isnull": True}
    return FilteredRelation(path, condition=Q(**open_))


def seeking_searches(today: datetime.date | None = None) -> QuerySet:
    """The rows partners may see: open, fresh searches of laureates and alumni who share
    their profile with partners (``Search.objects.shared_with_partners``, the one
    definition: the maintained column and the consents and statuses read again).

    Only what selects them: counting them joins nothing else. :func:`with_shared_columns`
    adds the ``shared_*`` columns their consent names (:func:`partner_rows` does, and the
    filters on those columns)."""
    return Search.objects.shared_with_partners(today)


def counted_searches(today: datetime.date | None = None) -> QuerySet:
    """What the dashboard counts (its totals, its kinds and fields, its number of pages):
    the searches whose maintained ``shared_consent_until`` says they are shared today, read
    from one partial index. Never shown as such: :func:`shown_only` narrows them to the
    rows a partner may see."""
    return Search.objects.shared_by_column(today)


def shown_only(searches: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """``searches`` (:func:`counted_searches`, filtered) that the consents and statuses
    read now also share: a missed update of the column may make a count off by one, never
    show a laureate who withdrew or left."""
    return searches.shared_by_rule(today)


def with_shared_columns(searches: QuerySet) -> QuerySet:
    """``searches`` with the ``shared_*`` columns (the laureate's open consent joined once)."""
    if "shared_status" in searches.query.annotations:
        return searches
    return searches.annotate(open_consent=_open_consent("laureate__partner_consents")).annotate(
        **_level_columns("laureate__", "open_consent")
    )


class DashboardCounts(NamedTuple):
    total: int
    kinds: list[tuple[str, int]]  # (label, count) for each kind, in SearchKind's order
    fields: list[dict]  # {"field", "count"}: the most wanted fields, most wanted first


def counts_by_field_and_kind(searches: QuerySet) -> QuerySet:
    """How many of ``searches`` for each field and kind: COUNT(*) of columns that the
    partial index ``search_shared_until`` holds, so that PostgreSQL reads that index alone,
    not the table (the unfiltered dashboard's counts at 100,000 laureates: 31 -> 8 ms)."""
    return searches.order_by().values("field", "kind").annotate(count=Count("*")).order_by()


def dashboard_counts(searches: QuerySet, *, top_fields: int) -> DashboardCounts:
    """How many of ``searches`` in all, of each kind, and the ``top_fields`` most wanted
    fields (not the empty one; equal counts by name), in one query, summed here."""
    by_kind, by_field = dict.fromkeys(SearchKind.values, 0), {}
    for row in counts_by_field_and_kind(searches):
        by_kind[row["kind"]] += row["count"]
        by_field[row["field"]] = by_field.get(row["field"], 0) + row["count"]
    fields = [{"field": field, "count": count} for field, count in by_field.items() if field]
    fields.sort(key=lambda item: (-item["count"], item["field"]))
    return DashboardCounts(
        total=sum(by_kind.values()),
        kinds=[(kind.label, by_kind[kind.value]) for kind in SearchKind],
        fields=fields[:top_fields],
    )


def shared_laureate(pk: int, today: datetime.date | None = None) -> dict | None:
    """The allowed columns of laureate ``pk`` (its search's empty when it has no open,
    fresh one), or None when the laureate does not share their profile with partners."""
    today = today or timezone.localdate()
    # The search is shown when the maintained column says so too (seeking_searches' rule).
    fresh = Q(
        searches__closed_on__isnull=True,
        searches__confirmed_on__gte=search_fresh_since(today),
        searches__shared_consent_until__gt=today,
    )
    row = (
        Laureate.objects.visible_to_partners(today)
        .filter(pk=pk)
        .annotate(
            open_search=FilteredRelation("searches", condition=fresh),
            open_consent=_open_consent("partner_consents"),
        )
        .annotate(**_level_columns("", "open_consent"))
        .values("id", *(_from_laureate(path) for path in _paths()))
        .first()
    )
    if row is None:
        return None
    return display_row({path: row[_from_laureate(path)] for path in _paths()} | {"id": pk})


def _from_laureate(path: str) -> str:
    """The same column seen from a Laureate whose open search is joined as ``open_search``."""
    if path in LEVEL_COLUMNS:
        return path
    laureate_path = path.removeprefix("laureate__")
    return laureate_path if laureate_path != path else f"open_search__{path}"


def partner_rows(searches: QuerySet) -> QuerySet:
    """Rows of exactly the allowed columns (plus the laureate's id, for links), as dicts
    keyed by path; :func:`display_row` names them."""
    return with_shared_columns(searches).values("laureate_id", *_paths())


def _paths() -> list[str]:
    return [path for _label, path in PARTNER_FIELDS.values()]


def level_of_study(*, degree: str, degree_year: int | None, study_year: int | None) -> str:
    """« Master 2 », « Licence » or, without a degree, the years after the bac: « Bac+3 »."""
    if degree:
        return f"{degree} {degree_year}" if degree_year else degree
    return f"Bac+{study_year}" if study_year else ""


def display_row(row: dict) -> dict:
    """A row keyed by column, its choices in words, as people read it on a page or a sheet."""
    shown = {key: row[path] for key, (_label, path) in PARTNER_FIELDS.items()}
    shown["id"] = row["id"] if "id" in row else row["laureate_id"]
    shown["track"] = str(TRACK_LABELS.get(shown["track"], shown["track"] or ""))
    shown["raw_kind"] = shown["kind"]
    shown["kind"] = str(KIND_LABELS.get(shown["kind"], shown["kind"] or ""))
    shown["raw_situation"] = shown["situation"]
    shown["situation"] = str(SITUATION_LABELS.get(shown["situation"], ""))
    shown["status"] = str(ALUMNI_LABEL) if shown["status"] == Status.ALUMNI else ""
    shown["level"] = level_of_study(
        degree=shown["degree"], degree_year=shown["degree_year"], study_year=shown["study_year"]
    )
    return shown
