"""The console's lists write their rows themselves (emergence/templatetags/console_lists.py),
faster than Django's ``result_list``: staff must see exactly the rows Django would write, for
every list and every kind of cell (links, choices, related people, empty values, the triage's
badges, escaped names, the attendance edited in place), whoever reads the list."""

import datetime
import io
import re

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emergence.templatetags import console_lists
from laureates.demo import STAFF_EMAIL
from reports.triage import triage_assign, triage_close, triage_flag, triage_record_contact
from tests.factories import FollowUpFactory, LaureateFactory, SponsorshipFactory
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
        ours, our_dates = result_table(response), date_bar(response)
        with monkeypatch.context() as django_only:
            django_only.setattr(console_lists, "result_rows", djangos_rows)
            django_only.setattr(console_lists, "_DatesFromRange", lambda cl: cl)
            djangos = client.get(url)
            assert ours == result_table(djangos), url
            # Ours may offer a period without rows between two with some; never fewer.
            assert set(re.findall(r'href="([^"]*)"', date_bar(djangos))) <= set(
                re.findall(r'href="([^"]*)"', our_dates)
            ), url
        compared[url] = ours.count("<tr")

    registrations = reverse("admin:workshops_registration_changelist")
    assert 'name="form-0-attended"' in result_table(client.get(registrations))
    assert sum(rows > 1 for rows in compared.values()) >= 20, compared


def date_bar(response) -> str:
    assert response.status_code == 200
    match = re.search(r'<nav class="toplinks">.*?</nav>', response.content.decode(), re.S)
    return match.group(0) if match else ""


def djangos_date_bar(client, url, monkeypatch) -> str:
    with monkeypatch.context() as django_only:
        django_only.setattr(console_lists, "_DatesFromRange", lambda cl: cl)
        return date_bar(client.get(url))


@pytest.mark.parametrize(
    ("days", "query"),
    [
        # Every day, month and year between the first and the last has follow-ups: the same
        # choices as Django's, at each level.
        ([datetime.date(2026, 3, d) for d in (2, 3, 4, 5)], ""),
        ([datetime.date(2026, m, 1) for m in (1, 2, 3)], ""),
        ([datetime.date(y, 1, 5) for y in (2024, 2025, 2026)], ""),
        ([datetime.date(y, 1, 5) for y in (2024, 2025, 2026)], "?date__year=2025"),
        ([datetime.date(2026, 1, d) for d in (5, 6)], "?date__year=2026&date__month=1"),
        ([datetime.date(2026, 1, 5)], "?date__year=2026&date__month=1&date__day=5"),
    ],
)
def test_the_date_bar_of_a_list_offers_the_same_periods_as_djangos_own(
    lead, lead_client, days, query, monkeypatch
):
    for day in days:
        FollowUpFactory(date=day, by=lead)
    url = reverse("admin:laureates_followup_changelist") + query

    ours = date_bar(lead_client.get(url))

    assert ours and ours == djangos_date_bar(lead_client, url, monkeypatch)


def test_the_date_bar_reads_the_first_and_last_dates_not_every_row(lead, lead_client):
    for year in (2022, 2026):  # none in between: 2023 to 2025 are offered all the same
        FollowUpFactory(date=datetime.date(year, 6, 1), by=lead)
    url = reverse("admin:laureates_followup_changelist")

    with CaptureQueriesContext(connection) as queries:
        bar = date_bar(lead_client.get(url))

    assert [f"date__year={y}" in bar for y in range(2022, 2027)] == [True] * 5
    assert not [q for q in queries.captured_queries if "DISTINCT" in q["sql"]]


class Everything(forms.Form):
    attended = forms.NullBooleanField()
    status = forms.ChoiceField(
        choices=[("", "—"), ("Groupe <1>", [("a", "A & b"), ("b", "« B »")]), ("c", "C")]
    )
    seats = forms.IntegerField(min_value=0)
    note = forms.CharField(max_length=20, required=False, help_text="Aide")
    email = forms.EmailField(disabled=True)
    present = forms.BooleanField(required=False)
    key = forms.IntegerField(widget=forms.HiddenInput)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"attended": "true", "status": "b", "seats": "-1", "note": 'a "b" <c>', "present": "on"},
        {"attended": "unknown", "status": "x", "seats": "", "key": "7", "day": "2026-13-01"},
    ],
)
def test_the_fields_a_list_edits_in_place_are_written_as_django_writes_them(data):
    initial = {"attended": False, "status": "a", "seats": 3, "email": "a@b.fr", "key": 5}
    form = Everything(data, initial=initial, prefix="form-0")
    form.is_valid()

    for name in form.fields:
        assert console_lists._widget(form[name]) == str(form[name]), name
