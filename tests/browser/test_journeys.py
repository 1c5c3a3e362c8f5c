import re

import pytest
from playwright.sync_api import expect

from laureates.demo import LAUREATE_EMAIL, PARTNER_EMAIL, PASSWORD, STAFF_EMAIL
from laureates.models import Laureate
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("email", "landing"),
    [(STAFF_EMAIL, "/admin/"), (LAUREATE_EMAIL, "/me/"), (PARTNER_EMAIL, "/partners/")],
)
def test_each_demo_login_lands_on_its_page(demo, page, live_server, email, landing):
    log_in(page, email, PASSWORD)
    expect(page).to_have_url(live_server.url + landing)


def test_laureate_edits_their_city_and_sees_it_saved(demo, page, live_server):
    log_in(page, LAUREATE_EMAIL, PASSWORD)
    expect(page).to_have_url(live_server.url + "/me/")
    page.goto("/me/edit/")
    page.locator("input[name=city]").fill("Marseille")
    page.locator("main form [type=submit]").click()
    expect(page).to_have_url(live_server.url + "/me/")
    expect(page.locator(".alert-success")).to_be_visible()
    assert Laureate.objects.get(user__email=LAUREATE_EMAIL).city == "Marseille"


def test_laureate_sees_french_then_switches_to_english(demo, page, live_server):
    log_in(page, LAUREATE_EMAIL, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.locator("form.language-switcher button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/me/$"))


def test_staff_opens_the_laureate_list(demo, page, live_server):
    log_in(page, STAFF_EMAIL, PASSWORD)
    page.goto("/admin/laureates/laureate/")
    expect(page.locator("#result_list")).to_contain_text("Belkacem")
