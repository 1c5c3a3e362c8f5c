"""Logging in and out, resetting a password, the invitation e-mail and the language switcher."""

import re

import pytest
from django.core import mail
from django.utils.html import escape

from emergence.accounts import user_invite
from tests.factories import PASSWORD

NEW_PASSWORD = "a-brand-new-passphrase-42"


def _link_in(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", body)
    assert match, body
    return match.group(1)


def _set_password_through(client, link: str):
    response = client.get(link)  # Django swaps the token for a session marker...
    assert response.status_code == 302
    response = client.get(response.url)  # ...then shows the form.
    assert response.status_code == 200
    assert response.context["validlink"]
    return client.post(
        response.request["PATH_INFO"],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


def test_laureate_logs_in_with_their_email_and_lands_on_their_page(client, laureate):
    response = client.post(
        "/accounts/login/", {"username": "ines.laureate@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(response.url).url == "/me/"


def test_login_accepts_the_email_in_another_case(client, laureate):
    response = client.post(
        "/accounts/login/", {"username": "Ines.Laureate@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_login_with_the_wrong_password_shows_an_error_and_keeps_the_email(client, laureate):
    response = client.post(
        "/accounts/login/", {"username": "ines.laureate@example.org", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    errors = response.context["form"].non_field_errors()
    assert errors
    html = response.content.decode()
    assert "alert-danger" in html
    assert escape(errors[0]) in html
    assert 'value="ines.laureate@example.org"' in html


@pytest.mark.django_db
def test_login_page_labels_the_email_and_password_fields(client):
    html = client.get("/accounts/login/").content.decode()
    assert re.search(r'<label\s+for="id_username"', html)
    assert re.search(r'<label\s+for="id_password"', html)


def test_logout_is_a_post_that_ends_the_session(laureate_client):
    response = laureate_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    assert laureate_client.get("/me/").status_code == 302


def test_the_navigation_offers_a_logout_button_not_a_link(laureate_client):
    html = laureate_client.get("/me/").content.decode()
    assert re.search(r'<form method="post" action="/accounts/logout/"', html)


def test_password_reset_emails_a_link_that_sets_a_password_to_log_in_with(
    client, laureate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password_reset/", {"email": "ines.laureate@example.org"})
    assert response.status_code == 302
    assert response.url == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ines.laureate@example.org"]
    assert "Emergence" in message.subject

    response = _set_password_through(client, _link_in(message.body))
    assert response.status_code == 302
    assert response.url == "/accounts/reset/done/"
    assert client.get(response.url).status_code == 200

    assert client.login(username="ines.laureate@example.org", password=NEW_PASSWORD)
    assert not client.login(username="ines.laureate@example.org", password=PASSWORD)


def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password_reset/", {"email": "nobody-here@example.org"})
    assert response.status_code == 302
    assert response.url == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_a_password_reset_link_works_only_once(
    client, laureate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password_reset/", {"email": "ines.laureate@example.org"})
    link = _link_in(mail.outbox[0].body)
    _set_password_through(client, link)
    client.logout()
    response = client.get(link, follow=True)
    assert not response.context["validlink"]
    assert "/accounts/password_reset/" in response.content.decode()


def test_invitation_email_has_the_link_as_a_button_and_as_text(
    laureate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user_invite(user=laureate.user)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = re.search(r"http\S+/accounts/reset/\S+/", message.body).group(0)
    assert html.count(f'href="{link}"') == 2  # the button and the address to copy
    assert f">{link}</a>" in html
    assert "Inès" in message.body
    assert "ines.laureate@example.org" in message.body
    assert "{%" not in message.body + html + message.subject


def test_invited_user_chooses_a_password_from_the_email_and_logs_in(
    client, laureate, django_capture_on_commit_callbacks
):
    laureate.user.set_unusable_password()
    laureate.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        user_invite(user=laureate.user)

    response = _set_password_through(client, _link_in(mail.outbox[0].body))

    assert response.url == "/accounts/reset/done/"
    assert client.login(username="ines.laureate@example.org", password=NEW_PASSWORD)


def test_language_switcher_switches_to_english_and_back(laureate_client):
    page = laureate_client.get("/me/")
    assert page["Content-Language"] == "fr"
    assert '<html lang="fr">' in page.content.decode()

    response = laureate_client.post("/i18n/setlang/", {"language": "en", "next": "/me/"})
    assert response.status_code == 302
    assert response.url == "/me/"
    assert response.cookies["django_language"].value == "en"
    page = laureate_client.get("/me/")
    assert page["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()

    laureate_client.post("/i18n/setlang/", {"language": "fr", "next": "/me/"})
    page = laureate_client.get("/me/")
    assert page["Content-Language"] == "fr"
    assert '<html lang="fr">' in page.content.decode()


@pytest.mark.django_db
def test_language_switcher_is_on_the_login_page_and_returns_to_it(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert 'name="next" type="hidden" value="/accounts/login/"' in html
    for code in ("fr", "en"):
        assert f'name="language" value="{code}"' in html


def test_a_forgotten_password_for_a_never_activated_account_sends_a_fresh_invitation(
    client, laureate, django_capture_on_commit_callbacks
):
    laureate.user.set_unusable_password()
    laureate.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password_reset/", {"email": "Ines.Laureate@example.org"})
    # The same answer as for any address.
    assert response.status_code == 302
    assert response.url == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ines.laureate@example.org"]
    response = _set_password_through(client, _link_in(message.body))
    assert response.url == "/accounts/reset/done/"
    assert client.login(username="ines.laureate@example.org", password=NEW_PASSWORD)


def test_a_never_activated_account_that_was_deactivated_gets_no_invitation(
    client, laureate, django_capture_on_commit_callbacks
):
    laureate.user.set_unusable_password()
    laureate.user.is_active = False
    laureate.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password_reset/", {"email": "ines.laureate@example.org"})
    assert response.url == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_the_french_login_error_reads_well_and_does_not_call_the_email_case_sensitive(
    client, laureate
):
    response = client.post(
        "/accounts/login/", {"username": "ines.laureate@example.org", "password": "wrong"}
    )
    html = response.content.decode()
    assert "Saisissez une adresse e-mail et un mot de passe valides." in html
    assert "majuscules" not in html
    assert "Saisissez un adresse" not in html
