"""The staff overview on /admin/: each figure against a hand-counted programme of 7
laureates, cohorts compared across questionnaire versions, confidential answers only over
groups of 5 or more, the filters, the query budget and who sees what."""

import dataclasses
import datetime
import io
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from emergence.charts import chart_css, chart_svg
from emergence.overview import (
    CONFIDENTIAL_MIN_GROUP,
    Chart,
    OverviewFilters,
    Table,
    overview_headline,
    overview_panels,
)
from emergence.yearly_report import yearly_report_xlsx
from laureates.models import (
    PartnerConsent,
    Placement,
    SearchKind,
    SponsorMeeting,
    Sponsorship,
    Status,
    Track,
)
from partners.models import CoOpter, IntroductionStatus, PartnerViewLog, ReferralStatus
from reports.models import QuestionKind, ReportStatus, Triage, TriageState
from reports.triage import triage_refresh
from tests.factories import (
    CompanyFactory,
    FollowUpFactory,
    LaureateFactory,
    PromotionFactory,
    SponsorFactory,
    SponsorshipFactory,
)
from tests.partner_factories import IntroductionFactory, ReferralFactory, SearchFactory
from tests.report_factories import (
    ActivityReportFactory,
    QuestionFactory,
    QuestionnaireFactory,
    ReportPeriodFactory,
)
from tests.workshops_factories import SeriesFactory, SessionFactory, paris
from workshops.models import Feedback, Registration, RegistrationStatus

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def table(panels, key) -> Table:
    return next(table for panel in panels for table in panel.tables if table.key == key)


def column(found: Table, name: str) -> dict:
    """{first cell: the cell of column ``name``} of a table."""
    index = list(found.columns).index(name)
    return {row[0]: row[index] for row in found.rows}


def second(found: Table) -> dict:
    return {row[0]: row[1] for row in found.rows}


@pytest.fixture
def programme(frozen, referent):
    """Seven laureates, counted by hand in each test below.

    Promotion 2025 (joined 1 Sept. 2025): L1–L4 active, L7 alumni. Promotion 2026 (joined
    1 Sept. 2026): L5, L6 active, who owe no report yet. Referent: L1–L4.
    """
    p2025, p2026 = PromotionFactory(year=2025), PromotionFactory(year=2026)
    joined25, joined26 = datetime.date(2025, 9, 1), datetime.date(2026, 9, 1)
    names = {}
    for name in ["L1", "L2", "L3", "L4"]:
        names[name] = LaureateFactory(
            promotion=p2025, joined_on=joined25, referent=referent, user__last_name=name
        )
    for name in ["L5", "L6"]:
        names[name] = LaureateFactory(promotion=p2026, joined_on=joined26, user__last_name=name)
    names["L7"] = LaureateFactory(
        promotion=p2025, joined_on=joined25, status=Status.ALUMNI, user__last_name="L7"
    )
    q2 = ReportPeriodFactory(year=2026, quarter=2)
    q3 = ReportPeriodFactory(year=2026, quarter=3)
    for name in ["L1", "L2", "L3", "L4"]:
        ActivityReportFactory(laureate=names[name], period=q2)
    ActivityReportFactory(laureate=names["L1"], period=q3, stress=5)
    ActivityReportFactory(laureate=names["L2"], period=q3, is_late=True, studies_rating=2)
    ActivityReportFactory(laureate=names["L3"], period=q3, draft=True)

    # Sponsors: L1, L2, L5 now; L3 no more.
    for name in ["L1", "L2", "L5"]:
        SponsorshipFactory(laureate=names[name])
    SponsorshipFactory(laureate=names["L3"], ended_on=datetime.date(2026, 6, 1), end_reason="moved")
    sponsorship = Sponsorship.objects.get(laureate=names["L1"])
    SponsorMeeting.objects.create(
        sponsorship=sponsorship,
        date=datetime.date(2026, 10, 5),
        mode="video",
        logged_by="laureate",
        confirmed_at=NOW,
    )
    SponsorMeeting.objects.create(
        sponsorship=sponsorship, date=datetime.date(2026, 7, 10), mode="phone", logged_by="sponsor"
    )

    # Triage: L3 assigned (next contact overdue), L4 contacted; the others have no row (new).
    Triage.objects.create(
        laureate=names["L3"],
        state=TriageState.ASSIGNED,
        assigned_to=referent,
        next_contact_on=datetime.date(2026, 11, 10),
    )
    Triage.objects.create(
        laureate=names["L4"],
        state=TriageState.CONTACTED,
        assigned_to=referent,
        next_contact_on=datetime.date(2026, 12, 1),
    )
    FollowUpFactory(laureate=names["L3"], date=datetime.date(2026, 11, 5), by=referent)
    FollowUpFactory(laureate=names["L4"], date=datetime.date(2026, 10, 28), by=referent)

    # Workshops: one session held; L1 registered and came, L2 registered and did not,
    # L5 cancelled; L1 and L2 rated the series 4 and 5.
    series = SeriesFactory(school_year="2026-2027", track=Track.ENGINEERING, animators=[])
    session = SessionFactory(series=series, starts_at=paris(2026, 10, 10, 14, 0))
    SessionFactory(series=series, starts_at=paris(2027, 1, 10, 14, 0))  # still to come
    Registration.objects.create(
        session=session, laureate=names["L1"], status=RegistrationStatus.CONFIRMED, attended=True
    )
    Registration.objects.create(
        session=session, laureate=names["L2"], status=RegistrationStatus.CONFIRMED, attended=False
    )
    Registration.objects.create(
        session=session,
        laureate=names["L5"],
        status=RegistrationStatus.CANCELLED,
        cancelled_at=NOW,
    )
    Feedback.objects.create(series=series, laureate=names["L1"], rating=4)
    Feedback.objects.create(series=series, laureate=names["L2"], rating=5)

    # Partners: L1 and L7 share their profile; open searches: L1 internship, L2 job.
    for name in ["L1", "L7"]:
        PartnerConsent.objects.create(
            laureate=names[name], version="v1", expires_on=datetime.date(2027, 6, 1)
        )
    SearchFactory(laureate=names["L1"], kind=SearchKind.INTERNSHIP)
    SearchFactory(laureate=names["L2"], kind=SearchKind.JOB)
    SearchFactory(laureate=names["L3"], kind=SearchKind.JOB, closed_on=datetime.date(2026, 5, 1))
    acme, other = CompanyFactory(name="Acme"), CompanyFactory(name="Bêta")
    for _ in range(2):
        PartnerViewLog.objects.create(company=acme, kind="dashboard", viewed_at=NOW)
    PartnerViewLog.objects.create(
        company=other, kind="laureate", laureate=names["L1"], viewed_at=NOW
    )
    accepted = IntroductionFactory(
        laureate=names["L1"], status=IntroductionStatus.ACCEPTED, membership__company=acme
    )
    IntroductionFactory(laureate=names["L2"], status=IntroductionStatus.PENDING)
    IntroductionFactory(
        laureate=names["L3"], status=IntroductionStatus.DECLINED, laureate_answered=True
    )
    placement = Placement.objects.create(
        laureate=names["L1"],
        company=acme,
        kind=SearchKind.INTERNSHIP,
        title="Stage",
        starts_on=datetime.date(2026, 11, 2),
        source="introduction",
    )
    type(accepted).objects.filter(pk=accepted.pk).update(
        placement=placement, created_at=datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC)
    )
    Placement.objects.create(
        laureate=names["L7"],
        other_company="Ailleurs",
        kind=SearchKind.JOB,
        title="Analyste",
        starts_on=datetime.date(2026, 6, 1),
    )
    coopter = CoOpter.objects.create(laureate=names["L7"], platforms="Keycoopt")
    ReferralFactory(
        coopter=coopter,
        referred_on=datetime.date(2026, 3, 1),
        status=ReferralStatus.HIRED,
        bonus=800,
        pledged_to_programme=True,
    )
    ReferralFactory(coopter=coopter, referred_on=datetime.date(2026, 5, 1))
    ReferralFactory(
        coopter=coopter, referred_on=datetime.date(2025, 11, 1), status=ReferralStatus.NOT_RETAINED
    )
    triage_refresh()  # as the functions that change a laureate's triage do
    return {"names": names, "q2": q2, "q3": q3, "series": series, "acme": acme}


# Each figure, counted by hand --------------------------------------------------------------


def test_reports_of_the_open_and_last_periods_are_counted_by_state(programme):
    found = table(overview_panels(OverviewFilters()), "reports_status")
    # Expected: L1–L4 (L5, L6 joined the day 2026-q3 opened; L7 is an alumna).
    assert [list(row) for row in found.rows] == [
        ["2026-q3", 4, 1, 1, 1, 1],
        ["2026-q2", 4, 4, 0, 0, 0],
    ]
    not_started = found.links[0][5]
    assert f"not_started={programme['q3'].pk}" in not_started
    assert not_started.startswith(reverse("admin:laureates_laureate_changelist"))


def test_response_rate_is_given_per_period(programme):
    found = table(overview_panels(OverviewFilters()), "response_rate")
    assert [list(row) for row in found.rows] == [
        ["2026-q2", 4, 4, 100.0],
        ["2026-q3", 4, 2, 50.0],
    ]


def test_triage_counts_reasons_states_referents_and_contacts(programme, referent):
    panels = overview_panels(OverviewFilters())
    assert table(panels, "attention_reasons").rows[0][1] == 4  # any reason
    counts = list(table(panels, "attention_reasons").rows)
    by_label = {str(row[0]): row[1] for row in counts}
    from reports.triage import REASONS

    assert by_label[str(REASONS["overdue"])] == 2  # L3 (a draft), L4 (nothing)
    assert by_label[str(REASONS["studies"])] == 1  # L2
    assert by_label[str(REASONS["stress"])] == 1  # L1: 6 active laureates, shown
    states = list(table(panels, "triage_states").rows)
    assert [row[1] for row in states] == [4, 1, 1, 0]  # new, assigned, contacted, closed
    referents = {row[0]: list(row[1:]) for row in table(panels, "referents").rows}
    assert referents[referent.get_full_name()] == [4, 2, 1, 1, 0]
    assert [value for name, value in referents.items() if name != referent.get_full_name()] == [
        [2, 2, 0, 0, 0]
    ]
    contacts = [row[1] for row in table(panels, "contacts").rows]
    assert contacts == [1, 1]  # L3's contact this month; L3's next contact overdue


def test_sponsorships_and_meetings_per_quarter(programme):
    panels = overview_panels(OverviewFilters())
    assert [row[1] for row in table(panels, "sponsorships").rows] == [3, 3]
    meetings = [list(row) for row in table(panels, "sponsor_meetings").rows]
    assert meetings == [["2026-q3", 1, 0], ["2026-q4", 1, 1]]
    assert "current_sponsor=none" in table(panels, "sponsorships").links[1][1]


def test_workshops_count_sessions_held_registered_present_and_rating(programme):
    found = table(overview_panels(OverviewFilters()), "workshops_series")
    assert [list(row[1:]) for row in found.rows] == [[1, 2, 1, 4.5]]
    tracks = table(overview_panels(OverviewFilters()), "workshops_tracks")
    assert [list(row[1:]) for row in tracks.rows] == [[1, 2, 1, 4.5]]


def test_partner_figures(programme):
    panels = overview_panels(OverviewFilters())
    sharing = [row[1] for row in table(panels, "partner_sharing").rows]
    assert sharing == [2, 1, 0, 1]  # consenting; internship, work-study, job searches
    views = {row[0]: list(row[1:]) for row in table(panels, "partner_views").rows}
    assert list(views.values()) == [[2, 1], [1, 1], [0, 0]]
    introductions = [row[1] for row in table(panels, "introductions").rows]
    statuses = list(IntroductionStatus.values)
    assert introductions[statuses.index("accepted")] == 1
    assert introductions[statuses.index("pending")] == 1
    assert introductions[statuses.index("declined")] == 1
    assert sum(introductions) == 3
    placements = {row[0]: list(row[1:]) for row in table(panels, "placements").rows}
    assert placements["Acme"] == [1, 0, 0, 1]
    assert list(placements.values())[-1] == [0, 0, 1, 1]  # another company: a job
    delays = [list(row[1:]) for row in table(panels, "time_to_placement").rows]
    assert delays[0] == [1, 32]  # internship: asked 1 October, started 2 November


def test_cooptation_per_year(programme):
    found = table(overview_panels(OverviewFilters()), "referrals")
    rows = {row[0]: list(row[1:]) for row in found.rows}
    statuses = list(ReferralStatus.values)
    assert rows[2025][0] == 1 and rows[2025][1 + statuses.index("not_retained")] == 1
    assert rows[2026][0] == 2 and rows[2026][1 + statuses.index("hired")] == 1
    assert rows[2026][-2] == 800  # pledged
    assert rows[2026][-1] == 0  # nothing received yet


def test_headline_numbers(programme):
    headline = {line.key: line.value for line in overview_headline(OverviewFilters())}
    assert headline["laureates_followed"] == 6
    assert headline["promotions"] == 2
    assert headline["reports_answered"] == 6  # 4 in 2026-q2, 2 in 2026-q3
    assert headline["workshops_held"] == 1
    assert headline["introductions"] == 3
    assert headline["placements"] == 2
    assert headline["donations"] == 0


@pytest.mark.parametrize(
    "school_year, expected",
    [
        # In the order of the headline: reports answered, laureates followed, promotions,
        # workshop sessions held, introductions, placements, donations.
        # 2025–2026: 2026-q2 and q3's six reports; L1–L4 (L5, L6 joined on 1 Sept. 2026;
        # L7, an alumna now, is not counted: nothing says since when); the series is
        # 2026–2027; the introductions were asked in Oct.–Nov. 2026; L7's job started on
        # 1 June 2026.
        (2025, [6, 4, 1, 0, 0, 1, 0]),
        # 2026–2027: no period of it opened yet; the six active laureates; the session of
        # 10 Oct.; the three introductions; L1's internship from 2 Nov.
        (2026, [0, 6, 2, 1, 3, 1, 0]),
    ],
)
def test_the_yearly_report_s_headline_numbers_count_its_school_year(
    programme, school_year, expected
):
    book = load_workbook(io.BytesIO(yearly_report_xlsx(school_year=school_year, language="en")))
    rows = list(book["Headline numbers"].values)
    assert rows[0] == ("Figure", "Value")
    assert [value for _label, value in rows[1:]] == expected
    assert all(isinstance(value, int | float) for _label, value in rows[1:])
    with translation.override("en"):
        keys = [line.key for line in overview_headline(OverviewFilters(school_year=school_year))]
    assert keys == [
        "reports_answered",
        "laureates_followed",
        "promotions",
        "workshops_held",
        "introductions",
        "placements",
        "donations",
    ]


# Answers over time -------------------------------------------------------------------------


def test_averages_per_period_hide_stress_of_fewer_than_five(programme):
    found = table(overview_panels(OverviewFilters()), "answers_per_period")
    studies = column(found, found.columns[1])
    stress = column(found, found.columns[5])
    assert studies == {"2026-q2": 4.0, "2026-q3": 3.0}
    assert stress == {"2026-q2": None, "2026-q3": None}  # 4 and 2 laureates answered
    assert found.note


def _answer(laureate, period, **answers):
    return ActivityReportFactory(laureate=laureate, period=period, **answers)


@pytest.mark.parametrize("group, shown", [(CONFIDENTIAL_MIN_GROUP - 1, False), (5, True)])
def test_stress_average_shown_only_over_five_laureates(frozen, group, shown):
    period = ReportPeriodFactory(year=2026, quarter=2)
    for _ in range(group):
        _answer(LaureateFactory(), period, stress=4)
    found = table(overview_panels(OverviewFilters()), "answers_per_period")
    stress = column(found, found.columns[5])["2026-q2"]
    assert stress == (4.0 if shown else None)
    cohort = table(overview_panels(OverviewFilters()), "cohorts_stress")
    values = [cell for row in cohort.rows for cell in row[1:] if cell is not None]
    assert values == ([4.0] if shown else [])


def test_cohorts_compare_promotions_at_the_same_quarter_since_joining(frozen):
    # This year's first-years and last year's, each at their 1st and 2nd quarter.
    p2024, p2025 = PromotionFactory(year=2024), PromotionFactory(year=2025)
    old = [LaureateFactory(promotion=p2024, joined_on=datetime.date(2024, 9, 1)) for _ in range(2)]
    new = [LaureateFactory(promotion=p2025, joined_on=datetime.date(2025, 9, 1)) for _ in range(2)]
    for laureate in old:
        _answer(laureate, ReportPeriodFactory(year=2024, quarter=4), studies_rating=2)
        _answer(laureate, ReportPeriodFactory(year=2025, quarter=1), studies_rating=3)
    for laureate in new:
        _answer(laureate, ReportPeriodFactory(year=2025, quarter=4), studies_rating=4)
        _answer(laureate, ReportPeriodFactory(year=2026, quarter=1), studies_rating=5)
    found = table(overview_panels(OverviewFilters()), "cohorts_studies_rating")
    assert "2024" in str(found.columns[1]) and "2025" in str(found.columns[2])
    assert [list(row) for row in found.rows] == [[1, 2.0, 4.0], [2, 3.0, 5.0]]
    assert found.chart.kind == "line"


def test_cohorts_compare_an_extra_question_across_two_questionnaire_versions(frozen):
    # Last year's first-years answered version 1, this year's version 2: the same key and
    # kind, so each promotion's 1st and 2nd quarters compare. A key whose kind changed
    # between the versions does not.
    first = QuestionnaireFactory(name="Questions", version=1)
    second_version = QuestionnaireFactory(name="Questions", version=2)
    for questionnaire in (first, second_version):
        QuestionFactory(questionnaire=questionnaire, key="confidence", kind=QuestionKind.SCALE)
    QuestionFactory(questionnaire=first, key="mood", kind=QuestionKind.SCALE)
    QuestionFactory(
        questionnaire=second_version,
        key="mood",
        kind=QuestionKind.CHOICE,
        choices="good | Bien | Good\nbad | Mal | Bad",
    )
    p2024, p2025 = PromotionFactory(year=2024), PromotionFactory(year=2025)
    old = [LaureateFactory(promotion=p2024, joined_on=datetime.date(2024, 9, 1)) for _ in range(2)]
    new = [LaureateFactory(promotion=p2025, joined_on=datetime.date(2025, 9, 1)) for _ in range(2)]
    periods = {
        (year, quarter): ReportPeriodFactory(year=year, quarter=quarter, questionnaire=version)
        for year, quarter, version in [
            (2024, 4, first),
            (2025, 1, first),
            (2025, 4, second_version),
            (2026, 1, second_version),
        ]
    }
    for laureate, rating in zip(old, (1, 3), strict=True):
        _answer(laureate, periods[(2024, 4)], extra_answers={"confidence": rating, "mood": 2})
        _answer(laureate, periods[(2025, 1)], extra_answers={"confidence": rating + 1})
    for laureate, rating in zip(new, (4, 4), strict=True):
        _answer(laureate, periods[(2025, 4)], extra_answers={"confidence": rating, "mood": "good"})
        _answer(laureate, periods[(2026, 1)], extra_answers={"confidence": 5})
    panels = overview_panels(OverviewFilters())
    found = table(panels, "cohorts_extra_confidence")
    assert "2024" in str(found.columns[1]) and "2025" in str(found.columns[2])
    assert [list(row) for row in found.rows] == [[1, 2.0, 4.0], [2, 3.0, 5.0]]
    assert "2" in found.summary  # asked in 2 versions
    assert found.chart.kind == "line" and not found.note
    keys = {found.key for panel in panels for found in panel.tables}
    assert "cohorts_extra_mood" not in keys and "extra_mood" not in keys


def test_a_confidential_extra_question_s_cohorts_hide_groups_under_five(frozen):
    questionnaire = QuestionnaireFactory()
    QuestionFactory(
        questionnaire=questionnaire, key="sleep", kind=QuestionKind.SCALE, confidential=True
    )
    period = ReportPeriodFactory(year=2025, quarter=4, questionnaire=questionnaire)
    small, big = PromotionFactory(year=2024), PromotionFactory(year=2025)
    for promotion, group in [(small, CONFIDENTIAL_MIN_GROUP - 1), (big, CONFIDENTIAL_MIN_GROUP)]:
        for _ in range(group):
            laureate = LaureateFactory(
                promotion=promotion, joined_on=datetime.date(promotion.year, 9, 1)
            )
            _answer(laureate, period, extra_answers={"sleep": 2})
    found = table(overview_panels(OverviewFilters()), "cohorts_extra_sleep")
    by_since = {row[0]: list(row[1:]) for row in found.rows}
    # The 2025 promotion's 1st quarter (5 laureates) is shown; the 2024 promotion's 5th
    # quarter (4 laureates) is not.
    assert by_since[1] == [None, 2.0]
    assert by_since[5] == [None, None]
    assert found.note


def test_extra_question_with_the_same_key_compares_across_versions(frozen):
    first = QuestionnaireFactory(name="Questions", version=1)
    second_version = QuestionnaireFactory(name="Questions", version=2)
    for questionnaire in (first, second_version):
        QuestionFactory(questionnaire=questionnaire, key="confidence", kind=QuestionKind.SCALE)
        QuestionFactory(
            questionnaire=questionnaire,
            key="housing",
            kind=QuestionKind.CHOICE,
            choices="family | En famille | With family\nalone | Seul·e | Alone",
        )
    q1 = ReportPeriodFactory(year=2026, quarter=1, questionnaire=first)
    q2 = ReportPeriodFactory(year=2026, quarter=2, questionnaire=second_version)
    for rating, housing in [(2, "family"), (4, "alone")]:
        _answer(LaureateFactory(), q1, extra_answers={"confidence": rating, "housing": housing})
    for rating in (5, 5, 2):
        _answer(LaureateFactory(), q2, extra_answers={"confidence": rating, "housing": "alone"})
    panels = overview_panels(OverviewFilters())
    confidence = table(panels, "extra_confidence")
    assert [list(row) for row in confidence.rows] == [["2026-q1", 2, 3.0], ["2026-q2", 3, 4.0]]
    assert "2" in confidence.summary  # compared across 2 versions
    housing = table(panels, "extra_housing")
    assert [list(row) for row in housing.rows] == [["2026-q1", 2, 1, 1], ["2026-q2", 3, 0, 3]]


def test_confidential_extra_question_hides_small_groups(frozen):
    questionnaire = QuestionnaireFactory()
    QuestionFactory(
        questionnaire=questionnaire, key="sleep", kind=QuestionKind.SCALE, confidential=True
    )
    period = ReportPeriodFactory(year=2026, quarter=2, questionnaire=questionnaire)
    for _ in range(4):
        _answer(LaureateFactory(), period, extra_answers={"sleep": 3})
    found = table(overview_panels(OverviewFilters()), "extra_sleep")
    assert [list(row) for row in found.rows] == [["2026-q2", 4, None]]
    assert found.note


# Filters -------------------------------------------------------------------------------------


def test_promotion_filter_narrows_every_panel(programme):
    p2026 = programme["names"]["L5"].promotion
    filters = OverviewFilters(promotion_id=p2026.pk)
    panels = overview_panels(filters)
    assert [row[1] for row in table(panels, "sponsorships").rows] == [1, 1]
    assert [list(row[1:]) for row in table(panels, "reports_status").rows] == [
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0],
    ]
    assert [row[1] for row in table(panels, "triage_states").rows] == [2, 0, 0, 0]
    assert sum(row[1] for row in table(panels, "introductions").rows) == 0
    link = table(panels, "sponsorships").links[0][1]
    assert f"promotion__id__exact={p2026.pk}" in link


def test_referent_and_track_filters(programme, referent):
    panels = overview_panels(OverviewFilters(referent_id=referent.pk))
    assert [row[1] for row in table(panels, "sponsorships").rows] == [2, 2]
    panels = overview_panels(OverviewFilters(track=Track.MEDICINE))
    assert [row[1] for row in table(panels, "sponsorships").rows] == [0, 0]
    assert table(panels, "workshops_series").rows == []


def test_school_year_filter_keeps_its_periods_and_series(programme):
    panels = overview_panels(OverviewFilters(school_year=2025))
    assert [row[0] for row in table(panels, "response_rate").rows] == ["2026-q2", "2026-q3"]
    assert table(panels, "workshops_series").rows == []  # the series is 2026-2027
    panels = overview_panels(OverviewFilters(school_year=2026))
    assert table(panels, "response_rate").rows == []
    assert len(table(panels, "workshops_series").rows) == 1


def test_filter_form_is_a_labelled_get_form_applied_by_the_page(programme, lead_client):
    promotion = programme["names"]["L5"].promotion
    page = lead_client.get("/admin/", {"promotion": promotion.pk, "track": "nonsense"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'method="get"' in html
    for name in ("school_year", "promotion", "track", "referent"):
        assert f'<label for="id_{name}"' in html
    assert f'<option value="{promotion.pk}" selected>' in html
    # The page applies the promotion (an unknown track is ignored).
    assert f"promotion__id__exact={promotion.pk}" in html


# The page --------------------------------------------------------------------------------------


def test_lead_sees_every_panel_with_charts_tables_and_links(programme, lead_client):
    page = lead_client.get("/admin/")
    html = page.content.decode()
    for key in ("reports", "triage", "answers", "sponsorships", "workshops", "partners"):
        assert f'id="panel-{key}"' in html
    assert html.count("<svg") >= 10
    assert 'aria-hidden="true"' in html
    assert "<script" not in html.split('id="overview"')[1].split('id="app-list"')[0]
    assert 'class="overview-table"' in html
    assert f"not_started={programme['q3'].pk}" in html
    assert 'id="app-list"' in html  # the lists are still there, below


def test_charts_have_no_script_no_style_and_stay_apart_in_grey():
    drawn = chart_svg(
        Table(
            key="k",
            title="T",
            summary="S",
            columns=["period", "a", "b"],
            rows=[["2026-q1", 1, 2.5], ["2026-q2", None, 3]],
            chart=Chart(kind="line", series=[1, 2], y_range=(1, 5)),
        )
    )
    assert drawn.startswith("<svg") and 'aria-hidden="true"' in drawn
    assert "<script" not in drawn and "<style" not in drawn and "style=" not in drawn
    css = chart_css()
    assert ".pygal-chart .color-0" in css and "stroke-dasharray" in css


def test_charts_stay_html_svg_once_the_receipts_pdf_library_is_loaded():
    # WeasyPrint (the donation receipts) takes XML's empty namespace prefix when imported: a
    # chart drawn after that must still be <svg>, not <svg:svg> that the browser cannot draw.
    import weasyprint.pdf.metadata  # noqa: F401

    drawn = chart_svg(
        Table(
            key="after-weasyprint",
            title="T",
            summary="S",
            columns=["kind", "n"],
            rows=[["a", 1], ["b", 2]],
            chart=Chart(kind="bar", series=[1]),
        )
    )
    assert drawn.startswith("<svg ") and "<svg:" not in drawn and "ns0:" not in drawn


def test_chart_stylesheet_is_up_to_date():
    from django.conf import settings

    path = settings.BASE_DIR / "static" / "css" / "overview_charts.css"
    assert path.read_text() == chart_css()


@pytest.mark.parametrize("size", [7, 30])
def test_overview_stays_within_26_queries(frozen, lead_client, django_assert_max_num_queries, size):
    period = ReportPeriodFactory(year=2026, quarter=3)
    questionnaire = QuestionnaireFactory()
    QuestionFactory(questionnaire=questionnaire, key="confidence", kind=QuestionKind.SCALE)
    period.questionnaire = questionnaire
    period.save()
    company = CompanyFactory()
    for number in range(size):
        laureate = LaureateFactory(joined_on=datetime.date(2025, 9, 1))
        ActivityReportFactory(
            laureate=laureate,
            period=period,
            extra_answers={"confidence": 3},
            status=ReportStatus.SUBMITTED if number % 3 else ReportStatus.DRAFT,
        )
        SponsorshipFactory(laureate=laureate, sponsor=SponsorFactory(company=company))
        IntroductionFactory(laureate=laureate)
    triage_refresh()  # as report_submit does: the triage panel reads the stored scores
    with django_assert_max_num_queries(26):
        page = lead_client.get("/admin/")
    assert page.status_code == 200
    assert 'id="panel-answers"' in page.content.decode()


# Who sees what -------------------------------------------------------------------------------


def test_each_role_sees_the_panels_of_its_lists(
    programme, client, lead, referent, workshops_staff, partnerships_staff
):
    expected = {
        lead: {
            "reports",
            "triage",
            "answers",
            "sponsorships",
            "workshops",
            "partners",
            "cooptation",
        },
        referent: {"reports", "triage", "answers", "sponsorships", "workshops", "partners"},
        workshops_staff: {"workshops"},
        partnerships_staff: {"partners", "cooptation"},
    }
    for user, keys in expected.items():
        client.force_login(user)
        html = client.get("/admin/").content.decode()
        shown = {
            key
            for key in [
                "reports",
                "triage",
                "answers",
                "sponsorships",
                "workshops",
                "partners",
                "cooptation",
            ]
            if f'id="panel-{key}"' in html
        }
        assert shown == keys, user.email


def test_staff_without_a_role_see_the_plain_list(client, programme):
    from tests.factories import RoleStaffFactory, UserFactory

    nobody = UserFactory(is_staff=True)
    client.force_login(nobody)
    page = client.get("/admin/")
    assert 'id="overview"' not in page.content.decode()
    assert RoleStaffFactory  # the role fixtures above have one each


def test_laureates_and_anonymous_never_reach_the_overview(client, programme):
    assert client.get("/admin/").status_code == 302
    client.force_login(programme["names"]["L1"].user)
    page = client.get("/admin/")
    assert page.status_code == 302 or 'id="overview"' not in page.content.decode()


def test_yearly_report_link_names_the_school_year(programme, lead_client):
    html = lead_client.get("/admin/", {"school_year": 2025}).content.decode()
    assert f"{reverse('yearly_report')}?school_year=2025" in html


def test_staff_who_may_not_open_the_yearly_report_are_not_offered_its_button(
    programme, referent_client
):
    html = referent_client.get("/admin/").content.decode()
    assert 'id="overview"' in html
    assert reverse("yearly_report") not in html


def test_today_is_frozen_in_the_fixture(programme):
    assert timezone.now() == NOW


def test_a_reason_count_opens_the_triage_list_of_that_reason(programme, lead_client):
    from reports.triage import REASONS

    found = table(overview_panels(OverviewFilters()), "attention_reasons")
    row = next(i for i, line in enumerate(found.rows) if line[0] == str(REASONS["overdue"]))
    page = lead_client.get(found.links[row][1])
    names = {laureate.pk for laureate in page.context["cl"].result_list}
    assert names == {programme["names"]["L3"].pk, programme["names"]["L4"].pk}
    # No link for a reason read from confidential answers.
    stress = next(i for i, line in enumerate(found.rows) if line[0] == str(REASONS["stress"]))
    assert found.links[stress][1] is None


def test_every_link_of_the_overview_opens_its_filtered_list(programme, lead_client, referent):
    filters = [
        OverviewFilters(),
        OverviewFilters(
            promotion_id=programme["names"]["L1"].promotion_id,
            track=Track.ENGINEERING,
            referent_id=referent.pk,
        ),
    ]
    links = {
        link
        for chosen in filters
        for panel in overview_panels(chosen)
        for found in panel.tables
        for row in found.links or []
        for link in row
        if link
    }
    assert len(links) > 40
    for link in sorted(links):
        page = lead_client.get(link)
        # A lookup the list refuses redirects to "?e=1" (or answers 400).
        assert page.status_code == 200, link


# Counted at night ----------------------------------------------------------------------------


def test_the_stored_panels_read_back_as_they_were_counted(programme):
    from emergence.overview_snapshots import panels_from_json, panels_to_json

    with translation.override("en"):
        panels = overview_panels(OverviewFilters())
    assert panels_from_json(json.loads(json.dumps(panels_to_json(panels)))) == [
        dataclasses.replace(
            panel,
            tables=[
                dataclasses.replace(
                    table,
                    columns=list(table.columns),
                    rows=[list(row) for row in table.rows],
                    links=[list(row) for row in table.links] if table.links else None,
                    chart=(
                        dataclasses.replace(table.chart, series=list(table.chart.series))
                        if table.chart
                        else None
                    ),
                )
                for table in panel.tables
            ],
        )
        for panel in panels
    ]


def test_the_unfiltered_overview_shows_the_night_s_figures_and_says_when_they_were_counted(
    programme, lead, lead_client, django_assert_max_num_queries
):
    from emergence.overview_snapshots import overview_snapshots_refresh, panels_to_json

    assert overview_snapshots_refresh() >= 4  # the lead and the referent, in two languages
    with translation.override("en"):
        counted = panels_to_json(overview_panels(OverviewFilters()))
    LaureateFactory.create_batch(3)  # after the night's count
    with translation.override("en"):
        now = panels_to_json(overview_panels(OverviewFilters()))
    assert now != counted

    # The night's panels, and the filters' choices (the referents among the staff: 2).
    with django_assert_max_num_queries(10):
        page = lead_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    shown = [drawn["panel"] for drawn in page.context["overview"]["panels"]]
    assert panels_to_json(shown) == counted
    assert "Figures counted on" in page.content.decode()

    narrowed = lead_client.get("/admin/", {"track": Track.ENGINEERING})
    assert narrowed.context["overview"]["counted_at"] is None


def test_without_the_night_s_count_the_overview_counts_on_the_request(programme, lead_client):
    page = lead_client.get("/admin/")
    assert page.context["overview"]["counted_at"] is None
    assert 'id="panel-reports"' in page.content.decode()


def test_the_night_s_count_forgets_roles_nobody_holds_any_more(programme, referent):
    from emergence.models import OverviewSnapshot
    from emergence.overview_snapshots import overview_snapshots_refresh

    overview_snapshots_refresh()
    before = OverviewSnapshot.objects.count()
    referent.is_active = False
    referent.save()
    overview_snapshots_refresh()
    assert OverviewSnapshot.objects.count() < before


def test_a_table_s_cells_are_written_escaped_localised_and_linked_as_the_template_did():
    from emergence.admin_overview import table_drawn

    drawn = Table(
        key="demo",
        title="Demo",
        summary="",
        columns=["Promotion", "Laureates", "Average"],
        rows=[["<b>P2024</b>", 12345, 3.5], ["P2025", None, 2.25]],
        links=[[None, "/admin/laureates/laureate/?promotion__id__exact=1&status=active", None]],
    )
    with translation.override("fr"):
        body = str(table_drawn(drawn).body)

    assert body.startswith('<tr><th scope="row">&lt;b&gt;P2024&lt;/b&gt;</th>')
    link = '<a href="/admin/laureates/laureate/?promotion__id__exact=1&amp;status=active">'
    assert f"<td>{link}12345</a></td>" in body  # as {{ value }} writes it: no separator
    assert "<td>3,5</td>" in body
    assert '<td><span title="non montré ou sans réponse">—</span></td>' in body
    assert table_drawn(dataclasses.replace(drawn, rows=[])).body == ""


def test_the_referent_filter_offers_the_staff_who_refer_a_laureate_and_no_one_else(
    programme, referent, lead, workshops_staff
):
    from laureates.overview import filter_choices, staff_who_refer

    choices = dict(filter_choices()["referent_id"])

    assert choices == {str(referent.pk): referent.get_full_name()}
    assert staff_who_refer([lead.pk, workshops_staff.pk]) == set()
    assert staff_who_refer([]) == set()
