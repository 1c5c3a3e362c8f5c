"""Placements: recorded by staff or declared by the laureate, they close the search of the
same kind; staff see them per company and per year."""

import datetime

import pytest

from laureates.models import Placement, PlacementSource, SearchKind, placement_record
from tests.factories import CompanyFactory, LaureateFactory
from tests.partner_factories import SearchFactory, shared

pytestmark = pytest.mark.django_db


def test_a_placement_closes_the_search_of_the_same_kind(laureate):
    search = SearchFactory(laureate=laureate, kind=SearchKind.INTERNSHIP)
    placement_record(
        laureate=laureate,
        company=CompanyFactory(name="Conseil Horizon"),
        kind=SearchKind.INTERNSHIP,
        title="Stagiaire conseil",
        department="Stratégie",
        city="Lille",
        starts_on=datetime.date(2026, 9, 1),
        duration_months=4,
    )
    search.refresh_from_db()
    assert search.closed_on is not None


def test_a_placement_of_another_kind_keeps_the_search_open(laureate):
    search = SearchFactory(laureate=laureate, kind=SearchKind.JOB)
    placement_record(
        laureate=laureate,
        other_company="Boulangerie du Coin",
        kind=SearchKind.INTERNSHIP,
        title="Stage d'été",
        starts_on=datetime.date(2026, 7, 1),
    )
    search.refresh_from_db()
    assert search.closed_on is None


def test_a_placed_laureate_leaves_the_dashboard(partner_client, laureate):
    shared(laureate, kind=SearchKind.INTERNSHIP)
    placement_record(
        laureate=laureate,
        other_company="Atelier Vert",
        kind=SearchKind.INTERNSHIP,
        title="Stage",
        starts_on=datetime.date(2026, 9, 1),
    )
    assert "Inès" not in partner_client.get("/partners/").content.decode()


def test_a_placement_names_its_company(laureate):
    with pytest.raises(Exception, match="entreprise partenaire"):
        placement_record(
            laureate=laureate, kind=SearchKind.JOB, title="CDI", starts_on=datetime.date(2026, 1, 1)
        )


def test_a_laureate_declares_a_placement_on_their_page(laureate_client, laureate):
    company = CompanyFactory(name="Banque Solidaire")
    SearchFactory(laureate=laureate, kind=SearchKind.WORK_STUDY)
    response = laureate_client.post(
        "/me/placement/",
        {
            "kind": SearchKind.WORK_STUDY,
            "title": "Alternance contrôle de gestion",
            "company": company.pk,
            "city": "Lyon",
            "starts_on": "2026-09-01",
            "duration_months": "24",
        },
    )
    assert response.status_code == 302
    placement = Placement.objects.get()
    assert (placement.laureate, placement.source) == (laureate, PlacementSource.LAUREATE)
    assert not laureate.searches.open().exists()


def test_an_invalid_declaration_keeps_what_was_typed(laureate_client):
    response = laureate_client.post(
        "/me/placement/",
        {"kind": SearchKind.JOB, "title": "Ingénieure données", "starts_on": "2026-09-01"},
    )
    assert response.status_code == 200
    assert "Ingénieure données" in response.content.decode()
    assert not Placement.objects.exists()


def test_staff_record_a_placement_in_the_admin_and_it_closes_the_search(
    partnerships_client, laureate
):
    SearchFactory(laureate=laureate, kind=SearchKind.INTERNSHIP)
    response = partnerships_client.post(
        "/admin/laureates/placement/add/",
        {
            "laureate": laureate.pk,
            "kind": SearchKind.INTERNSHIP,
            "title": "Stage audit",
            "company": CompanyFactory().pk,
            "starts_on": "2026-09-01",
            "duration_months": "4",
            "source": PlacementSource.STAFF,
        },
    )
    assert response.status_code == 302
    assert Placement.objects.count() == 1
    assert not laureate.searches.open().exists()


def test_staff_see_placements_per_company_and_per_year(partnerships_client):
    horizon = CompanyFactory(name="Conseil Horizon")
    for year, company, other in [
        (2025, horizon, ""),
        (2026, horizon, ""),
        (2026, horizon, ""),
        (2026, None, "Atelier Vert"),
    ]:
        placement_record(
            laureate=LaureateFactory(),
            company=company,
            other_company=other,
            kind=SearchKind.INTERNSHIP,
            title="Stage",
            starts_on=datetime.date(year, 6, 1),
        )
    response = partnerships_client.get("/admin/laureates/placement/")
    assert response.context_data["placement_totals"] == [
        {"year": 2026, "company_label": "Conseil Horizon", "count": 2},
        {"year": 2026, "company_label": "Atelier Vert", "count": 1},
        {"year": 2025, "company_label": "Conseil Horizon", "count": 1},
    ]
    filtered = partnerships_client.get("/admin/laureates/placement/?year=2025")
    assert filtered.context_data["placement_totals"] == [
        {"year": 2025, "company_label": "Conseil Horizon", "count": 1}
    ]


def test_placement_admin_costs_the_same_queries_at_two_sizes(
    partnerships_client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(count):
        for i in range(count):
            placement_record(
                laureate=LaureateFactory(),
                company=CompanyFactory(name=f"Entreprise {i % 4}"),
                kind=SearchKind.JOB,
                title="Poste",
                starts_on=datetime.date(2020 + i % 6, 1, 1),
            )

    add(2)
    with CaptureQueriesContext(connection) as small:
        partnerships_client.get("/admin/laureates/placement/")
    add(20)
    with django_assert_max_num_queries(len(small)):
        partnerships_client.get("/admin/laureates/placement/")


def test_the_laureate_page_in_the_admin_lists_placements(partnerships_client, laureate):
    placement_record(
        laureate=laureate,
        other_company="Atelier Vert",
        kind=SearchKind.JOB,
        title="Chargée de mission",
        starts_on=datetime.date(2026, 1, 5),
    )
    html = partnerships_client.get(
        f"/admin/laureates/laureate/{laureate.pk}/change/"
    ).content.decode()
    assert "Chargée de mission" in html
