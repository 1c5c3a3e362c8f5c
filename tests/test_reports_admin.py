"""The staff console for reports: periods, questionnaire versions, the review of reports,
the laureate list with its triage, and the export of a period."""

import csv
import datetime
import html
import io

import openpyxl
import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from emergence import roles
from laureates.admin import LaureateAdmin
from laureates.models import FollowUp, Laureate, Track
from reports.models import (
    ActivityReport,
    Question,
    QuestionKind,
    Questionnaire,
    ReportPeriod,
    ReportStatus,
    Triage,
    TriageState,
)
from reports.triage import REASONS, triage_refresh
from tests.factories import LaureateFactory, PromotionFactory, RoleStaffFactory
from tests.report_factories import (
    ActivityReportFactory,
    QuestionFactory,
    QuestionnaireFactory,
    ReportPeriodFactory,
)

REPORTS = reverse("admin:reports_activityreport_changelist")
LAUREATES = reverse("admin:laureates_laureate_changelist")
PERIODS = reverse("admin:reports_reportperiod_changelist")
QUESTIONNAIRES = reverse("admin:reports_questionnaire_changelist")

# 2025-q4 is past its due date (2026-01-15); 2026-q1 opened on 2026-03-01.
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC)


def in_french(text) -> str:
    """A source string as the French-speaking staff see it."""
    with translation.override("fr"):
        return str(text)


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def q4(db):
    return ReportPeriodFactory(year=2025, quarter=4)


@pytest.fixture
def q1(db):
    return ReportPeriodFactory(year=2026, quarter=1)


def listed(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


# Periods -------------------------------------------------------------------------------


def test_period_list_shows_dates_questionnaire_and_submitted_over_started(lead_client, q4):
    q4.questionnaire = QuestionnaireFactory(name="Rentrée")
    q4.save()
    ActivityReportFactory.create_batch(2, period=q4)
    ActivityReportFactory(period=q4, draft=True)

    content = page(lead_client.get(PERIODS))

    assert "2025-q4" in content
    assert "Rentrée v1" in content
    assert "2 / 3" in content


def test_staff_adjust_the_dates_of_a_period_but_not_its_name(lead_client, q4):
    response = lead_client.post(
        reverse("admin:reports_reportperiod_change", args=[q4.pk]),
        {"year": 2030, "quarter": 1, "opens_on": "2025-12-05", "due_on": "2026-01-31"},
    )

    assert response.status_code == 302
    q4.refresh_from_db()
    assert (q4.slug, q4.opens_on, q4.due_on) == (
        "2025-q4",
        datetime.date(2025, 12, 5),
        datetime.date(2026, 1, 31),
    )


def test_a_due_date_before_the_opening_date_is_refused(lead_client, q4):
    response = lead_client.post(
        reverse("admin:reports_reportperiod_change", args=[q4.pk]),
        {"opens_on": "2026-01-31", "due_on": "2026-01-01"},
    )

    assert response.status_code == 200
    q4.refresh_from_db()
    assert q4.due_on == datetime.date(2026, 1, 15)


def test_staff_create_the_four_periods_of_a_school_year(lead_client, q4):
    url = reverse("admin:reports_reportperiod_school_year")
    assert url in lead_client.get(PERIODS).content.decode()

    response = lead_client.post(url, {"start_year": 2026}, follow=True)

    assert response.status_code == 200
    assert sorted(p.slug for p in ReportPeriod.objects.all()) == [
        "2025-q4",
        "2026-q4",
        "2027-q1",
        "2027-q2",
        "2027-q3",
    ]


# Questionnaires ------------------------------------------------------------------------


@pytest.fixture
def questionnaire(q4):
    questionnaire = QuestionnaireFactory(name="Année 2025-2026")
    QuestionFactory(
        questionnaire=questionnaire,
        key="mentoring",
        label_fr="Le tutorat vous aide-t-il ?",
        label_en="Does tutoring help you?",
        kind=QuestionKind.YES_NO,
        position=2,
    )
    QuestionFactory(
        questionnaire=questionnaire,
        key="housing",
        label_fr="Votre logement",
        label_en="Your housing",
        kind=QuestionKind.CHOICE,
        choices="crous | Résidence CROUS | Student residence\nfamily | En famille | With family",
        position=1,
    )
    q4.questionnaire = questionnaire
    q4.save()
    return questionnaire


def question_rows(questionnaire, **changes) -> dict:
    data = {"name": questionnaire.name, "version": questionnaire.version}
    questions = list(questionnaire.questions.all())
    data.update(
        {
            "questions-TOTAL_FORMS": len(questions),
            "questions-INITIAL_FORMS": len(questions),
            "questions-MIN_NUM_FORMS": 0,
            "questions-MAX_NUM_FORMS": 1000,
        }
    )
    for i, question in enumerate(questions):
        row = {
            "id": question.pk,
            "questionnaire": questionnaire.pk,
            "position": question.position,
            "key": question.key,
            "label_fr": question.label_fr,
            "label_en": question.label_en,
            "kind": question.kind,
            "choices": question.choices,
            "required": "on" if question.required else "",
            "confidential": "on" if question.confidential else "",
        }
        row.update(changes if i == 0 else {})
        data.update({f"questions-{i}-{key}": value for key, value in row.items()})
    return data


def test_questions_are_listed_by_position_and_editable_before_any_submitted_report(
    lead_client, questionnaire
):
    ActivityReportFactory(period=questionnaire.periods.get(), draft=True)
    url = reverse("admin:reports_questionnaire_change", args=[questionnaire.pk])

    content = page(lead_client.get(url))
    assert content.index("Votre logement") < content.index("Le tutorat vous aide-t-il ?")

    response = lead_client.post(
        url, question_rows(questionnaire, label_fr="Où logez-vous ?", confidential="on")
    )

    assert response.status_code == 302
    assert questionnaire.questions.filter(label_fr="Où logez-vous ?", confidential=True).exists()


def test_a_questionnaire_used_by_a_submitted_report_can_no_longer_be_edited(
    lead_client, questionnaire
):
    ActivityReportFactory(period=questionnaire.periods.get())
    url = reverse("admin:reports_questionnaire_change", args=[questionnaire.pk])

    response = lead_client.get(url)
    content = page(response)
    assert "Submitted reports were answered with this version" in content or (
        "ne peut plus être modifié" in content
    )
    assert reverse("admin:reports_questionnaire_copy", args=[questionnaire.pk]) in content
    assert not response.context["has_change_permission"]
    assert all(
        not formset.has_add_permission and not formset.has_delete_permission
        for formset in response.context["inline_admin_formsets"]
    )

    response = lead_client.post(url, question_rows(questionnaire, label_fr="Changé"))

    assert response.status_code == 403
    assert not Question.objects.filter(label_fr="Changé").exists()


def test_copying_a_questionnaire_makes_the_next_version_with_the_same_keys(
    lead_client, questionnaire, q1
):
    questionnaire.questions.filter(key="housing").update(confidential=True)
    ActivityReportFactory(period=questionnaire.periods.get())
    q1.questionnaire = questionnaire
    q1.save()

    response = lead_client.post(
        QUESTIONNAIRES,
        {
            "action": "copy_into_new_version",
            "_selected_action": [questionnaire.pk],
            "switch_periods": "on",
            "apply": "1",
        },
    )

    copy = Questionnaire.objects.get(name="Année 2025-2026", version=2)
    assert response.status_code == 302
    assert response.url == reverse("admin:reports_questionnaire_change", args=[copy.pk])
    assert copy.based_on == questionnaire
    assert list(copy.questions.values_list("key", "label_fr", "kind", "confidential")) == list(
        questionnaire.questions.values_list("key", "label_fr", "kind", "confidential")
    )
    # The answered period keeps the version its reports used; the open one asks the copy.
    assert {p.slug: p.questionnaire for p in ReportPeriod.objects.all()} == {
        "2025-q4": questionnaire,
        "2026-q1": copy,
    }
    assert lead_client.get(response.url).context["has_change_permission"]


def test_the_copy_page_of_a_frozen_questionnaire_asks_before_copying(lead_client, questionnaire):
    ActivityReportFactory(period=questionnaire.periods.get())
    url = reverse("admin:reports_questionnaire_copy", args=[questionnaire.pk])

    assert lead_client.get(url).status_code == 200
    lead_client.post(url, {"apply": "1"})

    assert Questionnaire.objects.filter(version=2, based_on=questionnaire).exists()
    assert ReportPeriod.objects.get().questionnaire == questionnaire


# The report list ---------------------------------------------------------------------


def test_report_list_shows_period_laureate_status_late_and_the_triage_score(
    referent_client, q4, laureate
):
    ActivityReportFactory(laureate=laureate, period=q4, is_late=True, wants_contact=True)

    response = referent_client.get(REPORTS)

    [row] = listed(response)
    assert row.laureate_triage_score == 40
    content = page(response)
    assert "Inès Benali" in content
    assert "2025-q4" in content
    assert response.context["cl"].show_full_result_count is False


def test_report_list_filters_by_period_status_promotion_track_referent_and_attention(
    referent_client, referent, q4, q1
):
    promotion = PromotionFactory(year=2021)
    match = ActivityReportFactory(
        period=q4,
        stress=5,
        laureate__promotion=promotion,
        laureate__track=Track.MEDICINE,
        laureate__referent=referent,
    )
    ActivityReportFactory(period=q1, laureate=match.laureate, draft=True)
    ActivityReportFactory(
        period=q4,
        draft=True,
        laureate__promotion=promotion,
        laureate__track=Track.MEDICINE,
        laureate__referent=referent,
    )
    calm = ActivityReportFactory(
        period=q4,
        laureate__promotion=promotion,
        laureate__track=Track.MEDICINE,
        laureate__referent=referent,
    )
    ActivityReportFactory(period=q4, laureate__track=Track.PREPA, laureate__referent=referent)

    filters = {
        "period__id__exact": q4.pk,
        "status__exact": "submitted",
        "laureate__promotion__id__exact": promotion.pk,
        "laureate__track__exact": Track.MEDICINE,
        "laureate__referent__id__exact": referent.pk,
    }
    assert set(listed(referent_client.get(REPORTS, filters))) == {match, calm}
    assert listed(referent_client.get(REPORTS, {**filters, "attention": "yes"})) == [match]


def test_report_list_searches_by_laureate_name_and_email(referent_client, q4, laureate):
    mine = ActivityReportFactory(laureate=laureate, period=q4)
    ActivityReportFactory(period=q4)

    assert listed(referent_client.get(REPORTS, {"q": "Benali"})) == [mine]
    assert listed(referent_client.get(REPORTS, {"q": "ines.laureate@"})) == [mine]


def test_report_list_costs_the_same_queries_for_5_and_50_reports(
    referent_client, q4, django_assert_num_queries
):
    for _ in range(5):
        ActivityReportFactory(period=q4)
    triage_refresh()
    with CaptureQueriesContext(connection) as small:
        assert len(listed(referent_client.get(REPORTS, {"attention": "yes"}))) == 0
        assert len(listed(referent_client.get(REPORTS))) == 5
    for _ in range(45):
        ActivityReportFactory(period=q4, stress=5)
    triage_refresh()  # as report_submit does

    with django_assert_num_queries(len(small)):
        assert len(listed(referent_client.get(REPORTS, {"attention": "yes"}))) == 45
        assert len(listed(referent_client.get(REPORTS))) == 50


# Reviewing a report ------------------------------------------------------------------


def test_report_page_shows_every_section_and_the_extra_answers_of_its_own_version(
    referent_client, referent, questionnaire, laureate
):
    laureate.referent = referent  # the referent they follow reads the wellbeing answers
    laureate.save()
    report = ActivityReportFactory(
        laureate=laureate,
        period=questionnaire.periods.get(),
        studies_comment="Partiels réussis",
        wellbeing_note="Un peu fatiguée",
        extra_answers={"mentoring": "yes", "housing": "crous"},
    )
    # A later version changes a label; the report keeps showing its own.
    QuestionFactory(questionnaire=QuestionnaireFactory(name="Suivante"), key="mentoring")
    Question.objects.filter(questionnaire=questionnaire, key="housing").update(
        label_fr="Votre logement cette année"
    )

    response = referent_client.get(reverse("admin:reports_activityreport_change", args=[report.pk]))

    content = page(response)
    assert "Partiels réussis" in content
    assert "Un peu fatiguée" in content
    assert "Le tutorat vous aide-t-il ?" in content
    assert "Votre logement cette année" in content
    assert "Résidence CROUS" in content
    assert "<dd>oui</dd>" in content


def test_staff_cannot_change_a_laureates_answers_only_the_review_comment(
    referent_client, q4, laureate
):
    report = ActivityReportFactory(laureate=laureate, period=q4, stress=2)

    response = referent_client.post(
        reverse("admin:reports_activityreport_change", args=[report.pk]),
        {"stress": 5, "studies_comment": "Changé", "review_comment": "Appelée le 12/03"},
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.stress, report.studies_comment) == (2, "")
    assert report.review_comment == "Appelée le 12/03"
    assert report.status == ReportStatus.SUBMITTED


def test_save_and_mark_reviewed_on_the_report_page(referent_client, referent, q4):
    report = ActivityReportFactory(period=q4)

    referent_client.post(
        reverse("admin:reports_activityreport_change", args=[report.pk]),
        {"review_comment": "Très bon trimestre", "_mark_reviewed": "1"},
    )

    report.refresh_from_db()
    assert (report.status, report.reviewed_by, report.review_comment) == (
        ReportStatus.REVIEWED,
        referent,
        "Très bon trimestre",
    )


def test_mark_reviewed_action_asks_for_a_comment_then_marks_each_report(
    referent_client, referent, q4
):
    reports = ActivityReportFactory.create_batch(2, period=q4)
    data = {"action": "mark_reviewed", "_selected_action": [r.pk for r in reports]}

    response = referent_client.post(REPORTS, data)
    assert response.status_code == 200
    assert 'name="comment"' in response.content.decode()

    referent_client.post(REPORTS, {**data, "comment": "Vu en réunion", "apply": "1"})

    assert set(ActivityReport.objects.values_list("status", "reviewed_by", "review_comment")) == {
        (ReportStatus.REVIEWED, referent.pk, "Vu en réunion")
    }


def test_a_draft_cannot_be_marked_reviewed(referent_client, q4):
    draft = ActivityReportFactory(period=q4, draft=True)

    response = referent_client.post(
        REPORTS,
        {"action": "mark_reviewed", "_selected_action": [draft.pk], "apply": "1"},
        follow=True,
    )

    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT
    assert response.status_code == 200


def test_reopen_action_sends_a_report_back_to_the_laureate_with_every_answer(referent_client, q4):
    report = ActivityReportFactory(
        period=q4, status=ReportStatus.REVIEWED, studies_comment="Tout va bien"
    )

    referent_client.post(REPORTS, {"action": "reopen", "_selected_action": [report.pk]})

    report.refresh_from_db()
    assert (report.status, report.studies_comment) == (ReportStatus.DRAFT, "Tout va bien")


# The laureate list with the triage ---------------------------------------------------


def laureate_with_report(period, **answers) -> Laureate:
    laureate = LaureateFactory()
    ActivityReportFactory(laureate=laureate, period=period, **answers)
    return laureate


def test_laureate_list_shows_score_and_reasons_most_urgent_first(lead_client, q4):
    calm = laureate_with_report(q4)
    stressed = laureate_with_report(q4, stress=5)
    asks = laureate_with_report(q4, wants_contact=True, stress=4)

    response = lead_client.get(LAUREATES)

    assert listed(response) == [asks, stressed, calm]
    content = page(response)
    assert in_french(REASONS["contact"]) in content
    assert in_french(REASONS["stress"]) in content


def test_laureate_list_sorts_by_score_when_asked(referent_client, q4):
    calm = laureate_with_report(q4)
    stressed = laureate_with_report(q4, stress=5)
    score_column = response_column(referent_client, "triage_score")

    assert listed(referent_client.get(LAUREATES, {"o": f"-{score_column}"}))[-1] == calm
    assert listed(referent_client.get(LAUREATES, {"o": f"{score_column}"}))[-1] == stressed


def response_column(client, name: str) -> int:
    columns = list(client.get(LAUREATES).context["cl"].list_display)
    return columns.index(name)


def test_needs_attention_filter_lists_laureates_with_a_reason_only(referent_client, q4):
    laureate_with_report(q4)
    stressed = laureate_with_report(q4, stress=5)
    asks = laureate_with_report(q4, wants_contact=True)

    assert set(listed(referent_client.get(LAUREATES, {"attention": "yes"}))) == {stressed, asks}
    assert listed(referent_client.get(LAUREATES, {"attention": "urgent"})) == [asks]


def test_laureate_list_with_triage_costs_the_same_queries_for_5_and_50_laureates(
    referent_client, referent, q4, django_assert_num_queries
):
    def fill(count):
        for n in range(count):
            laureate = laureate_with_report(q4, stress=1 + n % 5)
            if n % 2:
                Triage.objects.create(laureate=laureate, assigned_to=referent)
        triage_refresh()  # as report_submit and the triage steps do

    fill(5)
    with CaptureQueriesContext(connection) as small:
        assert len(listed(referent_client.get(LAUREATES))) == 5
        listed(referent_client.get(LAUREATES, {"attention": "yes", "triage": "open"}))
    fill(45)

    with django_assert_num_queries(len(small)):
        assert len(listed(referent_client.get(LAUREATES))) == 50
        listed(referent_client.get(LAUREATES, {"attention": "yes", "triage": "open"}))


def test_assign_to_me_then_close_moves_the_triage_state(referent_client, referent, laureate):
    referent_client.post(LAUREATES, {"action": "assign_to_me", "_selected_action": [laureate.pk]})
    triage = Triage.objects.get(laureate=laureate)
    assert (triage.state, triage.assigned_to) == (TriageState.ASSIGNED, referent)

    referent_client.post(LAUREATES, {"action": "close_triage", "_selected_action": [laureate.pk]})

    triage.refresh_from_db()
    assert (triage.state, triage.assigned_to) == (TriageState.CLOSED, referent)


def test_assign_to_another_staff_member(referent_client, laureate):
    colleague = RoleStaffFactory(first_name="Léa", last_name="Petit", role=roles.REFERENT)
    data = {"action": "assign_to", "_selected_action": [laureate.pk]}
    assert referent_client.post(LAUREATES, data).status_code == 200

    referent_client.post(LAUREATES, {**data, "staff": colleague.pk, "apply": "1"})

    assert Triage.objects.get(laureate=laureate).assigned_to == colleague


def test_recording_a_contact_adds_a_follow_up_and_marks_the_laureate_contacted(
    referent_client, referent, laureate, other_laureate
):
    data = {"action": "record_contact", "_selected_action": [laureate.pk, other_laureate.pk]}
    response = referent_client.post(LAUREATES, data)
    assert response.status_code == 200
    assert 'name="channel"' in response.content.decode()

    referent_client.post(
        LAUREATES,
        {
            **data,
            "channel": "phone",
            "outcome": "fine",
            "note": "Rappel après le rapport",
            "apply": "1",
        },
    )

    assert set(FollowUp.objects.values_list("laureate", "by", "channel", "note")) == {
        (laureate.pk, referent.pk, "phone", "Rappel après le rapport"),
        (other_laureate.pk, referent.pk, "phone", "Rappel après le rapport"),
    }
    assert set(Triage.objects.values_list("state", "assigned_to")) == {
        (TriageState.CONTACTED, referent.pk)
    }


def test_triage_state_filter_counts_a_laureate_never_triaged_as_new(
    referent_client, referent, laureate, other_laureate
):
    Triage.objects.create(laureate=other_laureate, state=TriageState.CONTACTED)

    assert listed(referent_client.get(LAUREATES, {"triage": "new"})) == [laureate]
    assert listed(referent_client.get(LAUREATES, {"triage": "contacted"})) == [other_laureate]


def test_laureate_page_shows_the_triage_reasons(referent_client, q4, laureate):
    ActivityReportFactory(laureate=laureate, period=q4, studies_rating=1)

    response = referent_client.get(reverse("admin:laureates_laureate_change", args=[laureate.pk]))

    assert in_french(REASONS["studies"]) in page(response)


def test_an_inline_another_app_adds_to_the_laureate_admin_is_kept(rf, lead):
    class AttendanceLikeInline(admin.TabularInline):
        model = FollowUp

    registered = admin.site._registry[Laureate]
    original = LaureateAdmin.inlines
    LaureateAdmin.inlines = (*LaureateAdmin.inlines, AttendanceLikeInline)
    try:
        request = rf.get("/")
        request.user = lead
        inlines = registered.get_inlines(request, None)
    finally:
        LaureateAdmin.inlines = original

    assert AttendanceLikeInline in inlines
    assert set(original) <= set(inlines)


# Export of a period --------------------------------------------------------------------


def export(client, period, file_format="csv", **options):
    url = reverse("admin:reports_reportperiod_export", args=[period.pk])
    response = client.post(url, {"file_format": file_format, **options})
    assert response.status_code == 200
    if file_format == "csv":
        text = response.content.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text), delimiter=";"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [["" if cell is None else str(cell) for cell in row] for row in sheet.values]


def test_export_has_one_row_per_report_with_french_headers_and_extra_questions(
    referent_client, questionnaire, laureate
):
    ActivityReportFactory(
        laureate=laureate,
        period=questionnaire.periods.get(),
        is_late=True,
        extra_answers={"mentoring": "yes", "housing": "family"},
    )
    ActivityReportFactory(period=questionnaire.periods.get(), draft=True)

    header, *rows = export(referent_client, questionnaire.periods.get())

    assert header[:4] == ["Nom", "Adresse e-mail", "Promotion", "Filière"]
    assert header[-2:] == ["Votre logement", "Le tutorat vous aide-t-il ?"]
    [row] = rows
    values = dict(zip(header, row, strict=True))
    assert values["Adresse e-mail"] == "ines.laureate@example.org"
    assert values["En retard"] == "oui"
    assert values["Votre logement"] == "En famille"
    assert values["Le tutorat vous aide-t-il ?"] == "oui"


def test_export_leaves_the_wellbeing_answers_out_unless_asked(lead_client, q4, laureate):
    ActivityReportFactory(
        laureate=laureate, period=q4, stress=5, wants_contact=True, wellbeing_note="Épuisée"
    )
    wellbeing = [
        in_french(ActivityReport._meta.get_field(name).verbose_name).capitalize()
        for name in ("stress", "wants_contact", "wellbeing_note")
    ]

    header, row = export(lead_client, q4, "xlsx")
    assert not set(wellbeing) & set(header)
    assert "Épuisée" not in row

    header, row = export(lead_client, q4, "xlsx", include_wellbeing="on")
    assert set(wellbeing) <= set(header)
    assert "Épuisée" in row


def test_the_export_form_offers_the_confidential_wellbeing_checkbox(referent_client, q4):
    url = reverse("admin:reports_reportperiod_export", args=[q4.pk])
    assert url in referent_client.get(PERIODS).content.decode()

    response = referent_client.get(url)

    assert 'name="include_wellbeing"' in response.content.decode()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_neutralises_spreadsheet_formulas(referent_client, q4, laureate, file_format):
    laureate.user.first_name = '=HYPERLINK("http://evil.example")'
    laureate.user.save()
    ActivityReportFactory(laureate=laureate, period=q4, studies_comment="+33 6 12 34 56 78")

    header, row = export(referent_client, q4, file_format)

    assert row[0].startswith("'=HYPERLINK")
    assert "'+33 6 12 34 56 78" in row


def export_sheet(client, period, **options):
    url = reverse("admin:reports_reportperiod_export", args=[period.pk])
    response = client.post(url, {"file_format": "xlsx", **options})
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_xlsx_export_reads_like_a_spreadsheet(referent_client, q4, laureate):
    ActivityReportFactory(
        laureate=laureate,
        period=q4,
        submitted_at=datetime.datetime(2026, 1, 10, 9, 30, tzinfo=datetime.UTC),
        sponsor_meetings=3,
    )

    sheet = export_sheet(referent_client, q4)

    assert sheet.title == "Rapports 2025-q4"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}2"
    header = [cell.value for cell in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    submitted = cells["Remis le"]
    assert submitted.is_date and submitted.number_format == "dd/mm/yyyy hh:mm"
    assert submitted.value == datetime.datetime(2026, 1, 10, 10, 30)  # Paris time
    assert cells["Promotion"].data_type == "n"
    assert cells["Promotion"].value == laureate.promotion.year
    assert cells["Statut"].value == "Remis"
    assert all(cell.font.bold for cell in sheet[1])


def test_xlsx_export_cuts_a_text_too_long_for_a_cell_and_says_so(referent_client, q4, laureate):
    report = ActivityReportFactory(laureate=laureate, period=q4)
    ActivityReport.objects.filter(pk=report.pk).update(studies_comment="é" * 40_000)

    sheet = export_sheet(referent_client, q4)

    [cut] = [cell.value for cell in sheet[2] if cell.value and str(cell.value).startswith("éé")]
    assert len(cut) == 32_767
    assert cut.endswith("… [coupé]")


def test_csv_export_keeps_a_long_text_whole(referent_client, q4, laureate):
    report = ActivityReportFactory(laureate=laureate, period=q4)
    ActivityReport.objects.filter(pk=report.pk).update(studies_comment="é" * 40_000)

    header, row = export(referent_client, q4)

    assert "é" * 40_000 in row


def test_export_costs_the_same_queries_for_5_and_50_reports(
    referent_client, questionnaire, django_assert_num_queries
):
    period = questionnaire.periods.get()
    ActivityReportFactory.create_batch(5, period=period)
    with CaptureQueriesContext(connection) as small:
        assert len(export(referent_client, period)) == 6
    ActivityReportFactory.create_batch(45, period=period)

    with django_assert_num_queries(len(small)):
        assert len(export(referent_client, period)) == 51


# The review page and the links between a laureate and their reports --------------------


def test_the_report_page_is_the_report_with_rating_labels_and_review_buttons_at_the_top(
    referent_client, q4, laureate
):
    report = ActivityReportFactory(laureate=laureate, period=q4, studies_rating=4)

    response = referent_client.get(reverse("admin:reports_activityreport_change", args=[report.pk]))

    content = page(response)
    assert "<h1>Rapport d’Inès Benali</h1>" in content
    assert "Modification de" not in content
    assert "4 — bien" in content
    # « Enregistrer et marquer comme relu » above the answers as well as below them.
    button = 'name="_mark_reviewed"'
    assert content.count(button) == 2
    assert content.index(button) < content.index("4 — bien")


def test_the_laureate_page_links_to_their_reports_and_the_list_links_back(
    referent_client, q4, q1, laureate
):
    ActivityReportFactory(laureate=laureate, period=q4)
    ActivityReportFactory(laureate=laureate, period=q1)
    ActivityReportFactory(period=q1)

    response = referent_client.get(reverse("admin:laureates_laureate_change", args=[laureate.pk]))

    link = f"{REPORTS}?laureate__id__exact={laureate.pk}"
    assert f'href="{link}"' in page(response)
    assert "2 rapports d’activité" in page(response)
    response = referent_client.get(link)
    assert {report.laureate for report in listed(response)} == {laureate}
    back = reverse("admin:laureates_laureate_change", args=[laureate.pk])
    assert f'href="{back}"' in page(response) and "Retour à Inès Benali" in page(response)


@pytest.mark.parametrize("size", [3, 30])
def test_not_started_lists_the_active_laureates_without_a_report_in_one_query(
    referent_client, q1, size, django_assert_max_num_queries
):
    started = LaureateFactory.create_batch(size)
    for laureate in started:
        ActivityReportFactory(laureate=laureate, period=q1, status=ReportStatus.DRAFT)
    waiting = LaureateFactory.create_batch(size)
    LaureateFactory(status="alumni")

    reports = referent_client.get(REPORTS)
    assert f"{LAUREATES}?not_started={q1.pk}" in page(reports)
    assert "Non commencés\u00a0: " in page(reports)
    triage_refresh()  # as report_submit and the triage steps do
    with django_assert_max_num_queries(14):
        response = referent_client.get(f"{LAUREATES}?not_started={q1.pk}")

    assert set(listed(response)) == set(waiting)
