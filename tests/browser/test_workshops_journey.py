import pytest
from playwright.sync_api import expect

from laureates.demo import LAUREATE_EMAIL, PASSWORD
from tests.browser.conftest import log_in
from workshops.models import Registration

pytestmark = pytest.mark.browser


def test_demo_laureate_registers_for_a_workshop_sees_it_then_cancels(demo, page, live_server):
    log_in(page, LAUREATE_EMAIL, PASSWORD)
    page.goto("/workshops/")
    # The demo laureate is registered for the next session, not for the one after it.
    card = page.locator("article.session").filter(has=page.locator("form[action$='/register/']"))
    card = card.first
    theme = card.locator("h3").inner_text()
    session_pk = int(card.get_attribute("data-session"))

    card.locator("form[action$='/register/'] button").click()

    expect(page.locator(".alert-success")).to_contain_text(theme)
    registered = page.locator(f"article.session[data-session='{session_pk}']")
    expect(registered.locator(".registration-status")).to_be_visible()
    registration = Registration.objects.get(
        session_id=session_pk, laureate__user__email=LAUREATE_EMAIL
    )
    assert registration.status == "confirmed"

    # Cancelling gives the place away: a confirmation page first.
    registered.locator("a[href$='/cancel/']").click()
    expect(page.locator("h1")).to_contain_text("annuler", ignore_case=True)
    assert registration.status == "confirmed"
    page.locator("form[action$='/cancel/'] button[type=submit]").click()

    expect(page.locator(".alert-success")).to_contain_text(theme)
    expect(registered.locator("form[action$='/register/']")).to_be_visible()
    registration.refresh_from_db()
    assert registration.status == "cancelled"
