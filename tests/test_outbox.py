"""The mail outbox: each e-mail once, only after commit, retried, then failed and re-sendable."""

import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from emergence import outbox
from emergence.models import OutboxEmail, OutboxStatus
from emergence.outbox import (
    MAX_ATTEMPTS,
    backoff_seconds,
    outbox_deliver,
    outbox_enqueue,
    outbox_requeue_stale,
)

pytestmark = pytest.mark.django_db

FAILING_BACKEND = "tests.test_outbox.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """An SMTP server that refuses every message."""

    calls = 0

    def send_messages(self, email_messages):
        FailingBackend.calls += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def enqueue(user, key="test:hello"):
    return outbox_enqueue(
        key=key,
        kind="invitation",
        template="invitation",
        context={"user": user, "url": "https://example.org/x/", "days": 5},
        user=user,
    )


def test_enqueuing_the_same_key_twice_sends_one_email(laureate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue(laureate.user)
        second = enqueue(laureate.user)

    assert first.pk == second.pk
    assert len(mail.outbox) == 1
    first.refresh_from_db()
    assert (first.status, first.attempts) == (OutboxStatus.SENT, 1)
    assert first.sent_at is not None


def test_the_email_is_rendered_in_the_recipients_language(
    laureate, django_capture_on_commit_callbacks
):
    laureate.user.language = "en"
    laureate.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        email = enqueue(laureate.user)

    assert email.language == "en"
    assert mail.outbox[0].subject == "Your Emergence account: choose your password"


def test_a_rolled_back_transaction_sends_nothing(laureate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                enqueue(laureate.user)
                raise RuntimeError("the change that caused the e-mail failed")

    assert mail.outbox == []
    assert not OutboxEmail.objects.exists()


def test_a_row_already_claimed_is_not_sent_again(laureate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = enqueue(laureate.user)

    assert outbox_deliver(pk=email.pk) is None
    assert len(mail.outbox) == 1


def test_a_row_stuck_in_sending_is_claimed_again_after_the_timeout(laureate):
    email = enqueue(laureate.user)  # inside the test transaction: not sent yet
    OutboxEmail.objects.filter(pk=email.pk).update(status=OutboxStatus.SENDING)
    with time_machine.travel("2026-12-01 10:00 +0000"):
        OutboxEmail.objects.filter(pk=email.pk).update(claimed_at=outbox.timezone.now())
        assert outbox_deliver(pk=email.pk) is None
    with time_machine.travel("2026-12-01 10:20 +0000"):
        assert outbox_deliver(pk=email.pk).status == OutboxStatus.SENT
    assert len(mail.outbox) == 1


@override_settings(EMAIL_BACKEND=FAILING_BACKEND)
def test_an_smtp_failure_is_retried_then_marked_failed(
    laureate, django_capture_on_commit_callbacks
):
    FailingBackend.calls = 0
    with django_capture_on_commit_callbacks(execute=True):
        email = enqueue(laureate.user)

    email.refresh_from_db()
    assert FailingBackend.calls == MAX_ATTEMPTS
    assert (email.status, email.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)
    assert "SMTPServerDisconnected" in email.last_error
    assert email.sent_at is None


def test_the_backoff_doubles_and_stays_below_the_brokers_visibility_timeout(settings):
    assert [backoff_seconds(n) for n in (1, 2, 3)] == [60, 120, 240]
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
    assert max(backoff_seconds(n) for n in range(1, 20)) < 300


def test_staff_resend_a_failed_email_from_the_admin(
    lead_client, laureate, django_capture_on_commit_callbacks
):
    with override_settings(EMAIL_BACKEND=FAILING_BACKEND):
        with django_capture_on_commit_callbacks(execute=True):
            email = enqueue(laureate.user)
    sent = enqueue(laureate.user, key="test:already-sent")
    OutboxEmail.objects.filter(pk=sent.pk).update(status=OutboxStatus.SENT, sent_at=sent.created_at)

    lead_client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(
            reverse("admin:emergence_outboxemail_changelist"),
            {"action": "resend", "_selected_action": [email.pk, sent.pk]},
            follow=True,
        )

    assert "1 failed e-mail will be sent again" in response.content.decode()
    email.refresh_from_db()
    assert email.status == OutboxStatus.SENT
    assert [m.to for m in mail.outbox] == [[laureate.user.email]]


def test_the_outbox_list_shows_failed_emails_to_staff(lead_client, laureate):
    email = enqueue(laureate.user)
    OutboxEmail.objects.filter(pk=email.pk).update(
        status=OutboxStatus.FAILED, last_error="SMTPServerDisconnected"
    )

    response = lead_client.get(
        reverse("admin:emergence_outboxemail_changelist"), {"status__exact": "failed"}
    )

    assert response.status_code == 200
    assert laureate.user.email in response.content.decode()


def test_the_sweep_requeues_only_emails_whose_task_was_lost(
    laureate, django_capture_on_commit_callbacks
):
    with time_machine.travel("2026-12-01 10:00 +0000"):
        lost = enqueue(laureate.user, key="test:lost")
    with time_machine.travel("2026-12-01 11:00 +0000"):
        recent = enqueue(laureate.user, key="test:recent")
        with django_capture_on_commit_callbacks(execute=True):
            assert outbox_requeue_stale() == 1

    lost.refresh_from_db()
    recent.refresh_from_db()
    assert (lost.status, recent.status) == (OutboxStatus.SENT, OutboxStatus.PENDING)
