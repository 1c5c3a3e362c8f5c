import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from laureates.demo import PASSWORD, WORKSHOPS_EMAIL
from tests.browser.conftest import log_in
from workshops.demo import ANIMATOR_EMAIL
from workshops.models import Registration, Session

pytestmark = pytest.mark.browser

NOTE = "Séance vivante ; beaucoup de questions sur les khôlles."


def test_an_animator_takes_attendance_at_their_next_session_and_staff_see_it(demo, page):
    # The day of the demo animator's next session, half an hour after it starts.
    session = (
        Session.objects.filter(series__animators__user__email=ANIMATOR_EMAIL)
        .filter(published_at__isnull=False, registrations__isnull=False)
        .filter(ends_at__gt=datetime.datetime.now(datetime.UTC))
        .order_by("starts_at")
        .distinct()
        .first()
    )
    registrations = list(session.registrations.confirmed().order_by("pk"))
    assert len(registrations) >= 2

    with time_machine.travel(session.starts_at + datetime.timedelta(minutes=30), tick=True):
        log_in(page, ANIMATOR_EMAIL, PASSWORD)
        page.goto("/me/")
        page.locator("a.animator-link").click()
        page.locator(f"article.animator-session[data-session='{session.pk}'] h3 a").click()

        expect(page.locator("h1")).to_have_text(session.theme)
        rows = page.locator("tr.registered-laureate")
        expect(rows).to_have_count(len(registrations))
        came, missed = registrations[0], registrations[1]
        page.locator(f"#attended-{came.pk}").check()
        page.locator("#id_note").fill(NOTE)
        page.locator("button.save-sheet").click()

        expect(page.locator(".alert-success")).to_be_visible()
        expect(page.locator(f"#attended-{came.pk}")).to_be_checked()
        expect(page.locator(f"#attended-{missed.pk}")).not_to_be_checked()
        assert Registration.objects.get(pk=came.pk).attended is True
        assert Registration.objects.get(pk=missed.pk).attended is False

        # A workshops staff member sees it in the console.
        page.context.clear_cookies()
        log_in(page, WORKSHOPS_EMAIL, PASSWORD)
        page.goto(f"/admin/workshops/session/{session.pk}/change/")
        expect(page.locator("#id_animator_note")).to_have_value(NOTE)
        attended = page.locator("select[name$='-attended']")
        values = [attended.nth(n).input_value() for n in range(attended.count())]
        assert values.count("true") >= 1
        assert values.count("false") == len(registrations) - 1
