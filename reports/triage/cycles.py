"""Staff's follow-up of a laureate, in cycles: assign, record a contact, flag, close, reopen.

A laureate's :class:`~reports.models.Triage` is made the first time staff act on it (cycle
1). Closing ends the cycle and records the reasons that hold; a NEW reason after the close
opens the next cycle, state "new" (:func:`triage_reopen`): a report submitted after the
close that has any reason (:func:`triage_report_submitted`, called by ``report_submit``),
a period that became overdue after the close (:func:`triage_reopen_overdue`, the daily
job, in bulk), a staff member's flag (:func:`triage_flag`), a sponsor's signal (the
sponsors' side calls :func:`triage_reopen` with its own reason key). Every step is a
:class:`~reports.models.TriageEvent`, for the history on the laureate's page.

A contact ends with its outcome and the next step: the next contact's date (by default
:data:`NEXT_CONTACT_DAYS` after it, by follow-up level) and, optionally, a new level.
"""

import datetime

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import TruncDate
from django.utils import timezone

from laureates.models import Channel, FollowUp, Laureate, Status
from reports.models import (
    ActivityReport,
    FollowUpLevel,
    ReportPeriod,
    Triage,
    TriageEvent,
    TriageEventKind,
    TriageState,
)
from reports.triage.score import ANSWERED, triage_rules, with_triage
from reports.triage.stored import triage_refresh

#: Days from a contact to the next one, by follow-up level (the contact form's default).
NEXT_CONTACT_DAYS = {
    FollowUpLevel.STANDARD: 90,
    FollowUpLevel.REINFORCED: 30,
    FollowUpLevel.ALERT: 7,
}

#: The reason key of a newly overdue period, as the history names it.
OVERDUE_REASON = "overdue"
#: The reason key of a staff member's flag.
FLAG_REASON = "flag"


def next_contact_default(*, level: str, contacted_on: datetime.date) -> datetime.date:
    """When to call again after a contact on ``contacted_on``, at follow-up ``level``."""
    return contacted_on + datetime.timedelta(days=NEXT_CONTACT_DAYS[FollowUpLevel(level)])


def current_rules(laureate: Laureate) -> list[str]:
    """The triage rule keys that hold for the laureate now (one query)."""
    row = with_triage(Laureate.objects.filter(pk=laureate.pk).order_by()).first()
    return triage_rules(row) if row is not None else []


def _event(triage: Triage, kind: str, **fields) -> TriageEvent:
    return TriageEvent.objects.create(
        laureate_id=triage.laureate_id, cycle=triage.cycle, kind=kind, **fields
    )


def _triage_of(laureate: Laureate, *, by=None) -> Triage:
    """The laureate's triage, locked; the first one opens cycle 1 with the reasons now."""
    triage = Triage.objects.select_for_update().filter(laureate=laureate).first()
    if triage is None:
        triage = Triage.objects.create(laureate=laureate)
        triage = Triage.objects.select_for_update().get(pk=triage.pk)
        _event(triage, TriageEventKind.OPENED, by=by, reasons=current_rules(laureate))
    return triage


def _is_closed(triage: Triage) -> bool:
    return triage.state == TriageState.CLOSED


@transaction.atomic
def triage_assign(*, laureate: Laureate, to, by=None) -> Triage:
    """Put staff member ``to`` in charge of the laureate.

    A closed triage stays closed (a new person in charge is not a new reason to act).
    """
    triage = _triage_of(laureate, by=by)
    triage.assigned_to = to
    if not _is_closed(triage):
        triage.state = TriageState.ASSIGNED
    triage.save()
    _event(triage, TriageEventKind.ASSIGNED, by=by or to, assigned_to=to)
    triage_refresh(laureate_ids=[laureate.pk])
    return triage


@transaction.atomic
def triage_close(*, laureate: Laureate, by) -> Triage:
    """End the current cycle: nothing more to do for now.

    The reasons that hold now are recorded (the next cycle shows the others as new), the
    staff flag is cleared; whoever was in charge stays named. Closing a closed triage
    changes nothing.
    """
    triage = _triage_of(laureate, by=by)
    if _is_closed(triage):
        return triage
    # The flag ends with the cycle: a flag after the close is a new reason.
    reasons = [rule for rule in current_rules(laureate) if rule != FLAG_REASON]
    if triage.assigned_to_id is None:
        triage.assigned_to = by
    triage.state = TriageState.CLOSED
    triage.closed_at = timezone.now()
    triage.closed_reasons = reasons
    triage.flagged_at = None
    triage.flag_note = ""
    triage.save()
    _event(triage, TriageEventKind.CLOSED, by=by, reasons=reasons)
    triage_refresh(laureate_ids=[laureate.pk])
    return triage


def _reopen(triage: Triage, *, reasons: list[str], by=None, at=None) -> None:
    """Open the next cycle of a closed ``triage`` (locked by the caller)."""
    at = at or timezone.now()
    triage.cycle += 1
    triage.state = TriageState.NEW
    triage.opened_at = at
    triage.closed_at = None
    # ``assigned_to`` is kept on purpose: the person who followed the laureate through the
    # last cycle knows them and is the one a referent expects to pick the new reason up;
    # the state "new" and the « nouveau » reasons tell them, and handing over is one action.
    triage.save()
    _event(triage, TriageEventKind.OPENED, by=by, at=at, reasons=list(reasons))


@transaction.atomic
def triage_reopen(*, laureate: Laureate, reasons: list[str], by=None) -> Triage | None:
    """Open a new cycle for ``laureate`` if their triage is closed, because of ``reasons``.

    The entry point for anything that brings a new reason from outside the reports: a
    sponsor's signal passes its own reason key (e.g. ``["sponsor_signal"]``), and ``by``
    (a user, or None for the system). ``reasons`` are stored on the "cycle opened" event,
    for the history. Returns the reopened triage, or None when there was nothing to reopen
    (no triage yet, or a cycle still open: the new reason simply joins it).
    """
    triage = Triage.objects.select_for_update().filter(laureate=laureate).first()
    if triage is None or not _is_closed(triage):
        return None
    _reopen(triage, reasons=reasons, by=by)
    triage_refresh(laureate_ids=[laureate.pk])
    return triage


def triage_report_submitted(*, report: ActivityReport) -> Triage | None:
    """A report was just submitted (called by ``report_submit``, inside its transaction):
    a closed triage reopens if the laureate now has any reason; the stored score follows."""
    reopened = _reopen_for_report(report)
    triage_refresh(laureate_ids=[report.laureate_id])
    return reopened


def _reopen_for_report(report: ActivityReport) -> Triage | None:
    closed = Triage.objects.filter(
        laureate_id=report.laureate_id,
        state=TriageState.CLOSED,
        closed_at__lt=report.submitted_at,
    )
    if not closed.exists():  # the usual case: one cheap query
        return None
    reasons = current_rules(report.laureate)
    if not reasons:
        return None
    return triage_reopen(laureate=report.laureate, reasons=reasons, by=report.laureate.user)


@transaction.atomic
def triage_flag(*, laureate: Laureate, by, note: str) -> Triage:
    """Staff member ``by`` flags the laureate for follow-up, saying why in ``note``.

    The flag is a reason of its own (« signalé : <note> ») until the cycle is closed; on a
    closed triage it opens a new cycle.
    """
    note = note.strip()
    triage = _triage_of(laureate, by=by)
    now = timezone.now()
    if _is_closed(triage):
        _reopen(triage, reasons=[FLAG_REASON], by=by, at=now)
    triage.flagged_at = now
    triage.flag_note = note
    triage.save()
    _event(triage, TriageEventKind.FLAGGED, by=by, at=now, note=note)
    triage_refresh(laureate_ids=[laureate.pk])
    return triage


@transaction.atomic
def triage_record_contact(
    *,
    laureate: Laureate,
    by,
    channel: str,
    note: str = "",
    date: datetime.date | None = None,
    outcome: str = "",
    next_contact_on: datetime.date | None = None,
    level: str | None = None,
) -> FollowUp:
    """Record that staff member ``by`` contacted the laureate, and the next step.

    A follow-up is added; the triage moves to "contacted" (a closed one stays closed: a
    routine call is not a new reason); ``by`` is put in charge if nobody was; ``level``
    (if given) becomes the follow-up level; the next contact is ``next_contact_on``, or
    :data:`NEXT_CONTACT_DAYS` after the contact by level.
    """
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    date = date or timezone.localdate()
    follow_up = FollowUp.objects.create(
        laureate=laureate, by=by, channel=channel, note=note, date=date
    )
    triage = _triage_of(laureate, by=by)
    if triage.assigned_to_id is None:
        triage.assigned_to = by
    if not _is_closed(triage):
        triage.state = TriageState.CONTACTED
    if level and level != triage.level:
        triage.level = FollowUpLevel(level)
        _event(triage, TriageEventKind.LEVEL, by=by, level=triage.level)
    triage.next_contact_on = next_contact_on or next_contact_default(
        level=triage.level, contacted_on=date
    )
    triage.save()
    _event(
        triage,
        TriageEventKind.CONTACTED,
        by=by,
        follow_up=follow_up,
        outcome=outcome,
        next_contact_on=triage.next_contact_on,
        level=triage.level,
    )
    triage_refresh(laureate_ids=[laureate.pk])
    return follow_up


def triage_reopen_overdue(*, today: datetime.date) -> int:
    """Reopen, in bulk, the closed triages of active laureates with a period that became
    overdue after the close (due after the close's day, before ``today``, owed by them,
    not answered). Three queries whatever the number; running it again reopens nothing
    more. Returns how many were reopened."""
    owed_unanswered = ReportPeriod.objects.filter(
        due_on__lt=today,
        due_on__gt=OuterRef("closed_on"),
        opens_on__gt=OuterRef("laureate__joined_on"),
    ).exclude(
        Exists(
            ActivityReport.objects.filter(
                laureate_id=OuterRef(OuterRef("laureate_id")),
                period=OuterRef("pk"),
                status__in=ANSWERED,
            )
        )
    )
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Triage.objects.select_for_update(of=("self",))
            .filter(state=TriageState.CLOSED)
            .annotate(closed_on=TruncDate("closed_at"))
            .filter(Exists(owed_unanswered))
            .filter(laureate__status=Status.ACTIVE)
            .values_list("pk", "laureate_id", "cycle")
        )
        if not rows:
            return 0
        Triage.objects.filter(pk__in=[pk for pk, _l, _c in rows], state=TriageState.CLOSED).update(
            state=TriageState.NEW,
            cycle=F("cycle") + 1,
            opened_at=now,
            closed_at=None,
        )
        TriageEvent.objects.bulk_create(
            TriageEvent(
                laureate_id=laureate_id,
                cycle=cycle + 1,
                kind=TriageEventKind.OPENED,
                at=now,
                reasons=[OVERDUE_REASON],
            )
            for _pk, laureate_id, cycle in rows
        )
        triage_refresh(laureate_ids=[laureate_id for _pk, laureate_id, _c in rows], today=today)
    return len(rows)
