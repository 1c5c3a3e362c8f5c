"""Confidential answers (wellbeing, and the questions staff mark confidential) are read by the
laureate, their referent (the one they follow, or the one their triage is assigned to) and
the programme lead; every other staff member sees that they exist, never what they say; the
triage still counts them; and every opening of a report or of confidential answers is kept
as a read record for the lead, for 12 months."""

import csv
import datetime
import html
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from emergence import roles
from emergence.personal_data import retention_apply
from laureates.models import Laureate
from reports.confidential import CONFIDENTIAL_NOTICE, CONFIDENTIAL_SIGNAL
from reports.models import ActivityReport, QuestionKind, ReadWhat, ReportRead, Triage
from reports.questionnaires import questionnaire_copy
from reports.triage import REASONS, triage_refresh
from tests.factories import LaureateFactory, RoleStaffFactory
from tests.report_factories import (
    ActivityReportFactory,
    QuestionFactory,
    QuestionnaireFactory,
    ReportPeriodFactory,
)

REPORTS = reverse("admin:reports_activityreport_changelist")
LAUREATES = reverse("admin:laureates_laureate_changelist")
READS = reverse("admin:reports_reportread_changelist")

# 2025-q4 is past its due date (2026-01-15); 2026-q1 opened on 2026-03-01.
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC)
NOTE = "Je dors très mal depuis janvier"
FAMILY = "Mes parents se séparent"


def in_french(text) -> str:
    with translation.override("fr"):
        return str(text)


NOTICE = in_french(CONFIDENTIAL_NOTICE)
SIGNAL = in_french(CONFIDENTIAL_SIGNAL)


def page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def q4(db):
    """The period, asking a confidential question (family) and an ordinary one (mentoring)."""
    questionnaire = QuestionnaireFactory(name="Année 2025-2026")
    QuestionFactory(
        questionnaire=questionnaire,
        key="family",
        label_fr="Votre situation familiale",
        label_en="Your family situation",
        kind=QuestionKind.LONG_TEXT,
        confidential=True,
        position=1,
    )
    QuestionFactory(
        questionnaire=questionnaire,
        key="mentoring",
        label_fr="Ce qui vous aide le plus",
        label_en="What helps you most",
        kind=QuestionKind.SHORT_TEXT,
        position=2,
    )
    return ReportPeriodFactory(year=2025, quarter=4, questionnaire=questionnaire)


@pytest.fixture
def report(q4, laureate, referent):
    """Inès, followed by Paul (the ``referent`` fixture), is not well and asked for a call."""
    laureate.referent = referent
    laureate.save()
    return ActivityReportFactory(
        laureate=laureate,
        period=q4,
        stress=5,
        wants_contact=True,
        wellbeing_note=NOTE,
        extra_answers={"family": FAMILY, "mentoring": "Le tutorat du mardi"},
    )


@pytest.fixture
def other_referent(db):
    return RoleStaffFactory(
        email="nora.referente@example.org",
        first_name="Nora",
        last_name="Haddad",
        role=roles.REFERENT,
    )


@pytest.fixture
def other_referent_client(client, other_referent):
    client.force_login(other_referent)
    return client


def report_url(report) -> str:
    return reverse("admin:reports_activityreport_change", args=[report.pk])


def laureate_url(laureate) -> str:
    return reverse("admin:laureates_laureate_change", args=[laureate.pk])


def field_block(content: str, name: str) -> str:
    """The HTML of one field's row on an admin change page."""
    start = content.index(f"field-{name}")
    end = content.find("form-row", start + 1)
    return content[start:end]


def assert_shows_confidential(content: str) -> None:
    assert NOTE in content
    assert FAMILY in content
    assert "5" in field_block(content, "stress")
    assert NOTICE not in content


def assert_hides_confidential(content: str) -> None:
    assert NOTE not in content
    assert FAMILY not in content
    assert "field-stress" not in content
    assert "field-wants_contact" not in content
    assert content.count(NOTICE) == 4  # stress, contact, note, and the family question
    assert NOTICE in field_block(content, "hidden_stress")
    assert "5" not in field_block(content, "hidden_stress")


# The report page -------------------------------------------------------------------------


def test_the_laureates_referent_reads_their_confidential_answers(referent_client, report):
    content = page(referent_client.get(report_url(report)))

    assert_shows_confidential(content)
    assert "Le tutorat du mardi" in content


def test_another_referent_sees_the_answers_are_confidential_not_what_they_say(
    other_referent_client, report
):
    content = page(other_referent_client.get(report_url(report)))

    assert_hides_confidential(content)
    # The rest of the report is theirs to read.
    assert "Le tutorat du mardi" in content
    assert "Votre situation familiale" in content


def test_the_referent_the_triage_is_assigned_to_reads_the_confidential_answers(
    other_referent_client, other_referent, report
):
    Triage.objects.create(laureate=report.laureate, assigned_to=other_referent)

    assert_shows_confidential(page(other_referent_client.get(report_url(report))))


def test_the_programme_lead_reads_every_laureates_confidential_answers(lead_client, report):
    assert_shows_confidential(page(lead_client.get(report_url(report))))


def test_the_laureate_reads_their_own_confidential_answers(client, report):
    client.force_login(report.laureate.user)

    content = page(client.get(reverse("reports:edit", args=["2025-q4"])))

    assert NOTE in content
    assert FAMILY in content


def test_a_confidential_question_tells_the_laureate_who_reads_it(client, laureate):
    period = ReportPeriodFactory(year=2026, quarter=1, questionnaire=QuestionnaireFactory())
    QuestionFactory(questionnaire=period.questionnaire, confidential=True)
    client.force_login(laureate.user)

    content = page(client.get(reverse("reports:edit", args=["2026-q1"])))

    assert "Confidentiel\xa0: seuls votre référent·e et la direction du programme" in content


def test_saving_a_review_never_changes_a_hidden_answer(other_referent_client, report):
    response = other_referent_client.post(
        report_url(report), {"stress": 1, "wellbeing_note": "", "review_comment": "Vu"}
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.stress, report.wellbeing_note, report.review_comment) == (5, NOTE, "Vu")


# Lists, filters and search ----------------------------------------------------------------


def test_the_report_list_never_shows_a_confidential_answer(other_referent_client, report):
    content = page(other_referent_client.get(REPORTS))

    assert "Inès Benali" in content
    assert NOTE not in content and FAMILY not in content


@pytest.mark.parametrize(
    "lookup",
    [
        {"stress": "5"},
        {"stress__gte": "4"},
        {"wants_contact__exact": "1"},
        {"wellbeing_note__icontains": "dors"},
        {"extra_answers__family__icontains": "parents"},
        {"laureate__reports__stress": "5"},
    ],
)
def test_the_report_list_refuses_to_filter_on_a_confidential_answer(lead_client, report, lookup):
    assert lead_client.get(REPORTS, lookup).status_code == 400


def test_the_laureate_list_refuses_to_filter_on_a_confidential_answer(lead_client, report):
    assert lead_client.get(LAUREATES, {"reports__stress": "5"}).status_code == 400
    assert lead_client.get(LAUREATES, {"reports__wants_contact": "1"}).status_code == 400


def test_searching_the_report_list_never_reads_a_confidential_answer(lead_client, report):
    assert list(lead_client.get(REPORTS, {"q": "dors"}).context["cl"].result_list) == []
    assert list(lead_client.get(REPORTS, {"q": "parents"}).context["cl"].result_list) == []


# Triage: the score counts, the reasons speak only to who may read ---------------------------


def reasons_of(response, laureate) -> list[str]:
    [row] = [row for row in response.context["cl"].result_list if row.pk == laureate.pk]
    model_admin = response.context["cl"].model_admin
    return str(model_admin.reasons(row)).split("<br>")


def test_another_referent_sees_a_confidential_signal_with_the_full_score(
    other_referent_client, report
):
    response = other_referent_client.get(LAUREATES)

    [row] = response.context["cl"].result_list
    assert row.triage_score == 40 + 25  # asked to be contacted, high stress
    assert reasons_of(response, report.laureate) == [SIGNAL]
    content = page(response)
    assert in_french(REASONS["contact"]) not in content
    assert in_french(REASONS["stress"]) not in content


def test_the_referent_sees_the_reasons_in_words(referent_client, report):
    response = referent_client.get(LAUREATES)

    assert reasons_of(response, report.laureate) == [
        in_french(REASONS["contact"]),
        in_french(REASONS["stress"]),
    ]
    assert SIGNAL not in page(response)


def test_a_signal_keeps_the_other_reasons_in_words(other_referent_client, report, q4):
    ActivityReport.objects.filter(pk=report.pk).update(studies_rating=1)

    response = other_referent_client.get(LAUREATES, {"attention": "urgent"})

    assert reasons_of(response, report.laureate) == [SIGNAL, in_french(REASONS["studies"])]


def test_the_laureate_page_shows_the_signal_to_another_referent_and_words_to_the_lead(
    client, other_referent, lead, report
):
    client.force_login(other_referent)
    content = page(client.get(laureate_url(report.laureate)))
    assert SIGNAL in content
    assert in_french(REASONS["contact"]) not in content

    client.force_login(lead)
    content = page(client.get(laureate_url(report.laureate)))
    assert in_french(REASONS["contact"]) in content
    assert SIGNAL not in content


@pytest.mark.parametrize("role", [roles.WORKSHOPS, roles.PARTNERSHIPS])
def test_workshops_and_partnerships_staff_see_no_triage(client, report, role):
    client.force_login(RoleStaffFactory(role=role))

    response = client.get(LAUREATES)

    columns = list(response.context["cl"].list_display)
    assert not {"triage_score", "reasons", "triage_state", "in_charge"} & set(columns)
    assert "Inès Benali" in page(response)
    filters = [spec.title for spec in response.context["cl"].filter_specs]
    assert in_french("needs attention") not in [str(title) for title in filters]
    assert "triage_score" not in response.context["cl"].queryset.query.annotations
    content = page(client.get(laureate_url(report.laureate)))
    assert SIGNAL not in content and in_french(REASONS["contact"]) not in content
    assert client.get(report_url(report)).status_code == 403


def test_triage_actions_need_the_triage_permission_not_the_laureates(client, laureate):
    # Allowed to change laureates and to see the triage, not to change it.
    staff = RoleStaffFactory(role=roles.WORKSHOPS)
    staff.user_permissions.add(
        *roles_permissions("laureates.change_laureate", "reports.view_triage")
    )
    client.force_login(staff)

    actions = client.get(LAUREATES).context["action_form"].fields["action"].choices
    offered = {name for name, _label in actions}
    assert not {"assign_to_me", "assign_to", "record_contact", "close_triage"} & offered

    client.post(LAUREATES, {"action": "assign_to_me", "_selected_action": [laureate.pk]})
    assert not Triage.objects.exists()


def test_a_referent_runs_the_triage_actions(referent_client, referent, laureate):
    referent_client.post(LAUREATES, {"action": "assign_to_me", "_selected_action": [laureate.pk]})

    assert Triage.objects.get(laureate=laureate).assigned_to == referent


def roles_permissions(*names):
    for name in names:
        app_label, codename = name.split(".")
        yield Permission.objects.get(content_type__app_label=app_label, codename=codename)


# Exports -------------------------------------------------------------------------------------


def export(client, period, file_format="csv", **options) -> list[dict]:
    url = reverse("admin:reports_reportperiod_export", args=[period.pk])
    response = client.post(url, {"file_format": file_format, **options})
    assert response.status_code == 200
    if file_format == "csv":
        text = response.content.decode("utf-8-sig")
        header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        header, *rows = [
            ["" if cell is None else str(cell) for cell in row] for row in sheet.values
        ]
    return [dict(zip(header, row, strict=True)) for row in rows]


def column(name: str) -> str:
    """A report field's column header in the French export."""
    return capfirst(in_french(ActivityReport._meta.get_field(name).verbose_name))


STRESS, CONTACT, NOTE_COLUMN = (
    column(name) for name in ("stress", "wants_contact", "wellbeing_note")
)
FAMILY_COLUMN = "Votre situation familiale"


@pytest.fixture
def followed_by_other(q4, other_referent):
    """Yanis, followed by Nora (``other_referent``), stressed too."""
    laureate = LaureateFactory(
        referent=other_referent, user__first_name="Yanis", user__last_name="Robert"
    )
    return ActivityReportFactory(
        laureate=laureate,
        period=q4,
        stress=4,
        wellbeing_note="Fatigué",
        extra_answers={"family": "Déménagement"},
    )


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_referents_export_fills_the_confidential_columns_of_their_laureates_only(
    other_referent_client, report, followed_by_other, file_format
):
    rows = export(other_referent_client, report.period, file_format, include_wellbeing="on")

    by_name = {row["Nom"]: row for row in rows}
    mine, not_mine = by_name["Yanis Robert"], by_name["Inès Benali"]
    assert (mine[STRESS], mine[NOTE_COLUMN], mine[FAMILY_COLUMN]) == (
        "4",
        "Fatigué",
        "Déménagement",
    )
    assert [not_mine[c] for c in (STRESS, CONTACT, NOTE_COLUMN, FAMILY_COLUMN)] == [""] * 4
    assert not_mine["Ce qui vous aide le plus"] == "Le tutorat du mardi"
    flat = str(rows)
    assert NOTE not in flat and FAMILY not in flat


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_leads_export_fills_every_confidential_column(
    lead_client, report, followed_by_other, file_format
):
    rows = export(lead_client, report.period, file_format, include_wellbeing="on")

    by_name = {row["Nom"]: row for row in rows}
    assert by_name["Inès Benali"][NOTE_COLUMN] == NOTE
    assert by_name["Inès Benali"][FAMILY_COLUMN] == FAMILY
    assert by_name["Inès Benali"][CONTACT] == "oui"
    assert by_name["Yanis Robert"][STRESS] == "4"


def test_without_the_box_ticked_no_confidential_column_is_exported(referent_client, report):
    [row] = export(referent_client, report.period, "xlsx")

    assert not {STRESS, CONTACT, NOTE_COLUMN, FAMILY_COLUMN} & set(row)
    assert row["Ce qui vous aide le plus"] == "Le tutorat du mardi"
    assert not ReportRead.objects.filter(what=ReadWhat.EXPORT_CONFIDENTIAL).exists()


@pytest.fixture
def exporter(db):
    """Staff who may export the reports (view periods and reports) but read no confidential
    answer: the box is neither offered nor obeyed."""
    staff = RoleStaffFactory(role=roles.WORKSHOPS)
    staff.user_permissions.add(
        *roles_permissions("reports.view_reportperiod", "reports.view_activityreport")
    )
    return staff


def test_the_confidential_box_is_offered_only_to_who_may_read_some(
    client, exporter, referent, lead, q4
):
    url = reverse("admin:reports_reportperiod_export", args=[q4.pk])
    for user, offered in [(exporter, False), (referent, True), (lead, True)]:
        client.force_login(user)
        assert ('name="include_wellbeing"' in page(client.get(url))) is offered, user


def test_staff_who_may_read_no_confidential_answer_cannot_export_them(client, exporter, report):
    client.force_login(exporter)

    [row] = export(client, report.period, "csv", include_wellbeing="on")

    assert not {STRESS, CONTACT, NOTE_COLUMN, FAMILY_COLUMN} & set(row)
    assert NOTE not in str(row)
    assert not ReportRead.objects.filter(what=ReadWhat.EXPORT_CONFIDENTIAL).exists()


def test_a_confidential_export_costs_the_same_queries_for_5_and_50_reports(
    other_referent_client, other_referent, q4, django_assert_num_queries
):
    def fill(count):
        for n in range(count):
            ActivityReportFactory(period=q4, laureate__referent=other_referent if n % 2 else None)

    fill(5)
    with CaptureQueriesContext(connection) as small:
        assert len(export(other_referent_client, q4, include_wellbeing="on")) == 5
    fill(45)

    with django_assert_num_queries(len(small)):
        assert len(export(other_referent_client, q4, include_wellbeing="on")) == 50
    # Each export recorded the laureates Nora follows: 2 of the first 5, 24 of the 50.
    assert ReportRead.objects.count() == 2 + 24


# Who looked -------------------------------------------------------------------------------


def test_opening_a_report_is_recorded_with_whether_it_showed_the_confidential_answers(
    client, referent, other_referent, report
):
    client.force_login(referent)
    client.get(report_url(report))
    client.force_login(other_referent)
    client.get(report_url(report))

    reads = list(ReportRead.objects.order_by("pk").values_list("user", "laureate", "what", "at"))
    assert reads == [
        (referent.pk, report.laureate_id, ReadWhat.REPORT_CONFIDENTIAL, NOW),
        (other_referent.pk, report.laureate_id, ReadWhat.REPORT, NOW),
    ]
    first = ReportRead.objects.order_by("pk").first()
    assert first.description == "rapport 2025-q4, avec ses réponses confidentielles"


def test_a_confidential_export_records_one_read_per_laureate_whose_answers_it_holds(
    other_referent_client, other_referent, report, followed_by_other
):
    export(other_referent_client, report.period, "xlsx", include_wellbeing="on")

    [read] = ReportRead.objects.all()
    assert (read.user, read.laureate, read.report, read.what) == (
        other_referent,
        followed_by_other.laureate,
        followed_by_other,
        ReadWhat.EXPORT_CONFIDENTIAL,
    )
    assert in_french(read.description) == "export de 2025-q4 avec les réponses confidentielles"


def test_the_lead_sees_who_looked_on_the_laureates_page_and_in_the_list(
    client, referent, lead, report
):
    client.force_login(referent)
    client.get(report_url(report))
    client.force_login(lead)

    content = page(client.get(laureate_url(report.laureate)))
    assert "Qui a consulté" in content
    assert "Paul Lefèvre" in content
    assert f"{READS}?laureate__id__exact={report.laureate.pk}" in content

    response = client.get(READS, {"laureate__id__exact": report.laureate.pk})
    [read] = response.context["cl"].result_list
    assert read.user == referent
    assert list(client.get(READS, {"q": "Benali"}).context["cl"].result_list) == [read]
    assert list(client.get(READS, {"q": "Robert"}).context["cl"].result_list) == []


def test_read_records_are_for_the_lead_only_and_nobody_changes_them(client, referent, lead, report):
    client.force_login(referent)
    client.get(report_url(report))
    read = ReportRead.objects.get()

    assert "Qui a consulté" not in page(client.get(laureate_url(report.laureate)))
    assert client.get(READS).status_code == 403

    client.force_login(lead)
    assert client.get(READS).status_code == 200
    change = reverse("admin:reports_reportread_change", args=[read.pk])
    response = client.get(change)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert client.post(change, {"what": "report"}).status_code == 403
    assert client.get(reverse("admin:reports_reportread_add")).status_code == 403
    delete = reverse("admin:reports_reportread_delete", args=[read.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ReportRead.objects.filter(pk=read.pk).exists()


def test_read_records_are_deleted_after_12_months(time_machine, referent_client, referent, report):
    referent_client.get(report_url(report))
    time_machine.move_to(NOW + datetime.timedelta(days=200), tick=False)
    referent_client.force_login(referent)  # the first session has expired
    referent_client.get(report_url(report))

    def purge_read_records() -> int:
        return retention_apply(only={"read_records"})["read_records"]

    time_machine.move_to(NOW + datetime.timedelta(days=364), tick=False)
    assert purge_read_records() == 0
    time_machine.move_to(NOW + datetime.timedelta(days=366), tick=False)
    assert purge_read_records() == 1
    assert purge_read_records() == 0  # a second run the same day deletes nothing more

    [kept] = ReportRead.objects.all()
    assert kept.at == NOW + datetime.timedelta(days=200)


def test_the_purge_runs_daily_from_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    # One daily retention task applies every rule, the read records' among them.
    assert "emergence.tasks.apply_retention" in tasks
    assert settings.RETENTION_DAYS["read_records"] == 365


# Questionnaires ----------------------------------------------------------------------------


def test_staff_mark_a_question_confidential_and_a_copy_keeps_it(lead_client, q4):
    questionnaire = q4.questionnaire
    url = reverse("admin:reports_questionnaire_change", args=[questionnaire.pk])
    assert 'name="questions-0-confidential"' in page(lead_client.get(url))

    copy = questionnaire_copy(questionnaire=questionnaire)

    assert dict(copy.questions.values_list("key", "confidential")) == {
        "family": True,
        "mentoring": False,
    }


# Query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [REPORTS, LAUREATES])
def test_admin_lists_cost_the_same_queries_for_a_referent_at_5_and_50_laureates(
    other_referent_client, other_referent, q4, url, django_assert_num_queries
):
    def fill(count):
        for n in range(count):
            laureate = LaureateFactory(referent=other_referent if n % 3 == 0 else None)
            ActivityReportFactory(laureate=laureate, period=q4, stress=1 + n % 5)
            if n % 3 == 1:
                Triage.objects.create(laureate=laureate, assigned_to=other_referent)
        triage_refresh()  # as report_submit and the triage steps do

    fill(5)
    with CaptureQueriesContext(connection) as small:
        assert len(other_referent_client.get(url).context["cl"].result_list) == 5
    fill(45)

    with django_assert_num_queries(len(small)):
        assert len(other_referent_client.get(url).context["cl"].result_list) == 50
    assert Laureate.objects.count() == 50
