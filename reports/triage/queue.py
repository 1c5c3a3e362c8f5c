"""Whose turn it is: a staff member's queue, the next contacts that are due, and the
history of a laureate's cycles as the console shows it."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from laureates.models import Laureate
from reports.confidential import CONFIDENTIAL_SIGNAL
from reports.models import TriageEvent, TriageEventKind
from reports.triage.score import CONFIDENTIAL_RULES, CONFIDENTIAL_SCALES, REASONS, SCALES


def my_queue(laureates: QuerySet, *, user) -> QuerySet:
    """The laureates ``user`` follows: assigned to them, or whose referent they are."""
    return laureates.filter(Q(triage__assigned_to=user) | Q(referent=user))


def contacts_due(*, today: datetime.date) -> QuerySet:
    """Active laureates whose next contact is due (planned for ``today`` or before), with
    ``recipient_id``: who is in charge of them, else their referent."""
    return (
        Laureate.objects.active()
        .filter(triage__next_contact_on__lte=today)
        .annotate(
            recipient_id=Coalesce("triage__assigned_to", "referent"),
            next_contact_on=F("triage__next_contact_on"),
        )
        .filter(recipient_id__isnull=False)
    )


def reason_words(keys: Iterable[str], *, show_confidential: bool) -> list[str]:
    """The reason keys of an event (``reports.models.TriageEvent.reasons``) in words; the
    confidential ones are one « confidential signal » for who may not read them. A key from
    elsewhere (a sponsor's signal) reads as itself until it has words in ``REASONS``."""
    words: list[str] = []
    signal = False
    for key in keys:
        scale = key.removeprefix("drop_") if key.startswith("drop_") else None
        if not show_confidential and (
            key in CONFIDENTIAL_RULES or (scale and scale in CONFIDENTIAL_SCALES)
        ):
            if not signal:
                words.append(str(CONFIDENTIAL_SIGNAL))
                signal = True
        elif key == "flag":
            words.append(str(TriageEventKind.FLAGGED.label))
        elif scale in SCALES:
            words.append(
                gettext("2 points worse or more since the last report: %(scales)s")
                % {"scales": SCALES[scale]}
            )
        elif key in REASONS:
            words.append(str(REASONS[key]))
        else:
            words.append(key)
    return words


@dataclass
class Cycle:
    number: int
    events: list[TriageEvent] = field(default_factory=list)


def triage_history(*, laureate: Laureate, show_notes: bool, show_confidential: bool) -> list[Cycle]:
    """The laureate's cycles, latest first, each with its events in order (one query).

    Each event gets ``reason_words`` (why it opened or what held at the close) and
    ``contact_note``: the contact's note, only with ``show_notes`` (who may read
    follow-ups).
    """
    events = (
        TriageEvent.objects.filter(laureate=laureate)
        .select_related("by", "assigned_to", "follow_up")
        .order_by("cycle", "at", "pk")
    )
    cycles: dict[int, Cycle] = {}
    for event in events:
        event.reason_words = reason_words(event.reasons or [], show_confidential=show_confidential)
        note = event.follow_up.note if event.follow_up else ""
        event.contact_note = note if show_notes else ""
        event.channel_label = event.follow_up.get_channel_display() if event.follow_up else ""
        cycles.setdefault(event.cycle, Cycle(event.cycle)).events.append(event)
    return sorted(cycles.values(), key=lambda cycle: -cycle.number)
