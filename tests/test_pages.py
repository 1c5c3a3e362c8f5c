"""The site's pages: the laureate's page and its edit form, the partner landing page,
error pages, and what every page must hold (no inline script, labels, a skip link)."""

import datetime
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format

from emergence import roles
from laureates.models import Laureate, Situation, Status, Track
from tests.factories import (
    LaureateFactory,
    PromotionFactory,
    RoleStaffFactory,
    SponsorFactory,
    SponsorshipFactory,
)


class PageAudit(HTMLParser):
    """Reads a page and keeps what the checks below look at."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.script_bodies: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.script_bodies.append(data)

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.elements if name == tag]


def _form(laureate, **changes) -> dict:
    data = {
        "first_name": laureate.user.first_name,
        "last_name": laureate.user.last_name,
        "school": laureate.school,
        "track": laureate.track,
        "study_year": laureate.study_year,
        "city": laureate.city,
        "phone": laureate.phone,
    }
    data.update(changes)
    return data


@pytest.fixture
def sponsored_laureate(laureate):
    """Inès, with a referent and a current sponsor (and a past one)."""
    laureate.referent = RoleStaffFactory(
        role=roles.REFERENT,
        email="sarah.referent@example.org",
        first_name="Sarah",
        last_name="Lemoine",
    )
    laureate.promotion = PromotionFactory(year=2023)
    laureate.track = Track.MEDICINE
    laureate.study_year = 3
    laureate.school = "Université de Lille"
    laureate.city = "Roubaix"
    laureate.situation = Situation.STUDYING
    laureate.save()
    SponsorshipFactory(
        laureate=laureate,
        sponsor=SponsorFactory(first_name="Paul", last_name="Ancien"),
        started_on=datetime.date(2023, 10, 1),
        ended_on=datetime.date(2024, 6, 30),
    )
    SponsorshipFactory(
        laureate=laureate,
        sponsor=SponsorFactory(
            first_name="Hélène", last_name="Garnier", company__name="Banque Horizon"
        ),
        started_on=datetime.date(2024, 9, 15),
    )
    return laureate


# The laureate's page


def test_laureate_sees_their_promotion_and_studies_on_their_page(sponsored_laureate, client):
    client.force_login(sponsored_laureate.user)
    response = client.get("/me/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("2023", "Université de Lille", "Roubaix", "Inès"):
        assert text in html
    with translation.override("fr"):
        assert str(Track.MEDICINE.label) in html
    assert response.context["laureate"].study_year == 3


def test_laureate_sees_their_current_sponsor_on_their_page(sponsored_laureate, client):
    client.force_login(sponsored_laureate.user)
    html = client.get("/me/").content.decode()
    assert "Hélène Garnier" in html
    assert "Banque Horizon" in html
    with translation.override("fr"):
        assert date_format(datetime.date(2024, 9, 15)) in html  # "15 septembre 2024"
    assert "Ancien" not in html  # a past sponsor is not "my sponsor"


def test_laureate_sees_their_referent_and_can_write_to_them(sponsored_laureate, client):
    client.force_login(sponsored_laureate.user)
    html = client.get("/me/").content.decode()
    assert "Sarah Lemoine" in html
    assert 'href="mailto:sarah.referent@example.org"' in html


def test_laureate_without_sponsor_or_referent_is_told_so(laureate_client):
    response = laureate_client.get("/me/")
    assert response.status_code == 200
    assert response.context["sponsorship"] is None
    assert "mailto:" not in response.content.decode()


def test_laureate_page_links_to_the_edit_page(laureate_client):
    assert 'href="/me/edit/"' in laureate_client.get("/me/").content.decode()


def test_laureate_page_never_shows_another_laureates_data(sponsored_laureate, client):
    other = LaureateFactory(
        user__email="yanis.laureate@example.org",
        user__first_name="Yanis",
        user__last_name="Robert",
        school="Lycée Faidherbe",
        city="Tourcoing",
        phone="06 99 88 77 66",
        referent=RoleStaffFactory(role=roles.REFERENT, email="other.referent@example.org"),
    )
    SponsorshipFactory(
        laureate=other, sponsor=SponsorFactory(last_name="Durandal", company__name="Autre SA")
    )
    client.force_login(sponsored_laureate.user)
    for url in ("/me/", "/me/edit/"):
        html = client.get(url).content.decode()
        for secret in (
            "Yanis",
            "Robert",
            "yanis.laureate@example.org",
            "Faidherbe",
            "Tourcoing",
            "06 99 88 77 66",
            "other.referent@example.org",
            "Durandal",
            "Autre SA",
        ):
            assert secret not in html, (url, secret)


def test_guessing_a_laureate_id_in_the_url_gives_404(laureate_client, other_laureate):
    assert laureate_client.get(f"/me/{other_laureate.pk}/").status_code == 404
    assert laureate_client.get(f"/me/edit/{other_laureate.pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 50])
def test_laureate_page_costs_the_same_queries_whatever_the_programme_size(
    size, client, django_assert_num_queries
):
    referent = RoleStaffFactory(role=roles.REFERENT)
    laureates = LaureateFactory.create_batch(size, referent=referent)
    for other in laureates:
        SponsorshipFactory(laureate=other)
    me = laureates[0]
    for year in range(2000, 2000 + size):  # a long history of past sponsors
        SponsorshipFactory(
            laureate=me,
            started_on=datetime.date(year, 1, 1),
            ended_on=datetime.date(year, 12, 31),
        )
    client.force_login(me.user)
    # session, user, role checks (laureate, partner), the laureate with its
    # promotion and referent, the current sponsorship with sponsor and company, and the
    # cards of laureates.panels, one query each: the report to send, the workshops, the
    # requests from companies, the offers that fit their search.
    with django_assert_num_queries(10):
        response = client.get("/me/")
    assert response.status_code == 200


# The edit page


def test_edit_page_shows_the_laureates_current_details(laureate_client, laureate):
    form = laureate_client.get("/me/edit/").context["form"]
    assert form["last_name"].value() == "Benali"
    assert form["school"].value() == "École Centrale de Lille"


def test_edit_page_saves_studies_and_contact_details(laureate_client, laureate):
    response = laureate_client.post(
        "/me/edit/",
        _form(
            laureate,
            first_name="Inès",
            last_name="Benali-Roux",
            school="INSA Lyon",
            track=Track.ENGINEERING,
            study_year=4,
            city="Villeurbanne",
            phone="06 12 34 56 78",
        ),
        follow=True,
    )
    assert response.redirect_chain == [("/me/", 302)]
    laureate.refresh_from_db()
    laureate.user.refresh_from_db()
    assert laureate.user.last_name == "Benali-Roux"
    assert (laureate.school, laureate.study_year, laureate.city, laureate.phone) == (
        "INSA Lyon",
        4,
        "Villeurbanne",
        "06 12 34 56 78",
    )
    html = response.content.decode()
    assert "alert-success" in html
    assert "INSA Lyon" in html


@pytest.mark.parametrize(
    "field, bad_value",
    [("study_year", "99"), ("study_year", "0"), ("last_name", ""), ("track", "astronaut")],
)
def test_edit_page_keeps_every_answer_on_an_error(laureate_client, laureate, field, bad_value):
    answers = _form(
        laureate,
        first_name="Inès-Maria",
        last_name="Benali-Roux",
        school="INSA Lyon",
        track=Track.ENGINEERING,
        study_year="4",
        city="Villeurbanne",
        phone="06 12 34 56 78",
    )
    answers[field] = bad_value
    response = laureate_client.post("/me/edit/", answers)

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    for name, value in answers.items():
        assert str(form[name].value()) == str(value), name
    html = response.content.decode()
    assert 'value="INSA Lyon"' in html
    assert 'value="Inès-Maria"' in html
    assert "is-invalid" in html
    assert f'href="#id_{field}"' in html  # the error summary points at the field
    laureate.refresh_from_db()
    assert laureate.school == "École Centrale de Lille"  # nothing half-saved
    assert Laureate.objects.get(pk=laureate.pk).user.last_name == "Benali"


def test_editing_never_touches_another_laureate(laureate_client, laureate, other_laureate):
    laureate_client.post("/me/edit/", _form(laureate, city="Nantes", user=other_laureate.user.pk))
    other_laureate.refresh_from_db()
    assert other_laureate.city == "Lille"
    laureate.refresh_from_db()
    assert laureate.city == "Nantes"


def test_edit_form_fields_all_have_labels(laureate_client):
    page = PageAudit(laureate_client.get("/me/edit/").content.decode())
    labelled = {label.get("for") for label in page.all("label")}
    fields = [
        attrs
        for tag in ("input", "select", "textarea")
        for attrs in page.all(tag)
        if attrs.get("type") not in ("hidden", "submit") and "hidden" not in attrs
    ]
    assert len(fields) == 9
    for attrs in fields:
        assert attrs["id"] in labelled, attrs


# Roles and error pages


@pytest.mark.parametrize("url", ["/me/", "/me/edit/"])
def test_partner_member_gets_403_on_laureate_pages(partner_client, url):
    response = partner_client.get(url)
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]


def test_laureate_gets_403_on_the_partner_dashboard(laureate_client):
    response = laureate_client.get("/partners/")
    assert response.status_code == 403
    assert "Conseil" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/me/", "/me/edit/", "/partners/"])
def test_anonymous_visitor_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


def test_partner_member_sees_their_company(partner_member, partner_client):
    company = partner_member.company
    company.sector = "Conseil en stratégie"
    company.city = "Lyon"
    company.save()
    html = partner_client.get("/partners/").content.decode()
    assert "Conseil &amp; Associés" in html
    assert "Conseil en stratégie" in html
    assert "Lyon" in html


def test_user_without_a_role_is_told_to_contact_the_programme_team(client, outsider):
    client.force_login(outsider)
    response = client.get("/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.redirect_chain == [("/accounts/no-role/", 302)]
    assert "contact the programme team" in response.content.decode()


@pytest.mark.django_db
def test_no_role_page_offers_a_logged_out_visitor_the_login_page(client):
    html = client.get("/accounts/no-role/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your account is not linked yet" in html
    assert "You are logged in" not in html
    assert 'href="/accounts/login/"' in html


def test_unknown_page_shows_the_404_page(laureate_client):
    response = laureate_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


def test_server_error_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert "<html lang=" in html
    assert not PageAudit(html).all("script")


# What every page holds


PAGES_BY_ROLE = {
    "client": [
        "/accounts/login/",
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/done/",
        "/accounts/reset/MQ/not-a-token/",
        "/no-such-page/",
    ],
    "laureate_client": ["/me/", "/me/edit/", "/partners/", "/accounts/password_change/"],
    "partner_client": ["/partners/", "/me/"],
    "referent_client": ["/accounts/no-role/"],
}
PAGES = [(role, url) for role, urls in PAGES_BY_ROLE.items() for url in urls]


@pytest.mark.django_db
@pytest.mark.parametrize("role, url", PAGES)
def test_page_has_no_inline_script_handler_or_style(request, role, url):
    client = request.getfixturevalue(role)
    response = client.get(url)
    assert response.status_code in (200, 403, 404)
    page = PageAudit(response.content.decode())

    scripts = page.all("script")
    assert scripts, "Bootstrap's bundle is loaded from a file"
    assert all(script.get("src") for script in scripts)
    assert page.script_bodies == []
    for tag, attrs in page.elements:
        assert "style" not in attrs, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert not (attrs.get("href") or "").startswith("javascript:"), (tag, attrs)


@pytest.mark.django_db
@pytest.mark.parametrize("role, url", PAGES)
def test_page_has_a_language_a_skip_link_and_one_main_heading(request, role, url):
    client = request.getfixturevalue(role)
    page = PageAudit(client.get(url).content.decode())
    assert page.all("html")[0]["lang"] in ("fr", "en")
    assert page.all("a")[0]["href"] == "#main"  # the first thing a keyboard reaches
    assert [attrs.get("id") for attrs in page.all("main")] == ["main"]
    assert len(page.all("h1")) == 1


def test_edit_page_after_an_error_has_no_inline_script(laureate_client, laureate):
    response = laureate_client.post("/me/edit/", _form(laureate, study_year="99"))
    page = PageAudit(response.content.decode())
    assert all(script.get("src") for script in page.all("script"))
    assert not [1 for _tag, attrs in page.elements if "style" in attrs]


def test_navigation_shows_a_laureate_their_own_links_only(laureate_client):
    html = laureate_client.get("/me/").content.decode()
    assert 'href="/me/edit/"' in html
    assert 'href="/partners/"' not in html
    assert 'href="/admin/"' not in html
    assert 'aria-current="page"' in html


def test_navigation_shows_a_partner_their_dashboard_only(partner_client):
    html = partner_client.get("/partners/").content.decode()
    assert 'href="/partners/"' in html
    assert 'href="/me/"' not in html
    assert 'href="/admin/"' not in html


def test_status_and_situation_are_shown_in_words(laureate, client):
    laureate.status = Status.ALUMNI
    laureate.situation = Situation.IN_WORK
    laureate.save()
    client.force_login(laureate.user)
    html = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Alumni" in html
    assert "in work" in html


# /me/: the cards of what is due next ------------------------------------------------------


@pytest.fixture
def in_q4(time_machine):
    from tests.report_data import TODAY

    time_machine.move_to(TODAY, tick=False)


def _me(client) -> str:
    return client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_me_shows_the_open_report_with_its_due_date_status_and_link(
    client, laureate, in_q4, settings
):
    from tests.report_data import make_period

    make_period(2026, 4)
    client.force_login(laureate.user)
    client.cookies["django_language"] = "en"
    html = _me(client)
    assert "Your activity report to send" in html
    assert "Due on 15 January 2027" in html or "Due on Jan. 15, 2027" in html
    assert 'data-status="not_started"' in html
    assert 'href="/reports/2026-q4/"' in html


def test_me_says_the_last_report_is_sent_once_it_is(client, laureate, in_q4):
    from reports.models import ReportStatus
    from tests.report_data import make_period, past_report

    past_report(laureate, make_period(2026, 4), status=ReportStatus.SUBMITTED)
    client.force_login(laureate.user)
    client.cookies["django_language"] = "en"
    html = _me(client)
    assert "Your activity report to send" not in html
    assert "is sent: thank you" in html


def test_me_lists_my_registered_workshops_and_the_next_ones_open_to_me(client, db, in_q4):
    from tests.workshops_factories import (
        MedicineLaureateFactory,
        RegistrationFactory,
        SessionFactory,
        paris,
    )

    laureate = MedicineLaureateFactory()
    registered = SessionFactory(theme="Gérer le stress des partiels")
    RegistrationFactory(session=registered, laureate=laureate)
    SessionFactory(theme="Préparer le concours blanc", starts_at=paris(2027, 1, 9, 14, 0))
    SessionFactory(theme="Atelier déjà passé", starts_at=paris(2026, 10, 3, 14, 0))
    client.force_login(laureate.user)
    client.cookies["django_language"] = "en"
    html = _me(client)
    assert "My upcoming workshops" in html
    assert "Gérer le stress des partiels" in html
    assert "You are registered" in html
    assert "Open to you" in html
    assert "Préparer le concours blanc" in html
    assert "Atelier déjà passé" not in html


def test_me_has_no_workshop_card_when_none_is_upcoming(laureate_client, in_q4):
    assert "My upcoming workshops" not in _me(laureate_client)


def _me_with_cards(laureate, n: int):
    from reports.models import ReportPeriod
    from tests.report_data import make_period
    from tests.workshops_factories import RegistrationFactory, SessionFactory, paris

    for quarter in (3, 4):
        if not ReportPeriod.objects.filter(year=2026, quarter=quarter).exists():
            make_period(2026, quarter)
    for day in range(n):
        session = SessionFactory(starts_at=paris(2026, 12, 1 + day, 14, 0))
        RegistrationFactory(session=session, laureate=laureate)


def test_me_costs_the_same_number_of_queries_with_many_sessions_and_reports(
    client, db, in_q4, django_assert_max_num_queries
):
    from tests.workshops_factories import MedicineLaureateFactory

    laureate = MedicineLaureateFactory()
    client.force_login(laureate.user)
    _me_with_cards(laureate, 1)
    with django_assert_max_num_queries(14) as few:
        assert client.get("/me/").status_code == 200
    _me_with_cards(laureate, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/me/").status_code == 200


def test_me_shows_my_registered_workshop_even_after_many_open_ones(client, db, in_q4):
    from tests.workshops_factories import (
        MedicineLaureateFactory,
        RegistrationFactory,
        SessionFactory,
        paris,
    )

    laureate = MedicineLaureateFactory()
    for day in range(1, 9):
        SessionFactory(theme=f"Séance ouverte {day}", starts_at=paris(2026, 12, day, 14, 0))
    mine = SessionFactory(theme="Ma séance de janvier", starts_at=paris(2027, 1, 20, 14, 0))
    RegistrationFactory(session=mine, laureate=laureate)
    client.force_login(laureate.user)
    client.cookies["django_language"] = "en"
    html = _me(client)
    assert "Ma séance de janvier" in html
    assert "Séance ouverte 1" in html  # the next one open to me
    assert "Séance ouverte 8" not in html
