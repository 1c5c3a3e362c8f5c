"""A big filtered console list (« needs attention » at 100,000 laureates) shows the
planner's estimate of its rows instead of counting them all on each page; a filtered list
of a few rows is still counted exactly, even when the planner expected many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emergence import admin_paginator
from emergence.admin_paginator import EstimatedCountPaginator
from laureates.models import FollowUp
from tests.factories import FollowUpFactory

FOLLOW_UPS = reverse("admin:laureates_followup_changelist")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's planner estimates"
)


@pytest.fixture
def small_limits(monkeypatch):
    """Big from 10 rows on, counted exactly up to 5."""
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", 10)
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 5)


def _analyse() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(FollowUp._meta.db_table)}")


def _exact_counts(queries) -> list[str]:
    return [q["sql"] for q in queries if 'COUNT(*) AS "__count"' in q["sql"]]


@on_postgresql
def test_a_big_filtered_list_shows_about_how_many_without_counting_them(staff_client, small_limits):
    FollowUpFactory.create_batch(40, channel="phone")
    _analyse()

    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(FOLLOW_UPS, {"channel__exact": "phone"})

    cl = response.context["cl"]
    assert cl.paginator.estimated is True
    assert 30 <= cl.result_count <= 50
    assert 'class="estimated-count"' in response.content.decode()
    assert not _exact_counts(queries)  # only a count that stops after 6 rows
    assert len(cl.result_list) == 40


@on_postgresql
def test_a_filtered_list_of_a_few_rows_is_counted_exactly_when_the_planner_expects_many(
    staff_client, small_limits, monkeypatch
):
    FollowUpFactory.create_batch(30, channel="phone")
    FollowUpFactory.create_batch(3, channel="meeting")
    _analyse()
    monkeypatch.setattr(admin_paginator, "query_estimate", lambda queryset: 10_000)

    response = staff_client.get(FOLLOW_UPS, {"channel__exact": "meeting"})

    cl = response.context["cl"]
    assert cl.paginator.estimated is False
    assert cl.result_count == 3
    assert "3 suivis" in response.content.decode()


def test_on_sqlite_a_filtered_list_is_still_counted_exactly(staff_client, small_limits):
    FollowUpFactory.create_batch(12, channel="phone")

    response = staff_client.get(FOLLOW_UPS, {"channel__exact": "phone"})

    if connection.vendor == "sqlite":
        assert response.context["cl"].paginator.estimated is False
        assert response.context["cl"].result_count == 12
    assert len(response.context["cl"].result_list) == 12


@on_postgresql
def test_the_needs_attention_list_costs_the_same_queries_small_or_big(
    lead_client, monkeypatch, django_assert_max_num_queries
):
    """Counted exactly (few rows) or estimated (many), the list makes as many queries."""
    from reports.triage import triage_refresh
    from tests.report_factories import ActivityReportFactory, ReportPeriodFactory

    period = ReportPeriodFactory(year=2026, quarter=1)
    for _ in range(3):
        ActivityReportFactory(period=period, stress=5, wants_contact=True)
    triage_refresh()
    url = reverse("admin:laureates_laureate_changelist") + "?attention=yes"
    with CaptureQueriesContext(connection) as small:
        assert lead_client.get(url).status_code == 200
    for _ in range(12):
        ActivityReportFactory(period=period, stress=5, wants_contact=True)
    triage_refresh()
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", 1)
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 5)

    with django_assert_max_num_queries(len(small)):
        response = lead_client.get(url)

    assert response.context["cl"].paginator.estimated is True
