"""The sponsors' quarterly question, as a sponsor receives it: the « yes » link of the e-mail
records the answer without signing in, a note follows, and their laureate's referent reads
both answers side by side on the report's review page."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from reports.models import ReportPeriod, SponsorCheckin
from reports.reminders import reminders_run
from tests.factories import LaureateFactory, SponsorshipFactory

pytestmark = pytest.mark.browser

LINKS = re.compile(r"https?://\S+/reports/sponsor-checkin/\S+/")


def test_the_quarterly_emails_yes_link_is_recorded_without_signing_in(transactional_db, page):
    today = timezone.localdate()
    ReportPeriod.objects.create(
        year=2026,
        quarter=4,
        opens_on=today - datetime.timedelta(days=20),
        due_on=today + datetime.timedelta(days=7),
    )
    laureate = LaureateFactory(user__first_name="Inès", joined_on=datetime.date(2024, 9, 1))
    sponsorship = SponsorshipFactory(laureate=laureate, sponsor__email="marc@parrain.example.com")
    reminders_run(today=today)
    (email,) = [m for m in mail.outbox if m.to == ["marc@parrain.example.com"]]
    yes = urlsplit(LINKS.findall(email.body)[0]).path

    page.goto(yes)

    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main [data-answer=met]")).to_be_visible()
    checkin = SponsorCheckin.objects.get()
    assert (checkin.sponsorship_id, checkin.answer) == (sponsorship.pk, "met")
    page.locator("main textarea[name=note]").fill("Déjeuner ensemble le 3, tout va bien.")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_be_visible()
    checkin.refresh_from_db()
    assert checkin.note == "Déjeuner ensemble le 3, tout va bien."
    assert checkin.answer == "met"
