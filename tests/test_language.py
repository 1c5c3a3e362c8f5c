import pytest


def test_a_user_who_switches_to_english_gets_english_emails_too(laureate_client, laureate):
    response = laureate_client.post("/i18n/setlang/", {"language": "en", "next": "/me/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    laureate.user.refresh_from_db()
    assert laureate.user.language == "en"


def test_an_unknown_language_changes_nothing(laureate_client, laureate):
    laureate_client.post("/i18n/setlang/", {"language": "xx", "next": "/me/"})
    laureate.user.refresh_from_db()
    assert laureate.user.language == "fr"


def test_logging_in_brings_back_the_users_language(client, laureate, password):
    laureate.user.language = "en"
    laureate.user.save()
    response = client.post(
        "/accounts/login/", {"username": laureate.user.email, "password": password}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


@pytest.mark.django_db
def test_login_form_asks_for_an_email_with_the_email_keyboard(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'type="email"' in html
    assert 'autocomplete="username"' in html
