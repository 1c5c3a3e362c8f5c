"""The staff overview in Chromium: the demo's programme lead (a role, not a superuser) opens
/admin/ and sees the panels, their charts and their tables, with the Content-Security-Policy
on; the filters work from the keyboard."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from laureates.demo import LEAD_EMAIL, PASSWORD
from laureates.models import Promotion

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI}`);
});
"""


def test_lead_sees_the_overview_with_charts_and_tables_and_filters_by_keyboard(demo, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.add_init_script(script=RECORD_VIOLATIONS)
    page.goto("/admin/login/")
    page.locator("input[name=username]").fill(LEAD_EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.goto("/admin/")

    expect(page.locator("#overview")).to_be_visible()
    for key in ("reports", "triage", "answers", "sponsorships", "workshops", "partners"):
        expect(page.locator(f"#panel-{key}")).to_be_visible()
    charts = page.locator("#overview svg.pygal-chart")
    assert charts.count() >= 10
    expect(charts.first).to_be_visible()
    assert charts.first.get_attribute("aria-hidden") == "true"
    # Each chart drew something: its bars or lines, styled by the stylesheet (not black).
    assert page.locator("#figure-reports_status svg .series").count() >= 1
    fill = page.evaluate(
        "getComputedStyle(document.querySelector('#overview svg .plot > .background')).fill"
    )
    assert fill in ("rgb(255, 255, 255)", "#ffffff")
    tables = page.locator("#overview table.overview-table")
    assert tables.count() >= 10
    expect(page.locator("#figure-reports_status table tbody tr").first).to_be_visible()
    # The numbers open the lists behind them.

    assert page.locator("#figure-reports_status table a").count() >= 1
    # The list of applications is still on the page.
    expect(page.locator("#app-list")).to_be_attached()
    assert page.evaluate("window.__cspViolations") == []
    violations = [
        f"{v['impact']} {v['id']}: {v['nodes'][0]['target']}"
        for v in Axe().run(page, options=AXE_OPTIONS).response["violations"]
        if v["impact"] in ("critical", "serious")
    ]
    assert violations == []

    # The filters by keyboard: the labelled box, then the button, then Enter.
    promotion = Promotion.objects.order_by("-year").first()
    box = page.locator("#id_promotion")
    assert page.locator("label[for=id_promotion]").count() == 1
    box.focus()
    box.select_option(str(promotion.pk))
    for _field in ("track", "referent", "button"):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: f"promotion={promotion.pk}" in url)
    expect(page.locator("#overview")).to_be_visible()
    assert f"promotion__id__exact={promotion.pk}" in page.content()
    assert page.evaluate("window.__cspViolations") == []

    # On a phone the page is no wider than the screen: tables wrap, charts shrink.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_lead_prints_the_yearly_report_on_a4_without_the_console_around_it(demo, page):
    page.context.add_init_script(script=RECORD_VIOLATIONS)
    page.goto("/admin/login/")
    page.locator("input[name=username]").fill(LEAD_EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.goto("/admin/")
    page.locator(".overview-yearly a").click()
    page.wait_for_url("**/admin/yearly-report/?school_year=*")

    expect(page.locator("#yearly-headline")).to_be_visible()
    assert page.locator("#yearly-report svg.pygal-chart").count() >= 5
    # The script that shows the Print button is a file, allowed by the CSP.
    expect(page.locator("#yearly-report-print")).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []

    page.emulate_media(media="print")
    for console in ("#header", ".breadcrumbs", ".yearly-report-actions"):
        expect(page.locator(console).first).to_be_hidden()
    expect(page.locator("#yearly-headline")).to_be_visible()
    expect(page.locator("#yearly-report svg.pygal-chart").first).to_be_visible()
    # Chromium prints it on A4 (595 × 842 points), each panel from a new page.
    pdf = page.pdf(prefer_css_page_size=True)
    sizes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert sizes and all(
        abs(float(width) - 595.3) < 1 and abs(float(height) - 841.9) < 1 for width, height in sizes
    )
    panels = page.locator("#yearly-report .yearly-panel").count()
    assert len(sizes) >= panels
