"""The partners' dashboard counts its laureates, their kinds and the most wanted fields in
one pass over the rows (partners.sharing.dashboard_counts), as it counted them before in
two: the same figures, the same order, at the same number of queries for 3 or 30 rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.sharing import dashboard_counts, seeking_searches
from tests.partner_factories import shared


def test_the_dashboard_says_how_many_of_each_kind_and_the_most_wanted_fields(partner_client):
    for kind, field, times in [
        ("internship", "Audit", 3),
        ("job", "Audit", 1),
        ("job", "Data", 2),
        ("work_study", "Conseil", 2),
        ("internship", "", 2),  # counted, but no field to show
    ]:
        for _ in range(times):
            shared(kind=kind, field=field)

    response = partner_client.get("/partners/")

    assert response.context["page"].paginator.count == 10
    assert [count for _label, count in response.context["kinds"]] == [5, 2, 3]
    # Most wanted first; equal counts by name.
    assert response.context["fields"] == [
        {"field": "Audit", "count": 4},
        {"field": "Conseil", "count": 2},
        {"field": "Data", "count": 2},
    ]


def test_only_the_eight_most_wanted_fields_are_named(db):
    for n in range(10):
        for _ in range(1 + n % 3):
            shared(field=f"Field {n}")

    counts = dashboard_counts(seeking_searches(), top_fields=8)

    assert counts.total == sum(1 + n % 3 for n in range(10))
    assert [item["count"] for item in counts.fields] == [3, 3, 3, 2, 2, 2, 1, 1]
    assert [item["field"] for item in counts.fields][:3] == ["Field 2", "Field 5", "Field 8"]


def test_the_dashboard_costs_the_same_queries_for_3_and_30_laureates(
    partner_client, django_assert_max_num_queries
):
    for n in range(3):
        shared(field=f"Field {n}")
    with CaptureQueriesContext(connection) as small:
        assert partner_client.get("/partners/").status_code == 200
    for n in range(27):
        shared(field=f"Field {n % 12}")

    with django_assert_max_num_queries(len(small)):
        response = partner_client.get("/partners/")

    assert response.context["page"].paginator.count == 30
