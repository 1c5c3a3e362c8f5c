"""The partner company's pages on a phone (390×844): the first laureate on the first screen,
the filters folded behind « Filtrer », tap-sized names, and the requests list read without
scrolling sideways."""

import re

import pytest
from playwright.sync_api import expect

from laureates.demo import PARTNER_EMAIL, PASSWORD
from partners.models import Introduction, PartnerMembership
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server, demo):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, PARTNER_EMAIL, PASSWORD)
    yield page
    context.close()


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_on_a_phone_the_first_laureate_shows_on_the_first_screen(phone):
    phone.goto("/partners/")
    first = phone.locator("article.laureate-card .laureate-link").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box
    assert box["height"] >= 44, box
    assert page_width(phone) <= PHONE["width"]


def test_on_a_phone_the_filters_wait_behind_the_filter_button(phone):
    phone.goto("/partners/")
    filters = phone.locator("#dashboard-filters")
    expect(filters).to_be_hidden()
    button = phone.get_by_role("button", name="Filtrer")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    expect(filters).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    # Bootstrap swaps « collapsing » for « show » once the filters have finished unfolding.
    expect(filters).to_have_class(re.compile(r"\bshow\b"))
    phone.locator("select[name=kind]").select_option("internship")
    with phone.expect_navigation(url=re.compile(r"kind=internship")):
        phone.locator("form.dashboard-filters button[type=submit]").click()
    expect(phone.get_by_role("button", name="Filtrer")).to_contain_text("1 actif", timeout=10_000)


def test_the_all_choice_of_each_select_filter_reads_in_french(phone):
    phone.goto("/partners/")
    first_choice = {
        name: phone.locator(f"select[name={name}] option").first.text_content()
        for name in ("kind", "track", "study_year", "promotion")
    }
    assert first_choice == {
        "kind": "Tous",
        "track": "Toutes",
        "study_year": "Toutes",
        "promotion": "Toutes",
    }
    assert "---------" not in phone.content()


def test_on_a_phone_the_requests_list_shows_the_status_without_scrolling_sideways(phone):
    company = PartnerMembership.objects.get(user__email=PARTNER_EMAIL).company
    assert Introduction.objects.filter(company=company).exists()
    phone.goto("/partners/introductions/")
    status = phone.locator("table.introductions td[data-label=Statut]").first
    expect(status).to_be_visible()
    box = status.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert page_width(phone) <= PHONE["width"]


def test_on_a_desktop_the_filters_show_without_a_button(page, demo):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, PARTNER_EMAIL, PASSWORD)
    page.goto("/partners/")
    expect(page.locator("#dashboard-filters")).to_be_visible()
    expect(page.get_by_role("button", name="Filtrer")).to_be_hidden()
