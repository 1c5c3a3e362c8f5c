"""A background job's page in Chromium, on a phone: the progress bar moves as the worker
reports rows, then the page offers the file by itself, with the Content-Security-Policy on
(no inline script) and no serious accessibility violation."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from emergence.jobs import job_run
from emergence.models import BackgroundJob, JobStatus, User
from laureates.demo import PARTNER_EMAIL, PASSWORD
from tests.browser.conftest import log_in
from tests.browser.test_overview_page import AXE_OPTIONS, RECORD_VIOLATIONS

pytestmark = pytest.mark.browser


def test_the_progress_bar_moves_then_the_file_is_offered_without_reloading_by_hand(demo, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_init_script(script=RECORD_VIOLATIONS)
    log_in(page, PARTNER_EMAIL, PASSWORD)
    job = BackgroundJob.objects.create(
        owner=User.objects.by_email(PARTNER_EMAIL).get(),
        kind="partner-export",
        title="Export des lauréats",
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        total=200,
        done=50,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )

    page.goto(job.get_absolute_url())

    expect(page.locator("progress")).to_have_attribute("value", "50")
    expect(page.get_by_role("status")).to_contain_text("50 sur 200 lignes")
    violations = [
        f"{v['impact']} {v['id']}: {v['nodes'][0]['target']}"
        for v in Axe().run(page, options=AXE_OPTIONS).response["violations"]
        if v["impact"] in ("critical", "serious")
    ]
    assert violations == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    BackgroundJob.objects.filter(pk=job.pk).update(done=120)
    expect(page.get_by_role("status")).to_contain_text("120 sur 200 lignes")

    BackgroundJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    job_run(pk=job.pk)  # the worker's turn: the demo's laureates, written to the file

    download = page.get_by_role("link", name="Télécharger emergence-laureates-")
    expect(download).to_be_visible()
    with page.expect_download() as event:
        download.click()
    assert event.value.suggested_filename.endswith(".xlsx")
    assert page.evaluate("window.__cspViolations") == []
