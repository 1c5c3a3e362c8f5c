"""« Mes données »: what the programme holds about a person, their erasure, and retention.

Like every feature that spans the apps, it is collected, not reached for: each app registers
one :class:`PersonalDataPart` from its ``AppConfig.ready()`` with
:func:`personal_data_register`, and ``emergence`` never imports the apps above it. A part
gives up to three things:

- ``export(user) -> dict``: what the app holds about ``user``, as ``{section title: [row,
  ...]}``, each row a dict of column title -> value (str, number, bool, date, datetime or
  None), titles in the active language (the caller activates the person's);
- ``anonymise(user)``: remove the person's identity and free text from the app's tables,
  keeping the rows that counts and per-period scales are made of;
- ``retention``: rules, each run daily by :func:`retention_apply` (or counted with
  ``dry_run``), with its length in ``settings.RETENTION_DAYS[rule.name]``.

:func:`person_anonymise` is the one erasure routine: an approved erasure request, the console's
"delete" of a laureate and the retention of laureates who left all run it.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

Rows = list[dict]
Export = dict[str, Rows]


@dataclass(frozen=True)
class RetentionRule:
    """``run(now, dry_run)`` returns how many rows the rule changes (or would change) today;
    ``name`` is its key in ``settings.RETENTION_DAYS``."""

    name: str
    description: str
    run: Callable[[datetime.datetime, bool], int]


@dataclass(frozen=True)
class PersonalDataPart:
    app: str
    export: Callable[..., Export] | None = None
    anonymise: Callable[..., None] | None = None
    retention: tuple[RetentionRule, ...] = field(default=())


_parts: list[PersonalDataPart] = []


def personal_data_register(part: PersonalDataPart) -> PersonalDataPart:
    """Add an app's part (registering the same app again replaces its part)."""
    _parts[:] = [known for known in _parts if known.app != part.app]
    _parts.append(part)
    return part


def personal_data_parts() -> list[PersonalDataPart]:
    return list(_parts)


def retention_days(name: str) -> int:
    return int(settings.RETENTION_DAYS[name])


def retention_cutoff(name: str, now: datetime.datetime) -> datetime.datetime:
    """The moment before which a row falls under rule ``name``."""
    return now - datetime.timedelta(days=retention_days(name))


# The three things the site does with them ---------------------------------------------------


def personal_data_export(*, user) -> Export:
    """Everything the programme holds about ``user``, part after part, in the active language
    (sections in the order the apps registered: the account first)."""
    sections: Export = {}
    for part in _parts:
        if part.export is not None:
            sections.update(part.export(user))
    return sections


def person_anonymise(*, user) -> None:
    """Erase ``user``'s identity and free text everywhere and close their account; rows stay,
    without identity, so counts and scales per period remain. Safe to run again.

    The parts run from the highest app down, so the account (``emergence``, registered first)
    is closed last and every part can still read the person's name and e-mail to find them.
    """
    laureate = getattr(user, "laureate", None)  # the reverse accessor: no import of laureates
    with transaction.atomic():
        for part in reversed(_parts):
            if part.anonymise is not None:
                part.anonymise(user)
        _history_erase(user=user, laureate=laureate)
    logger.info("personal data: user %s anonymised", user.pk)


def retention_apply(
    *, now: datetime.datetime | None = None, dry_run: bool = False, only: set[str] | None = None
) -> dict[str, int]:
    """Apply every registered retention rule (or those named in ``only``); returns, per rule,
    how many rows it changed, or would change with ``dry_run`` (which changes nothing)."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for part in _parts:
        for rule in part.retention:
            if only is not None and rule.name not in only:
                continue
            if dry_run:
                done[rule.name] = rule.run(now, True)
                continue
            with transaction.atomic():
                done[rule.name] = rule.run(now, False)
            logger.info(
                "retention: %s (%s days): %d", rule.name, retention_days(rule.name), done[rule.name]
            )
    return done


def retention_rules() -> list[RetentionRule]:
    return [rule for part in _parts for rule in part.retention]


def _history_erase(*, user, laureate) -> None:
    # The change history (django-simple-history) keeps copies of the rows: it provides
    # emergence.history.history_erase, imported here so that erasure works before it lands
    # and erases the copies once it has.
    try:
        from emergence.history import history_erase
    except ImportError:
        return
    history_erase(user=user, laureate=laureate)


# Finding the person in text ------------------------------------------------------------------


def identity_terms(user, *, last_name_alone: bool = False) -> list[str]:
    """The strings that name ``user`` in text written about them (e-mail bodies, the console's
    log): their e-mail and full name both ways; with ``last_name_alone``, also their last name
    (what a partner types in a search), at the risk of matching a namesake."""
    first, last = user.first_name.strip(), user.last_name.strip()
    terms = [user.email]
    if first and last:
        terms += [f"{first} {last}", f"{last} {first}"]
    if last_name_alone and len(last) >= 3:
        terms.append(last)
    return list(dict.fromkeys(term for term in terms if term))


def erased_email(user) -> str:
    """The placeholder that replaces an erased person's e-mail address (unique, undeliverable)."""
    return f"erased-{user.pk}@invalid"
