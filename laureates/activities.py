"""What a laureate took part in over a stretch of time, collected from the apps above.

``laureates`` never imports those apps, and reports and workshops never import each other:
an app that records participation registers a function once, from its ``AppConfig.ready()``,
with ``register_participation(func)``. ``func(laureate, *, start, end)`` returns the
:class:`Participation` items of ``laureate`` between the two days (both included); the report
review page and the laureate's console page call :func:`participations`.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Participation:
    day: datetime.date
    kind: str  # "workshop", …: what the item is, for the reader and for styling
    label: str  # « Réviser sans s’épuiser (Médecine 2026-2027) »


ParticipationSource = Callable[..., list[Participation]]

_sources: list[ParticipationSource] = []


def register_participation(func: ParticipationSource) -> ParticipationSource:
    """Add ``func`` to what :func:`participations` asks (registering it twice adds it once)."""
    if func not in _sources:
        _sources.append(func)
    return func


def participations(
    laureate, *, start: datetime.date, end: datetime.date, kind: str | None = None
) -> list[Participation]:
    """Everything the laureate took part in from ``start`` to ``end``, by day; only
    ``kind`` when given."""
    items = [item for func in _sources for item in func(laureate, start=start, end=end)]
    return sorted(
        (item for item in items if kind is None or item.kind == kind), key=lambda i: i.day
    )


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the calendar quarter ``day`` is in."""
    first_month = (day.month - 1) // 3 * 3 + 1
    start = datetime.date(day.year, first_month, 1)
    if first_month == 10:
        return start, datetime.date(day.year, 12, 31)
    return start, datetime.date(day.year, first_month + 3, 1) - datetime.timedelta(days=1)
