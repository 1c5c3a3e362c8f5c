"""The outbox's bulk path: one task per batch, one SMTP connection per batch, claims and marks
in a number of queries that does not grow with the batch, each e-mail sent once even when two
workers hold the same batch or a worker dies mid-batch, a failing e-mail retried alone."""

import dataclasses
import datetime
import smtplib
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from kombu.utils import json

from emergence import outbox
from emergence.models import OutboxEmail, OutboxStatus
from emergence.outbox import (
    MAX_ATTEMPTS,
    SEND_BATCH,
    OutboxMessage,
    backoff_seconds,
    outbox_enqueue_many,
    outbox_send_batch,
)
from emergence.tasks import send_outbox_emails, write_and_send_outbox_emails

pytestmark = pytest.mark.django_db

COUNTING_BACKEND = "tests.test_outbox_batches.CountingBackend"


class CountingBackend(EmailBackend):
    """The test outbox, counting the connections opened and the messages each carried; an
    address in ``refuse`` is refused (once, or always when ``refuse_always``); ``during_send``
    runs inside the first send (another worker arriving mid-batch)."""

    opened = 0
    per_connection: list[int] = []
    refuse: set[str] = set()
    refuse_always = False
    during_send = None

    @classmethod
    def reset(cls):
        cls.opened, cls.per_connection, cls.refuse = 0, [], set()
        cls.refuse_always, cls.during_send = False, None

    def open(self):
        if getattr(self, "is_open", False):
            return False
        self.is_open = True
        CountingBackend.opened += 1
        CountingBackend.per_connection.append(0)
        return True

    def close(self):
        self.is_open = False

    def send_messages(self, messages):
        if CountingBackend.during_send is not None:
            during, CountingBackend.during_send = CountingBackend.during_send, None
            during()
        for message in messages:
            if message.to[0] in CountingBackend.refuse:
                if not CountingBackend.refuse_always:
                    CountingBackend.refuse.discard(message.to[0])
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        if self.is_open:
            CountingBackend.per_connection[-1] += len(messages)
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def counting_backend():
    CountingBackend.reset()
    with override_settings(EMAIL_BACKEND=COUNTING_BACKEND):
        yield CountingBackend
    CountingBackend.reset()


def messages(n: int, *, prefix: str = "batch") -> list[OutboxMessage]:
    return [
        OutboxMessage(
            key=f"{prefix}:{i}",
            kind="test",
            to=f"person{i}@example.org",
            template="report_opening",
            context={
                "period": {"year": 2026, "quarter": 4},
                "due_on": datetime.date(2027, 1, 15),
                "url": "https://example.org/reports/2026-q4/",
            },
        )
        for i in range(n)
    ]


def write(n: int, django_capture_on_commit_callbacks, *, prefix: str = "batch") -> list[int]:
    """Write ``n`` rows without sending them; returns their pks."""
    with django_capture_on_commit_callbacks(execute=False):
        outbox_enqueue_many(messages=messages(n, prefix=prefix))
    return list(
        OutboxEmail.objects.filter(key__startswith=f"{prefix}:")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def received() -> list[str]:
    return sorted(message.to[0] for message in mail.outbox)


def test_one_task_is_queued_per_batch_not_one_per_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert outbox_enqueue_many(messages=messages(2 * SEND_BATCH + 1)) == 2 * SEND_BATCH + 1

    assert len(callbacks) == 3
    assert mail.outbox == []
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxStatus.PENDING}


def test_a_batch_goes_out_over_one_smtp_connection(django_capture_on_commit_callbacks):
    pks = write(SEND_BATCH, django_capture_on_commit_callbacks)

    assert outbox_send_batch(pks=pks) == SEND_BATCH

    assert CountingBackend.opened == 1
    assert CountingBackend.per_connection == [SEND_BATCH]
    assert len(mail.outbox) == SEND_BATCH
    rows = OutboxEmail.objects.filter(pk__in=pks)
    assert set(rows.values_list("status", "attempts")) == {(OutboxStatus.SENT, 1)}
    assert not rows.filter(sent_at__isnull=True).exists()


def test_sending_a_batch_takes_the_same_number_of_queries_whatever_its_size(
    django_capture_on_commit_callbacks,
):
    small = write(5, django_capture_on_commit_callbacks, prefix="small")
    large = write(SEND_BATCH, django_capture_on_commit_callbacks, prefix="large")

    with CaptureQueriesContext(connection) as small_queries:
        assert outbox_send_batch(pks=small) == 5
    with CaptureQueriesContext(connection) as large_queries:
        assert outbox_send_batch(pks=large) == SEND_BATCH

    assert len(small_queries) == len(large_queries) <= 4


def test_a_refused_email_is_retried_alone_and_the_others_are_not_sent_again(
    django_capture_on_commit_callbacks, monkeypatch
):
    pks = write(5, django_capture_on_commit_callbacks)
    CountingBackend.refuse = {"person2@example.org"}
    retries = []
    monkeypatch.setattr(
        send_outbox_emails, "apply_async", lambda args, countdown: retries.append((args, countdown))
    )

    assert outbox_send_batch(pks=pks) == 4

    refused = OutboxEmail.objects.get(to="person2@example.org")
    assert (refused.status, refused.attempts) == (OutboxStatus.PENDING, 1)
    assert "SMTPRecipientsRefused" in refused.last_error
    assert retries == [(([refused.pk],), backoff_seconds(1))]
    others = OutboxEmail.objects.exclude(pk=refused.pk)
    assert set(others.values_list("status", flat=True)) == {OutboxStatus.SENT}
    # Its retry, after the backoff, sends it and nothing else.
    assert outbox_send_batch(pks=pks) == 1
    assert received() == [f"person{i}@example.org" for i in range(5)]
    refused.refresh_from_db()
    assert (refused.status, refused.attempts) == (OutboxStatus.SENT, 2)


def test_an_email_refused_every_time_ends_failed_and_resendable_in_the_admin(
    django_capture_on_commit_callbacks,
):
    pks = write(3, django_capture_on_commit_callbacks)
    CountingBackend.refuse = {"person1@example.org"}
    CountingBackend.refuse_always = True

    # No broker in the tests: the retry task runs at once, until the attempts run out.
    outbox_send_batch(pks=pks)

    refused = OutboxEmail.objects.get(to="person1@example.org")
    assert (refused.status, refused.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)
    assert received() == ["person0@example.org", "person2@example.org"]
    CountingBackend.refuse = set()
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.outbox_resend(emails=OutboxEmail.objects.all()) == 1
    refused.refresh_from_db()
    assert refused.status == OutboxStatus.SENT
    assert received() == [f"person{i}@example.org" for i in range(3)]


def test_an_smtp_server_that_cannot_be_reached_leaves_the_batch_pending_with_one_retry(
    django_capture_on_commit_callbacks, monkeypatch
):
    pks = write(4, django_capture_on_commit_callbacks)
    retries = []
    monkeypatch.setattr(
        send_outbox_emails, "apply_async", lambda args, countdown: retries.append((args, countdown))
    )

    def refuse_connection(self):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(CountingBackend, "open", refuse_connection)

    assert outbox_send_batch(pks=pks) == 0

    rows = OutboxEmail.objects.filter(pk__in=pks)
    assert set(rows.values_list("status", "attempts")) == {(OutboxStatus.PENDING, 1)}
    assert retries == [((pks,), backoff_seconds(1))]
    assert mail.outbox == []


def test_two_workers_holding_the_same_batch_send_each_email_once(
    django_capture_on_commit_callbacks,
):
    pks = write(6, django_capture_on_commit_callbacks)
    second_worker = []
    # The second worker gets the same batch while the first is sending it.
    CountingBackend.during_send = lambda: second_worker.append(outbox_send_batch(pks=pks))

    assert outbox_send_batch(pks=pks) == 6

    assert second_worker == [0]
    assert outbox_send_batch(pks=pks) == 0  # and a redelivered task later, once they are sent
    assert received() == [f"person{i}@example.org" for i in range(6)]


def test_a_batch_whose_worker_died_is_sent_again_after_the_sending_timeout(
    django_capture_on_commit_callbacks, settings
):
    settings.OUTBOX_SENDING_TIMEOUT = 60
    pks = write(3, django_capture_on_commit_callbacks)
    with time_machine.travel("2026-12-01 10:00 +0000"):
        outbox._claim(pks, now=outbox.timezone.now())  # claimed, then the worker was killed
        assert outbox_send_batch(pks=pks) == 0  # another worker leaves them to it
    with time_machine.travel("2026-12-01 10:00:59 +0000"):
        assert outbox_send_batch(pks=pks) == 0
    with time_machine.travel("2026-12-01 10:01:01 +0000"):
        assert outbox_send_batch(pks=pks) == 3

    assert received() == [f"person{i}@example.org" for i in range(3)]
    rows = OutboxEmail.objects.filter(pk__in=pks)
    assert set(rows.values_list("status", "attempts")) == {(OutboxStatus.SENT, 1)}


def test_a_batch_past_half_the_sending_timeout_puts_the_rest_back_for_another_task(
    django_capture_on_commit_callbacks, settings, monkeypatch
):
    settings.OUTBOX_SENDING_TIMEOUT = 60
    pks = write(4, django_capture_on_commit_callbacks)
    clock = iter([0.0, 1.0, 2.0, 31.0, 32.0, 33.0])
    monkeypatch.setattr(outbox, "time", SimpleNamespace(monotonic=lambda: next(clock)))
    queued = []
    monkeypatch.setattr(outbox, "_queue_batch_on_commit", queued.append)

    assert outbox_send_batch(pks=pks) == 2

    rows = OutboxEmail.objects.filter(pk__in=pks).order_by("pk")
    assert list(rows.values_list("status", flat=True)) == [
        OutboxStatus.SENT,
        OutboxStatus.SENT,
        OutboxStatus.PENDING,
        OutboxStatus.PENDING,
    ]
    assert queued == [pks[2:]]


def test_queued_emails_are_rendered_written_and_sent_by_one_task_per_batch(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert outbox.outbox_queue_many(messages=messages(2 * SEND_BATCH + 1)) == 2 * SEND_BATCH + 1

    assert len(callbacks) == 3
    assert not OutboxEmail.objects.exists()  # the tasks write the rows, not the caller
    for callback in callbacks:
        callback()
    assert OutboxEmail.objects.filter(status=OutboxStatus.SENT).count() == 2 * SEND_BATCH + 1
    assert CountingBackend.per_connection == [SEND_BATCH, SEND_BATCH, 1]


def test_a_batch_task_that_went_through_the_broker_run_twice_writes_and_sends_once():
    # As the broker carries it: JSON, dates included; then redelivered after its worker died.
    payload = json.loads(json.dumps([dataclasses.asdict(m) for m in messages(4)]))

    assert write_and_send_outbox_emails(payload) == 4
    assert write_and_send_outbox_emails(payload) == 0

    assert received() == [f"person{i}@example.org" for i in range(4)]
    assert OutboxEmail.objects.count() == 4
    assert "15 janvier 2027" in mail.outbox[0].body  # the due date came through as a date


def test_a_batch_task_killed_after_writing_sends_its_rows_when_run_again():
    batch = messages(3)
    outbox._write_rows(batch)  # written, then the worker was killed before sending

    assert outbox.outbox_write_and_send(messages=batch) == 3

    assert received() == [f"person{i}@example.org" for i in range(3)]


def test_writing_and_sending_a_batch_takes_the_same_number_of_queries_whatever_its_size():
    with CaptureQueriesContext(connection) as small:
        assert outbox.outbox_write_and_send(messages=messages(5, prefix="small")) == 5
    with CaptureQueriesContext(connection) as large:
        assert outbox.outbox_write_and_send(messages=messages(SEND_BATCH, prefix="large")) == (
            SEND_BATCH
        )

    assert len(small) == len(large)
