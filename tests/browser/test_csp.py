"""Every front page and the main console pages in Chromium, with the Content-Security-Policy
on: not one violation, on loading the page or using its widgets (calendar, autocomplete, the
export's "Select all", the report's autosave). And a violation, when there is one, is reported
to the project and logged."""

import io
import logging
import time

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask
from playwright.sync_api import expect

from emergence import roles
from laureates.demo import LAUREATE_EMAIL, PARTNER_EMAIL, PASSWORD, STAFF_EMAIL
from laureates.models import Laureate, Promotion
from reports.models import ActivityReport, ReportPeriod, ReportStatus
from tests.browser.conftest import log_in
from tests.factories import PASSWORD as ROLE_PASSWORD
from tests.factories import RoleStaffFactory
from workshops.models import Session

pytestmark = pytest.mark.browser

# Runs in each new document before its own scripts, outside the page's policy.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ` +
    `${event.sourceFile}:${event.lineNumber} ${event.sample}`
  );
});
"""


class Watch:
    """Visits pages in one tab and collects, per page, what the policy blocked: the events the
    page saw and the console's "Refused to ..." messages (pop-ups' included); at the end, the
    reports that reached /csp-report/ too."""

    def __init__(self, page, caplog):
        self.page = page
        self.caplog = caplog
        self.found: dict[str, list[str]] = {}
        self._console: list[str] = []
        page.context.add_init_script(RECORD_VIOLATIONS)
        page.context.on("console", self._on_console)
        caplog.set_level(logging.WARNING, logger="emergence.csp")

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self._console.append(message.text)

    def visit(self, path: str, then=None) -> None:
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        self.page.wait_for_load_state("networkidle")
        if then is not None:
            then(self.page)
            self.page.wait_for_load_state("networkidle")
        self.record(path)

    def record(self, label: str) -> None:
        seen = self.page.evaluate("window.__cspViolations") + self._console
        self._console = []
        if seen:
            self.found[label] = seen

    def assert_clean(self) -> None:
        reported = [r.getMessage() for r in self.caplog.records if r.name == "emergence.csp"]
        if reported:
            self.found["reported to /csp-report/"] = reported
        assert self.found == {}, "\n".join(
            f"{page}:\n  " + "\n  ".join(lines) for page, lines in self.found.items()
        )


def fill_a_report_answer(page) -> None:
    comment = page.locator("textarea[name=comment]")
    comment.fill("Tout va bien.")
    with page.expect_response(lambda r: r.request.method == "POST"):
        comment.blur()  # the autosave posts the form with fetch (connect-src)


def test_every_front_page_runs_without_a_violation(demo, page, caplog):
    period = ReportPeriod.objects.opened().order_by("-year", "-quarter").first()
    shared = Laureate.objects.visible_to_partners().first()
    watch = Watch(page, caplog)

    watch.visit("/accounts/login/")
    watch.visit("/accounts/password_reset/")

    log_in(page, LAUREATE_EMAIL, PASSWORD)
    watch.record("laureate's landing")
    for path in ("/me/", "/me/edit/", "/reports/", "/workshops/", "/partners/cooptation/"):
        watch.visit(path)
    watch.visit(f"/reports/{period.slug}/", then=fill_a_report_answer)
    page.locator("form.language-switcher button[value=en]").click()
    page.wait_for_load_state("networkidle")
    watch.record("language switch")
    page.context.clear_cookies()

    log_in(page, PARTNER_EMAIL, PASSWORD)
    watch.record("partner's landing")
    watch.visit("/partners/")
    watch.visit(f"/partners/laureates/{shared.pk}/")
    watch.visit("/partners/introductions/")

    watch.assert_clean()


def open_calendar_and_clock(page) -> None:
    """The admin's date and time shortcuts position their pop-ups with inline styles."""
    page.locator(".datetimeshortcuts a[id^=calendarlink]").first.click()
    expect(page.locator(".calendarbox").first).to_be_visible()
    page.locator(".datetimeshortcuts a[id^=clocklink]").first.click()
    expect(page.locator(".clockbox").first).to_be_visible()


def search_a_promotion(page) -> None:
    """Autocomplete (select2) opens a drop-down and asks the server while typing."""
    page.locator(".field-promotion .select2-selection").click()
    with page.expect_response(lambda r: "/admin/autocomplete/" in r.url):
        page.locator(".select2-search__field").fill("20")
    expect(page.locator(".select2-results__option").first).to_be_visible()


def add_a_promotion_in_a_popup(page) -> None:
    """The "+" next to a field opens the add form in a pop-up; saving it answers with the popup
    response page, which hands the new promotion to the opener (COOP same-origin keeps it)."""
    with page.expect_popup() as opened:
        page.locator("#add_id_promotion").click()
    popup = opened.value
    popup.locator("input[name=year]").fill("2031")
    with popup.expect_event("close"):
        popup.locator("input[name=_save]").click()
    expect(page.locator("#id_promotion")).to_have_value(str(Promotion.objects.get(year=2031).pk))


def untick_select_all(page) -> None:
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]')
    expect(fields.first).to_be_checked()
    page.locator("input.select-toggle").uncheck()
    for checkbox in fields.all():
        expect(checkbox).not_to_be_checked()
    page.locator("input.select-toggle").check()
    expect(fields.first).to_be_checked()


def test_the_main_console_pages_run_without_a_violation(demo, page, caplog):
    lead = RoleStaffFactory(email="direction@example.org", role=roles.LEAD)
    laureate = Laureate.objects.get(user__email=LAUREATE_EMAIL)
    report = ActivityReport.objects.filter(status=ReportStatus.SUBMITTED).first()
    session = Session.objects.order_by("starts_at").first()
    watch = Watch(page, caplog)

    log_in(page, lead.email, ROLE_PASSWORD)
    watch.record("lead's landing")
    watch.visit("/admin/")
    watch.visit("/admin/laureates/laureate/")
    watch.visit("/admin/laureates/laureate/?attention=yes")
    watch.visit(f"/admin/laureates/laureate/{laureate.pk}/change/", then=search_a_promotion)
    watch.visit(f"/admin/laureates/laureate/{laureate.pk}/change/", then=add_a_promotion_in_a_popup)
    watch.visit("/admin/reports/activityreport/")
    watch.visit(f"/admin/reports/activityreport/{report.pk}/change/")
    watch.visit("/admin/reports/reportperiod/")
    watch.visit("/admin/laureates/laureate/import/")
    watch.visit("/admin/laureates/laureate/export/", then=untick_select_all)
    watch.visit(f"/admin/workshops/session/{session.pk}/change/", then=open_calendar_and_clock)
    watch.visit(f"/workshops/sessions/{session.pk}/attendance/")
    watch.visit("/admin/partners/introduction/")

    watch.assert_clean()


def test_the_periodic_tasks_page_explains_its_crontab_without_an_inline_script(demo, page, caplog):
    """django-celery-beat's page, for the technical administrator (a superuser)."""
    call_command("setup_beat", stdout=io.StringIO())
    watch = Watch(page, caplog)
    log_in(page, STAFF_EMAIL, PASSWORD)
    task = PeriodicTask.objects.filter(crontab__isnull=False).first()

    watch.visit(f"/admin/django_celery_beat/periodictask/{task.pk}/change/")
    expect(page.locator(".field-crontab_translation")).to_be_hidden()
    page.locator("#id_crontab").select_option(index=1)
    page.locator("#id_crontab").dispatch_event("change")
    expect(page.locator(".field-crontab .help")).to_contain_text("Translation:")
    watch.record("crontab changed")

    watch.assert_clean()


def test_a_violation_is_reported_to_the_project_and_logged(demo, page, caplog):
    watch = Watch(page, caplog)
    watch.visit("/accounts/login/")
    # What an injected script would do: the policy blocks it, the browser reports it.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
        }"""
    )
    deadline = time.monotonic() + 5
    while not [r for r in caplog.records if r.name == "emergence.csp"]:
        assert time.monotonic() < deadline, "no report reached /csp-report/"
        time.sleep(0.05)

    assert page.evaluate("window.injected") is None
    assert any("script-src" in line for line in page.evaluate("window.__cspViolations"))
    [record] = [r for r in caplog.records if r.name == "emergence.csp"]
    assert "/accounts/login/" in record.getMessage()
