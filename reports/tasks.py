import datetime

from celery import shared_task
from django.utils import timezone

from laureates.sponsors import sponsor_nudges_send
from reports.models import QuietPeriod
from reports.reminders import reminders_run
from reports.triage import triage_refresh


@shared_task(acks_late=True)
def run_daily_reminders(day: str | None = None) -> int:
    """Daily (beat): open periods, reopen the closed triages with a newly overdue period,
    and send what is due today (the next contacts due included); ``day`` (ISO date) replays
    another day. Safe to run twice: a reopened triage is no longer closed, and the outbox
    keys make a second run send nothing. Then it queues :func:`refresh_triage_scores`, as a
    task of its own so that the job stays short."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    sent = len(reminders_run(today=today))
    refresh_triage_scores.delay(today.isoformat())
    return sent


# Not acks_late: a refresh lost with its worker is redone by the next day's, while a long one
# redelivered to another worker would only run twice.
@shared_task
def refresh_triage_scores(day: str | None = None) -> int:
    """Daily, after the reminders: refresh everyone's stored triage score
    (reports/triage/stored.py) for what changes with the date alone (a period falling due, a
    next contact coming up) and what the other apps change without being able to import this
    one (a laureate's status or joining date, workshop absences, rows deleted by the
    data-rights tools). Only the rows that changed are written; safe to run twice."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return triage_refresh(today=today)


@shared_task(acks_late=True)
def send_sponsor_nudges(day: str | None = None) -> int:
    """Daily (beat): remind sponsor and laureate after SPONSOR_NUDGE_DAYS without a meeting
    (laureates/sponsors.py), nothing on a quiet day. Here, not in laureates, because the quiet
    periods are the reports app's. Safe to run twice: one outbox key per gap."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    quiet = QuietPeriod.objects.filter(starts_on__lte=today, ends_on__gte=today).exists()
    return sponsor_nudges_send(today=today, quiet=quiet)
