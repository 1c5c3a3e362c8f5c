"""The mail outbox: every e-mail is written as a row, then claimed, sent and marked sent.

``outbox_enqueue`` writes the row in the caller's transaction (so a rolled-back change
sends nothing) and queues the sending task on commit. The task calls ``outbox_deliver``,
which claims the row with one conditional UPDATE: two workers, or a task run twice,
never send the same row twice. A failed attempt is retried with a capped exponential
backoff, then the row ends as failed, visible and re-sendable in the admin.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from emergence.mail import render_email
from emergence.models import OutboxEmail, OutboxStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 60
# A row left in "sending" this long (a worker died mid-send) may be claimed again.
SENDING_TIMEOUT = datetime.timedelta(minutes=15)


def backoff_seconds(attempts: int) -> int:
    """Seconds before attempt ``attempts + 1``: doubling, and always below the broker's
    visibility timeout, past which Redis would hand the waiting task to a second worker."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    cap = max(1, int(visibility * 0.8))
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), cap)


def outbox_enqueue(
    *,
    key: str,
    kind: str,
    to: str,
    template: str,
    context: dict,
    language: str | None = None,
    user=None,
) -> OutboxEmail:
    """Record the e-mail ``template`` rendered in ``language``, once per ``key``, and send it
    after the current transaction commits. Enqueuing the same key again changes nothing."""
    existing = OutboxEmail.objects.filter(key=key).first()
    if existing is not None:
        return existing
    language = language or settings.LANGUAGE_CODE
    subject, text, html = render_email(template, context, language=language)
    email, created = OutboxEmail.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "to": to,
            "user": user,
            "language": language,
            "subject": subject[:300],
            "text": text,
            "html": html,
        },
    )
    if created:
        _queue_on_commit(email.pk)
    return email


def outbox_deliver(*, pk: int) -> OutboxEmail | None:
    """Claim, send and mark sent one row; None when another worker has it or it is done.

    A send error is recorded and re-raised as ``OutboxSendError`` for the caller to retry;
    after MAX_ATTEMPTS the row is marked failed instead.
    """
    now = timezone.now()
    claimed = (
        OutboxEmail.objects.filter(pk=pk)
        .filter(_claimable(now))
        .update(status=OutboxStatus.SENDING, claimed_at=now)
    )
    if claimed != 1:
        return None
    email = OutboxEmail.objects.get(pk=pk)
    try:
        message = EmailMultiAlternatives(
            email.subject, email.text, settings.DEFAULT_FROM_EMAIL, [email.to]
        )
        if email.html:
            message.attach_alternative(email.html, "text/html")
        message.send()
    except OSError as error:  # smtplib.SMTPException and socket errors are OSErrors
        return _record_failure(email, error)
    OutboxEmail.objects.filter(pk=pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), attempts=email.attempts + 1
    )
    email.refresh_from_db()
    return email


def outbox_send_now(*, pk: int) -> OutboxEmail | None:
    """Deliver a row in this process instead of waiting for its task; a failed attempt is
    handed to the task, to be retried after its backoff."""
    from emergence.tasks import send_outbox_email

    try:
        return outbox_deliver(pk=pk)
    except OutboxSendError as error:
        send_outbox_email.apply_async((pk,), countdown=error.countdown)
        return error.email


class OutboxSendError(Exception):
    """An attempt failed and the row waits for another one, ``countdown`` seconds from now."""

    def __init__(self, email: OutboxEmail, countdown: int):
        super().__init__(email.last_error)
        self.email = email
        self.countdown = countdown


def outbox_resend(*, emails: QuerySet) -> int:
    """Give failed rows a fresh round of attempts (the staff's "re-send"); returns how many."""
    pks = list(emails.filter(status=OutboxStatus.FAILED).values_list("pk", flat=True))
    OutboxEmail.objects.filter(pk__in=pks, status=OutboxStatus.FAILED).update(
        status=OutboxStatus.PENDING, attempts=0, claimed_at=None
    )
    for pk in pks:
        _queue_on_commit(pk)
    return len(pks)


def outbox_requeue_stale(*, now: datetime.datetime | None = None) -> int:
    """Queue again the rows whose task was lost (broker down at commit, worker killed).

    A pending row is stale once its last attempt (or its creation) is older than the
    longest backoff plus a margin; a sending row once SENDING_TIMEOUT has passed.
    """
    now = now or timezone.now()
    waited = datetime.timedelta(seconds=backoff_seconds(MAX_ATTEMPTS) + 300)
    pks = list(
        OutboxEmail.objects.alias(last_touched=Coalesce("claimed_at", "created_at"))
        .filter(
            Q(status=OutboxStatus.PENDING, last_touched__lt=now - waited)
            | Q(status=OutboxStatus.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
        )
        .values_list("pk", flat=True)
    )
    for pk in pks:
        _queue_on_commit(pk)
    return len(pks)


def _claimable(now: datetime.datetime) -> Q:
    return Q(status=OutboxStatus.PENDING) | Q(
        status=OutboxStatus.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    )


def _record_failure(email: OutboxEmail, error: Exception) -> None:
    """Count the attempt; raise to be retried, or end as failed after MAX_ATTEMPTS."""
    attempts = email.attempts + 1
    final = attempts >= MAX_ATTEMPTS
    OutboxEmail.objects.filter(pk=email.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
        attempts=attempts,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
    email.refresh_from_db()
    logger.warning("outbox e-mail %s, attempt %d failed: %s", email.pk, attempts, error)
    if not final:
        raise OutboxSendError(email, backoff_seconds(attempts))


def _queue_on_commit(pk: int) -> None:
    from emergence.tasks import send_outbox_email

    transaction.on_commit(lambda: send_outbox_email.delay(pk))
