"""Headless Chromium through Playwright against pytest-django's live server.

One browser per session, a fresh context (cookies, language) per test. The
browser is the system's Chromium: ``playwright install`` needs no download.
Without Chromium the journeys are skipped, except with CI=true, where they fail.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; Django's ORM, used by
# the test itself and the live server, must not refuse to run beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    # CI runs two suites at once on two cores: an assertion waits as long as an action (10 s),
    # not Playwright's default 5 s, for a page the live server is slow to send.
    expect.set_options(timeout=10_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    # What the page still sends once the test is over (an autosave when the page is left, a
    # save the script had queued) must not reach the live server while the test database is
    # being emptied: refuse it, leave the page, and let a request already under way finish.
    context.route("**/*", lambda route: route.abort())
    page.goto("about:blank", wait_until="commit")
    page.wait_for_timeout(300)
    context.close()


@pytest.fixture
def demo(transactional_db, settings):
    """The demo programme and its three logins, as ``make demo`` serves them."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def log_in(page, email: str, password: str) -> None:
    page.goto("/")
    page.locator("main input[name=username]").fill(email)
    page.locator("main input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
