"""The overview's figures counted at night, so that the admin's index stays fast at 100,000
laureates (counting them takes seconds there).

The nightly task (:func:`overview_snapshots_refresh`, run by beat after the daily triage
refresh) stores the UNFILTERED panels once per language and per set of staff permissions
(each role sees its own panels). The page reads the stored row when the staff member has not
narrowed the figures and says when they were counted; a filter, or a day without the task,
counts them on the request as before. The yearly report always counts.
"""

import datetime
import hashlib
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation

from emergence.models import OverviewSnapshot, User
from emergence.overview import Chart, OverviewFilters, Panel, Table, overview_panels
from emergence.roles import is_staff

#: A snapshot older than this is not shown: the page counts again.
MAX_AGE = datetime.timedelta(hours=36)


def viewer_permissions(user) -> frozenset[str] | None:
    """``None`` (everything) for a superuser, else the permissions their roles give."""
    if user.is_superuser:
        return None
    return frozenset(user.get_all_permissions())


def snapshot_key(*, language: str, permissions: frozenset[str] | None) -> str:
    seen = "*" if permissions is None else "\n".join(sorted(permissions))
    return hashlib.sha256(f"{language}\n{seen}".encode()).hexdigest()


def overview_snapshot(
    *, language: str, permissions: frozenset[str] | None, now: datetime.datetime | None = None
) -> tuple[list[Panel], datetime.datetime] | None:
    """The stored unfiltered panels for this language and these permissions, with the time
    they were counted, or ``None`` when there is none younger than :data:`MAX_AGE`."""
    now = now or timezone.now()
    row = (
        OverviewSnapshot.objects.filter(
            key=snapshot_key(language=language, permissions=permissions),
            computed_at__gte=now - MAX_AGE,
        )
        .values("panels", "computed_at")
        .first()
    )
    if row is None:
        return None
    return panels_from_json(row["panels"]), row["computed_at"]


def overview_snapshot_store(*, language: str, permissions: frozenset[str] | None) -> None:
    """Count the unfiltered panels now, in ``language``, and store them."""
    with translation.override(language):
        panels = overview_panels(OverviewFilters(permissions=permissions))
    OverviewSnapshot.objects.update_or_create(
        key=snapshot_key(language=language, permissions=permissions),
        defaults={"computed_at": timezone.now(), "panels": panels_to_json(panels)},
    )


def overview_snapshots_refresh() -> int:
    """Store the overview of every set of permissions that active staff hold, in every
    language of the site; forget the others. Returns how many were stored."""
    permission_sets = {
        viewer_permissions(user)
        for user in User.objects.filter(is_active=True, is_staff=True)
        if is_staff(user)
    }
    permission_sets.discard(frozenset())  # staff without a role see no panel
    keys = []
    for permissions in permission_sets:
        for language, _name in settings.LANGUAGES:
            overview_snapshot_store(language=language, permissions=permissions)
            keys.append(snapshot_key(language=language, permissions=permissions))
    OverviewSnapshot.objects.exclude(key__in=keys).delete()
    return len(keys)


# Panels as JSON: dates and decimals kept as such -------------------------------------------


def _cell_to_json(value):
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _cell_from_json(value):
    if isinstance(value, dict):
        if "datetime" in value:
            return datetime.datetime.fromisoformat(value["datetime"])
        if "date" in value:
            return datetime.date.fromisoformat(value["date"])
        return Decimal(value["decimal"])
    return value


def panels_to_json(panels: list[Panel]) -> list[dict]:
    return [
        {
            "key": panel.key,
            "title": str(panel.title),
            "internal": panel.internal,
            "tables": [
                {
                    "key": table.key,
                    "title": str(table.title),
                    "summary": str(table.summary),
                    "columns": [str(column) for column in table.columns],
                    "rows": [[_cell_to_json(cell) for cell in row] for row in table.rows],
                    "links": [list(row) for row in table.links] if table.links else None,
                    "chart": (
                        {
                            "kind": table.chart.kind,
                            "series": list(table.chart.series),
                            "y_range": list(table.chart.y_range) if table.chart.y_range else None,
                        }
                        if table.chart
                        else None
                    ),
                    "note": str(table.note),
                }
                for table in panel.tables
            ],
        }
        for panel in panels
    ]


def panels_from_json(data: list[dict]) -> list[Panel]:
    return [
        Panel(
            key=panel["key"],
            title=panel["title"],
            internal=panel["internal"],
            tables=[
                Table(
                    key=table["key"],
                    title=table["title"],
                    summary=table["summary"],
                    columns=table["columns"],
                    rows=[[_cell_from_json(cell) for cell in row] for row in table["rows"]],
                    links=table["links"],
                    chart=(
                        Chart(
                            kind=table["chart"]["kind"],
                            series=table["chart"]["series"],
                            y_range=(
                                tuple(table["chart"]["y_range"])
                                if table["chart"]["y_range"]
                                else None
                            ),
                        )
                        if table["chart"]
                        else None
                    ),
                    note=table["note"],
                )
                for table in panel["tables"]
            ],
        )
        for panel in data
    ]
