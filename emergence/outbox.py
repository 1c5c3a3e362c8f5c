"""The mail outbox: every e-mail is written as a row, then claimed, sent and marked sent.

``outbox_enqueue`` writes the row in the caller's transaction (so a rolled-back change
sends nothing) and queues the sending task on commit. The task calls ``outbox_deliver``,
which claims the row with one conditional UPDATE: two workers, or a task run twice,
never send the same row twice. A failed attempt is retried with a capped exponential
backoff, then the row ends as failed, visible and re-sendable in the admin.
"""

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from emergence.mail import render_email
from emergence.models import OutboxEmail, OutboxStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 60
# Rows written per INSERT, and rows sent per task, by the bulk path (outbox_enqueue_many).
WRITE_BATCH = 500
SEND_BATCH = 50


def sending_timeout() -> datetime.timedelta:
    """How long a row may stay "sending" (a worker died mid-send) before it is claimed again:
    settings.OUTBOX_SENDING_TIMEOUT seconds, 15 minutes unless set."""
    return datetime.timedelta(seconds=getattr(settings, "OUTBOX_SENDING_TIMEOUT", 15 * 60))


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
    user,
    template: str,
    context: dict,
) -> OutboxEmail:
    """Record the e-mail ``template`` for ``user``, rendered in their language, once per
    ``key``, and send it after the current transaction commits. Enqueuing the same key again
    changes nothing."""
    existing = OutboxEmail.objects.filter(key=key).first()
    if existing is not None:
        return existing
    to = user.email
    language = user.language or settings.LANGUAGE_CODE
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


@dataclass(frozen=True)
class OutboxMessage:
    """One e-mail for ``outbox_enqueue_many``: the arguments of ``outbox_enqueue``."""

    key: str
    kind: str
    to: str
    template: str
    context: dict = field(hash=False)
    language: str | None = None
    user_id: int | None = None


def outbox_enqueue_many(*, messages: Iterable[OutboxMessage]) -> int:
    """``outbox_enqueue`` for thousands of e-mails: rows are written WRITE_BATCH at a time
    (keys already there are skipped, so a second run, even a concurrent one, adds nothing),
    and each batch is sent by tasks of SEND_BATCH rows queued when its transaction commits.
    Returns how many rows this call wrote."""
    written = 0
    batch: list[OutboxMessage] = []
    for message in messages:
        batch.append(message)
        if len(batch) == WRITE_BATCH:
            written += _write_batch(batch)
            batch = []
    if batch:
        written += _write_batch(batch)
    return written


@transaction.atomic
def _write_batch(messages: Sequence[OutboxMessage]) -> int:
    existing = set(
        OutboxEmail.objects.filter(key__in=[m.key for m in messages]).values_list("key", flat=True)
    )
    # Our own timestamp marks the rows this call wrote, apart from those another run wrote
    # at the same moment (ignore_conflicts does not say which rows it skipped).
    now = timezone.now()
    rows = []
    for message in messages:
        if message.key in existing:
            continue
        existing.add(message.key)
        language = message.language or settings.LANGUAGE_CODE
        subject, text, html = render_email(message.template, message.context, language=language)
        rows.append(
            OutboxEmail(
                key=message.key,
                kind=message.kind,
                to=message.to,
                user_id=message.user_id,
                language=language,
                subject=subject[:300],
                text=text,
                html=html,
                created_at=now,
            )
        )
    if not rows:
        return 0
    OutboxEmail.objects.bulk_create(rows, ignore_conflicts=True)
    pks = list(
        OutboxEmail.objects.filter(key__in=[row.key for row in rows], created_at=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(pks), SEND_BATCH):
        _queue_batch_on_commit(pks[start : start + SEND_BATCH])
    return len(pks)


def outbox_send_batch(*, pks: Sequence[int]) -> int:
    """Deliver rows one after the other over one SMTP connection, each claimed on its own; a
    failed one is handed to its own retrying task. Returns how many this call sent."""
    sent = 0
    connection = get_connection()
    try:
        try:
            connection.open()
        except OSError:
            pass  # each message then tries on its own, and its failure is counted and retried
        for pk in pks:
            email = outbox_send_now(pk=pk, connection=connection)
            if email is not None and email.status == OutboxStatus.SENT:
                sent += 1
    finally:
        connection.close()
    return sent


def outbox_deliver(*, pk: int, connection=None) -> OutboxEmail | None:
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
            email.subject,
            email.text,
            settings.DEFAULT_FROM_EMAIL,
            [email.to],
            connection=connection,
        )
        if email.html:
            message.attach_alternative(email.html, "text/html")
        message.send()
    except OSError as error:  # smtplib.SMTPException and socket errors are OSErrors
        if connection is not None:
            connection.close()  # the next message opens a fresh one
        return _record_failure(email, error)
    OutboxEmail.objects.filter(pk=pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), attempts=email.attempts + 1
    )
    email.refresh_from_db()
    return email


def outbox_send_now(*, pk: int, connection=None) -> OutboxEmail | None:
    """Deliver a row in this process instead of waiting for its task; a failed attempt is
    handed to the task, to be retried after its backoff."""
    from emergence.tasks import send_outbox_email

    try:
        return outbox_deliver(pk=pk, connection=connection)
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
    longest backoff plus a margin; a sending row once ``sending_timeout()`` has passed.
    """
    now = now or timezone.now()
    waited = datetime.timedelta(seconds=backoff_seconds(MAX_ATTEMPTS) + 300)
    pks = list(
        OutboxEmail.objects.alias(last_touched=Coalesce("claimed_at", "created_at"))
        .filter(
            Q(status=OutboxStatus.PENDING, last_touched__lt=now - waited)
            | Q(status=OutboxStatus.SENDING, claimed_at__lt=now - sending_timeout())
        )
        .values_list("pk", flat=True)
    )
    for pk in pks:
        _queue_on_commit(pk)
    return len(pks)


def _claimable(now: datetime.datetime) -> Q:
    return Q(status=OutboxStatus.PENDING) | Q(
        status=OutboxStatus.SENDING, claimed_at__lt=now - sending_timeout()
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


def _queue_batch_on_commit(pks: list[int]) -> None:
    from emergence.tasks import send_outbox_emails

    transaction.on_commit(lambda: send_outbox_emails.delay(pks))
