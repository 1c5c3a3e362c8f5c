"""The mail outbox: every e-mail is written as a row, then claimed, sent and marked sent.

``outbox_enqueue`` writes the row in the caller's transaction (so a rolled-back change
sends nothing) and queues the sending task on commit. The task calls ``outbox_deliver``,
which claims the row with one conditional UPDATE: two workers, or a task run twice,
never send the same row twice. A failed attempt is retried with a capped exponential
backoff, then the row ends as failed, visible and re-sendable in the admin.

``outbox_enqueue_many`` is the bulk path (the daily reminders): rows written WRITE_BATCH
per INSERT, and one task per SEND_BATCH rows, which claims its rows in one UPDATE, sends
them over one SMTP connection and marks the sent ones in one UPDATE (``outbox_send_batch``).
The sweep and the admin's re-send queue their rows in batches too.
"""

import dataclasses
import datetime
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connections, router, transaction
from django.db.models import F, Q, QuerySet
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


def outbox_queue_many(*, messages: Iterable[OutboxMessage]) -> int:
    """``outbox_enqueue_many`` with the rendering and the writing done by the sending tasks:
    one task per SEND_BATCH messages, queued when the current transaction commits, renders
    and writes its rows (keys already there are skipped) and sends them over one SMTP
    connection. So the workers share the rendering, and the caller only plans.

    For jobs of thousands of e-mails that change nothing else and plan again what is still
    missing on their next run (the daily reminders and their catch-up): a task the broker
    lost writes no row, and is made up for by that next run, not by the outbox's sweep. The
    messages' contexts travel through the broker: plain data, dates and times (JSON).
    Returns how many messages were queued."""
    queued = 0
    batch: list[OutboxMessage] = []
    for message in messages:
        batch.append(message)
        if len(batch) == SEND_BATCH:
            _queue_write_on_commit(batch)
            queued += len(batch)
            batch = []
    if batch:
        _queue_write_on_commit(batch)
        queued += len(batch)
    return queued


def outbox_write_and_send(*, messages: Sequence[OutboxMessage]) -> int:
    """Render and write the rows of ``messages`` not written yet, then send every one of
    them still to send (``outbox_send_batch``): run twice, or by two workers at once, it
    writes each key once and sends it once. Returns how many this call sent."""
    _write_rows(messages)
    pks = list(
        OutboxEmail.objects.filter(key__in=[m.key for m in messages])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return outbox_send_batch(pks=pks)


@transaction.atomic
def _write_batch(messages: Sequence[OutboxMessage]) -> int:
    pks = _write_rows(messages)
    _queue_batches_on_commit(pks)
    return len(pks)


@transaction.atomic
def _write_rows(messages: Sequence[OutboxMessage]) -> list[int]:
    """Render and insert the rows whose key is not there yet; returns the pks written."""
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
        return []
    OutboxEmail.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        OutboxEmail.objects.filter(key__in=[row.key for row in rows], created_at=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def outbox_send_batch(*, pks: Sequence[int]) -> int:
    """Send a batch of rows over one SMTP connection, in a number of queries that does not
    grow with the batch: one UPDATE claims every row still to send (returning them), one
    marks the sent ones sent. Returns how many this call sent.

    A row that fails is counted on its own and queued again after its backoff (a task of
    ``send_outbox_emails`` for the rows that failed together), or ends failed after
    MAX_ATTEMPTS; the others of the batch stay sent. Rows another worker holds are
    skipped, so a batch run twice, or redelivered after its worker died, sends each row
    once; a row left "sending" by a dead worker is claimed again after ``sending_timeout()``.
    The price of one UPDATE per batch: a worker killed mid-batch leaves the rows it already
    sent "sending", so they go out again, at most SEND_BATCH e-mails per killed process.
    A batch that runs past half the sending timeout (a very slow SMTP server) puts its
    remaining rows back to pending, in a new task, before another worker may take them.
    """
    now = timezone.now()
    claimed = _claim(pks, now=now)
    if not claimed:
        return 0
    sent: list[int] = []
    failed: list[tuple[_Claimed, Exception]] = []
    deadline = time.monotonic() + sending_timeout().total_seconds() / 2
    connection = get_connection()
    try:
        try:
            connection.open()
        except OSError as error:
            failed = [(row, error) for row in claimed]
            claimed = []
        for index, row in enumerate(claimed):
            if time.monotonic() > deadline:
                _release([r.pk for r in claimed[index:]], claimed_at=now)
                break
            try:
                connection.send_messages([_message(row, connection=connection)])
            except OSError as error:  # smtplib.SMTPException and socket errors are OSErrors
                failed.append((row, error))
                connection.close()  # the rest of the batch goes over a fresh connection
                try:
                    connection.open()
                except OSError:
                    pass  # each next message then tries to open one on its own
            else:
                sent.append(row.pk)
    finally:
        connection.close()
    if sent:
        OutboxEmail.objects.filter(pk__in=sent, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1
        )
    _record_batch_failures(failed)
    return len(sent)


@dataclass(frozen=True)
class _Claimed:
    pk: int
    to: str
    subject: str
    text: str
    html: str
    attempts: int


_CLAIMED_COLUMNS = ("id", "to", "subject", "text", "html", "attempts")


def _claim(pks: Sequence[int], *, now: datetime.datetime) -> list[_Claimed]:
    """Mark "sending", in one UPDATE ... RETURNING, the rows of ``pks`` nobody holds: pending
    ones, and "sending" ones whose worker has been silent past ``sending_timeout()``. Each
    row is claimed by exactly one caller, even when two run the same batch at once."""
    pks = list(pks)
    if not pks:
        return []
    meta = OutboxEmail._meta
    db = router.db_for_write(OutboxEmail)
    connection = connections[db]
    quote = connection.ops.quote_name
    column = {
        name: quote(meta.pk.column if name == "id" else meta.get_field(name).column)
        for name in _CLAIMED_COLUMNS
    }
    status = quote(meta.get_field("status").column)
    claimed_at = quote(meta.get_field("claimed_at").column)
    adapt = connection.ops.adapt_datetimefield_value
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {status} = %s, {claimed_at} = %s "
        f"WHERE {column['id']} IN ({', '.join(['%s'] * len(pks))}) "
        f"AND ({status} = %s OR ({status} = %s AND {claimed_at} < %s)) "
        f"RETURNING {', '.join(column[name] for name in _CLAIMED_COLUMNS)}"
    )
    params = [
        OutboxStatus.SENDING.value,
        adapt(now),
        *pks,
        OutboxStatus.PENDING.value,
        OutboxStatus.SENDING.value,
        adapt(now - sending_timeout()),
    ]
    with transaction.atomic(using=db), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return sorted((_Claimed(*row) for row in rows), key=lambda row: row.pk)


def _message(row: _Claimed, *, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        row.subject, row.text, settings.DEFAULT_FROM_EMAIL, [row.to], connection=connection
    )
    if row.html:
        message.attach_alternative(row.html, "text/html")
    return message


def _release(pks: list[int], *, claimed_at: datetime.datetime) -> None:
    """Put back to pending the rows of a batch that ran out of time, and queue them again
    (the new task skips any another worker has claimed meanwhile)."""
    OutboxEmail.objects.filter(
        pk__in=pks, status=OutboxStatus.SENDING, claimed_at=claimed_at
    ).update(status=OutboxStatus.PENDING)
    _queue_batch_on_commit(pks)


def _record_batch_failures(failed: list[tuple["_Claimed", Exception]]) -> None:
    """Count a failed attempt on each row; those with attempts left are queued again after
    their backoff (rows that failed together, one task), the others end as failed."""
    if not failed:
        return
    from emergence.tasks import send_outbox_emails

    retry: dict[int, list[int]] = {}
    for row, error in failed:
        attempts = row.attempts + 1
        final = attempts >= MAX_ATTEMPTS
        OutboxEmail.objects.filter(pk=row.pk, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
            attempts=attempts,
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        logger.warning("outbox e-mail %s, attempt %d failed: %s", row.pk, attempts, error)
        if not final:
            retry.setdefault(backoff_seconds(attempts), []).append(row.pk)
    for countdown, pks in retry.items():
        send_outbox_emails.apply_async((pks,), countdown=countdown)


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
    _queue_batches_on_commit(pks)
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
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _queue_batches_on_commit(pks)
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


def _queue_batches_on_commit(pks: Sequence[int]) -> None:
    """One sending task per SEND_BATCH rows, queued when the transaction commits."""
    pks = list(pks)
    for start in range(0, len(pks), SEND_BATCH):
        _queue_batch_on_commit(pks[start : start + SEND_BATCH])


def _queue_write_on_commit(messages: list[OutboxMessage]) -> None:
    from emergence.tasks import write_and_send_outbox_emails

    payload = [dataclasses.asdict(message) for message in messages]
    transaction.on_commit(lambda: write_and_send_outbox_emails.delay(payload))
