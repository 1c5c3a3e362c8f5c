"""Console lists at scale: PostgreSQL's estimate instead of an exact count for a whole big
table, exact counts everywhere else; flat query counts; the partners' dashboard counts its
rows once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emergence.admin_paginator import EstimatedCountPaginator, counts_whole_table
from laureates.models import FollowUp
from partners.models import PartnerViewKind, PartnerViewLog
from tests.factories import CompanyFactory, FollowUpFactory, SponsorshipFactory
from tests.partner_factories import IntroductionFactory, ReferralFactory, shared

FOLLOW_UPS = reverse("admin:laureates_followup_changelist")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's estimate (pg_class.reltuples)"
)


@pytest.fixture
def small_threshold(monkeypatch):
    """Big from 10 rows on, so that a test's few rows count as a big table."""
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", 10)


def _analyse(model) -> None:
    # What autovacuum does in production: PostgreSQL's estimate of the table's rows.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite has no estimate")
def test_on_sqlite_a_big_list_is_counted_exactly(staff_client, small_threshold):
    FollowUpFactory.create_batch(12)

    response = staff_client.get(FOLLOW_UPS)

    cl = response.context["cl"]
    assert cl.paginator.estimated is False
    assert cl.result_count == 12
    assert 'class="estimated-count"' not in response.content.decode()


@on_postgresql
def test_on_postgresql_a_whole_big_list_shows_the_tables_estimate(staff_client, small_threshold):
    FollowUpFactory.create_batch(30)
    _analyse(FollowUp)

    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(FOLLOW_UPS)

    cl = response.context["cl"]
    assert cl.paginator.estimated is True
    assert 25 <= cl.result_count <= 35
    assert 'class="estimated-count"' in response.content.decode()
    # No exact count of the table was run.
    assert not [q for q in queries if "COUNT(*)" in q["sql"] and "laureates_followup" in q["sql"]]


@on_postgresql
def test_on_postgresql_a_filtered_list_is_counted_exactly(staff_client, small_threshold):
    FollowUpFactory.create_batch(20, channel="phone")
    FollowUpFactory.create_batch(3, channel="meeting")
    _analyse(FollowUp)

    response = staff_client.get(FOLLOW_UPS, {"channel__exact": "meeting"})

    assert response.context["cl"].paginator.estimated is False
    assert response.context["cl"].result_count == 3


@on_postgresql
def test_on_postgresql_a_table_under_the_threshold_is_counted_exactly(staff_client):
    FollowUpFactory.create_batch(12)
    _analyse(FollowUp)

    response = staff_client.get(FOLLOW_UPS)

    assert response.context["cl"].paginator.estimated is False
    assert response.context["cl"].result_count == 12


def test_only_a_bare_queryset_counts_the_whole_table(db):
    follow_ups = FollowUp.objects.select_related("laureate").order_by("-date")

    assert counts_whole_table(follow_ups)
    assert not counts_whole_table(follow_ups.filter(channel="phone"))
    assert not counts_whole_table(follow_ups.distinct())
    assert not counts_whole_table(follow_ups[:5])


def test_an_estimated_paginator_serves_pages_past_its_estimate(db, monkeypatch):
    FollowUpFactory.create_batch(7)
    paginator = EstimatedCountPaginator(FollowUp.objects.order_by("pk"), 3)
    # As if PostgreSQL estimated 4 rows where there are 7 (a table that grew since).
    monkeypatch.setattr(EstimatedCountPaginator, "_estimate", 4)

    assert paginator.count == 4
    assert paginator.num_pages == 2
    assert len(paginator.page(2).object_list) == 3  # not cut at the estimate
    assert len(paginator.page(3).object_list) == 1  # past the estimate, the rows still there


# Query counts: flat with the rows ------------------------------------------------------------


def _view_log():
    member_company = CompanyFactory()
    return PartnerViewLog.objects.create(company=member_company, kind=PartnerViewKind.DASHBOARD)


LISTS = {
    "admin:laureates_sponsorship_changelist": SponsorshipFactory,
    "admin:partners_introduction_changelist": IntroductionFactory,
    "admin:partners_referral_changelist": ReferralFactory,
    "admin:partners_partnerviewlog_changelist": _view_log,
}


@pytest.mark.parametrize("url_name", LISTS)
def test_big_console_lists_cost_the_same_queries_for_3_and_30_rows(
    lead_client, url_name, django_assert_max_num_queries
):
    url = reverse(url_name)
    for _ in range(3):
        LISTS[url_name]()
    with CaptureQueriesContext(connection) as small:
        assert lead_client.get(url).status_code == 200
    for _ in range(27):
        LISTS[url_name]()

    with django_assert_max_num_queries(len(small)):
        assert lead_client.get(url).status_code == 200


# The partners' dashboard ----------------------------------------------------------------------


def test_the_dashboard_counts_its_rows_and_kinds_in_one_query(partner_client):
    for i in range(4):
        shared(kind="internship" if i % 2 else "job", field=f"Field {i}")

    with CaptureQueriesContext(connection) as queries:
        response = partner_client.get("/partners/")

    assert response.context["page"].paginator.count == 4
    assert [count for _label, count in response.context["kinds"]] == [2, 0, 2]
    counts = [q for q in queries if "COUNT(" in q["sql"] and "laureates_search" in q["sql"]]
    assert len(counts) == 1  # the total, its kinds and the fields: one pass over the rows
    assert [item["field"] for item in response.context["fields"]] == [
        "Field 0",
        "Field 1",
        "Field 2",
        "Field 3",
    ]


def test_the_dashboards_counts_join_no_consent_column_and_no_name(partner_client):
    shared()

    with CaptureQueriesContext(connection) as queries:
        partner_client.get("/partners/")

    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"] and "laureates_search" in q["sql"]]
    assert counts
    for sql in counts:
        assert "open_consent" not in sql  # the consent's columns are joined for the rows only
        assert "emergence_user" not in sql


def test_a_filter_on_what_the_consent_names_still_selects(partner_client):
    kept = shared(field="Audit")
    kept.situation = "studying"
    kept.save(update_fields=["situation"])

    response = partner_client.get("/partners/", {"situation": "studying", "o": "promotion"})

    assert [row["id"] for row in response.context["page"].object_list] == [kept.pk]
    assert response.context["page"].paginator.count == 1
