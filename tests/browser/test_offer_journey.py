"""The demo partner posts an offer and sees the two laureates whose search fits it; one of
them says « je suis intéressé·e » from their page; the demo partnerships staff member (role
Entreprises) passes it on, which puts both sides in touch at once, and records the placement
it led to; the placed laureate leaves the dashboard and the offer's matches."""

import datetime
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from laureates.demo import PARTNER_EMAIL, PARTNERSHIPS_EMAIL
from laureates.demo import PASSWORD as DEMO_PASSWORD
from laureates.models import SearchKind, add_months
from partners.models import Introduction, IntroductionOrigin, IntroductionStatus, Offer
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, LaureateFactory
from tests.partner_factories import SearchFactory, shared

pytestmark = pytest.mark.browser


def test_partner_offer_interest_introduction_and_placement(demo, browser, page, live_server):
    start = add_months(datetime.date.today().replace(day=1), 3)
    search = {
        "kind": SearchKind.INTERNSHIP,
        "field": "Océanographie côtière",
        "place": "Brest",
        "starts_on": start,
    }
    maelle = shared(
        LaureateFactory(
            user__email="maelle.kerouac@example.org",
            user__first_name="Maëlle",
            user__last_name="Kerouac",
        ),
        **search,
    )
    shared(LaureateFactory(user__first_name="Yanis", user__last_name="Le Goff"), **search)
    # Same search, no consent: the company never sees her.
    SearchFactory(
        laureate=LaureateFactory(user__first_name="Solène", user__last_name="Prigent"), **search
    )

    log_in(page, PARTNER_EMAIL, DEMO_PASSWORD)
    page.goto("/partners/offers/new/")
    form = page.locator("form.offer-form")
    form.locator("select[name=kind]").select_option("internship")
    form.locator("input[name=title]").fill("Stage océanographie, station de Brest")
    form.locator("input[name=field]").fill("Océanographie")
    form.locator("input[name=place]").fill("Brest")
    form.locator("input[name=starts_on]").fill(start.isoformat())
    form.locator("input[name=duration_months]").fill("6")
    form.locator("textarea[name=description]").fill("Six mois de campagnes de mesure en mer.")
    closes_on = datetime.date.today() + datetime.timedelta(days=30)
    form.locator("input[name=closes_on]").fill(closes_on.isoformat())
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/partners/offers/\d+/$"))
    offer = Offer.objects.get(title="Stage océanographie, station de Brest")
    matches = page.locator("li.match-card")
    expect(matches).to_have_count(2)
    expect(page.locator("ul.offer-matches")).to_contain_text("Maëlle")
    expect(page.locator("ul.offer-matches")).to_contain_text("Yanis")
    expect(page.locator("ul.offer-matches")).not_to_contain_text("Solène")

    laureate_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    laureate_page = laureate_context.new_page()
    try:
        log_in(laureate_page, maelle.user.email, PASSWORD)
        expect(laureate_page).to_have_url(live_server.url + "/me/")
        card = laureate_page.locator("section.offers-panel")
        card.get_by_role("link", name=re.compile("Stage océanographie")).click()
        expect(laureate_page).to_have_url(live_server.url + f"/offers/{offer.pk}/")
        interest = laureate_page.locator("form.interest-form")
        interest.locator("textarea[name=message]").fill("Je plonge depuis dix ans !")
        interest.locator("button[type=submit]").click()
        expect(laureate_page.locator(".alert-success").first).to_be_visible()
    finally:
        laureate_context.close()

    introduction = Introduction.objects.get(offer=offer)
    assert (introduction.laureate, introduction.origin) == (maelle, IntroductionOrigin.LAUREATE)
    assert introduction.status == IntroductionStatus.PENDING

    staff_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    staff_page = staff_context.new_page()
    try:
        log_in(staff_page, PARTNERSHIPS_EMAIL, DEMO_PASSWORD)
        staff_page.goto("/admin/partners/introduction/?status__exact=pending")
        staff_page.locator(f"input[name=_selected_action][value='{introduction.pk}']").check()
        staff_page.locator("select[name=action]").select_option("forward")
        staff_page.locator("button[name=index]").click()
        expect(staff_page.locator("ul.messagelist .success")).to_be_visible()

        introduction.refresh_from_db()
        assert introduction.status == IntroductionStatus.ACCEPTED
        sent = {message.to[0]: message.body for message in mail.outbox}
        assert PARTNER_EMAIL in sent[maelle.user.email]
        assert maelle.user.email in sent[PARTNER_EMAIL]

        staff_page.goto(f"/admin/partners/introduction/{introduction.pk}/placement/")
        staff_page.locator("#content form input[type=submit]").click()
        expect(staff_page.locator("ul.messagelist .success")).to_be_visible()
    finally:
        staff_context.close()

    introduction.refresh_from_db()
    assert introduction.placement is not None
    assert not maelle.searches.open().exists()

    page.goto(f"/partners/offers/{offer.pk}/")
    expect(page.locator("li.match-card")).to_have_count(1)
    expect(page.locator("ul.offer-matches")).not_to_contain_text("Maëlle")
    page.goto("/partners/?q=oceanographie")
    cards = page.locator("article.laureate-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Yanis")
