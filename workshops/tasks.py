from celery import shared_task
from django.utils import timezone

from workshops.animators import absences_new_school_year, animator_reminders_send
from workshops.services import series_feedback_request, session_reminders_send


@shared_task(acks_late=True)
def send_session_reminders() -> int:
    """Daily: remind registered laureates, and the animators, of their sessions two days
    ahead (once each); recount workshop absences (a new school year starts from zero)."""
    today = timezone.localdate()
    absences_new_school_year()
    return session_reminders_send(day=today) + animator_reminders_send(day=today)


@shared_task(acks_late=True)
def request_series_feedback() -> int:
    """Daily: ask the attendees of sessions that have just ended for their rating (once
    each)."""
    return series_feedback_request()
