"""A big import in Chromium, on a laptop and a phone: the console sends the lead to the job's
progress page, which shows the preview by itself once a worker has checked the file; the
lead confirms, and the import's page says what was imported, with a link back to the list.
No inline script (the Content-Security-Policy is on) and no serious axe violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from emergence.jobs import job_run
from emergence.models import BackgroundJob
from emergence.spreadsheets.background import IMPORT, IMPORT_PREVIEW
from laureates.demo import LEAD_EMAIL
from laureates.models import Laureate
from tests.browser.test_console import console_log_in, import_file
from tests.browser.test_overview_page import AXE_OPTIONS, RECORD_VIOLATIONS

pytestmark = pytest.mark.browser


def blocking_violations(page) -> list[str]:
    return [
        f"{v['impact']} {v['id']}: {v['nodes'][0]['target']}"
        for v in Axe().run(page, options=AXE_OPTIONS).response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


@pytest.mark.parametrize(
    "screen",
    [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
    ids=["laptop", "phone"],
)
def test_a_big_import_goes_from_the_progress_bar_to_the_preview_then_to_the_import(
    demo, page, settings, monkeypatch, screen
):
    settings.BACKGROUND_IMPORT_ROWS = 10
    # No worker yet: the test plays its part once the page shows the progress bar.
    monkeypatch.setattr("emergence.jobs.transaction.on_commit", lambda callback: None)
    page.set_viewport_size(screen)
    page.context.add_init_script(script=RECORD_VIOLATIONS)
    console_log_in(page, LEAD_EMAIL)
    rows = "".join(f"grand{n}@example.org;Ana{n};Roux;2024;prépa\n" for n in range(15))
    found = {}

    import_file(page, ("E-mail;Prénom;Nom;Promotion;Filière\n" + rows).encode())

    expect(page.locator("progress")).to_be_visible()
    found["progress"] = blocking_violations(page)
    job_run(pk=BackgroundJob.objects.get(kind=IMPORT_PREVIEW).pk)
    expect(page.locator("table.import-preview")).to_contain_text("grand14@example.org")
    found["preview"] = blocking_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    page.get_by_role("button", name="Confirmer l’importation").click()
    expect(page.locator("progress")).to_be_visible()
    job_run(pk=BackgroundJob.objects.get(kind=IMPORT).pk)
    back = page.locator("main a[href='/admin/laureates/laureate/']")
    expect(back).to_be_visible()
    found["import"] = blocking_violations(page)

    assert Laureate.objects.filter(user__email__startswith="grand").count() == 15
    assert page.evaluate("window.__cspViolations") == []
    assert {name: v for name, v in found.items() if v} == {}
