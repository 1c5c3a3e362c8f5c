"""« Laureates followed » in a school year's report: who was followed during that year, not
who is active on the day the report is produced. Counted by hand on seven laureates."""

import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from emergence.overview import OverviewFilters, overview_headline, overview_panels
from emergence.yearly_report import yearly_report_xlsx
from laureates.models import Laureate, Status
from tests.factories import LaureateFactory, PromotionFactory
from tests.report_factories import ActivityReportFactory, ReportPeriodFactory

pytestmark = pytest.mark.django_db

# Produced in February 2027, after the promotion 2022 graduated in the summer of 2026.
NOW = datetime.datetime(2027, 2, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def programme():
    """A, B, C: alumni of promotion 2022. A answered 2026-q1's report (school year
    2025–2026); B only started 2026-q3's (opened 1 Sept. 2026, still 2025–2026's last
    quarter); C never reported. D (promotion 2023) left on 15 March 2026; G (promotion 2021)
    on 30 June 2025. E (promotion 2024) is active since 1 Sept. 2024; F (promotion 2026)
    joined on 1 Sept. 2026.

    Followed: 2024–2025: D, E, G; 2025–2026: A, B, D, E; 2026–2027: E, F.
    """
    with time_machine.travel(NOW, tick=False):
        p2021, p2022, p2023, p2024, p2026 = (
            PromotionFactory(year=year) for year in (2021, 2022, 2023, 2024, 2026)
        )
        alumni = {"promotion": p2022, "joined_on": datetime.date(2022, 9, 1)}
        people = {
            "A": LaureateFactory(status=Status.ALUMNI, **alumni),
            "B": LaureateFactory(status=Status.ALUMNI, **alumni),
            "C": LaureateFactory(status=Status.ALUMNI, **alumni),
            "D": LaureateFactory(
                promotion=p2023,
                joined_on=datetime.date(2023, 9, 1),
                status=Status.LEFT,
                left_on=datetime.date(2026, 3, 15),
            ),
            "E": LaureateFactory(promotion=p2024, joined_on=datetime.date(2024, 9, 1)),
            "F": LaureateFactory(promotion=p2026, joined_on=datetime.date(2026, 9, 1)),
            "G": LaureateFactory(
                promotion=p2021,
                joined_on=datetime.date(2021, 9, 1),
                status=Status.LEFT,
                left_on=datetime.date(2025, 6, 30),
            ),
        }
        ActivityReportFactory(
            laureate=people["A"], period=ReportPeriodFactory(year=2026, quarter=1)
        )
        ActivityReportFactory(
            laureate=people["B"], period=ReportPeriodFactory(year=2026, quarter=3), draft=True
        )
        # E's reports of every quarter change nothing: E is active.
        for year, quarter in [(2024, 4), (2025, 4), (2026, 4)]:
            ActivityReportFactory(
                laureate=people["E"], period=ReportPeriodFactory(year=year, quarter=quarter)
            )
        names = {laureate.pk: name for name, laureate in people.items()}
        yield {"people": people, "names": names, "p2022": p2022}


def followed_names(programme, school_year: int) -> set[str]:
    return {
        programme["names"][pk]
        for pk in Laureate.objects.followed_in_school_year(school_year).values_list("pk", flat=True)
    }


def test_an_alumna_who_reported_in_2025_26_counts_for_it_not_for_years_she_did_not_report(
    programme,
):
    assert "A" in followed_names(programme, 2025)
    assert "A" not in followed_names(programme, 2024)
    assert "A" not in followed_names(programme, 2026)


def test_a_report_only_started_in_the_year_s_last_quarter_counts_for_that_year(programme):
    # 2026-q3 opened on 1 Sept. 2026, in 2026–2027's days, but belongs to 2025–2026.
    assert "B" in followed_names(programme, 2025)
    assert "B" not in followed_names(programme, 2026)


def test_an_alumna_who_never_reported_is_not_counted(programme):
    assert not any("C" in followed_names(programme, year) for year in (2024, 2025, 2026))


def test_a_laureate_who_left_in_march_2026_counts_for_2025_26_not_for_2026_27(programme):
    assert "D" in followed_names(programme, 2024)
    assert "D" in followed_names(programme, 2025)
    assert "D" not in followed_names(programme, 2026)


def test_a_laureate_who_left_before_the_year_began_is_not_counted(programme):
    assert "G" in followed_names(programme, 2024)
    assert "G" not in followed_names(programme, 2025)


def test_a_laureate_who_joined_after_the_year_is_not_counted(programme):
    assert "F" not in followed_names(programme, 2025)
    assert "F" in followed_names(programme, 2026)


def test_each_year_counts_exactly_the_laureates_followed_in_it(programme):
    assert followed_names(programme, 2024) == {"D", "E", "G"}
    assert followed_names(programme, 2025) == {"A", "B", "D", "E"}
    assert followed_names(programme, 2026) == {"E", "F"}


@pytest.mark.parametrize(
    "school_year, laureates, promotions",
    [
        (2024, 3, 3),  # D, E, G: promotions 2023, 2024, 2021
        (2025, 4, 3),  # A, B, D, E: promotions 2022, 2023, 2024
        (2026, 2, 2),  # E, F: promotions 2024, 2026
    ],
)
def test_the_yearly_report_s_headline_counts_the_laureates_followed_that_year(
    programme, school_year, laureates, promotions
):
    with time_machine.travel(NOW, tick=False):
        content = yearly_report_xlsx(school_year=school_year, language="en")
    values = dict(list(load_workbook(io.BytesIO(content))["Headline numbers"].values)[1:])
    assert values["Laureates followed"] == laureates
    assert values["Promotions"] == promotions


def test_the_filters_narrow_the_laureates_followed(programme):
    filters = OverviewFilters(school_year=2025, promotion_id=programme["p2022"].pk)
    headline = {line.key: line.value for line in overview_headline(filters)}
    assert headline["laureates_followed"] == 2  # A and B


def test_without_a_school_year_the_laureates_followed_are_those_active_today(programme):
    with time_machine.travel(NOW, tick=False):
        headline = {line.key: line.value for line in overview_headline(OverviewFilters())}
    assert headline["laureates_followed"] == 2  # E and F


def test_the_sponsorship_panel_still_counts_the_laureates_active_today(programme):
    # In 2025–2026's report, of the four followed only E is still active (F joined after).
    with time_machine.travel(NOW, tick=False):
        panels = overview_panels(OverviewFilters(school_year=2025))
    sponsors = next(t for p in panels for t in p.tables if t.key == "sponsorships")
    assert [row[1] for row in sponsors.rows] == [0, 1]
