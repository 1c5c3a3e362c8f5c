import datetime

from celery import shared_task
from django.utils import timezone

from laureates.alumni import alumni_search_ask
from laureates.models import search_sharing_check


@shared_task(acks_late=True)
def ask_alumni_about_their_search(day: str | None = None) -> int:
    """Daily (beat): ask the alumni due for it whether they are still looking; ``day`` (ISO
    date) replays another day. Safe to run twice: each alumnus is claimed before the e-mail."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return alumni_search_ask(today=today)


@shared_task(acks_late=True)
def check_partner_sharing() -> int:
    """Daily (beat): recompute who partners see (``Search.shared_consent_until``) for
    everyone, fix what differs and log a warning naming how many. Safe to run twice."""
    return search_sharing_check()
