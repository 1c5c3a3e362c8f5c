"""The console's lists write their rows themselves (emergence/templatetags/console_lists.py),
faster than Django's ``result_list``: staff must see exactly the rows Django would write, for
every list and every kind of cell (links, choices, related people, empty values, the triage's
badges, escaped names, the attendance edited in place), whoever reads the list."""

import datetime
import io
import re

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from emergence.templatetags import console_lists
from laureates.demo import STAFF_EMAIL
from reports.triage import triage_assign, triage_close, triage_flag, triage_record_contact
from tests.factories import LaureateFactory, SponsorshipFactory
from tests.report_factories import ActivityReportFactory, ReportPeriodFactory

User = get_user_model()
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


def test_every_console_list_shows_the_same_rows_as_djangos_own(db, settings, monkeypatch):
    settings.DEBUG = True  # seed_demo's guard
    call_command("seed_demo", stdout=io.StringIO())
    client = Client()
    client.force_login(User.objects.get(email=STAFF_EMAIL))  # a superuser: every list
    compared = {}
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        if b'id="result_list"' not in response.content:  # an empty list: no table
            continue
        ours = result_table(response)
        with monkeypatch.context() as django_only:
            django_only.setattr(console_lists, "result_rows", djangos_rows)
            assert ours == result_table(client.get(url)), url
        compared[url] = ours.count("<tr")

    registrations = reverse("admin:workshops_registration_changelist")
    assert 'name="form-0-attended"' in result_table(client.get(registrations))
    assert sum(rows > 1 for rows in compared.values()) >= 20, compared
