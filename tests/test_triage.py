"""The triage score: each rule with its reason, the ranking, one query for a whole list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from laureates.models import Laureate, Status
from reports.models import ReportStatus
from reports.triage import (
    WEIGHTS,
    laureates_needing_attention,
    needing_attention,
    triage_reasons,
    with_triage,
)
from tests.factories import LaureateFactory
from tests.report_factories import ActivityReportFactory, ReportPeriodFactory

# 2025-q3 (due 2025-10-15) and 2025-q4 (due 2026-01-15) are past; 2026-q1 opened on
# 2026-03-01 and is due on 2026-04-15.
TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def english():
    """The reasons in English, so the assertions read the source strings."""
    with translation.override("en"):
        yield


@pytest.fixture
def periods(db):
    return {
        slug: ReportPeriodFactory(year=year, quarter=quarter)
        for slug, year, quarter in [
            ("2025-q3", 2025, 3),
            ("2025-q4", 2025, 4),
            ("2026-q1", 2026, 1),
        ]
    }


@pytest.fixture
def answered(periods, laureate):
    """The laureate answered 2025-q3 and 2025-q4, all well; 2026-q1 is open."""
    ActivityReportFactory(laureate=laureate, period=periods["2025-q3"])
    return ActivityReportFactory(laureate=laureate, period=periods["2025-q4"])


def triaged(laureate, today=TODAY) -> Laureate:
    return with_triage(Laureate.objects.filter(pk=laureate.pk), today=today).get()


def assert_flagged(laureate, reason: str, today=TODAY) -> Laureate:
    row = triaged(laureate, today)
    assert row.triage_score > 0
    assert reason in triage_reasons(row, show_confidential=True)
    return row


# Nothing wrong --------------------------------------------------------------------------


def test_a_laureate_whose_reports_go_well_scores_0_with_no_reasons(answered, laureate):
    row = triaged(laureate)

    assert row.triage_score == 0
    assert triage_reasons(row, show_confidential=True) == []


def test_a_report_not_due_yet_is_not_overdue(answered, laureate):
    assert triaged(laureate, today=datetime.date(2026, 4, 15)).triage_score == 0


# Each rule, with its reason --------------------------------------------------------------


def test_a_laureate_who_asked_to_be_contacted_is_flagged(answered, laureate):
    answered.wants_contact = True
    answered.save()

    row = assert_flagged(laureate, "asked to be contacted")
    assert row.triage_score == WEIGHTS["contact"]


def test_no_submitted_report_for_the_last_period_past_its_due_date_is_overdue(periods, laureate):
    ActivityReportFactory(laureate=laureate, period=periods["2025-q3"])

    row = assert_flagged(laureate, "report overdue")
    assert "no report yet" not in triage_reasons(row, show_confidential=True)


def test_the_open_period_becomes_overdue_once_its_due_date_has_passed(answered, laureate):
    assert_flagged(laureate, "report overdue", today=datetime.date(2026, 4, 16))


def test_a_draft_is_not_an_answer_so_the_report_is_still_overdue(periods, laureate):
    ActivityReportFactory(laureate=laureate, period=periods["2025-q3"])
    ActivityReportFactory(laureate=laureate, period=periods["2025-q4"], draft=True)

    assert_flagged(laureate, "report overdue")


def test_a_laureate_who_never_submitted_a_report_has_no_report_yet(periods, laureate):
    row = assert_flagged(laureate, "no report yet")

    assert "report overdue" in triage_reasons(row, show_confidential=True)
    assert row.triage_score == WEIGHTS["overdue"] + WEIGHTS["never"]


def test_a_laureate_who_joined_after_the_due_date_is_not_overdue(periods, laureate):
    laureate.joined_on = datetime.date(2026, 2, 1)
    laureate.save()

    assert triaged(laureate).triage_score == 0


def test_high_stress_is_flagged(answered, laureate):
    answered.stress = 4
    answered.save()

    assert_flagged(laureate, "high stress")


def test_studies_rated_2_or_less_are_flagged(answered, laureate):
    answered.studies_rating = 2
    answered.save()

    assert_flagged(laureate, "studies going badly")


def test_no_sponsor_meeting_this_quarter_is_flagged(answered, laureate):
    answered.sponsor_met = False
    answered.save()

    row = assert_flagged(laureate, "no sponsor meeting this quarter")
    assert "no sponsor meeting for 2 quarters" not in triage_reasons(row, show_confidential=True)


def test_no_sponsor_meeting_two_quarters_in_a_row_weighs_more(periods, answered, laureate):
    answered.sponsor_met = False
    answered.save()
    one_quarter = triaged(laureate).triage_score
    laureate.reports.filter(period=periods["2025-q3"]).update(sponsor_met=False)

    row = assert_flagged(laureate, "no sponsor meeting for 2 quarters")
    assert "no sponsor meeting this quarter" not in triage_reasons(row, show_confidential=True)
    assert row.triage_score > one_quarter


def test_a_stalled_professional_project_is_flagged(answered, laureate):
    answered.project_progress = 1
    answered.save()

    assert_flagged(laureate, "professional project stalled")


def test_a_drop_of_2_points_since_the_previous_report_is_flagged(periods, answered, laureate):
    laureate.reports.filter(period=periods["2025-q3"]).update(
        studies_rating=5, civic_involvement=5, stress=1
    )
    answered.studies_rating = 3
    answered.civic_involvement = 4
    answered.stress = 3
    answered.save()

    row = assert_flagged(laureate, "2 points worse or more since the last report: studies, stress")
    assert row.triage_score == WEIGHTS["drop"]


# Reasons drawn from confidential answers ------------------------------------------------


def test_reasons_from_confidential_answers_are_one_signal_to_who_may_not_read_them(
    answered, laureate
):
    answered.wants_contact = True
    answered.stress = 5
    answered.studies_rating = 1
    answered.save()

    row = triaged(laureate)

    # Everything counts for everyone: contact, stress, studies, and the drop since 2025-q3.
    assert row.triage_score == 40 + 25 + 20 + 15
    assert triage_reasons(row, show_confidential=False) == [
        "confidential signal",
        "studies going badly",
        "2 points worse or more since the last report: studies",
    ]
    assert triage_reasons(row, show_confidential=True) == [
        "asked to be contacted",
        "high stress",
        "studies going badly",
        "2 points worse or more since the last report: studies, stress",
    ]


def test_a_stress_drop_is_a_signal_but_the_other_scales_stay_in_words(periods, answered, laureate):
    laureate.reports.filter(period=periods["2025-q3"]).update(studies_rating=5, stress=1)
    answered.studies_rating = 3
    answered.stress = 3
    answered.save()

    row = triaged(laureate)

    assert row.triage_score == WEIGHTS["drop"]
    assert triage_reasons(row, show_confidential=False) == [
        "confidential signal",
        "2 points worse or more since the last report: studies",
    ]


def test_a_laureate_whose_only_worry_is_confidential_still_needs_attention(answered, laureate):
    answered.wants_contact = True
    answered.save()

    assert list(laureates_needing_attention(today=TODAY)) == [laureate]
    assert triage_reasons(triaged(laureate), show_confidential=False) == ["confidential signal"]


def test_a_drop_of_1_point_is_not_flagged(periods, answered, laureate):
    laureate.reports.filter(period=periods["2025-q3"]).update(studies_rating=5)

    assert triaged(laureate).triage_score == 0


def test_the_current_periods_report_replaces_the_previous_one_once_submitted(
    periods, answered, laureate
):
    answered.stress = 5
    answered.save()
    assert "high stress" in triage_reasons(triaged(laureate), show_confidential=True)

    ActivityReportFactory(laureate=laureate, period=periods["2026-q1"], stress=2)

    assert triaged(laureate).triage_score == 0


def test_a_draft_for_the_current_period_does_not_replace_the_last_answers(
    periods, answered, laureate
):
    answered.wants_contact = True
    answered.save()
    ActivityReportFactory(laureate=laureate, period=periods["2026-q1"], draft=True)

    assert_flagged(laureate, "asked to be contacted")


@pytest.mark.parametrize("status", [Status.ALUMNI, Status.LEFT])
def test_only_active_laureates_are_triaged(answered, laureate, status):
    answered.wants_contact = True
    answered.save()
    laureate.status = status
    laureate.save()

    row = triaged(laureate)
    assert row.triage_score == 0
    assert triage_reasons(row, show_confidential=True) == []


def test_a_reviewed_report_still_counts_as_answered(answered, laureate):
    answered.status = ReportStatus.REVIEWED
    answered.stress = 5
    answered.save()

    assert_flagged(laureate, "high stress")


# The list ---------------------------------------------------------------------------------


def test_asking_for_contact_and_overdue_rank_above_smaller_worries(periods):
    def laureate_with(period_slug="2025-q4", **answers):
        laureate = LaureateFactory()
        ActivityReportFactory(laureate=laureate, period=periods["2025-q3"])
        if period_slug:
            ActivityReportFactory(laureate=laureate, period=periods[period_slug], **answers)
        return laureate

    fine = laureate_with()
    project = laureate_with(project_progress=2)
    no_sponsor = laureate_with(sponsor_met=False)
    overdue = laureate_with(period_slug=None)
    contact = laureate_with(wants_contact=True)

    ranked = list(with_triage(Laureate.objects.all(), today=TODAY).order_by("-triage_score", "pk"))

    assert ranked[:2] == [contact, overdue]
    assert set(ranked[2:4]) == {project, no_sponsor}
    assert ranked[4] == fine


def test_needing_attention_keeps_laureates_with_a_reason_only(periods, answered, laureate):
    worried = LaureateFactory()
    ActivityReportFactory(laureate=worried, period=periods["2025-q4"], stress=5)

    assert list(laureates_needing_attention(today=TODAY)) == [worried]
    triaged_list = with_triage(Laureate.objects.all(), today=TODAY)
    assert list(needing_attention(triaged_list, minimum=WEIGHTS["stress"] + 1)) == []


def test_the_score_of_a_whole_list_and_its_reasons_cost_one_query(periods):
    for stress in range(1, 6):
        laureate = LaureateFactory()
        ActivityReportFactory(laureate=laureate, period=periods["2025-q3"], stress=1)
        ActivityReportFactory(laureate=laureate, period=periods["2025-q4"], stress=stress)
    LaureateFactory()

    with CaptureQueriesContext(connection) as queries:
        rows = list(with_triage(Laureate.objects.all(), today=TODAY))
        reasons = [triage_reasons(row, show_confidential=True) for row in rows]

    assert len(queries) == 1
    assert sum("high stress" in row for row in reasons) == 2
