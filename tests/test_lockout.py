"""Sign-in lockout (django-axes), the client's address behind the proxy, and password-reset
requests: limited, written to the outbox, the same answer for known and unknown addresses."""

import datetime
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.test import RequestFactory, override_settings
from django.utils import timezone

from emergence.models import OutboxEmail, OutboxStatus
from emergence.outbox import outbox_resend
from emergence.security import client_ip
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
RESET = "/accounts/password_reset/"
EMAIL = "ines.laureate@example.org"


def sign_in(client, email=EMAIL, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def fail(client, times, email=EMAIL, **extra):
    return [sign_in(client, email, "wrong-password", **extra) for _ in range(times)]


def text(response) -> str:
    """The page's words, without the CSRF token that changes from one page to the next."""
    html = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# Lockout ------------------------------------------------------------------------------------


def test_four_failures_still_show_the_login_form(client, laureate):
    responses = fail(client, 4)
    assert [r.status_code for r in responses] == [200] * 4
    assert "alert-danger" in responses[-1].content.decode()


def test_five_failures_lock_and_the_sixth_try_with_the_right_password_is_refused(client, laureate):
    fifth = fail(client, 5)[-1]
    assert fifth.status_code == 429
    assert "15 minutes" in fifth.content.decode()

    sixth = sign_in(client)
    assert sixth.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Trop de tentatives" in sixth.content.decode()


def test_the_locked_page_is_the_same_for_an_unknown_account(client, laureate):
    known = fail(client, 5)[-1]
    unknown = fail(client, 5, email="nobody-at-all@example.org")[-1]

    assert known.status_code == unknown.status_code == 429
    assert text(known) == text(unknown)
    assert EMAIL not in text(known)


def test_the_locked_page_reads_in_english(client, laureate):
    client.cookies["django_language"] = "en"
    locked = fail(client, 5)[-1]
    html = locked.content.decode()
    assert "Too many failed attempts with this e-mail address" in html
    assert "paused for 15 minutes" in html


def test_the_lock_is_for_that_email_from_that_address_only(client, laureate, other_laureate):
    fail(client, 5, REMOTE_ADDR="203.0.113.5")

    assert sign_in(client, REMOTE_ADDR="198.51.100.7").status_code == 302  # another address
    client.logout()
    other = sign_in(client, "yanis.laureate@example.org", REMOTE_ADDR="203.0.113.5")
    assert other.status_code == 302  # another account from the same address


def test_the_email_is_counted_whatever_its_case(client, laureate):
    for email in ("Ines.Laureate@example.org", "INES.LAUREATE@EXAMPLE.ORG", EMAIL) * 2:
        sign_in(client, email, "wrong-password")
    assert sign_in(client).status_code == 429


def test_the_lock_lifts_after_15_minutes(client, laureate):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, 5)
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert sign_in(client).status_code == 429
    # A try during the lock counts as a failure: the 15 minutes run from the last one.
    with time_machine.travel(start + datetime.timedelta(minutes=30), tick=False):
        assert sign_in(client).status_code == 302


def test_a_success_resets_the_count(client, laureate):
    fail(client, 4)
    assert sign_in(client).status_code == 302
    client.logout()
    responses = fail(client, 4)
    assert [r.status_code for r in responses] == [200] * 4
    assert sign_in(client).status_code == 302


def test_the_programme_lead_sees_the_lockout_and_unlocks_it_in_the_console(client, laureate, lead):
    fail(client, 5)
    attempt = AccessAttempt.objects.get()
    assert attempt.username == EMAIL
    assert "wrong-password" not in attempt.post_data

    client.force_login(lead)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert EMAIL in listing.content.decode()
    response = client.post(
        f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()
    client.logout()

    assert sign_in(client).status_code == 302


def test_a_referent_cannot_unlock(client, laureate, referent):
    fail(client, 5)
    client.force_login(referent)
    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_the_admin_login_page_is_locked_too(client, lead):
    for _ in range(5):
        client.post("/admin/login/", {"username": lead.email, "password": "wrong-password"})
    response = client.post("/admin/login/", {"username": lead.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_test_clients_login_and_force_login_still_work(client, laureate):
    assert client.login(username=EMAIL, password=PASSWORD)
    client.logout()
    client.force_login(laureate.user)
    assert client.get("/me/").status_code == 200


# The client's address ------------------------------------------------------------------------


def test_without_a_configured_header_the_address_is_the_connections_own():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_ip(request) == "10.0.0.2"


@override_settings(CLIENT_IP_HEADER="X-Forwarded-For", CLIENT_IP_PROXY_COUNT=1)
def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended():
    factory = RequestFactory()
    # The client wrote the first entry itself; the proxy appended the address it saw.
    request = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert client_ip(request) == "203.0.113.5"
    assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    garbage = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(garbage) == "10.0.0.2"


@override_settings(CLIENT_IP_HEADER="X-Forwarded-For", CLIENT_IP_PROXY_COUNT=2)
def test_with_two_proxies_the_address_is_the_second_from_the_right():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5, 10.0.0.2"
    )
    assert client_ip(request) == "203.0.113.5"


@override_settings(CLIENT_IP_HEADER="X-Forwarded-For")
def test_behind_the_proxy_a_forged_header_does_not_escape_the_lockout(client, laureate):
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        fail(client, 1, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.5")
    locked = sign_in(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.5")
    assert locked.status_code == 429
    # Another client behind the same proxy is not locked out.
    other = sign_in(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code == 302


# Password reset --------------------------------------------------------------------------------


def reset(client, email=EMAIL, **extra):
    return client.post(RESET, {"email": email}, **extra)


def test_the_reset_request_writes_an_outbox_row_and_sends_nothing_inline(
    client, laureate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = reset(client)

    assert response.status_code == 302
    assert response.url == "/accounts/password_reset/done/"
    row = OutboxEmail.objects.get(kind="password-reset")
    assert (row.to, row.user, row.status) == (EMAIL, laureate.user, OutboxStatus.PENDING)
    assert "/accounts/reset/" in row.text
    assert mail.outbox == []  # the request only wrote the row...
    assert len(callbacks) == 1

    for callback in callbacks:  # ...the task queued on commit sends it
        callback()
    assert [message.to for message in mail.outbox] == [[EMAIL]]
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT


def test_known_and_unknown_addresses_get_the_same_answer(
    client, laureate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = reset(client)
        unknown = reset(client, "nobody-at-all@example.org")

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert len(mail.outbox) == 1
    assert OutboxEmail.objects.filter(kind="password-reset").count() == 1


def test_the_reset_email_is_in_the_persons_language_with_djangos_link(
    client, laureate, django_capture_on_commit_callbacks
):
    laureate.user.language = "en"
    laureate.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        reset(client)
    message = mail.outbox[0]
    assert message.subject == "Choose a new password for Emergence"
    link = re.search(r"http://127.0.0.1:8000(/accounts/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert link, message.body
    html, _mimetype = message.alternatives[0]
    assert f'href="http://127.0.0.1:8000{link.group(1)}"' in html
    assert client.get(link.group(1)).status_code == 302  # Django's token, swapped for the form


@override_settings(EMAIL_BACKEND="tests.test_outbox.FailingBackend")
def test_with_the_mail_server_down_the_reset_email_waits_in_the_outbox_to_be_sent_again(
    client, laureate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = reset(client)
    assert response.status_code == 302
    row = OutboxEmail.objects.get(kind="password-reset")
    assert row.status == OutboxStatus.FAILED
    assert row.attempts > 1
    assert "SMTPServerDisconnected" in row.last_error

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        with django_capture_on_commit_callbacks(execute=True):
            outbox_resend(emails=OutboxEmail.objects.filter(pk=row.pk))
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert [message.to for message in mail.outbox] == [[EMAIL]]


def test_reset_requests_are_limited_per_email(client, laureate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [reset(client, REMOTE_ADDR=f"203.0.113.{n}") for n in range(1, 6)]

    assert {(a.status_code, a.url) for a in answers} == {(302, "/accounts/password_reset/done/")}
    assert OutboxEmail.objects.filter(kind="password-reset").count() == 3
    assert len(mail.outbox) == 3


def test_reset_requests_are_limited_per_address(
    client, django_capture_on_commit_callbacks, settings
):
    users = [UserFactory(email=f"person{n}@example.org") for n in range(12)]
    with django_capture_on_commit_callbacks(execute=True):
        answers = [reset(client, user.email, REMOTE_ADDR="203.0.113.9") for user in users]
        other_address = reset(client, "person11@example.org", REMOTE_ADDR="198.51.100.7")

    assert {a.url for a in answers} == {"/accounts/password_reset/done/"}
    sent_to = {message.to[0] for message in mail.outbox}
    assert len(sent_to) == 11  # 10 from the first address, then one from another
    assert "person10@example.org" not in sent_to
    assert other_address.url == "/accounts/password_reset/done/"


def test_reset_limits_start_again_the_next_hour(
    client, laureate, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(start, tick=False):
            for _ in range(4):
                reset(client)
        with time_machine.travel(start + datetime.timedelta(hours=1, minutes=1), tick=False):
            reset(client)
    assert OutboxEmail.objects.filter(kind="password-reset").count() == 4
