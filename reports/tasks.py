import datetime

from celery import shared_task
from django.utils import timezone

from reports.confidential import report_reads_purge
from reports.reminders import reminders_run


@shared_task(acks_late=True)
def run_daily_reminders(day: str | None = None) -> int:
    """Daily (beat): open periods and send what is due today; ``day`` (ISO date) replays
    another day. Safe to run twice: the outbox keys make a second run send nothing."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return len(reminders_run(today=today))


@shared_task(acks_late=True)
def purge_read_records() -> int:
    """Daily (beat): delete the read records ("who looked") older than a year. Safe to run
    twice: a second run finds nothing more to delete."""
    return report_reads_purge()
