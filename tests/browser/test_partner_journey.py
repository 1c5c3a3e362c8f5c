"""The demo partner filters the dashboard, opens a laureate and asks for an introduction; the
demo staff member accepts it in the admin, and both sides are e-mailed."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from laureates.demo import PARTNER_EMAIL, PASSWORD, STAFF_EMAIL
from partners.models import Introduction, IntroductionStatus
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_partner_asks_for_an_introduction_and_staff_accept_it(demo, browser, page, live_server):
    log_in(page, PARTNER_EMAIL, PASSWORD)
    expect(page).to_have_url(live_server.url + "/partners/")

    page.locator("select[name=kind]").select_option("internship")
    page.locator("input[name=place]").fill("Lille")
    page.locator("form.dashboard-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"kind=internship"))
    cards = page.locator("article.laureate-card")
    expect(cards.first).to_contain_text("Lille")
    assert cards.count() < 10  # filtered: fewer than the ten laureates who share their profile

    cards.first.locator("h3 a").click()
    expect(page).to_have_url(re.compile(r"/partners/laureates/\d+/$"))
    laureate_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    form = page.locator("form.introduction-form")
    form.locator("input[name=title]").fill("Stage de quatre mois, bureau de Lille")
    form.locator("input[name=starts_on]").fill("2026-09-01")
    form.locator("input[name=ends_on]").fill("2026-12-31")
    form.locator("input[name=place]").fill("Lille")
    form.locator("textarea[name=message]").fill("Notre équipe stratégie aimerait vous rencontrer.")
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(live_server.url + "/partners/introductions/")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("table.introductions")).to_contain_text("Stage de quatre mois")
    introduction = Introduction.objects.get(laureate_id=laureate_id, title__startswith="Stage de")
    assert introduction.status == IntroductionStatus.PENDING

    staff_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    staff_page = staff_context.new_page()
    try:
        log_in(staff_page, STAFF_EMAIL, PASSWORD)
        staff_page.goto("/admin/partners/introduction/?status__exact=pending")
        staff_page.locator(f"input[name=_selected_action][value='{introduction.pk}']").check()
        staff_page.locator("select[name=action]").select_option("accept")
        staff_page.locator("button[name=index]").click()
        expect(staff_page.locator("ul.messagelist .success")).to_be_visible()
    finally:
        staff_context.close()

    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.ACCEPTED
    recipients = {message.to[0] for message in mail.outbox}
    assert {PARTNER_EMAIL, introduction.laureate.user.email} <= recipients

    page.goto("/partners/introductions/")
    row = page.locator("table.introductions tr", has_text="Stage de quatre mois")
    expect(row.locator(".introduction-status.text-bg-success")).to_be_visible()
