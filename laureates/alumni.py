"""The alumni's yearly question: are you still looking for an internship, a work-study
contract or a job? Their answer, on « Ma recherche », keeps their search fresh."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse

from emergence.outbox import outbox_enqueue
from laureates.models import Laureate, Status

#: An alumnus is asked again once their last question is older than this many days.
ALUMNI_ASK_EVERY_DAYS = 365
#: At most this many alumni are asked per daily run: the first run, on a large
#: programme, spreads the e-mails over days instead of sending them all at once.
ALUMNI_ASK_PER_RUN = 500


def _due(today: datetime.date) -> Q:
    # "Older than 365 days": the next question always falls in a later calendar year, which
    # the outbox key counts on.
    last_year = today - datetime.timedelta(days=ALUMNI_ASK_EVERY_DAYS)
    return Q(search_asked_on__isnull=True) | Q(search_asked_on__lt=last_year)


def alumni_to_ask(*, today: datetime.date):
    """Alumni with an active account who were not asked in the last year, longest first."""
    return (
        Laureate.objects.filter(
            status=Status.ALUMNI, user__is_active=True, user__erased_at__isnull=True
        )
        .filter(_due(today))
        .order_by(F("search_asked_on").asc(nulls_first=True), "pk")
    )


def alumni_search_ask(*, today: datetime.date, limit: int = ALUMNI_ASK_PER_RUN) -> int:
    """E-mail up to ``limit`` alumni whether they are still looking; returns how many were
    asked. Each is claimed by one conditional UPDATE before its e-mail is written, so a run
    twice, or on two workers, asks nobody twice."""
    asked = 0
    pks = list(alumni_to_ask(today=today).values_list("pk", flat=True)[:limit])
    for pk in pks:
        with transaction.atomic():
            claimed = (
                Laureate.objects.filter(pk=pk, status=Status.ALUMNI)
                .filter(_due(today))
                .update(search_asked_on=today)
            )
            if not claimed:
                continue
            laureate = Laureate.objects.select_related("user").get(pk=pk)
            search = laureate.searches.open().first()
            outbox_enqueue(
                key=f"alumni-search-ask:{pk}:{today.year}",
                kind="alumni_search_ask",
                user=laureate.user,
                template="alumni_search_ask",
                context={
                    "first_name": laureate.user.first_name,
                    "search": search,
                    "url": settings.SITE_URL + reverse("laureates:search"),
                },
            )
        asked += 1
    return asked
