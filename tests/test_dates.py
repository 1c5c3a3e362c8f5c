"""Dates read one way in each language: British English ("15 January 2027", "12/08/2026" for
12 August, 24-hour clock) and French with « 1er » for the first of the month."""

import datetime

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats, translation

from tests.report_factories import ReportPeriodFactory


def render(template: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load i18n %}" + template).render(Context(context))


@pytest.mark.parametrize(
    ("template", "english", "french"),
    [
        ('{{ d|date:"DATE_FORMAT" }}', "15 January 2027", "15 janvier 2027"),
        ('{{ d|date:"SHORT_DATE_FORMAT" }}', "15/01/2027", "15/01/2027"),
        ('{{ d|date:"l j F Y" }}', "Friday 15 January 2027", "vendredi 15 janvier 2027"),
        ("{{ d }}", "15 January 2027", "15 janvier 2027"),
    ],
)
def test_a_date_reads_the_british_way_in_english_and_the_french_way_in_french(
    template, english, french
):
    day = datetime.date(2027, 1, 15)
    assert render(template, "en", d=day) == english
    assert render(template, "fr", d=day) == french


def test_a_short_english_date_puts_the_day_first():
    assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', "en", d=datetime.date(2026, 8, 12)) == (
        "12/08/2026"
    )


def test_times_are_on_a_24_hour_clock_in_english():
    moment = datetime.datetime(2027, 1, 15, 14, 30)
    assert render("{{ t|time }}", "en", t=moment) == "14:30"
    assert render('{{ t|date:"DATETIME_FORMAT" }}', "en", t=moment) == "15 January 2027, 14:30"


def test_an_english_form_reads_12_08_2026_as_12_august():
    class Form(forms.Form):
        day = forms.DateField()

    with translation.override("en"):
        form = Form({"day": "12/08/2026"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 8, 12)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('{{ d|date:"DATE_FORMAT" }}', "1er juin 2027"),
        ('{{ d|date:"l j F Y" }}', "mardi 1er juin 2027"),
        ('{{ d|date:"j F" }}', "1er juin"),
        ('{{ d|date:"SHORT_DATE_FORMAT" }}', "01/06/2027"),
    ],
)
def test_the_first_of_the_month_is_1er_in_french(template, expected):
    assert render(template, "fr", d=datetime.date(2027, 6, 1)) == expected


def test_the_first_of_the_month_stays_1_in_english_and_other_days_have_no_ordinal():
    assert render('{{ d|date:"DATE_FORMAT" }}', "en", d=datetime.date(2027, 6, 1)) == "1 June 2027"
    assert render('{{ d|date:"DATE_FORMAT" }}', "fr", d=datetime.date(2027, 6, 2)) == "2 juin 2027"
    with translation.override("fr"):
        assert formats.localize(datetime.date(2027, 6, 1)) == "1er juin 2027"


@pytest.mark.django_db
def test_an_english_page_shows_a_british_date(client, laureate):
    ReportPeriodFactory(
        year=2026, quarter=4, opens_on=datetime.date(2026, 1, 1), due_on=datetime.date(2027, 1, 15)
    )
    client.force_login(laureate.user)
    client.cookies["django_language"] = "en"
    content = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "15 January 2027" in content
    assert "Jan. 15, 2027" not in content
