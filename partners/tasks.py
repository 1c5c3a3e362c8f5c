from celery import shared_task
from django.utils import timezone

from partners.services import introductions_expire


@shared_task(acks_late=True)
def expire_introductions() -> int:
    """Daily (beat): expire the requests a laureate left unanswered for
    INTRODUCTION_ANSWER_DAYS days and tell each company. Safe to run twice, or by hand."""
    return introductions_expire(now=timezone.now())
