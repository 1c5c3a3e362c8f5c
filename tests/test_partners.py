"""The partner dashboard, the laureate page and the export: only consenting laureates,
only the allowed fields, the same filters everywhere, constant query counts, every view logged."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emergence import roles
from laureates.models import (
    FollowUp,
    Laureate,
    Search,
    SearchKind,
    Situation,
    Status,
    Track,
    consent_give,
    consent_withdraw,
    search_set,
)
from partners.models import PartnerViewKind, PartnerViewLog
from reports.models import ActivityReport, ReportPeriod, ReportStatus, Triage
from tests.factories import (
    LaureateFactory,
    PromotionFactory,
    RoleStaffFactory,
    SponsorFactory,
    SponsorshipFactory,
    UserFactory,
)
from tests.partner_factories import IntroductionFactory, SearchFactory, expired_consent, shared

pytestmark = pytest.mark.django_db

SENTINEL = "ZQXSENTINELZQX"


def sheet_rows(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def sheet_text(response) -> str:
    return "\n".join(
        " ".join(str(cell) for cell in row if cell is not None) for row in sheet_rows(response)
    )


def seeking(first_name: str, **search) -> Laureate:
    return shared(LaureateFactory(user__first_name=first_name), **search)


# Who is shown


@pytest.fixture
def four_laureates():
    """One with consent, one without, one expired, one withdrawn: all looking for an internship."""
    given = seeking("Given")
    absent = LaureateFactory(user__first_name="Absent")
    SearchFactory(laureate=absent)
    expired = LaureateFactory(user__first_name="Expired")
    expired_consent(expired)
    SearchFactory(laureate=expired)
    withdrawn = seeking("Withdrawn")
    consent_withdraw(laureate=withdrawn)
    return {"given": given, "absent": absent, "expired": expired, "withdrawn": withdrawn}


def test_dashboard_shows_only_laureates_whose_consent_is_valid(partner_client, four_laureates):
    html = partner_client.get("/partners/").content.decode()
    assert "Given" in html
    for name in ("Absent", "Expired", "Withdrawn"):
        assert name not in html


@pytest.mark.parametrize("state", ["absent", "expired", "withdrawn"])
def test_laureate_page_is_404_without_a_valid_consent(partner_client, four_laureates, state):
    response = partner_client.get(f"/partners/laureates/{four_laureates[state].pk}/")
    assert response.status_code == 404


def test_laureate_page_shows_a_consenting_laureate(partner_client, four_laureates):
    response = partner_client.get(f"/partners/laureates/{four_laureates['given'].pk}/")
    assert response.status_code == 200
    assert "Given" in response.content.decode()


def test_export_holds_only_laureates_whose_consent_is_valid(partner_client, four_laureates):
    rows = sheet_rows(partner_client.get("/partners/export.xlsx"))
    assert [row[0] for row in rows[1:]] == ["Given"]


def test_withdrawing_hides_the_laureate_from_the_next_request(partner_client, laureate):
    shared(laureate)
    url = f"/partners/laureates/{laureate.pk}/"
    assert partner_client.get(url).status_code == 200
    consent_withdraw(laureate=laureate)
    assert partner_client.get(url).status_code == 404
    assert "Inès" not in partner_client.get("/partners/").content.decode()


def test_dashboard_leaves_out_laureates_without_an_open_search(partner_client, laureate):
    consent_give(laureate=laureate)
    SearchFactory(laureate=laureate, closed_on=datetime.date(2026, 1, 1))
    assert "Inès" not in partner_client.get("/partners/").content.decode()


def test_dashboard_leaves_out_laureates_who_left(partner_client):
    alumna = seeking("Alumna")
    Laureate.objects.filter(pk=alumna.pk).update(status=Status.LEFT)
    assert "Alumna" not in partner_client.get("/partners/").content.decode()


# What is never shown


@pytest.fixture
def laureate_with_secrets(laureate):
    """A consenting laureate whose every private field holds the sentinel."""
    referent = RoleStaffFactory(
        role=roles.REFERENT,
        first_name=SENTINEL,
        last_name=SENTINEL,
        email=f"{SENTINEL.lower()}@example.org",
    )
    laureate.phone = SENTINEL
    laureate.city = SENTINEL
    laureate.referent = referent
    laureate.situation = Situation.SEEKING
    laureate.save()
    laureate.user.email = f"ines.{SENTINEL.lower()}@example.org"
    laureate.user.save()
    SponsorshipFactory(
        laureate=laureate, sponsor=SponsorFactory(first_name=SENTINEL, last_name=SENTINEL)
    )
    FollowUp.objects.create(laureate=laureate, channel="phone", note=SENTINEL, by=referent)
    Triage.objects.create(laureate=laureate, assigned_to=referent)
    period = ReportPeriod.objects.create(
        year=2026, quarter=1, opens_on=datetime.date(2026, 3, 1), due_on=datetime.date(2026, 4, 15)
    )
    report = ActivityReport(
        laureate=laureate,
        period=period,
        status=ReportStatus.SUBMITTED,
        submitted_at=datetime.datetime(2026, 3, 20, tzinfo=datetime.UTC),
        stress=5,
        wants_contact=True,
        extra_answers={"mood": SENTINEL},
    )
    for field in ActivityReport._meta.get_fields():
        if field.get_internal_type() == "TextField":
            setattr(report, field.name, SENTINEL)
    report.save()
    # An older, closed search: what the laureate no longer looks for is not shared either.
    SearchFactory(laureate=laureate, pitch=SENTINEL, closed_on=datetime.date(2025, 6, 1))
    shared(laureate)
    return laureate


def test_no_private_field_reaches_any_partner_page_or_the_export(
    partner_client, partner_member, laureate_with_secrets
):
    introduction = IntroductionFactory(membership=partner_member, laureate=laureate_with_secrets)
    pages = [
        "/partners/",
        "/partners/?kind=internship&track=ingenieur",
        "/partners/?q=Inès",
        f"/partners/laureates/{laureate_with_secrets.pk}/",
        "/partners/introductions/",
        f"/partners/introductions/{introduction.pk}/",
    ]
    for url in pages:
        response = partner_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Inès" in html, url
        assert SENTINEL not in html and SENTINEL.lower() not in html, url

    export = partner_client.get("/partners/export.xlsx")
    assert "Inès" in sheet_text(export)
    assert SENTINEL not in sheet_text(export) and SENTINEL.lower() not in sheet_text(export)


def test_partner_pages_never_load_contact_details_reports_or_notes(
    partner_client, laureate_with_secrets
):
    for url in [
        "/partners/",
        f"/partners/laureates/{laureate_with_secrets.pk}/",
        "/partners/export.xlsx",
    ]:
        with CaptureQueriesContext(connection) as queries:
            partner_client.get(url)
        # The role checks read the partner's own (missing) laureate profile: not a leak.
        sql = "\n".join(
            query["sql"]
            for query in queries.captured_queries
            if 'WHERE "laureates_laureate"."user_id" =' not in query["sql"]
        )
        assert '"laureates_laureate"."phone"' not in sql, url
        assert '"laureates_laureate"."city"' not in sql, url
        assert "reports_" not in sql, url
        assert "laureates_followup" not in sql, url
        assert "laureates_sponsor" not in sql, url


def test_dashboard_shows_the_allowed_fields(partner_client):
    seeking(
        "Nora",
        kind=SearchKind.WORK_STUDY,
        field="Finance d'entreprise",
        place="Roubaix",
        pitch="Alternance de deux ans",
        duration_months=24,
        starts_on=datetime.date(2026, 9, 1),
    )
    html = partner_client.get("/partners/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = [
        "Nora",
        "Engineering school",
        "year 2",
        "École Centrale de Lille",
        "2024",
        "Work-study contract",
        "Finance d&#x27;entreprise",
        "Roubaix",
        "Alternance de deux ans",
        "24 months",
        "September 2026",
    ]
    for text in shown:
        assert text in html, text


# Filters, search, sorting, pagination, summary


@pytest.fixture
def variety():
    # Last names fixed: Faker's French names include « Paris », which the text search finds.
    shared(
        LaureateFactory(user__first_name="Alice", user__last_name="Martin"),
        kind=SearchKind.INTERNSHIP,
        field="Audit",
        place="Lille",
        starts_on=datetime.date(2026, 6, 1),
    )
    shared(
        LaureateFactory(user__first_name="Bruno", user__last_name="Petit"),
        kind=SearchKind.JOB,
        field="Data",
        place="Lyon",
        starts_on=datetime.date(2026, 9, 1),
    )
    carla = LaureateFactory(
        user__first_name="Carla",
        user__last_name="Roux",
        track=Track.MEDICINE,
        study_year=4,
        promotion=PromotionFactory(year=2022),
    )
    shared(
        carla,
        kind=SearchKind.WORK_STUDY,
        field="Audit",
        place="Paris",
        starts_on=datetime.date(2026, 9, 1),
    )


def names(response) -> list[str]:
    return [row["first_name"] for row in response.context["page"].object_list]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["Alice", "Bruno", "Carla"]),
        ("kind=job", ["Bruno"]),
        ("field=aud", ["Alice", "Carla"]),
        ("place=lyon", ["Bruno"]),
        ("start_month=2026-09", ["Bruno", "Carla"]),
        ("track=medecine", ["Carla"]),
        ("study_year=4", ["Carla"]),
        ("promotion=2022", ["Carla"]),
        ("q=audit paris", ["Carla"]),
        ("kind=internship&field=audit", ["Alice"]),
        ("start_month=not-a-month", []),
    ],
)
def test_dashboard_filters(partner_client, variety, query, expected):
    response = partner_client.get(f"/partners/?{query}")
    assert response.status_code == 200
    if expected:
        assert sorted(names(response)) == expected
    else:  # an invalid filter shows the form's error, not a crash
        assert response.context["filter"].errors


def test_the_filter_form_sent_empty_shows_everyone(partner_client, variety):
    query = "q=&kind=&field=&place=&start_month=&track=&study_year=&promotion=&o="
    assert sorted(names(partner_client.get(f"/partners/?{query}"))) == ["Alice", "Bruno", "Carla"]


def test_search_does_not_look_into_e_mail_addresses(partner_client, laureate):
    shared(laureate)
    assert names(partner_client.get("/partners/?q=ines.laureate")) == []


@pytest.mark.parametrize("query", ["sante", "SANTE", "santé", "Santé", "SANTÉ", "publique sante"])
def test_search_finds_a_field_whatever_its_accents_and_case(partner_client, variety, query):
    seeking("Inès", field="Santé publique")
    assert names(partner_client.get("/partners/", {"q": query})) == ["Inès"]


@pytest.mark.parametrize("query", ["ines", "INÈS", "hopital", "Œuvre", "oeuvre", "l'ecole"])
def test_search_finds_names_schools_and_pitches_whatever_their_accents(partner_client, query):
    laureate = LaureateFactory(user__first_name="Inès", school="Hôpital de l’École")
    shared(laureate, pitch="Une œuvre utile.")
    seeking("Bruno", field="Data")
    assert names(partner_client.get("/partners/", {"q": query})) == ["Inès"]


def test_search_finds_a_laureate_by_the_name_and_school_they_just_changed(partner_client, laureate):
    shared(laureate)
    laureate_client = Client()
    laureate_client.force_login(laureate.user)
    laureate_client.post(
        reverse("laureates:edit"),
        {
            "first_name": "Éloïse",
            "last_name": "Martin",
            "school": "Université Paris Cité",
            "track": laureate.track,
            "study_year": laureate.study_year,
            "city": "",
            "phone": "",
        },
    )
    assert names(partner_client.get("/partners/", {"q": "eloise universite"})) == ["Éloïse"]


def test_search_finds_what_the_laureate_just_wrote_in_their_search(partner_client, laureate):
    shared(laureate, field="Audit")
    search_set(laureate=laureate, kind=SearchKind.JOB, field="Énergie", place="Créteil")
    assert names(partner_client.get("/partners/", {"q": "energie creteil"})) == ["Inès"]
    assert names(partner_client.get("/partners/", {"q": "audit"})) == []


def test_dashboard_sorts_by_availability(partner_client, variety):
    assert names(partner_client.get("/partners/?o=starts_on"))[0] == "Alice"
    assert names(partner_client.get("/partners/?o=-promotion"))[-1] == "Carla"


def test_dashboard_pages_through_laureates(partner_client):
    for i in range(25):
        seeking(f"Laureate{i:02d}")
    first = partner_client.get("/partners/?kind=internship")
    second = partner_client.get("/partners/?kind=internship&page=2")
    assert len(names(first)) == 20 and len(names(second)) == 5
    assert not set(names(first)) & set(names(second))
    assert "kind=internship&amp;page=2" in first.content.decode()


def test_summary_counts_laureates_by_kind_and_field(partner_client, variety):
    response = partner_client.get("/partners/", HTTP_ACCEPT_LANGUAGE="en")
    kinds = dict((str(label), count) for label, count in response.context["kinds"])
    assert kinds == {"internship": 1, "work-study contract": 1, "job": 1}
    assert response.context["fields"][0] == {"field": "Audit", "count": 2}


def test_export_is_exactly_the_filtered_dashboard(partner_client, variety):
    rows = sheet_rows(
        partner_client.get("/partners/export.xlsx?field=audit&o=name", HTTP_ACCEPT_LANGUAGE="en")
    )
    assert rows[0] == [
        "First name", "Last name", "Promotion", "School", "Track", "Study year", "Degree",
        "Year of the degree", "Situation", "Alumni", "Looking for", "Field", "From",
        "Duration (months)", "Where", "Pitch",
    ]  # fmt: skip
    assert sorted(row[0] for row in rows[1:]) == ["Alice", "Carla"]


def test_export_reads_like_a_spreadsheet(partner_client, variety):
    response = partner_client.get("/partners/export.xlsx?o=name")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active

    assert sheet.title == "Lauréats"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P4"
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Prénom", "Nom", "Promotion"]
    assert all(cell.font.bold for cell in sheet[1])
    carla = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "Carla")
    promotion, track, study_year, kind, starts_on = (carla[i] for i in (2, 4, 5, 10, 12))
    assert starts_on.is_date and starts_on.number_format == "dd/mm/yyyy"
    assert starts_on.value == datetime.datetime(2026, 9, 1)
    assert (promotion.data_type, promotion.value) == ("n", 2022)
    assert (study_year.data_type, study_year.value) == ("n", 4)
    assert (kind.value, track.value) == ("Alternance", "Médecine")


def test_export_sheet_is_named_in_the_members_language(partner_client, variety):
    response = partner_client.get("/partners/export.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert openpyxl.load_workbook(io.BytesIO(response.content)).active.title == "Laureates"


def test_export_neutralises_formulas(partner_client, laureate):
    laureate.school = '=HYPERLINK("http://evil")'
    laureate.save()
    shared(laureate, pitch="+33 6 12 34 56 78", field="@SUM(A1)")
    row = sheet_rows(partner_client.get("/partners/export.xlsx"))[1]
    assert row[3] == '\'=HYPERLINK("http://evil")'
    assert row[11] == "'@SUM(A1)"
    assert row[15] == "'+33 6 12 34 56 78"


# Who may see it


def test_laureate_and_staff_get_403_on_partner_pages(laureate_client, laureate):
    shared(laureate)
    for url in [
        "/partners/",
        "/partners/export.xlsx",
        f"/partners/laureates/{laureate.pk}/",
        "/partners/introductions/",
    ]:
        assert laureate_client.get(url).status_code == 403, url


def test_members_of_a_company_no_longer_partner_get_403_on_partner_pages(
    partner_client, partner_member, laureate
):
    shared(laureate)
    introduction = IntroductionFactory(membership=partner_member, laureate=laureate)
    partner_member.company.active = False
    partner_member.company.save()
    for url in [
        "/partners/",
        "/partners/export.xlsx",
        f"/partners/laureates/{laureate.pk}/",
        "/partners/introductions/",
        f"/partners/introductions/{introduction.pk}/",
    ]:
        assert partner_client.get(url).status_code == 403, url
    response = partner_client.post(
        f"/partners/laureates/{laureate.pk}/introduction/",
        {"kind": "internship", "title": "Stage", "message": "Bonjour"},
    )
    assert response.status_code == 403
    assert not PartnerViewLog.objects.exists()


@pytest.mark.parametrize(
    "url", ["/partners/export.xlsx", "/partners/introductions/", "/partners/laureates/1/"]
)
def test_anonymous_visitor_is_sent_to_login_from_partner_pages(client, url):
    assert client.get(url).url == f"/accounts/login/?next={url}"


# The views log


def test_each_dashboard_laureate_and_export_view_is_logged(
    partner_client, partner_member, laureate
):
    shared(laureate)
    partner_client.get("/partners/?kind=internship")
    partner_client.get(f"/partners/laureates/{laureate.pk}/")
    partner_client.get("/partners/export.xlsx?q=lille")
    logs = list(
        PartnerViewLog.objects.order_by("pk").values("user", "company", "kind", "laureate", "query")
    )
    member, company = partner_member.user_id, partner_member.company_id
    who = {"user": member, "company": company}
    assert logs == [
        {**who, "kind": PartnerViewKind.DASHBOARD, "laureate": None, "query": "kind=internship"},
        {**who, "kind": PartnerViewKind.LAUREATE, "laureate": laureate.pk, "query": ""},
        {**who, "kind": PartnerViewKind.EXPORT, "laureate": None, "query": "q=lille"},
    ]


def test_a_refused_laureate_page_is_not_logged(partner_client, laureate):
    partner_client.get(f"/partners/laureates/{laureate.pk}/")
    assert not PartnerViewLog.objects.exists()


def test_staff_read_the_views_log_but_cannot_change_it(
    partner_client, partnerships_staff, laureate
):
    shared(laureate)
    partner_client.get(f"/partners/laureates/{laureate.pk}/")
    staff_client = Client()
    staff_client.force_login(partnerships_staff)
    log = PartnerViewLog.objects.get()
    assert staff_client.get("/admin/partners/partnerviewlog/").status_code == 200
    page = staff_client.get(f"/admin/partners/partnerviewlog/{log.pk}/change/").content.decode()
    assert 'name="query"' not in page
    assert staff_client.get("/admin/partners/partnerviewlog/add/").status_code == 403
    assert (
        staff_client.post(
            f"/admin/partners/partnerviewlog/{log.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )


# Query counts


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/partners/",
        "/partners/?kind=internship&track=ingenieur&o=-starts_on",
        "/partners/?q=strategie+LILLE",
        "/partners/export.xlsx?kind=internship",
        "/partners/export.xlsx?q=strategie",
    ],
)
def test_partner_lists_cost_the_same_queries_at_two_sizes(
    partner_client, url, django_assert_max_num_queries
):
    for i in range(3):
        seeking(f"Small{i}")
    small = _queries(partner_client, url)
    for i in range(40):
        seeking(f"Large{i}", field=f"Field {i % 7}")
    with django_assert_max_num_queries(small):
        partner_client.get(url)
    assert small <= 12


def test_laureate_page_costs_a_fixed_number_of_queries(
    partner_client, laureate, django_assert_max_num_queries
):
    shared(laureate)
    for _ in range(3):
        IntroductionFactory(
            membership=partner_client_member(partner_client),
            laureate=laureate,
            status="declined",
            decided_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        )
    with django_assert_max_num_queries(9):
        assert partner_client.get(f"/partners/laureates/{laureate.pk}/").status_code == 200


def partner_client_member(client):
    from partners.models import PartnerMembership

    return PartnerMembership.objects.get(user_id=client.session["_auth_user_id"])


def test_search_kinds_without_laureates_show_zero(partner_client):
    response = partner_client.get("/partners/")
    assert [count for _label, count in response.context["kinds"]] == [0, 0, 0]
    assert Search.objects.count() == 0
    assert UserFactory  # the factories module stays importable for the other tests
