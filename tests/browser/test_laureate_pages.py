"""The laureate's pages in Chromium: the report form's sticky buttons never cover the field being
filled, nothing typed is lost (an invalid value, two tabs, a session that ended), the calendar
address copies, and the pages fit a 390 px phone."""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from laureates.models import Laureate, Situation, Track, consent_give
from partners.models import ReferralStatus
from partners.services import coopter_register
from reports.models import ActivityReport, QuestionKind, ReportPeriod
from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.partner_factories import ReferralFactory
from tests.report_data import make_questionnaire
from tests.workshops_factories import RegistrationFactory, SessionFactory
from workshops.services import calendar_feed_reset

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def period(transactional_db):
    """An open period of the current quarter, with a required extra question on housing."""
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    questionnaire = make_questionnaire(("housing", QuestionKind.SCALE, True))
    return ReportPeriod.objects.create(
        year=today.year,
        quarter=quarter,
        opens_on=today - datetime.timedelta(days=10),
        due_on=today + datetime.timedelta(days=30),
        questionnaire=questionnaire,
    )


@pytest.fixture
def url(period):
    return f"/reports/{period.slug}/"


def sign_in(page, client, user, live_server) -> None:
    """Signed in without the form: the session cookie of the test client."""
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def end_session(page) -> None:
    """The session ends (expired, signed out elsewhere); the CSRF cookie stays, as in life."""
    kept = [c for c in page.context.cookies() if c["name"] != settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies(kept)


def the_report(laureate) -> ActivityReport | None:
    return ActivityReport.objects.filter(laureate=laureate).first()


# The sticky buttons never cover the focused field ---------------------------------------

UNDER_THE_BAR = """(selector) => {
  // Scroll so the field sits just under the sticky buttons, then focus the field before it.
  const target = document.querySelector(selector);
  const fields = Array.from(
    document.querySelectorAll(
      "#report-form :is(input:not([type=hidden]), textarea, select, a[href], button)"
    )
  );
  let i = fields.indexOf(target) - 1;
  while (i >= 0 && fields[i].type === "radio" && fields[i].name === target.name) i--;
  const bar = document.querySelector(".report-actions").getBoundingClientRect();
  window.scrollBy({ top: target.getBoundingClientRect().top - bar.top - 4, behavior: "instant" });
  fields[i].focus({ preventScroll: true });
}"""

CLEAR_OF_THE_BARS = """() => {
  const focused = document.activeElement;
  const box = (focused.closest(".form-check") || focused).getBoundingClientRect();
  const bottom = document.querySelector(".report-actions").getBoundingClientRect().top;
  const top = document.querySelector(".report-progress").getBoundingClientRect().bottom;
  return {name: focused.name, value: focused.value, top: box.top, bottom: box.bottom,
          barTop: bottom, progressBottom: top};
}"""


def assert_clear(page, name: str) -> None:
    where = page.evaluate(CLEAR_OF_THE_BARS)
    assert where["name"] == name, where
    assert where["bottom"] <= where["barTop"] + 0.5, where
    assert where["top"] >= where["progressBottom"] - 0.5, where


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_sticky_buttons_never_cover_the_field_being_filled(
    screen, page, client, laureate, url, live_server
):
    page.set_viewport_size(screen)
    sign_in(page, client, laureate.user, live_server)
    page.goto(url)

    for name in ["repeated_year", "changed_track"]:
        page.evaluate(UNDER_THE_BAR, f"input[name={name}]")
        page.keyboard.press("Tab")
        assert_clear(page, name)
        page.keyboard.press("Space")  # ticked, and still in sight
        expect(page.locator(f"input[name={name}]")).to_be_checked()
        assert_clear(page, name)

    for name, value in [("stress", "3"), ("extra__housing", "2"), ("search_kind", "job")]:
        page.evaluate(UNDER_THE_BAR, f"input[name={name}]")
        page.keyboard.press("Tab")
        assert_clear(page, name)
        for _ in range(6):
            if page.evaluate("() => document.activeElement.value") == value:
                break
            page.keyboard.press("ArrowDown")
        expect(page.locator(f"input[name={name}][value='{value}']")).to_be_checked()
        assert_clear(page, name)

    page.evaluate(UNDER_THE_BAR, "textarea[name=studies_comment]")
    page.keyboard.press("Tab")
    page.keyboard.type("Je tiens le rythme.")
    assert_clear(page, "studies_comment")


# Opening creates nothing; one status line; an invalid value ------------------------------


def test_opening_the_report_creates_nothing_until_the_first_answer(
    page, client, laureate, url, live_server
):
    sign_in(page, client, laureate.user, live_server)
    page.goto(url)
    expect(page.locator("#autosave-status")).to_contain_text("Non commencé")
    page.goto("/reports/")
    expect(page.locator("[data-status=not_started]")).to_be_visible()
    assert the_report(laureate) is None

    page.goto(url)
    comment = page.locator("textarea[name=studies_comment]")
    comment.fill("Premier semestre validé.")
    with page.expect_response(lambda r: r.url.endswith(url) and r.request.method == "POST"):
        comment.blur()
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Enregistré à \d{2}:\d{2}$"))
    assert the_report(laureate).studies_comment == "Premier semestre validé."


def test_an_invalid_value_is_named_next_to_its_field_and_announced_after_a_reload(
    page, client, laureate, url, live_server
):
    sign_in(page, client, laureate.user, live_server)
    page.goto(url)
    page.locator("input[name=stress][value='3']").check()
    meetings = page.locator("input[name=sponsor_meetings]")
    meetings.fill("-1")
    with page.expect_response(lambda r: r.url.endswith(url) and r.request.method == "POST"):
        meetings.blur()

    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Non enregistré")
    expect(status).to_contain_text("Combien de fois")
    expect(status).to_contain_text("Vos autres réponses ont été enregistrées à")
    assert not re.match(r"^Enregistré à", status.inner_text())
    expect(meetings).to_have_attribute("aria-invalid", "true")
    expect(meetings).to_have_value("-1")  # kept in the page
    error = page.locator("#autosave-error-sponsor_meetings")
    expect(error).to_be_visible()
    assert "autosave-error-sponsor_meetings" in meetings.get_attribute("aria-describedby")
    assert the_report(laureate).stress == 3
    assert the_report(laureate).sponsor_meetings is None

    page.reload()
    expect(meetings).to_have_value("")
    note = page.locator("#autosave-refused-sponsor_meetings")
    expect(note).to_contain_text("« -1 »")
    expect(note).to_contain_text("La dernière réponse enregistrée est affichée")
    assert "autosave-refused-sponsor_meetings" in meetings.get_attribute("aria-describedby")


# Two tabs ----------------------------------------------------------------------------------


def test_an_older_tab_is_told_and_shown_both_versions_and_overwrites_nothing(
    page, client, laureate, url, live_server
):
    sign_in(page, client, laureate.user, live_server)
    page.goto(url)
    newer = page.context.new_page()
    newer.goto(url)

    def autosave(tab, text):
        box = tab.locator("textarea[name=studies_comment]")
        box.fill(text)
        with tab.expect_response(lambda r: r.url.endswith(url) and r.request.method == "POST"):
            box.blur()

    autosave(newer, "Version du nouvel onglet")
    autosave(page, "Version de l'ancien onglet")

    expect(page.locator("#autosave-status")).to_contain_text("enregistré entre-temps")
    expect(page.locator("#autosave-saved-studies_comment")).to_contain_text(
        "Version du nouvel onglet"
    )
    expect(page.locator("textarea[name=studies_comment]")).to_have_value(
        "Version de l'ancien onglet"
    )
    assert the_report(laureate).studies_comment == "Version du nouvel onglet"

    # Knowingly keeping the older tab's version.
    with page.expect_response(lambda r: r.url.endswith(url) and r.request.method == "POST"):
        page.get_by_role("button", name="Garder ma version").click()
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Enregistré à"))
    assert the_report(laureate).studies_comment == "Version de l'ancien onglet"


# A session that ended ------------------------------------------------------------------


def test_save_draft_after_the_session_ended_keeps_the_text_through_a_new_sign_in(
    page, laureate, url
):
    log_in(page, laureate.user.email, PASSWORD)
    page.goto(url)
    page.locator("textarea[name=studies_comment]").fill("Un long texte que je ne veux pas perdre.")
    end_session(page)

    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.locator("main input[name=username]").fill(laureate.user.email)
    page.locator("main input[name=password]").fill(PASSWORD)
    with page.expect_response(lambda r: r.url.endswith(url) and r.request.method == "POST"):
        page.locator("main form button[type=submit]").click()

    expect(page.locator("textarea[name=studies_comment]")).to_have_value(
        "Un long texte que je ne veux pas perdre."
    )
    expect(page.locator("#autosave-status")).to_contain_text("Enregistré à")
    assert the_report(laureate).studies_comment == "Un long texte que je ne veux pas perdre."


def test_a_failed_autosave_after_the_session_ended_offers_to_sign_in_again_and_loses_nothing(
    page, laureate, url
):
    log_in(page, laureate.user.email, PASSWORD)
    page.goto(url)
    end_session(page)
    comment = page.locator("textarea[name=comment]")
    comment.fill("Écrit pendant que la session expirait.")
    comment.blur()

    status = page.locator("#autosave-status")
    expect(status).to_contain_text("votre session a expiré")
    assert "Enregistrer le brouillon" not in status.inner_text()
    page.get_by_role("link", name="Se reconnecter").click()
    page.locator("main input[name=username]").fill(laureate.user.email)
    page.locator("main input[name=password]").fill(PASSWORD)
    with page.expect_response(lambda r: r.url.endswith(url) and r.request.method == "POST"):
        page.locator("main form button[type=submit]").click()

    expect(comment).to_have_value("Écrit pendant que la session expirait.")
    assert the_report(laureate).comment == "Écrit pendant que la session expirait."


# The calendar address, and the pages on a phone ------------------------------------------


def test_the_calendar_address_is_copied_with_one_button(page, client, laureate, live_server):
    calendar_feed_reset(laureate=laureate)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, client, laureate.user, live_server)
    page.goto("/workshops/")
    page.get_by_role("button", name="Copier").click()
    expect(page.locator("#feed-url-copied")).to_have_text(
        re.compile("Adresse (copiée|sélectionnée)")
    )
    address = page.locator("#feed-url").input_value()
    assert address.endswith(".ics")
    webcal = page.get_by_role("link", name="M’abonner dans mon application d’agenda")
    expect(webcal).to_have_attribute("href", "webcal://" + address.split("://", 1)[1])


@pytest.fixture
def busy_laureate(laureate, period):
    """A laureate in work with a referral, a workshop registration and shared profile."""
    laureate.situation = Situation.IN_WORK
    laureate.track, laureate.study_year = Track.MEDICINE, 1
    laureate.save()
    consent_give(laureate=laureate)
    ReferralFactory(
        coopter=coopter_register(laureate=laureate),
        candidate_name="Camille Durand-Lefèvre",
        company="Cabinet Lumière et Associés",
        job_title="Analyste financier junior",
        status=ReferralStatus.HIRED,
        bonus=800,
    )
    session = SessionFactory(starts_at=timezone.now() + datetime.timedelta(days=12))
    RegistrationFactory(session=session, laureate=laureate)
    return laureate


def test_the_laureate_pages_fit_a_phone_and_their_buttons_are_44_px(
    page, client, busy_laureate, url, live_server
):
    page.set_viewport_size(PHONE)
    sign_in(page, client, busy_laureate.user, live_server)
    registration = busy_laureate.workshop_registrations.get()
    pages = [
        "/me/",
        "/reports/",
        url,
        "/workshops/",
        f"/workshops/registrations/{registration.pk}/cancel/",
        "/me/consent/withdraw/",
        "/partners/cooptation/",
    ]
    for path in pages:
        page.goto(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
        small = page.evaluate(
            """() => Array.from(document.querySelectorAll("main .btn:not(.btn-sm)"))
                 .filter((b) => b.offsetParent !== null)
                 .map((b) => [b.textContent.trim(), b.getBoundingClientRect().height])
                 .filter(([, height]) => height < 44)"""
        )
        assert small == [], (path, small)
    page.goto("/partners/cooptation/")
    for words in ["Statut", "Prime", "Mettre à jour"]:
        expect(page.locator("main").get_by_text(words).first).to_be_in_viewport(ratio=0.01)


def test_cancel_and_stop_sharing_are_confirmed_by_keyboard(
    page, client, busy_laureate, live_server
):
    sign_in(page, client, busy_laureate.user, live_server)
    page.goto("/workshops/")
    page.get_by_role("link", name=re.compile("Annuler mon inscription")).focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Annuler mon inscription ?")
    page.get_by_role("button", name="Oui, annuler mon inscription").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_be_visible()
    assert busy_laureate.workshop_registrations.get().status == "cancelled"

    page.goto("/me/")
    page.get_by_role("link", name="Arrêter le partage").focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Arrêter de partager votre profil ?")
    page.get_by_role("button", name="Oui, arrêter le partage").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_be_visible()
    assert not Laureate.objects.visible_to_partners().exists()
