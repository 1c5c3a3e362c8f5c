"""A sponsor asks for a sign-in link, signs in with it, confirms the meeting their laureate
logged and logs one of their own, which the laureate then sees."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from laureates.models import Side, SponsorMeeting
from laureates.sponsors import meeting_log, sponsor_account_give
from tests.factories import LaureateFactory, SponsorFactory, SponsorshipFactory

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+/sponsor/sign-in/link/\?sesame=\S+")


def test_a_sponsor_signs_in_by_link_and_logs_a_meeting(transactional_db, page):
    laureate = LaureateFactory(user__first_name="Inès", user__last_name="Benali")
    sponsor = SponsorFactory(first_name="Marc", email="marc@parrain.example.com")
    sponsor_account_give(sponsor=sponsor)
    sponsorship = SponsorshipFactory(
        laureate=laureate, sponsor=sponsor, started_on=datetime.date(2025, 9, 1)
    )
    meeting_log(
        sponsorship=sponsorship,
        side=Side.LAUREATE,
        date=timezone.localdate() - datetime.timedelta(days=10),
        mode="phone",
    )

    page.goto("/accounts/login/")
    page.locator("main a[href='/sponsor/sign-in/']").click()
    page.locator("main input[name=email]").fill("marc@parrain.example.com")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).to_be_visible()
    (email,) = [m for m in mail.outbox if m.to == ["marc@parrain.example.com"]]
    link = urlsplit(LINK.findall(email.body)[0])

    page.goto(f"{link.path}?{link.query}")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/sponsor/$"))
    page.locator("main h3 a").click()
    page.locator("main .meetings form button[type=submit]").click()
    assert SponsorMeeting.objects.get(logged_by=Side.LAUREATE).is_confirmed

    page.locator("main a[href$='/meetings/new/']").click()
    day = timezone.localdate() - datetime.timedelta(days=2)
    page.locator("main input[name=date]").fill(day.isoformat())
    page.locator("main input[name=mode][value=in_person]").check()
    page.locator("main input[name=topics][value=project]").check()
    page.locator("main textarea[name=note]").fill("Café près de la fac, projet de stage.")
    page.locator("main form button[type=submit]").click()

    expect(page.locator("main .meetings")).to_contain_text("Café près de la fac")
    logged = SponsorMeeting.objects.get(logged_by=Side.SPONSOR)
    assert (logged.date, logged.mode, logged.topics) == (day, "in_person", ["project"])
    assert not logged.is_confirmed
