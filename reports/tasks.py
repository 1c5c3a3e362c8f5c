import datetime

from celery import shared_task
from django.utils import timezone

from reports.reminders import reminders_run


@shared_task(acks_late=True)
def run_daily_reminders(day: str | None = None) -> int:
    """Daily (beat): open periods, reopen the closed triages with a newly overdue period,
    and send what is due today (the next contacts due included); ``day`` (ISO date) replays
    another day. Safe to run twice: a reopened triage is no longer closed, and the outbox
    keys make a second run send nothing."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return len(reminders_run(today=today))
