"""The laureate list writes its rows itself (emergence/templatetags/console_lists.py), faster
than Django's ``result_list``: staff must see exactly the rows Django would write, for every
kind of cell (links, choices, related people, empty values, the triage's badges, escaped
names), whoever reads the list."""

import datetime
import re

import pytest
from django.contrib.admin.templatetags import admin_list
from django.urls import reverse

from emergence.templatetags import console_lists
from reports.triage import triage_assign, triage_close, triage_flag, triage_record_contact
from tests.factories import LaureateFactory, SponsorshipFactory
from tests.report_factories import ActivityReportFactory, ReportPeriodFactory

LAUREATES = reverse("admin:laureates_laureate_changelist")
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def varied(db, referent, lead):
    """Laureates whose rows use every kind of cell the list shows."""
    period = ReportPeriodFactory(year=2026, quarter=1)
    ReportPeriodFactory(year=2025, quarter=4)
    odd = LaureateFactory(
        user__first_name="<b>Zoé</b> & «", user__last_name="O'Hara", referent=None
    )
    ActivityReportFactory(laureate=odd, period=period, stress=5, wants_contact=True)
    triage_flag(laureate=odd, by=lead, note="<script>alert(1)</script> & co")
    sponsored = SponsorshipFactory().laureate
    ActivityReportFactory(laureate=sponsored, period=period, studies_rating=1)
    triage_assign(laureate=sponsored, to=referent, by=lead)
    triage_record_contact(
        laureate=sponsored,
        by=referent,
        channel="phone",
        level="alert",
        next_contact_on=datetime.date(2026, 3, 11),
    )
    reopened = LaureateFactory(referent=referent)
    ActivityReportFactory(laureate=reopened, period=period, project_progress=1)
    triage_close(laureate=reopened, by=lead)
    triage_flag(laureate=reopened, by=lead, note="again")  # a second cycle: « nouveau »
    LaureateFactory(status="alumni")
    return [odd, sponsored, reopened]


def result_table(response) -> str:
    assert response.status_code == 200
    match = re.search(r'<table id="result_list">.*?</table>', response.content.decode(), re.S)
    assert match, "no result list on the page"
    return match.group(0)


def djangos_rows(cl):
    return list(admin_list.results(cl))


COMMON = ["", "?o=-2", "?q=Hara", "?status__exact=alumni"]
TRIAGE = ["?attention=yes", "?queue=mine"]  # filters of who sees the triage only


@pytest.mark.parametrize(
    ("who", "query"),
    [
        *[(who, query) for who in ("lead_client", "referent_client") for query in COMMON + TRIAGE],
        *[("workshops_client", query) for query in COMMON],
    ],
)
def test_the_laureate_list_shows_the_same_rows_as_djangos_own(
    varied, who, query, request, monkeypatch
):
    client = request.getfixturevalue(who)
    ours = result_table(client.get(LAUREATES + query))
    monkeypatch.setattr(console_lists, "result_rows", djangos_rows)

    assert ours == result_table(client.get(LAUREATES + query))
    assert "<td" in ours or query == "?status__exact=alumni"


def test_escaped_names_and_notes_stay_escaped(varied, lead_client):
    table = result_table(lead_client.get(LAUREATES))

    assert "<script>" not in table and "<b>Zoé" not in table
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in table
    assert 'class="triage-badge triage-new"' in table


def test_a_popup_list_keeps_djangos_rows(varied, lead_client):
    response = lead_client.get(LAUREATES, {"_popup": "1", "_to_field": "id"})

    assert "data-popup-opener" in result_table(response)
