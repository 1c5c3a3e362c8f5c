"""The triage score kept per laureate (:class:`~reports.models.StoredTriage`), so that the
triage list, its "needs attention" filter, « Ma file » and the counts read an index
instead of scoring every laureate on each request.

:func:`~reports.triage.score.with_triage` stays the single definition of the score:
:func:`triage_refresh` runs it for some laureates (or everyone, in chunks by primary key)
and writes the rows whose score, rules, level or waiting changed, in the caller's
transaction. It is called, in the same transaction, by everything that changes an input
of the score:

- a report submitted (``report_submit`` through :func:`triage_report_submitted`), sent
  back to draft (``report_reopen``) or marked reviewed (``report_mark_reviewed``);
- a triage step: assign, record a contact (with its level and next contact), flag, close,
  reopen (one laureate, or in bulk for the periods newly overdue), and the triage's own
  admin page (level, next contact);
- a sponsor's quarterly answer (``reports/checkins.py``: ``checkin_record``).

The daily job (``reports.tasks.run_daily_reminders``) refreshes everyone after the
reminders: what changes with the date alone (a period falling due, a next contact coming
up, which moves "contacted and waiting"), and what other apps change without being able to
import the reports app (a laureate's status or joining date in ``laureates``, workshop
absences in ``workshops``, reports or sponsor answers deleted by the data-rights tools).
Those can be up to a day late in the list; everything staff or laureates do here is
immediate.

Every laureate has a row: a refresh also writes the laureates added since the newest row
(their primary key is higher), and the triage list refreshes those before reading (a
laureate just created in the admin or imported is listed at once). So the list joins the
rows with an INNER JOIN and PostgreSQL reads its first page from the ``stored_triage_order``
index.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from laureates.models import Laureate
from reports.models import StoredTriage
from reports.triage.score import (
    RULE_KEYS,
    with_triage,
    with_triage_order,
)

#: The stored column of each rule key.
RULE_FIELDS = {rule: f"rule_{rule}" for rule in RULE_KEYS}
#: Everything a refresh compares and writes.
STORED_FIELDS = ["score", "level_rank", "waiting", *RULE_FIELDS.values()]
#: Laureates scored per query by a refresh of everyone.
CHUNK = 2000

#: The order of the triage list on the stored rows (see ``reports/triage/score.py``): the
#: score, the follow-up level, the contacted and waiting below, then the laureate's key, as
#: the ``stored_triage_order`` index has it.
STORED_ORDER = ["-triage_score", "-triage_level_rank", "triage_waiting", "pk"]


def _computed(
    laureate_ids: list[int], *, today: datetime.date, whole_range: bool
) -> dict[int, dict]:
    """What :func:`with_triage` says of these laureates now (one query). ``whole_range``:
    the ids are every laureate from the first to the last, read as a range of keys (about
    three times faster than the list on PostgreSQL)."""
    if whole_range:
        laureates = Laureate.objects.filter(pk__gte=laureate_ids[0], pk__lte=laureate_ids[-1])
    else:
        laureates = Laureate.objects.filter(pk__in=laureate_ids)
    rows = with_triage_order(with_triage(laureates.order_by(), today=today), today=today).values(
        "pk",
        "triage_score",
        "triage_level_rank",
        "triage_waiting",
        *[f"triage_{rule}" for rule in RULE_KEYS],
    )
    return {
        row["pk"]: {
            "score": row["triage_score"],
            "level_rank": row["triage_level_rank"],
            "waiting": row["triage_waiting"],
            **{field: row[f"triage_{rule}"] for rule, field in RULE_FIELDS.items()},
        }
        for row in rows
    }


def _write(laureate_ids: list[int], *, today: datetime.date, whole_range: bool = False) -> int:
    """Refresh these laureates' rows; returns how many were written. In the caller's
    transaction, else in one of its own (the daily job: one per chunk)."""
    if not laureate_ids:
        return 0
    with transaction.atomic(savepoint=False):
        return _write_locked(laureate_ids, today=today, whole_range=whole_range)


def _write_locked(laureate_ids: list[int], *, today: datetime.date, whole_range: bool) -> int:
    # Locked first, then computed: a refresh that waited for another one's commit computes
    # with what that one committed (under READ COMMITTED), so the last writer is right.
    stored = {
        row.laureate_id: row
        for row in StoredTriage.objects.select_for_update()
        .filter(laureate_id__in=laureate_ids)
        .order_by("pk")
    }
    computed = _computed(laureate_ids, today=today, whole_range=whole_range)
    now = timezone.now()
    changed, added = [], []
    for laureate_id, values in computed.items():
        row = stored.get(laureate_id)
        if row is None:
            added.append(StoredTriage(laureate_id=laureate_id, computed_at=now, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.computed_at = now
            changed.append(row)
    if changed:
        StoredTriage.objects.bulk_update(changed, [*STORED_FIELDS, "computed_at"])
    if added:
        # Two transactions adding the same new laureate: the later one's values win.
        StoredTriage.objects.bulk_create(
            added,
            update_conflicts=True,
            unique_fields=["laureate"],
            update_fields=[*STORED_FIELDS, "computed_at"],
        )
    return len(changed) + len(added)


def triage_refresh(
    *, laureate_ids: Iterable[int] | None = None, today: datetime.date | None = None
) -> int:
    """Store the triage of ``laureate_ids`` as :func:`with_triage` computes it now (or of
    every laureate, ``CHUNK`` at a time, when None), writing only the rows that changed;
    the laureates added since the newest row are always included. Runs in the caller's
    transaction. Returns how many rows were written."""
    today = today or timezone.localdate()
    if laureate_ids is None:
        written, last = 0, 0
        while True:
            chunk = list(
                Laureate.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:CHUNK]
            )
            if not chunk:
                return written
            written += _write(chunk, today=today, whole_range=True)
            last = chunk[-1]
    return _write_all(sorted({*laureate_ids, *_added()}), today=today)


def _write_all(ids: list[int], *, today: datetime.date) -> int:
    return sum(
        _write(ids[start : start + CHUNK], today=today) for start in range(0, len(ids), CHUNK)
    )


def _added() -> list[int]:
    """The laureates added since the newest stored row (one query)."""
    newest = Coalesce(Subquery(StoredTriage.objects.order_by("-pk").values("pk")[:1]), 0)
    return list(Laureate.objects.filter(pk__gt=newest).order_by("pk").values_list("pk", flat=True))


def triage_refresh_added(*, today: datetime.date | None = None) -> int:
    """Store the triage of the laureates added since the newest stored row (usually none:
    one query), before a list reads the stored rows."""
    return _write_all(_added(), today=today or timezone.localdate())


def with_stored_triage(laureates: QuerySet) -> QuerySet:
    """Annotate ``laureates`` as :func:`with_triage` and :func:`with_triage_order` do
    (``triage_score``, ``triage_<rule>``, ``triage_level_rank``, ``triage_waiting``), read
    from the stored rows: cheap for a page, filterable and ordered through the indexes
    (:data:`STORED_ORDER`) once the list keeps the laureates with a row
    (:func:`with_stored_row`). A page that shows the reasons adds
    :func:`~reports.triage.score.reason_context` for its rows."""
    return laureates.annotate(
        triage_score=F("stored_triage__score"),
        triage_level_rank=F("stored_triage__level_rank"),
        triage_waiting=F("stored_triage__waiting"),
        **{f"triage_{rule}": F(f"stored_triage__{field}") for rule, field in RULE_FIELDS.items()},
    )


def with_stored_row(laureates: QuerySet) -> QuerySet:
    """Keep the laureates with a stored row (every laureate once refreshed): the join
    becomes an INNER JOIN, so PostgreSQL can read the list's order from the index."""
    return laureates.filter(stored_triage__isnull=False)
