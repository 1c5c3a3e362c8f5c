"""Alumni and older laureates on the partners' dashboard: their situation and level of study
(shown only under the consent text that names them), searches that go stale after six months
without a confirmation, the alumni's yearly e-mail, and « Ma recherche »."""

import datetime
import io

import openpyxl
import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from emergence.models import OutboxEmail
from emergence.personal_data import person_anonymise
from emergence.spreadsheets import CSV, import_errors
from laureates.alumni import alumni_search_ask
from laureates.models import (
    CONSENT_VERSION,
    Laureate,
    PartnerConsent,
    Search,
    SearchKind,
    Situation,
    Status,
    add_months,
    search_set,
)
from laureates.resources import LaureateResource
from laureates.tasks import ask_alumni_about_their_search
from tests.factories import LaureateFactory
from tests.partner_factories import SearchFactory, shared

pytestmark = pytest.mark.django_db

OLD_VERSION = "2026-1"


def alumnus(first_name: str = "Yasmine", **fields) -> Laureate:
    """An alumna in work, master 2, who consented to today's text and looks for a job."""
    values = {
        "status": Status.ALUMNI,
        "situation": Situation.IN_WORK,
        "degree": "Master",
        "degree_year": 2,
        "study_year": 5,
    } | fields
    return shared(
        LaureateFactory(user__first_name=first_name, **values),
        kind=SearchKind.JOB,
        field="Audit",
    )


def old_consent(laureate: Laureate) -> Laureate:
    """The laureate's open consent was given to the text before situation and level."""
    PartnerConsent.objects.filter(laureate=laureate).update(version=OLD_VERSION)
    return laureate


def logged_in(user) -> Client:
    """A browser of its own, next to the partner's."""
    client = Client()
    client.force_login(user)
    return client


def names(response) -> list[str]:
    return [row["first_name"] for row in response.context["page"].object_list]


def sheet(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def card(response, first_name: str) -> dict:
    return next(
        row for row in response.context["page"].object_list if row["first_name"] == first_name
    )


# Who is on the dashboard, and what partners read


def test_an_alumnus_with_consent_and_an_open_search_is_on_the_dashboard_with_situation_and_level(
    partner_client,
):
    yasmine = alumnus()
    response = partner_client.get("/partners/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert names(response) == ["Yasmine"]
    assert "Master 2" in html
    assert "In work" in html
    assert "Alumni of the programme" in html
    page = partner_client.get(f"/partners/laureates/{yasmine.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Master 2" in page.content.decode() and "In work" in page.content.decode()


def test_without_a_degree_the_level_reads_as_years_after_the_bac(partner_client):
    shared(LaureateFactory(user__first_name="Malik", study_year=3))
    row = card(partner_client.get("/partners/"), "Malik")
    assert row["level"] == "Bac+3"
    assert row["raw_situation"] == Situation.STUDYING


def test_a_laureate_who_left_is_never_shown_to_partners(partner_client):
    gone = alumnus("Gone")
    Laureate.objects.filter(pk=gone.pk).update(status=Status.LEFT)
    assert names(partner_client.get("/partners/")) == []
    assert partner_client.get(f"/partners/laureates/{gone.pk}/").status_code == 404
    assert len(sheet(partner_client.get("/partners/export.xlsx"))) == 1


@pytest.fixture
def mix():
    alumnus("Ada", situation=Situation.IN_WORK, degree="Master", degree_year=2, study_year=5)
    alumnus("Bea", situation=Situation.SEEKING, degree="Licence", degree_year=3, study_year=3)
    shared(
        LaureateFactory(
            user__first_name="Cyr",
            situation=Situation.WORK_STUDY,
            degree="Master",
            degree_year=1,
            study_year=4,
        )
    )
    shared(LaureateFactory(user__first_name="Dan", situation=Situation.INTERNSHIP, study_year=5))


@pytest.mark.parametrize(
    "query, expected",
    [
        ("situation=seeking", ["Bea"]),
        ("situation=work_study", ["Cyr"]),
        ("situation=internship", ["Dan"]),
        ("study_year=5", ["Ada", "Dan"]),
        ("degree=master", ["Ada", "Cyr"]),
        ("degree=master&degree_year=2", ["Ada"]),
        ("degree_year=3", ["Bea"]),
    ],
)
def test_partners_filter_the_dashboard_by_situation_and_level(partner_client, mix, query, expected):
    assert sorted(names(partner_client.get(f"/partners/?{query}"))) == expected


def test_the_level_filter_reads_like_an_hr_person_says_it(partner_client, mix):
    html = partner_client.get("/partners/").content.decode()
    assert ">Bac+5</option>" in html


def test_the_export_has_the_situation_and_the_degree(partner_client):
    alumnus()
    response = partner_client.get(
        "/partners/export.xlsx?situation=in_work", HTTP_ACCEPT_LANGUAGE="en"
    )
    header, values = sheet(response)
    line = dict(zip(header, values, strict=True))
    assert (line["Degree"], line["Year of the degree"], line["Situation"]) == (
        "Master",
        2,
        "In work",
    )
    assert line["Alumni"] == "Alumni of the programme"


# A consent to the older text


def test_a_consent_to_the_older_text_hides_the_new_fields(partner_client):
    yasmine = old_consent(alumnus())
    row = card(partner_client.get("/partners/"), "Yasmine")
    assert (row["situation"], row["degree"], row["degree_year"], row["status"]) == (
        "",
        "",
        None,
        "",
    )
    assert row["level"] == "Bac+5"  # the study year, which the older text named
    page = partner_client.get(f"/partners/laureates/{yasmine.pk}/").content.decode()
    assert "Master" not in page and "laureate-situation" not in page
    line = sheet(partner_client.get("/partners/export.xlsx"))[1]
    assert "Master" not in line and 2 not in line[6:10]


def test_filtering_on_situation_or_degree_never_reveals_a_consent_to_the_older_text(
    partner_client,
):
    old_consent(alumnus())
    for query in ("situation=in_work", "degree=master", "degree_year=2"):
        assert names(partner_client.get(f"/partners/?{query}")) == [], query
    assert names(partner_client.get("/partners/")) == ["Yasmine"]


def test_my_page_invites_a_laureate_with_an_older_consent_to_renew_it(db):
    yasmine = old_consent(alumnus())
    client = logged_in(yasmine.user)
    html = client.get("/me/").content.decode()
    assert "consent-outdated" in html
    assert 'name="decision" value="give"' in html
    client.post("/me/consent/", {"decision": "give", "version": CONSENT_VERSION})
    assert "consent-outdated" not in client.get("/me/").content.decode()
    assert PartnerConsent.objects.open().get(laureate=yasmine).version == CONSENT_VERSION


def test_my_page_does_not_ask_to_renew_a_consent_to_todays_text(db):
    yasmine = alumnus()
    client = logged_in(yasmine.user)
    assert "consent-outdated" not in client.get("/me/").content.decode()


# Searches go stale


def test_a_search_unconfirmed_for_six_months_leaves_the_dashboard_and_confirming_brings_it_back(
    partner_client,
):
    yasmine = alumnus()
    long_ago = add_months(timezone.localdate(), -6) - datetime.timedelta(days=1)
    Search.objects.filter(laureate=yasmine).update(confirmed_on=long_ago)
    assert names(partner_client.get("/partners/")) == []
    page = partner_client.get(f"/partners/laureates/{yasmine.pk}/").content.decode()
    assert "Audit" not in page  # their profile stays, their stale search does not

    client = logged_in(yasmine.user)
    mine = client.get("/me/search/").content.decode()
    assert "search-stale" in mine
    assert Search.objects.open().get(laureate=yasmine).pk  # kept, not deleted
    client.post("/me/search/confirm/")

    assert names(partner_client.get("/partners/")) == ["Yasmine"]
    assert "search-stale" not in client.get("/me/search/").content.decode()


def test_my_page_says_when_my_search_needs_confirming(db):
    yasmine = alumnus()
    client = logged_in(yasmine.user)
    assert "search-stale" not in client.get("/me/").content.decode()
    Search.objects.filter(laureate=yasmine).update(confirmed_on=datetime.date(2025, 1, 1))
    html = client.get("/me/").content.decode()
    assert "search-stale" in html and 'href="/me/search/"' in html


def test_a_search_confirmed_just_six_months_ago_is_still_shown(partner_client):
    yasmine = alumnus()
    Search.objects.filter(laureate=yasmine).update(
        confirmed_on=add_months(timezone.localdate(), -6)
    )
    assert names(partner_client.get("/partners/")) == ["Yasmine"]


def test_saving_a_search_confirms_it_as_a_report_does(laureate):
    SearchFactory(laureate=laureate, confirmed_on=datetime.date(2020, 1, 1))
    search = search_set(laureate=laureate, kind=SearchKind.INTERNSHIP, field="Santé", place="Évry")
    assert search.confirmed_on == timezone.localdate()
    assert (search.field_folded, search.place_folded) == ("sante", "evry")


# « Ma recherche »


def test_my_search_page_shows_the_search_and_that_partners_see_it(db):
    yasmine = alumnus()
    client = logged_in(yasmine.user)
    response = client.get("/me/search/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Audit" in html
    assert "alert-success search-visibility" in html


def test_my_search_page_says_partners_do_not_see_it_without_consent(laureate_client, laureate):
    SearchFactory(laureate=laureate)
    html = laureate_client.get("/me/search/").content.decode()
    assert "alert-secondary search-visibility" in html


def test_my_search_page_is_linked_from_my_page(laureate_client):
    assert 'href="/me/search/"' in laureate_client.get("/me/").content.decode()


def test_a_laureate_saves_a_search_and_partners_see_it(laureate, partner_client):
    shared(laureate)
    Search.objects.filter(laureate=laureate).update(closed_on=timezone.localdate())
    response = logged_in(laureate.user).post(
        "/me/search/",
        {
            "kind": SearchKind.WORK_STUDY,
            "field": "Data",
            "starts_on": "2027-09-01",
            "duration_months": "24",
            "place": "Roubaix",
            "pitch": "Alternance en data.",
        },
    )
    assert response.status_code == 302
    search = Search.objects.open().get(laureate=laureate)
    assert (search.kind, search.field, search.place) == (SearchKind.WORK_STUDY, "Data", "Roubaix")
    assert "Roubaix" in partner_client.get("/partners/").content.decode()


def test_a_wrong_answer_keeps_every_answer(laureate_client, laureate):
    response = laureate_client.post(
        "/me/search/",
        {
            "kind": SearchKind.JOB,
            "field": "Logistique",
            "duration_months": "99",
            "pitch": "Mon pitch",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in html
    assert 'value="Logistique"' in html and "Mon pitch" in html and 'value="99"' in html
    assert not Search.objects.filter(laureate=laureate).exists()


def test_i_am_no_longer_looking_takes_me_off_the_dashboard(partner_client):
    yasmine = alumnus()
    client = logged_in(yasmine.user)
    client.post("/me/search/close/")
    assert not Search.objects.open().filter(laureate=yasmine).exists()
    assert names(partner_client.get("/partners/")) == []


def test_a_laureate_who_left_has_no_search_page(db):
    gone = LaureateFactory(status=Status.LEFT)
    client = logged_in(gone.user)
    assert client.get("/me/search/").status_code == 404
    assert client.post("/me/search/confirm/").status_code == 404
    assert client.post("/me/search/close/").status_code == 404


def test_other_people_cannot_open_my_search(partner_client):
    assert partner_client.get("/me/search/").status_code == 403


# The alumni's yearly e-mail


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    def run(day: datetime.date, **kwargs) -> list:
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            alumni_search_ask(today=day, **kwargs)
        return mail.outbox[before:]

    return run


DAY = datetime.date(2026, 12, 1)


def test_alumni_are_asked_once_a_year(ask):
    yasmine = alumnus()
    LaureateFactory()  # an active laureate: their reports already ask
    LaureateFactory(status=Status.LEFT)
    LaureateFactory(status=Status.ALUMNI, user__is_active=False)

    sent = ask(DAY)
    assert [message.to for message in sent] == [[yasmine.user.email]]
    assert ask(DAY + datetime.timedelta(days=200)) == []
    assert ask(DAY + datetime.timedelta(days=365)) == []
    assert len(ask(DAY + datetime.timedelta(days=366))) == 1
    yasmine.refresh_from_db()
    assert yasmine.search_asked_on == DAY + datetime.timedelta(days=366)


def test_running_the_yearly_ask_twice_sends_nothing_twice(ask):
    alumnus()
    alumnus("Zoé")
    assert len(ask(DAY)) == 2
    assert ask(DAY) == []
    assert ask_alumni_about_their_search(DAY.isoformat()) == 0
    assert OutboxEmail.objects.filter(kind="alumni_search_ask").count() == 2


def test_the_yearly_ask_is_sent_in_bounded_batches(ask):
    for i in range(5):
        LaureateFactory(status=Status.ALUMNI, user__first_name=f"A{i}")
    assert len(ask(DAY, limit=2)) == 2
    assert len(ask(DAY, limit=2)) == 2
    assert len(ask(DAY, limit=2)) == 1
    assert ask(DAY, limit=2) == []


def test_the_yearly_email_speaks_the_alumnus_language_and_links_to_my_search(ask):
    alumnus(user__language="en")
    alumnus("Zoé", user__language="fr")
    sent = {message.to[0]: message for message in ask(DAY)}
    english = sent[alumnus_email("Yasmine")]
    assert english.subject == "Are you looking for an internship, a work-study contract or a job?"
    assert "/me/search/" in english.body and "Audit" in english.body
    assert "/me/search/" in english.alternatives[0][0]
    french = OutboxEmail.objects.get(to=alumnus_email("Zoé"))
    assert french.language == "fr" and "/me/search/" in french.text


def test_an_erased_alumnus_is_never_asked_and_nothing_of_their_search_is_left(ask):
    yasmine = alumnus()
    person_anonymise(user=yasmine.user)
    assert ask(DAY) == []
    search = Search.objects.get(laureate=yasmine)
    assert (search.field, search.field_folded, search.place_folded) == ("", "", "")


def alumnus_email(first_name: str) -> str:
    return Laureate.objects.get(user__first_name=first_name).user.email


def test_an_alumnus_answers_the_email_on_my_search_page(ask, partner_client):
    yasmine = alumnus()
    Search.objects.filter(laureate=yasmine).update(confirmed_on=datetime.date(2025, 1, 1))
    assert names(partner_client.get("/partners/")) == []
    (message,) = ask(timezone.localdate())
    client = logged_in(yasmine.user)
    url = next(word for word in message.body.split() if word.endswith("/me/search/"))
    assert client.get(url.removeprefix("http://testserver")).status_code == 200
    client.post("/me/search/confirm/")
    assert names(partner_client.get("/partners/")) == ["Yasmine"]


# Their details and imports


def test_a_laureate_records_their_degree_and_its_year(laureate_client, laureate):
    response = laureate_client.post(
        "/me/edit/",
        {
            "first_name": "Inès",
            "last_name": "Benali",
            "school": "IAE Lille",
            "track": laureate.track,
            "study_year": "5",
            "degree": "Master",
            "degree_year": "2",
            "city": "Lille",
            "phone": "",
        },
    )
    assert response.status_code == 302
    laureate.refresh_from_db()
    assert (laureate.degree, laureate.degree_year) == ("Master", 2)


def test_staff_see_and_change_the_degree_on_the_laureates_console_page(lead_client):
    yasmine = alumnus(search_asked_on=datetime.date(2026, 3, 2))
    html = lead_client.get(f"/admin/laureates/laureate/{yasmine.pk}/change/").content.decode()
    assert 'name="degree"' in html and 'name="degree_year"' in html
    assert "2 mars 2026" in html  # when they were last asked about their search


def test_an_import_reads_the_degree_and_the_new_situations(db):
    text = (
        "E-mail;Prénom;Nom;Promotion;Filière;Diplôme;Année du diplôme;Situation\n"
        "lea@example.org;Léa;Roy;2020;université;Master;2;en stage\n"
        "max@example.org;Max;Roy;2021;IUT;BUT;3;en alternance\n"
    )
    result = LaureateResource().import_data(
        CSV().create_dataset(text.encode()), dry_run=False, raise_errors=False
    )
    assert import_errors(result) == []
    lea = Laureate.objects.get(user__email="lea@example.org")
    assert (lea.degree, lea.degree_year, lea.situation) == ("Master", 2, Situation.INTERNSHIP)
    assert Laureate.objects.get(user__email="max@example.org").situation == Situation.WORK_STUDY


# Query counts


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/partners/",
        "/partners/?situation=in_work&degree=master&study_year=5",
        "/partners/export.xlsx",
    ],
)
def test_the_dashboard_with_alumni_costs_the_same_queries_at_two_sizes(
    partner_client, url, django_assert_max_num_queries
):
    for i in range(3):
        alumnus(f"Small{i}")
    small = _queries(partner_client, url)
    for i in range(30):
        laureate = alumnus(f"Large{i}") if i % 2 else shared(LaureateFactory())
        if i % 3 == 0:
            old_consent(laureate)
    with django_assert_max_num_queries(small):
        partner_client.get(url)


def test_my_search_page_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    yasmine = alumnus()
    client = logged_in(yasmine.user)
    # session, user, role checks, the laureate with their consent, the open search
    with django_assert_max_num_queries(7):
        assert client.get("/me/search/").status_code == 200


# The demo


def test_the_demo_has_alumni_looking_for_work_one_to_renew_and_one_stale(db):
    from laureates import demo as laureates_demo
    from partners import demo as partners_demo

    laureates_demo.seed(companies=partners_demo.seed_companies())
    laureates_demo.seed(companies=partners_demo.seed_companies())  # twice: the same rows
    alumni = Search.objects.open().filter(laureate__status=Status.ALUMNI)
    assert alumni.count() == 4
    shown = Search.objects.shared_with_partners().filter(laureate__status=Status.ALUMNI)
    assert shown.count() == 3  # the stale one is not
    older = PartnerConsent.objects.open().filter(version=OLD_VERSION)
    assert older.count() == 1
    assert Laureate.objects.exclude(degree="").count() == Laureate.objects.count()
