"""The staff console in Chromium: the main lists fit a 1280 px screen without scrolling
sideways, staff switch the console's language by keyboard, and the pages only reached by
posting (an import's preview and its problems, the confirmation before e-mailing, the report
review) pass axe-core with no critical or serious violation, on a laptop and a phone."""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from laureates.demo import LEAD_EMAIL, PASSWORD, WORKSHOPS_EMAIL
from reports.models import ActivityReport, ReportStatus
from workshops.models import Session, WorkshopSeries

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def console_log_in(page, email: str) -> None:
    page.goto("/admin/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    expect(page.locator("#user-tools")).to_be_visible()


def sideways(page) -> int:
    """How many pixels the page is wider than the window."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def blocking_violations(page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [
        f"{v['impact']} {v['id']}: {v['nodes'][0]['target']} {v['nodes'][0]['html'][:120]}"
        for v in results
        if v["impact"] in ("critical", "serious")
    ]


def test_main_console_lists_fit_a_laptop_screen_without_scrolling_sideways(demo, page):
    page.set_viewport_size(LAPTOP)
    series = WorkshopSeries.objects.first()
    # A long theme and reasons: cells wrap instead of widening the table.
    Session.objects.filter(pk=series.sessions.first().pk).update(
        theme="Réviser les partiels de fin de semestre sans s'épuiser ni perdre le sommeil"
    )
    console_log_in(page, LEAD_EMAIL)

    wide = {}
    for path in (
        "/admin/laureates/laureate/",  # the triage: score, reasons, state, in charge
        "/admin/workshops/session/",
        "/admin/reports/activityreport/",
        "/admin/laureates/followup/",
        "/admin/workshops/workshopseries/",
        f"/admin/workshops/workshopseries/{series.pk}/change/",
        "/admin/reports/reportperiod/",
    ):
        page.goto(path)
        if sideways(page) > 0:
            wide[path] = sideways(page)
    assert wide == {}

    # The reasons of the triage get a readable column, not 90 px.
    page.goto("/admin/laureates/laureate/")
    reasons = page.locator("td.field-reasons").first
    assert reasons.bounding_box()["width"] >= 200
    # The periods' title is not under the « create the periods » button.
    page.goto("/admin/reports/reportperiod/")
    title = page.locator("#content h1").bounding_box()
    button = page.locator(".object-tools").bounding_box()
    apart = (
        title["y"] + title["height"] <= button["y"]
        or button["y"] + button["height"] <= title["y"]
        or title["x"] + title["width"] <= button["x"]
        or button["x"] + button["width"] <= title["x"]
    )
    assert apart, (title, button)


def test_staff_switch_the_console_language_by_keyboard(demo, page):
    console_log_in(page, LEAD_EMAIL)
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    language = page.get_by_label("Langue")
    language.focus()
    language.select_option("en")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Changer de langue")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="The programme at a glance")).to_be_visible()
    # Back in French, from any page: the switch comes back to the same page.
    page.goto("/admin/laureates/laureate/")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert page.url.endswith("/admin/laureates/laureate/")


def import_file(page, content: bytes) -> None:
    page.goto("/admin/laureates/laureate/import/")
    page.locator("#id_format").select_option(label="csv")
    page.locator("#id_import_file").set_input_files(
        files=[{"name": "lauréats.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.locator("#content form [type=submit]").click()


@pytest.mark.parametrize("screen", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_pages_reached_by_posting_pass_axe(demo, page, screen):
    page.set_viewport_size(screen)
    found = {}
    console_log_in(page, LEAD_EMAIL)

    import_file(page, b"E-mail;Prenom;Nom;Promo;Parcours\nx@example.org;Ana;B;2024;astrologie\n")
    expect(page.locator("table.import-errors")).to_contain_text("Parcours")
    found["import problems"] = blocking_violations(page)

    import_file(page, b"E-mail;Prenom;Nom;Promo;Parcours\nx@example.org;Ana;B;1999;prepa\n")
    expect(page.locator(".import-new-promotions")).to_contain_text("1999")
    found["import preview"] = blocking_violations(page)

    report = ActivityReport.objects.exclude(status=ReportStatus.DRAFT).first()
    page.goto(f"/admin/reports/activityreport/{report.pk}/change/")
    found["report review"] = blocking_violations(page)

    page.context.clear_cookies()
    console_log_in(page, WORKSHOPS_EMAIL)
    page.goto("/admin/workshops/session/")
    page.locator("#result_list tbody input.action-select").first.check()
    page.locator("select[name=action]").select_option("publish")
    page.locator("#changelist-form button[name=index]").click()
    expect(page.locator("body.confirm-emails")).to_be_visible()
    found["publish confirmation"] = blocking_violations(page)
    assert sideways(page) <= 0

    assert {name: v for name, v in found.items() if v} == {}


def test_an_unexpected_failure_of_an_import_shows_no_traceback(demo, page, monkeypatch):
    from laureates.resources import LaureateResource

    def fail(self, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(LaureateResource, "before_import", fail)
    console_log_in(page, LEAD_EMAIL)

    import_file(page, io.BytesIO(b"email\nx@example.org\n").getvalue())

    assert "Traceback" not in page.content()
    assert "boom" not in page.content()
    expect(page.locator("#content")).to_contain_text("erreur inattendue")
