from celery import shared_task
from django.utils import timezone

from workshops.services import series_feedback_request, session_reminders_send


@shared_task(acks_late=True)
def send_session_reminders() -> int:
    """Daily: remind registered laureates of their sessions two days ahead (once each)."""
    return session_reminders_send(day=timezone.localdate())


@shared_task(acks_late=True)
def request_series_feedback() -> int:
    """Daily: ask the attendees of series that have just ended for their rating (once each)."""
    return series_feedback_request()
