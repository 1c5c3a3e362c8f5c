"""A laureate decides whether partner companies see them: give, withdraw, expiry, renewal."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from laureates.models import (
    CONSENT_VERSION,
    Laureate,
    PartnerConsent,
    Status,
    add_months,
    consent_give,
    consent_withdraw,
)
from tests.partner_factories import SearchFactory, expired_consent

pytestmark = pytest.mark.django_db


def test_a_laureate_is_not_shared_with_partners_by_default(laureate):
    assert not Laureate.objects.visible_to_partners().filter(pk=laureate.pk).exists()


def test_giving_consent_records_the_text_version_and_the_time(laureate):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)):
        consent = consent_give(laureate=laureate)
    assert consent.version == CONSENT_VERSION
    assert consent.given_at == datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)
    assert consent.expires_on == datetime.date(2027, 3, 10)
    assert Laureate.objects.visible_to_partners(datetime.date(2026, 3, 10)).get() == laureate


def test_consent_expires_after_twelve_months(laureate):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)):
        consent_give(laureate=laureate)
    visible = Laureate.objects.visible_to_partners
    assert visible(datetime.date(2027, 3, 9)).exists()
    assert not visible(datetime.date(2027, 3, 10)).exists()


def test_consent_to_an_older_text_is_refused(laureate):
    with pytest.raises(ValidationError):
        consent_give(laureate=laureate, version="1999-1")
    assert not PartnerConsent.objects.exists()


def test_withdrawing_hides_the_laureate_and_keeps_the_history(laureate):
    consent_give(laureate=laureate)
    consent_withdraw(laureate=laureate)
    assert not Laureate.objects.visible_to_partners().exists()
    assert PartnerConsent.objects.get().withdrawn_at is not None


def test_renewing_replaces_the_open_consent(laureate):
    first = consent_give(laureate=laureate)
    second = consent_give(laureate=laureate)
    first.refresh_from_db()
    assert first.replaced_at is not None
    assert PartnerConsent.objects.open().get() == second


def test_the_database_refuses_two_open_consents(laureate):
    consent_give(laureate=laureate)
    with pytest.raises(IntegrityError):
        PartnerConsent.objects.create(
            laureate=laureate, version=CONSENT_VERSION, expires_on=datetime.date(2030, 1, 1)
        )


def test_a_laureate_who_left_the_programme_is_not_shared(laureate):
    consent_give(laureate=laureate)
    laureate.status = Status.LEFT
    laureate.save()
    assert not Laureate.objects.visible_to_partners().exists()


def test_twelve_months_after_february_29_is_february_28():
    assert add_months(datetime.date(2028, 2, 29), 12) == datetime.date(2029, 2, 28)
    assert add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)


# The laureate's page


def test_my_page_shows_the_consent_text_and_a_button_to_agree(laureate_client):
    html = laureate_client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sharing with partner companies" in html
    assert "They never see my e-mail address" in html
    assert 'name="decision" value="give"' in html
    assert 'value="withdraw"' not in html


def test_agreeing_on_my_page_shares_my_profile(laureate_client, laureate):
    response = laureate_client.post(
        "/me/consent/", {"decision": "give", "version": CONSENT_VERSION}
    )
    assert response.status_code == 302
    assert Laureate.objects.visible_to_partners().get() == laureate


def test_stop_sharing_asks_for_confirmation_on_a_page_that_works_without_script(
    laureate_client, laureate
):
    consent_give(laureate=laureate)
    html = laureate_client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="decision" value="withdraw"' not in html  # no one-click button any more
    assert 'href="/me/consent/withdraw/"' in html
    page = laureate_client.get("/me/consent/withdraw/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    confirm = page.content.decode()
    assert "Stop sharing your profile?" in confirm
    assert '<form method="post" action="/me/consent/withdraw/"' in confirm
    assert 'type="submit"' in confirm
    assert Laureate.objects.visible_to_partners().exists()  # looking changes nothing

    response = laureate_client.post("/me/consent/withdraw/")
    assert response.status_code == 302
    assert not Laureate.objects.visible_to_partners().exists()


def test_the_stop_sharing_page_sends_back_a_laureate_who_does_not_share(laureate_client, laureate):
    response = laureate_client.get("/me/consent/withdraw/")
    assert response.status_code == 302
    assert response.url == "/me/"


def test_an_expired_consent_prompts_me_to_renew(laureate_client, laureate):
    expired_consent(laureate)
    html = laureate_client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "consent-renew" in html
    assert "Renew for 12 months" in html
    laureate_client.post("/me/consent/", {"decision": "give", "version": CONSENT_VERSION})
    assert Laureate.objects.visible_to_partners().get() == laureate


def test_a_consent_ending_within_a_month_prompts_me_to_renew(laureate_client, laureate):
    consent = consent_give(laureate=laureate)
    PartnerConsent.objects.filter(pk=consent.pk).update(
        expires_on=datetime.date.today() + datetime.timedelta(days=10)
    )
    html = laureate_client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "consent-renew" in html


def test_a_fresh_consent_shows_no_renew_prompt(laureate_client, laureate):
    consent_give(laureate=laureate)
    html = laureate_client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "consent-renew" not in html
    assert "Partner companies see your profile" in html


def test_consent_is_only_changed_by_post(laureate_client, laureate):
    assert laureate_client.get("/me/consent/").status_code == 405


def test_a_partner_cannot_give_consent_for_anyone(partner_client):
    assert partner_client.post("/me/consent/", {"decision": "give"}).status_code == 403
    assert not PartnerConsent.objects.exists()


def test_my_page_keeps_its_query_count_with_consent_and_search(
    client, laureate, django_assert_num_queries
):
    consent_give(laureate=laureate)
    SearchFactory(laureate=laureate)
    client.force_login(laureate.user)
    with django_assert_num_queries(10):  # tests/test_pages.py says which
        assert client.get("/me/").status_code == 200


def test_staff_see_the_consent_history_read_only_on_the_laureate_page(
    partnerships_client, laureate
):
    consent_give(laureate=laureate)
    consent_withdraw(laureate=laureate)
    html = partnerships_client.get(
        f"/admin/laureates/laureate/{laureate.pk}/change/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f"version {CONSENT_VERSION}" in html
    assert "withdrawn" in html
    assert 'name="partner_consent' not in html
