"""The quarterly report, as the demo laureate fills it in on the site and their referent
finds it."""

import re
import time

import pytest
from playwright.sync_api import expect

from laureates.demo import LAUREATE_EMAIL, PASSWORD, REFERENT_EMAIL
from reports.models import ActivityReport, ReportPeriod, ReportStatus
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

CONTACT_REASON = re.compile(r"asked to be contacted|demandé à être contacté", re.IGNORECASE)


def wait_until(condition, seconds: float = 5) -> None:
    """Poll ``condition`` for a request the browser sends in the background."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def pick(page, name: str, value: str) -> None:
    page.locator(f"input[name={name}][value='{value}']").check()


def test_laureate_fills_in_the_open_report_and_their_referent_finds_it_with_its_triage_reason(
    demo, page, live_server
):
    period = ReportPeriod.objects.opened().order_by("-year", "-quarter").first()
    url = f"/reports/{period.slug}/"

    log_in(page, LAUREATE_EMAIL, PASSWORD)
    page.goto("/reports/")
    page.locator(f"main a[href='{url}']").click()
    expect(page).to_have_url(live_server.url + url)
    # Search, project and civic action come from the last report, and say so.
    expect(page.locator("#section-search .carried-over")).to_be_visible()
    expect(page.locator("#section-studies .carried-over")).to_have_count(0)
    expect(page.locator("#report-progress-bar")).to_have_attribute("value", "1")

    # Everything but the stress level, then Submit: refused, and nothing is lost.
    pick(page, "studies_rating", "4")
    page.locator("textarea[name=studies_comment]").fill("Semestre dense, mais je tiens bon.")
    pick(page, "sponsor_met", "True")
    pick(page, "project_progress", "3")
    pick(page, "civic_involvement", "4")
    pick(page, "extra__housing", "2")
    page.locator("input[name=wants_contact]").check()
    expect(page.locator("#report-progress-bar")).to_have_attribute("value", "6")
    page.locator("button[name=action][value=submit]").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#div_id_stress']")).to_be_visible()
    expect(page.locator("#div_id_stress .invalid-feedback")).to_be_visible()
    expect(page.locator("textarea[name=studies_comment]")).to_have_value(
        "Semestre dense, mais je tiens bon."
    )
    expect(page.locator("input[name=studies_rating][value='4']")).to_be_checked()
    expect(page.locator("input[name=extra__housing][value='2']")).to_be_checked()
    expect(page.locator("input[name=wants_contact]")).to_be_checked()
    expect(page.locator("input[name=search_field]")).not_to_have_value("")

    # A comment saved by itself when the field is left, then the laureate leaves the page.
    comment = page.locator("textarea[name=comment]")
    comment.fill("Merci pour l'atelier CV.")
    with page.expect_response(lambda r: r.url.endswith(url) and r.request.method == "POST"):
        comment.blur()
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"\d{1,2}:\d{2}"))
    page.goto("/reports/")
    expect(page.locator(f"main a[href='{url}']")).to_be_visible()
    assert ActivityReport.objects.get(period=period, laureate__user__email=LAUREATE_EMAIL).comment

    # Back to the draft: every answer is there; the stress level, then Submit.
    page.goto(url)
    expect(comment).to_have_value("Merci pour l'atelier CV.")
    expect(page.locator("textarea[name=studies_comment]")).to_have_value(
        "Semestre dense, mais je tiens bon."
    )
    expect(page.locator("input[name=wants_contact]")).to_be_checked()
    pick(page, "stress", "4")
    expect(page.locator("#report-progress-bar")).to_have_attribute("value", "7")
    page.locator("button[name=action][value=submit]").click()
    expect(page).to_have_url(live_server.url + "/reports/")
    expect(page.locator(".alert-success")).to_be_visible()
    report = ActivityReport.objects.get(period=period, laureate__user__email=LAUREATE_EMAIL)
    assert report.status == ReportStatus.SUBMITTED
    assert (report.stress, report.wants_contact, report.comment) == (
        4,
        True,
        "Merci pour l'atelier CV.",
    )
    # Read-only from now on.
    page.goto(url)
    expect(page.locator("#report-form")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Merci pour l'atelier CV.")

    # Their referent: the report in the reports list, the reason on the laureate list.
    page.locator("nav form[action='/accounts/logout/'] button").click()
    log_in(page, REFERENT_EMAIL, PASSWORD)
    page.goto("/admin/reports/activityreport/")
    expect(page.locator("#result_list")).to_contain_text("Belkacem")
    page.goto("/admin/laureates/laureate/")
    row = page.locator("#result_list tbody tr", has_text="Belkacem")
    expect(row).to_contain_text(CONTACT_REASON)


def test_an_answer_typed_just_before_leaving_the_page_is_in_the_draft(demo, page, live_server):
    period = ReportPeriod.objects.opened().order_by("-year", "-quarter").first()
    url = f"/reports/{period.slug}/"
    log_in(page, LAUREATE_EMAIL, PASSWORD)
    page.goto(url)
    page.locator("textarea[name=wellbeing_note]").fill("Fatigué·e en ce moment.")

    # Still in the field: the page saves as it goes (sendBeacon on page hide), which
    # reaches the server after the next page has loaded.
    page.goto("/reports/")
    saved = ActivityReport.objects.filter(
        period=period, wellbeing_note="Fatigué·e en ce moment."
    ).exists
    wait_until(saved)

    report = ActivityReport.objects.get(period=period, laureate__user__email=LAUREATE_EMAIL)
    assert report.wellbeing_note == "Fatigué·e en ce moment."
    assert report.status == ReportStatus.DRAFT
