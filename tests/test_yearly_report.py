"""The yearly report for funders: the workbook read back, the printable page, the command,
who may produce it, its query budget, and confidential answers shown only over groups of at
least CONFIDENTIAL_MIN_GROUP laureates."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from emergence import overview
from emergence.overview import (
    CONFIDENTIAL_MIN_GROUP,
    Chart,
    Headline,
    OverviewPart,
    Panel,
    Table,
    overview_register,
)
from emergence.yearly_report import (
    unique_sheet_titles,
    yearly_report,
    yearly_report_html,
    yearly_report_xlsx,
)
from laureates.models import Laureate
from tests.factories import LaureateFactory, PromotionFactory
from tests.report_factories import ActivityReportFactory, ReportPeriodFactory

LONG_TITLE = "Average stress answer per promotion, at the end of the school year"
PRIVATE_URL = "/admin/laureates/laureate/?promotion__year="


def _fake_panels(filters):
    """A part built as the apps build theirs: one aggregate query, groups of fewer than
    CONFIDENTIAL_MIN_GROUP laureates hidden, a link per number to the list behind it."""
    groups = (
        Laureate.objects.values("promotion__year")
        .annotate(laureates=Count("pk"))
        .order_by("promotion__year")
    )
    rows, links, hidden = [], [], 0
    last_day = filters.school_year_bounds[1]
    for group in groups:
        if group["laureates"] < CONFIDENTIAL_MIN_GROUP:
            hidden += 1
            continue
        year = group["promotion__year"]
        rows.append((f"P{year}", group["laureates"], 3.25, last_day))
        links.append((None, f"{PRIVATE_URL}{year}", None, None))
    language = translation.get_language()
    table = Table(
        key="stress",
        title=f"{LONG_TITLE} [{language}]",
        summary="The stress answer's average, per promotion.",
        columns=["Promotion", "Laureates", "Average stress", "Counted on"],
        rows=rows,
        links=links,
        chart=Chart(kind="bar", series=[2], y_range=(1, 5)),
        note=f"{hidden} smaller group(s) not shown.",
    )
    # Same title again: the workbook still names each sheet differently.
    again = Table(
        key="stress-again",
        title=table.title,
        summary="Again.",
        columns=["Promotion", "Laureates"],
        rows=[row[:2] for row in rows],
    )
    return [Panel(key="answers", title=f"Answers [{language}]", tables=[table, again])]


def _fake_headline(filters):
    return [
        Headline(
            key="laureates_followed",
            label="Laureates followed",
            value=Laureate.objects.count(),
        ),
        Headline(key="donations", label="Donations (€)", value=1250.5),
    ]


@pytest.fixture
def fake_overview():
    """Only the fake part is registered while the test runs; the apps' parts come back after."""
    saved = list(overview._parts)
    overview._parts[:] = []
    overview_register(
        OverviewPart(app="fake", order=1, panels=_fake_panels, headline=_fake_headline)
    )
    yield
    overview._parts[:] = saved


@pytest.fixture
def programme(db):
    """Six laureates of 2024 (shown) and four of 2025 (a group too small, hidden)."""
    LaureateFactory.create_batch(6, promotion=PromotionFactory(year=2024))
    LaureateFactory.create_batch(
        CONFIDENTIAL_MIN_GROUP - 1,
        promotion=PromotionFactory(year=2025),
        user__last_name="Secret",
    )


def _book(content: bytes):
    return load_workbook(io.BytesIO(content))


def _all_cells(book) -> list:
    return [cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row]


def test_the_workbook_has_the_headline_first_one_sheet_per_table_and_an_about_sheet(
    fake_overview, programme
):
    book = _book(yearly_report_xlsx(school_year=2026, language="en"))
    names = book.sheetnames
    assert names[0] == "Headline numbers"
    assert names[-1] == "About this report"
    assert len(names) == 4
    assert all(len(name) <= 31 for name in names)
    assert len({name.casefold() for name in names}) == len(names)
    assert names[1].startswith("Average stress answer")
    assert names[2].endswith(" (2)")


def test_each_sheet_has_a_frozen_bold_header_with_a_filter(fake_overview, programme):
    book = _book(yearly_report_xlsx(school_year=2026, language="en"))
    for sheet in book:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert sheet["A1"].font.bold, sheet.title
    table = book.worksheets[1]
    assert [cell.value for cell in table[1]] == [
        "Promotion",
        "Laureates",
        "Average stress",
        "Counted on",
    ]
    assert table.auto_filter.ref == "A1:D2"


def test_numbers_and_dates_are_real_cells(fake_overview, programme):
    book = _book(yearly_report_xlsx(school_year=2026, language="en"))
    row = [cell for cell in book.worksheets[1][2]]
    assert row[0].value == "P2024"
    assert row[1].value == 6 and row[1].data_type == "n"
    assert row[2].value == 3.25 and row[2].data_type == "n"
    assert row[3].is_date
    assert row[3].value.date() == datetime.date(2027, 8, 31)
    assert row[3].number_format == "dd/mm/yyyy"


def test_the_headline_sheet_gives_the_programme_s_numbers(fake_overview, programme):
    book = _book(yearly_report_xlsx(school_year=2026, language="en"))
    rows = list(book["Headline numbers"].iter_rows(values_only=True))
    assert rows == [
        ("Figure", "Value"),
        ("Laureates followed", 6 + CONFIDENTIAL_MIN_GROUP - 1),
        ("Donations (€)", 1250.5),
    ]


def test_the_about_sheet_says_the_school_year_the_day_and_the_filters(
    fake_overview, programme, time_machine
):
    time_machine.move_to(datetime.datetime(2027, 9, 15, 10, tzinfo=datetime.UTC))
    book = _book(yearly_report_xlsx(school_year=2026, language="en"))
    about = {row[0]: row[1] for row in book["About this report"].iter_rows(values_only=True)}
    assert about["School year"] == "2026–2027"
    assert about["Produced on"] == datetime.datetime(2027, 9, 15)
    assert about["Promotion"] == about["Track"] == about["Referent"] == "all"
    described = [value for value in about.values() if "smaller group(s) not shown" in str(value)]
    assert len(described) == 1


def test_the_workbook_is_written_in_the_language_asked(fake_overview, programme):
    english = _book(yearly_report_xlsx(school_year=2026, language="en"))
    french = _book(yearly_report_xlsx(school_year=2026, language="fr"))
    assert "[en]" in " ".join(str(cell) for cell in _all_cells(english))
    assert "[fr]" in " ".join(str(cell) for cell in _all_cells(french))
    assert "[en]" not in " ".join(str(cell) for cell in _all_cells(french))
    # The report's own words: « Année scolaire », « Filière » are in the catalogue already.
    french_about = [row[0] for row in french.worksheets[-1].iter_rows(values_only=True)]
    english_about = [row[0] for row in english.worksheets[-1].iter_rows(values_only=True)]
    assert "Année scolaire" in french_about and "Filière" in french_about
    assert "School year" in english_about and "Track" in english_about
    with translation.override("fr"):
        assert french.sheetnames[0] == gettext("Headline numbers")
        assert french.sheetnames[-1] == gettext("About this report")
    assert translation.get_language() == "fr"  # the caller's language is left as it was


def test_a_group_smaller_than_the_threshold_stays_hidden_in_the_workbook(fake_overview, programme):
    cells = _all_cells(_book(yearly_report_xlsx(school_year=2026, language="en")))
    text = " ".join(str(cell) for cell in cells if cell is not None)
    assert "P2024" in text
    assert "P2025" not in text
    assert CONFIDENTIAL_MIN_GROUP - 1 not in [cell for cell in cells if isinstance(cell, int)]
    assert "1 smaller group(s) not shown." in text
    # Never a row about one laureate: no name, no link to the lists behind the numbers.
    assert "Secret" not in text
    assert PRIVATE_URL not in text


def test_sheet_titles_are_cleaned_cut_and_made_unique():
    names = unique_sheet_titles(["A/B: c?", "x" * 40, "X" * 40, "x" * 40])
    assert names[0] == "A-B- c-"
    assert names[1] == "x" * 31
    assert names[2] == "X" * 27 + " (2)"
    assert names[3] == "x" * 27 + " (3)"


# The page in the console -------------------------------------------------------------------


def _url(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("yearly_report") + (f"?{query}" if query else "")


def test_the_lead_sees_the_headline_each_table_and_the_download_link(
    client, lead, fake_overview, programme
):
    client.force_login(lead)
    response = client.get(_url(school_year=2026), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="yearly-headline"' in page
    assert 'id="headline-laureates_followed"' in page
    assert 'id="table-stress"' in page and 'id="table-stress-again"' in page
    assert "P2024" in page and "P2025" not in page
    assert "1 smaller group(s) not shown." in page
    assert PRIVATE_URL not in page and "Secret" not in page
    assert 'href="/admin/yearly-report/?school_year=2026&amp;format=xlsx"' in page
    assert "css/yearly_report.css" in page and "js/yearly_report_print.js" in page
    assert 'id="yearly-report-print" data-print hidden' in page
    # The school year is chosen in a labelled select.
    assert '<label for="id_school_year">' in page
    assert '<option value="2026" selected>2026–2027</option>' in page
    assert "<script>" not in page and "style=" not in page


def test_each_chart_is_drawn_beside_its_table(client, lead, fake_overview, programme):
    client.force_login(lead)
    page = client.get(_url(school_year=2026)).content.decode()
    # The first table has a chart, the second (without one) only its numbers.
    assert page.count('<div class="yearly-chart"><svg') == 1
    assert 'data-chart="stress"' in page


def test_the_partnerships_role_downloads_the_workbook(
    client, partnerships_staff, fake_overview, programme
):
    client.force_login(partnerships_staff)
    response = client.get(_url(school_year=2026, format="xlsx"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="yearly-report-2026-2027.xlsx"' in response["Content-Disposition"]
    assert _book(response.content).sheetnames[0] == "Headline numbers"


def test_a_year_that_is_not_offered_shows_the_current_school_year(
    client, lead, fake_overview, time_machine
):
    time_machine.move_to(datetime.datetime(2027, 3, 1, 10, tzinfo=datetime.UTC))
    client.force_login(lead)
    response = client.get(_url(school_year="nonsense"))
    assert response.status_code == 200
    assert response.context["report"].school_year == 2026


@pytest.mark.parametrize("who", ["referent", "workshops_staff"])
def test_other_staff_roles_are_refused(client, request, who, fake_overview):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(school_year=2026)).status_code == 403
    assert client.get(_url(school_year=2026, format="xlsx")).status_code == 403


@pytest.mark.parametrize("who", ["laureate", "partner_member", None])
def test_laureates_partners_and_visitors_are_sent_to_the_console_s_login(
    client, request, who, fake_overview
):
    if who:
        person = request.getfixturevalue(who)
        client.force_login(getattr(person, "user", person))
    response = client.get(_url(school_year=2026, format="xlsx"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("size", [5, 25])
def test_the_page_s_queries_do_not_grow_with_the_laureates(
    client, lead, fake_overview, django_assert_max_num_queries, size
):
    LaureateFactory.create_batch(size, promotion=PromotionFactory(year=2024))
    client.force_login(lead)
    with django_assert_max_num_queries(8):
        assert client.get(_url(school_year=2026)).status_code == 200


@pytest.mark.parametrize("size", [3, 15])
def test_the_page_with_every_app_s_figures_stays_within_the_overview_s_budget(
    client, lead, django_assert_max_num_queries, size
):
    LaureateFactory.create_batch(size, promotion=PromotionFactory(year=2026))
    client.force_login(lead)
    # The overview's 25 queries, the session, the user and their permissions.
    with django_assert_max_num_queries(25 + 6):
        assert client.get(_url(school_year=2026)).status_code == 200


def test_the_workbook_holds_every_app_s_tables(db):
    LaureateFactory.create_batch(3, promotion=PromotionFactory(year=2026))
    with translation.override("en"):
        tables = [
            table
            for panel in overview.overview_panels(overview.OverviewFilters(school_year=2026))
            if not panel.internal
            for table in panel.tables
        ]
    assert tables, "the apps register their overview parts"
    book = _book(yearly_report_xlsx(school_year=2026, language="en"))
    assert len(book.sheetnames) == len(tables) + 2
    headline = list(book["Headline numbers"].iter_rows(values_only=True))[1:]
    assert headline and all(isinstance(value, int | float) for _label, value in headline)


@pytest.mark.parametrize(
    "group, shown", [(CONFIDENTIAL_MIN_GROUP - 1, False), (CONFIDENTIAL_MIN_GROUP, True)]
)
def test_the_stress_average_reaches_the_workbook_only_over_five_laureates(
    db, time_machine, group, shown
):
    # The apps' own figures, not a stand-in: stress is a confidential answer.
    time_machine.move_to(datetime.datetime(2027, 3, 1, 10, tzinfo=datetime.UTC))
    period = ReportPeriodFactory(year=2026, quarter=4)
    promotion = PromotionFactory(year=2026)
    for _ in range(group):
        laureate = LaureateFactory(promotion=promotion, joined_on=datetime.date(2026, 9, 1))
        ActivityReportFactory(laureate=laureate, period=period, stress=4, studies_rating=3)
    with translation.override("en"):
        keys = [table.key for table in yearly_report(school_year=2026).tables]
    book = _book(yearly_report_xlsx(school_year=2026, language="en"))
    per_period = list(book.worksheets[1 + keys.index("answers_per_period")].values)
    assert per_period[0][0] == "Period" and per_period[0][-1] == "stress"
    assert per_period[1][0] == "2026-q4"
    assert per_period[1][1] == 3  # studies: not confidential, shown for any group
    assert per_period[1][-1] == (4 if shown else None)
    cohorts = list(book.worksheets[1 + keys.index("cohorts_stress")].values)
    assert cohorts[1] == (1, 4 if shown else None)  # the 1st quarter of the 2026 promotion
    about = " ".join(str(value) for _name, value in book["About this report"].values)
    assert ("smaller groups" in about) is not shown


def test_the_team_s_triage_figures_stay_out_of_the_report_for_funders(db):
    LaureateFactory.create_batch(3, promotion=PromotionFactory(year=2026))
    with translation.override("en"):
        internal = [
            table.title
            for panel in overview.overview_panels(overview.OverviewFilters(school_year=2026))
            if panel.internal
            for table in panel.tables
        ]
        report = yearly_report(school_year=2026)
    assert internal, "the triage panel is the team's own"
    assert not any(panel.internal for panel in report.panels)
    assert not set(internal) & {table.title for table in report.tables}


# The command ---------------------------------------------------------------------------------


def test_the_command_writes_the_workbook_and_the_printable_page(fake_overview, programme, tmp_path):
    workbook, page = tmp_path / "report.xlsx", tmp_path / "report.html"
    out = io.StringIO()
    call_command(
        "yearly_report",
        "--school-year",
        "2026",
        "--language",
        "en",
        "--output",
        str(workbook),
        "--html",
        str(page),
        stdout=out,
    )
    assert _book(workbook.read_bytes()).sheetnames[0] == "Headline numbers"
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert "@page" in html and "size: A4" in html  # the print stylesheet, inside
    assert "Yearly report 2026–2027" in html and "P2024" in html and "P2025" not in html
    assert str(workbook) in out.getvalue() and str(page) in out.getvalue()


def test_the_command_names_the_workbook_after_the_year_by_default(
    fake_overview, db, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    call_command("yearly_report", "--school-year", "2025", "--language", "en", stdout=io.StringIO())
    assert (tmp_path / "yearly-report-2025-2026.xlsx").exists()


def test_the_standalone_page_is_in_the_language_asked(fake_overview, programme):
    assert "Answers [fr]" in yearly_report_html(school_year=2026, language="fr")
    assert '<html lang="fr">' in yearly_report_html(school_year=2026, language="fr")


def test_in_french_the_command_names_the_workbook_rapport_annuel(
    fake_overview, db, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    call_command("yearly_report", "--school-year", "2025", "--language", "fr", stdout=io.StringIO())
    assert (tmp_path / "rapport-annuel-2025-2026.xlsx").exists()
