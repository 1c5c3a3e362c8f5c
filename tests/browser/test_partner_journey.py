"""The demo partner filters the dashboard, opens a laureate and asks for an introduction; the
demo partnerships staff member (role Entreprises, not superuser) passes it on in the admin;
the laureate finds it on their page and accepts; both sides are e-mailed the other's contact."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from laureates.demo import PARTNER_EMAIL, PARTNERSHIPS_EMAIL, PASSWORD
from partners.models import Introduction, IntroductionStatus
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_partner_asks_staff_pass_it_on_and_the_laureate_accepts(demo, browser, page, live_server):
    log_in(page, PARTNER_EMAIL, PASSWORD)
    expect(page).to_have_url(live_server.url + "/partners/")

    page.locator("select[name=kind]").select_option("internship")
    page.locator("input[name=place]").fill("Lille")
    page.locator("form.dashboard-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"kind=internship"))
    cards = page.locator("article.laureate-card")
    expect(cards.first).to_contain_text("Lille")
    assert cards.count() < 10  # filtered: fewer than the laureates who share their profile

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
    row = page.locator("table.introductions tr", has_text="Stage de quatre mois")
    expect(row.locator(".introduction-status.status-pending")).to_be_visible()
    introduction = Introduction.objects.get(laureate_id=laureate_id, title__startswith="Stage de")
    assert introduction.status == IntroductionStatus.PENDING
    laureate_user = introduction.laureate.user

    staff_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    staff_page = staff_context.new_page()
    try:
        log_in(staff_page, PARTNERSHIPS_EMAIL, PASSWORD)
        staff_page.goto("/admin/partners/introduction/?status__exact=pending")
        staff_page.locator(f"input[name=_selected_action][value='{introduction.pk}']").check()
        staff_page.locator("select[name=action]").select_option("forward")
        staff_page.locator("button[name=index]").click()
        expect(staff_page.locator("ul.messagelist .success")).to_be_visible()
    finally:
        staff_context.close()

    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.FORWARDED
    # Passed on: the laureate is told (the referent was, of the request), and no contact
    # detail has reached either side yet.
    told = {message.to[0]: message.body for message in mail.outbox}
    assert laureate_user.email in told and PARTNER_EMAIL not in told
    assert PARTNER_EMAIL not in told[laureate_user.email]

    laureate_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    laureate_page = laureate_context.new_page()
    try:
        log_in(laureate_page, laureate_user.email, PASSWORD)
        expect(laureate_page).to_have_url(live_server.url + "/me/")
        card = laureate_page.locator("section.introductions-panel")
        expect(card).to_contain_text("Stage de quatre mois")
        card.get_by_role("link", name=re.compile("Stage de quatre mois")).click()
        expect(laureate_page).to_have_url(live_server.url + f"/me/introductions/{introduction.pk}/")
        answer = laureate_page.locator("form.introduction-answer")
        answer.locator("textarea[name=message]").fill("Avec plaisir, je suis libre le mardi.")
        answer.locator("button[value=accept]").click()
        expect(laureate_page.locator(".alert-success").first).to_be_visible()
        expect(laureate_page.locator(".introduction-status.status-accepted")).to_be_visible()
    finally:
        laureate_context.close()

    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.ACCEPTED
    sent = {message.to[0]: message.body for message in mail.outbox}
    assert PARTNER_EMAIL in sent[laureate_user.email]
    assert laureate_user.email in sent[PARTNER_EMAIL]
    assert "je suis libre le mardi" in sent[PARTNER_EMAIL]

    page.goto("/partners/introductions/")
    row = page.locator("table.introductions tr", has_text="Stage de quatre mois")
    expect(row.locator(".introduction-status.status-accepted")).to_be_visible()
