"""Activity reports: life cycle, pre-fill, questionnaire versions, periods, list page, demo."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from laureates.demo import LAUREATE_EMAIL
from laureates.models import Laureate, Search
from reports.models import (
    ActivityReport,
    Question,
    QuestionKind,
    ReportPeriod,
    ReportStatus,
)
from reports.services import (
    ReportLocked,
    report_mark_reviewed,
    report_reopen,
    report_save_draft,
    report_start,
    report_submit,
)
from tests.factories import LaureateFactory
from tests.report_data import COMPLETE, TODAY, make_period, make_questionnaire, past_report

LIST_URL = reverse("reports:list")


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture
def questionnaire(db):
    return make_questionnaire(
        ("housing", QuestionKind.SCALE, True), ("plans", QuestionKind.LONG_TEXT, False)
    )


@pytest.fixture
def period(questionnaire):
    return make_period(2026, 4, questionnaire=questionnaire)


def answered_draft(laureate, period, **answers):
    report = report_start(laureate=laureate, period=period)
    return report_save_draft(report=report, data={**COMPLETE, **answers})


# Life cycle


def test_starting_a_report_creates_one_draft_with_the_periods_questionnaire(laureate, period):
    report = report_start(laureate=laureate, period=period)
    again = report_start(laureate=laureate, period=period)
    assert again.pk == report.pk
    assert report.status == ReportStatus.DRAFT
    assert report.questionnaire == period.questionnaire
    assert ActivityReport.objects.count() == 1


def test_a_period_that_has_not_opened_cannot_be_started(laureate):
    future = make_period(2027, 1)
    with pytest.raises(ValidationError):
        report_start(laureate=laureate, period=future)


def test_saving_a_draft_changes_only_the_given_answers(laureate, period):
    report = answered_draft(laureate, period, extra_answers={"housing": 4, "plans": "Voyager"})
    report = report_save_draft(report=report, data={"stress": 5, "extra_answers": {"plans": ""}})
    report.refresh_from_db()
    assert report.stress == 5
    assert report.studies_rating == COMPLETE["studies_rating"]
    assert report.extra_answers == {"housing": 4}


def test_submitting_on_time_dates_the_report_and_does_not_mark_it_late(laureate, period):
    report = answered_draft(laureate, period, extra_answers={"housing": 3})
    report = report_submit(report=report, by=laureate.user)
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at == TODAY
    assert not report.is_late


def test_submitting_after_the_due_date_is_allowed_and_marks_the_report_late(
    laureate, period, time_machine
):
    report = answered_draft(laureate, period, extra_answers={"housing": 3})
    # Due on 15 January: 23:30 UTC is already the 16th in Paris, so it is late.
    time_machine.move_to(datetime.datetime(2027, 1, 15, 23, 30, tzinfo=datetime.UTC))
    report = report_submit(report=report, by=laureate.user)
    assert report.status == ReportStatus.SUBMITTED
    assert report.is_late


def test_submitting_on_the_due_date_is_not_late(laureate, period, time_machine):
    report = answered_draft(laureate, period, extra_answers={"housing": 3})
    time_machine.move_to(datetime.datetime(2027, 1, 15, 20, 0, tzinfo=datetime.UTC))
    assert not report_submit(report=report, by=laureate.user).is_late


def test_submitting_without_the_required_answers_is_refused_and_names_them(laureate, period):
    report = report_start(laureate=laureate, period=period)
    report_save_draft(report=report, data={"studies_rating": 4})
    with pytest.raises(ValidationError) as refused:
        report_submit(report=report, by=laureate.user)
    assert set(refused.value.message_dict) == {
        "sponsor_met",
        "project_progress",
        "civic_involvement",
        "search_kind",
        "stress",
        "extra__housing",
    }
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report.submitted_at is None


def test_a_required_extra_question_must_be_answered_to_submit(laureate, period):
    report = answered_draft(laureate, period)
    with pytest.raises(ValidationError) as refused:
        report_submit(report=report, by=laureate.user)
    assert list(refused.value.message_dict) == ["extra__housing"]
    report = report_save_draft(report=report, data={"extra_answers": {"housing": 2}})
    assert report_submit(report=report, by=laureate.user).status == ReportStatus.SUBMITTED


def test_submitting_makes_the_reports_search_the_laureates_current_search(laureate, period):
    report = answered_draft(
        laureate,
        period,
        search_kind="work_study",
        search_field="Développement web",
        search_place="Lyon",
        search_duration_months=12,
        extra_answers={"housing": 3},
    )
    report_submit(report=report, by=laureate.user)
    search = laureate.searches.open().get()
    assert (search.kind, search.field, search.place, search.duration_months) == (
        "work_study",
        "Développement web",
        "Lyon",
        12,
    )


def test_submitting_nothing_now_closes_the_open_search(laureate, period):
    Search.objects.create(laureate=laureate, kind="internship", field="Finance")
    report = answered_draft(laureate, period, search_kind="nothing", extra_answers={"housing": 3})
    report_submit(report=report, by=laureate.user)
    assert not laureate.searches.open().exists()
    assert laureate.searches.get().closed_on == datetime.date(2026, 11, 26)


def test_another_laureate_cannot_submit_a_report(laureate, other_laureate, period):
    report = answered_draft(laureate, period, extra_answers={"housing": 3})
    with pytest.raises(PermissionDenied):
        report_submit(report=report, by=other_laureate.user)


def test_a_submitted_report_can_no_longer_be_saved_as_a_draft(laureate, period):
    report = report_submit(
        report=answered_draft(laureate, period, extra_answers={"housing": 3}), by=laureate.user
    )
    with pytest.raises(ReportLocked):
        report_save_draft(report=report, data={"stress": 5})
    report.refresh_from_db()
    assert report.stress == COMPLETE["stress"]


def test_staff_reopen_a_submitted_report_as_a_draft_with_every_answer_kept(
    laureate, period, referent
):
    report = answered_draft(laureate, period, studies_comment="Bien", extra_answers={"housing": 3})
    report = report_submit(report=report, by=laureate.user)
    reopened = report_reopen(report=report, by=referent)
    assert reopened.status == ReportStatus.DRAFT
    assert reopened.studies_comment == "Bien"
    assert reopened.extra_answers == {"housing": 3}
    # The laureate can change it again, then submit it again.
    report_save_draft(report=reopened, data={"stress": 4})
    assert report_submit(report=reopened, by=laureate.user).stress == 4


def test_a_reopened_report_submitted_again_after_the_due_date_keeps_its_first_lateness(
    laureate, period, referent, time_machine
):
    report = report_submit(
        report=answered_draft(laureate, period, extra_answers={"housing": 3}), by=laureate.user
    )
    report_reopen(report=report, by=referent)
    time_machine.move_to(datetime.datetime(2027, 2, 1, 9, 0, tzinfo=datetime.UTC))
    again = report_submit(report=report, by=laureate.user)
    assert not again.is_late
    assert again.submitted_at.date() == datetime.date(2027, 2, 1)


def test_only_staff_reopen_or_mark_a_report_reviewed(laureate, period):
    report = report_submit(
        report=answered_draft(laureate, period, extra_answers={"housing": 3}), by=laureate.user
    )
    with pytest.raises(PermissionDenied):
        report_reopen(report=report, by=laureate.user)
    with pytest.raises(PermissionDenied):
        report_mark_reviewed(report=report, by=laureate.user, comment="")


def test_staff_mark_a_submitted_report_reviewed_with_a_comment(laureate, period, referent):
    report = report_submit(
        report=answered_draft(laureate, period, extra_answers={"housing": 3}), by=laureate.user
    )
    reviewed = report_mark_reviewed(report=report, by=referent, comment="Appeler en janvier")
    assert reviewed.status == ReportStatus.REVIEWED
    assert reviewed.reviewed_by == referent
    assert reviewed.review_comment == "Appeler en janvier"
    assert reviewed.reviewed_at == TODAY


def test_a_draft_cannot_be_marked_reviewed(laureate, period, referent):
    with pytest.raises(ValidationError):
        report_mark_reviewed(report=report_start(laureate=laureate, period=period), by=referent)


# Pre-fill


def test_a_new_report_carries_over_search_project_and_civic_action_from_the_last_submitted_one(
    laureate,
):
    q2, q3 = make_period(2026, 2), make_period(2026, 3)
    past_report(laureate, q2, project_next_steps="Ancien", search_field="Ancien")
    past_report(
        laureate,
        q3,
        studies_comment="Partiels réussis",
        project_next_steps="Rencontrer une ingénieure",
        civic_actions="Soutien scolaire",
        civic_hours=20,
        search_kind="internship",
        search_field="Énergie",
        search_place="Grenoble",
    )
    report = report_start(laureate=laureate, period=make_period(2026, 4))
    assert sorted(report.carried_over) == ["civic", "project", "search"]
    assert report.project_next_steps == "Rencontrer une ingénieure"
    assert report.civic_actions == "Soutien scolaire"
    assert (report.search_kind, report.search_field, report.search_place) == (
        "internship",
        "Énergie",
        "Grenoble",
    )
    # This quarter's own answers start empty.
    assert report.studies_comment == ""
    assert report.studies_rating is None
    assert report.project_progress is None
    assert report.civic_hours is None


def test_only_sections_with_answers_are_carried_over(laureate):
    past_report(laureate, make_period(2026, 3), search_kind="", civic_actions="Tutorat")
    report = report_start(laureate=laureate, period=make_period(2026, 4))
    assert report.carried_over == ["civic"]


def test_a_draft_is_never_carried_over(laureate):
    past_report(
        laureate, make_period(2026, 3), status=ReportStatus.DRAFT, civic_actions="Brouillon"
    )
    report = report_start(laureate=laureate, period=make_period(2026, 4))
    assert report.carried_over == []
    assert report.civic_actions == ""


def test_another_laureates_report_is_never_carried_over(laureate, other_laureate):
    past_report(other_laureate, make_period(2026, 3), civic_actions="Pas à moi")
    report = report_start(laureate=laureate, period=make_period(2026, 4))
    assert report.carried_over == []


# Questionnaire versions


def test_a_draft_follows_the_periods_new_questionnaire_but_a_submitted_report_keeps_its_own(
    laureate, other_laureate, period, questionnaire
):
    submitted = report_submit(
        report=answered_draft(laureate, period, extra_answers={"housing": 3}), by=laureate.user
    )
    draft = answered_draft(other_laureate, period, extra_answers={"housing": 2})
    assert questionnaire.is_frozen
    new_version = make_questionnaire(
        ("housing", QuestionKind.SCALE, True), name=questionnaire.name, version=2
    )
    period.questionnaire = new_version
    period.save()

    assert report_start(laureate=other_laureate, period=period).questionnaire == new_version
    draft.refresh_from_db()
    assert draft.extra_answers == {"housing": 2}
    assert report_start(laureate=laureate, period=period).questionnaire == questionnaire
    submitted.refresh_from_db()
    assert submitted.questionnaire == questionnaire


def test_submitting_keeps_only_the_answers_to_the_questions_of_its_version(laureate, period):
    report = answered_draft(laureate, period, extra_answers={"housing": 3, "removed": "x"})
    assert report_submit(report=report, by=laureate.user).extra_answers == {"housing": 3}


# Periods


def test_create_periods_makes_the_four_quarters_of_a_school_year_once(db):
    out = io.StringIO()
    call_command("create_periods", "--school-year", "2026", stdout=out)
    assert [p.slug for p in ReportPeriod.objects.order_by("year", "quarter")] == [
        "2026-q4",
        "2027-q1",
        "2027-q2",
        "2027-q3",
    ]
    assert out.getvalue().count("created") == 4
    q4 = ReportPeriod.objects.by_slug("2026-q4").get()
    assert (q4.opens_on, q4.due_on) == (datetime.date(2026, 12, 1), datetime.date(2027, 1, 15))
    # Staff moved a date; running the command again keeps it and creates nothing.
    ReportPeriod.objects.filter(pk=q4.pk).update(opens_on=datetime.date(2026, 11, 20))
    out = io.StringIO()
    call_command("create_periods", "--school-year", "2026", stdout=out)
    assert ReportPeriod.objects.count() == 4
    assert out.getvalue().count("already there") == 4
    q4.refresh_from_db()
    assert q4.opens_on == datetime.date(2026, 11, 20)


# The list of reports


def test_anonymous_visitor_is_sent_to_log_in(client, period):
    for url in [LIST_URL, reverse("reports:edit", kwargs={"period": "2026-q4"})]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_partner_member_and_staff_without_a_laureate_profile_get_403(
    client, partner_member, referent, period
):
    for user in [partner_member.user, referent]:
        client.force_login(user)
        assert client.get(LIST_URL).status_code == 403
        assert client.get(reverse("reports:edit", kwargs={"period": "2026-q4"})).status_code == 403
        assert not ActivityReport.objects.exists()


def test_the_list_shows_each_opened_period_with_the_laureates_status(laureate_client, laureate):
    q1, q2 = make_period(2026, 1), make_period(2026, 2)
    make_period(2026, 3)  # not started, and overdue
    q4, future = make_period(2026, 4), make_period(2027, 1)
    past_report(laureate, q1, status=ReportStatus.REVIEWED)
    past_report(laureate, q2, is_late=True)
    report_start(laureate=laureate, period=q4)

    response = laureate_client.get(LIST_URL)

    assert response.status_code == 200
    rows = {period.slug: status for period, _report, status in response.context["rows"]}
    assert list(rows) == ["2026-q4", "2026-q3", "2026-q2", "2026-q1"]
    assert future.slug not in rows
    assert (rows["2026-q4"].key, rows["2026-q4"].late) == ("draft", False)
    assert (rows["2026-q3"].key, rows["2026-q3"].late) == ("not_started", True)
    assert (rows["2026-q2"].key, rows["2026-q2"].late) == ("submitted", True)
    assert rows["2026-q1"].key == "reviewed"
    html = response.content.decode()
    for text in ["Brouillon", "Non commencé", "En retard", "Remis", "Relu"]:
        assert f">{text}<" in html, text
    assert reverse("reports:edit", kwargs={"period": "2026-q4"}) in html
    assert "15 janvier 2027" in html


def test_the_list_shows_no_period_that_fell_due_before_the_laureate_joined(
    laureate_client, laureate
):
    make_period(2026, 4)
    make_period(2023, 1)
    slugs = [period.slug for period, *_ in laureate_client.get(LIST_URL).context["rows"]]
    assert slugs == ["2026-q4"]


def test_the_list_never_shows_another_laureates_report(laureate_client, other_laureate):
    q4 = make_period(2026, 4)
    past_report(other_laureate, q4, status=ReportStatus.REVIEWED)
    (row,) = laureate_client.get(LIST_URL).context["rows"]
    assert row[1] is None
    assert row[2].key == "not_started"


def test_the_list_costs_the_same_queries_with_2_or_8_past_reports(db, client):
    periods = [make_period(year, quarter) for year in (2025, 2026) for quarter in (1, 2, 3, 4)]
    few, many = LaureateFactory(), LaureateFactory()
    for laureate, count in [(few, 2), (many, 8)]:
        laureate.joined_on = datetime.date(2024, 9, 1)
        for period in periods[:count]:
            past_report(laureate, period)

    counts = []
    for laureate in [few, many]:
        client.force_login(laureate.user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST_URL).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# Demo


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def report_rows():
    fields = [f.name for f in ActivityReport._meta.concrete_fields if f.name not in {"updated_at"}]
    return list(ActivityReport.objects.order_by("pk").values(*fields))


def test_seed_demo_twice_leaves_the_same_periods_questionnaires_and_reports(seeded):
    first = (
        report_rows(),
        list(ReportPeriod.objects.order_by("pk").values()),
        list(Question.objects.order_by("pk").values()),
    )
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        report_rows(),
        list(ReportPeriod.objects.order_by("pk").values()),
        list(Question.objects.order_by("pk").values()),
    ) == first


def test_demo_laureate_has_an_open_report_to_fill_in(seeded, client):
    laureate = Laureate.objects.get(user__email=LAUREATE_EMAIL)
    client.force_login(laureate.user)
    rows = client.get(LIST_URL).context["rows"]
    period, report, status = rows[0]
    assert period.is_open() and not period.is_overdue()
    assert status.key == "not_started"
    response = client.get(reverse("reports:edit", kwargs={"period": period.slug}))
    assert response.status_code == 200
    assert sorted(response.context["report"].carried_over) == ["civic", "project", "search"]


def test_demo_has_reports_in_every_state_and_reasons_for_the_triage(seeded):
    reports = ActivityReport.objects.all()
    assert set(reports.values_list("status", flat=True)) == set(ReportStatus.values)
    assert reports.filter(is_late=True).exists()
    assert reports.filter(studies_rating__lte=2).exists()
    assert reports.filter(stress__gte=4).exists()
    assert reports.filter(wants_contact=True).exists()
    assert reports.filter(questionnaire__questions__isnull=False).exists()
    ordered = ReportPeriod.objects.order_by("-year", "-quarter").filter(reports__isnull=False)
    last, before = ordered.distinct()[1:3]
    not_met = set(
        reports.filter(period=last, sponsor_met=False).values_list("laureate", flat=True)
    ) & set(reports.filter(period=before, sponsor_met=False).values_list("laureate", flat=True))
    assert not_met, "someone without a sponsor meeting two quarters in a row"


# Opening creates nothing; the version check -----------------------------------------------


def test_opening_a_report_returns_it_unsaved_and_pre_filled(laureate, period):
    from reports.services import report_open

    past_report(
        laureate, make_period(2026, 3, questionnaire=period.questionnaire), civic_actions="Tutorat"
    )
    report = report_open(laureate=laureate, period=period)
    assert report.pk is None
    assert report.civic_actions == "Tutorat"
    assert "civic" in report.carried_over
    assert not ActivityReport.objects.filter(period=period).exists()


def test_the_first_save_creates_the_report_with_what_was_carried_over(laureate, period):
    from reports.services import report_open

    past_report(
        laureate, make_period(2026, 3, questionnaire=period.questionnaire), civic_actions="Tutorat"
    )
    report = report_save_draft(
        report=report_open(laureate=laureate, period=period), data={"stress": 2}, version=0
    )
    assert (report.stress, report.civic_actions, report.version) == (2, "Tutorat", 1)
    assert report.questionnaire == period.questionnaire


def test_a_save_from_an_older_version_is_refused_and_changes_nothing(laureate, period):
    from reports.services import ReportConflict, report_open

    first = report_save_draft(
        report=report_open(laureate=laureate, period=period), data={"stress": 2}, version=0
    )
    report_save_draft(report=first, data={"stress": 3}, version=1)
    with pytest.raises(ReportConflict) as refused:
        report_save_draft(report=first, data={"stress": 5}, version=1)
    assert refused.value.saved.stress == 3
    saved = ActivityReport.objects.get(pk=first.pk)
    assert (saved.stress, saved.version) == (3, 2)
