"""The report form page: sections, errors that keep every answer, autosave, read-only view."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import ANSWER_TEXT_MAX_LENGTH, ActivityReport, QuestionKind, ReportStatus
from reports.services import report_save_draft, report_start, report_submit
from tests.factories import LaureateFactory
from tests.report_data import (
    COMPLETE,
    TODAY,
    form_data,
    make_period,
    make_questionnaire,
    past_report,
)

URL = reverse("reports:edit", kwargs={"period": "2026-q4"})


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture(autouse=True)
def english(client):
    """The page in English, so the assertions read the source strings."""
    client.cookies["django_language"] = "en"


def checked(html: str, name: str) -> list[str]:
    """The values of the checked radio buttons or checkboxes named ``name``."""
    return re.findall(rf'<input[^>]*name="{name}"(?: value="([^"]*)")?[^>]*checked', html)


@pytest.fixture
def questionnaire(db):
    return make_questionnaire(
        ("housing", QuestionKind.SCALE, True),
        ("grant", QuestionKind.YES_NO, False),
        ("workshop", QuestionKind.CHOICE, False),
        ("plans", QuestionKind.LONG_TEXT, False),
    )


@pytest.fixture
def period(questionnaire):
    return make_period(2026, 4, questionnaire=questionnaire)


def the_report(laureate) -> ActivityReport:
    return ActivityReport.objects.get(laureate=laureate)


def test_the_form_has_one_card_per_section_and_says_who_reads_the_wellbeing_one(
    laureate_client, period
):
    response = laureate_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    sections = [section.key for section in response.context["sections"]]
    assert sections == [
        "studies",
        "sponsor",
        "project",
        "civic",
        "search",
        "wellbeing",
        "extra",
        "comment",
    ]
    assert html.count('class="card mb-3 report-section"') == 8
    assert "Only your referent and the programme lead read this section" in html
    assert re.search(r'type="radio"[^>]*name="studies_rating" value="5"', html)
    assert "5 — very well" in html
    assert 'name="action" value="save"' in html and 'name="action" value="submit"' in html
    assert 'data-autosave-url="/reports/2026-q4/"' in html
    assert "js/report_autosave.js" in html
    assert "<script>" not in html and 'style="' not in html


def test_the_form_shows_the_extra_questions_of_its_version_in_the_active_language(
    laureate_client, period
):
    html = laureate_client.get(URL).content.decode()
    assert "Question housing (v1) in English *" in html
    assert "Question grant (v1) in English" in html
    assert "Choice A" in html
    assert 'name="extra__plans"' in html
    laureate_client.cookies["django_language"] = "fr"
    html = laureate_client.get(URL).content.decode()
    assert "Question housing (v1) *" in html
    assert "Choix A" in html


def test_the_progress_indicator_counts_the_required_answers(laureate_client, laureate, period):
    report_save_draft(
        report=report_start(laureate=laureate, period=period),
        data={"studies_rating": 3, "sponsor_met": False},
    )
    html = laureate_client.get(URL).content.decode()
    assert "2 of 7 required answers given" in html
    assert '<progress id="report-progress-bar" class="w-100" max="7" value="2">' in html


def test_carried_over_sections_are_marked_and_the_others_are_not(laureate_client, laureate, period):
    past_report(laureate, make_period(2026, 3), search_field="Finance", civic_actions="")
    response = laureate_client.get(URL)
    marked = {s.key for s in response.context["sections"] if s.carried_over}
    assert marked == {"search"}
    html = response.content.decode()

    def card(key: str) -> str:
        return html.split(f'id="section-{key}"')[1].split("</section>")[0]

    assert "Carried over from your last report" in card("search")
    assert 'value="Finance"' in card("search")
    for key in ["studies", "sponsor", "project", "civic", "wellbeing", "comment"]:
        assert "carried-over" not in card(key), key


def test_saving_an_incomplete_draft_keeps_it_and_comes_back_to_the_form(
    laureate_client, laureate, period
):
    response = laureate_client.post(
        URL, {"action": "save", "studies_rating": "2", "extra__plans": "Un stage"}
    )
    assert response.status_code == 302
    assert response.url == URL
    report = the_report(laureate)
    assert report.status == ReportStatus.DRAFT
    assert report.studies_rating == 2
    assert report.extra_answers == {"plans": "Un stage"}


def test_a_submit_with_a_missing_answer_keeps_every_answer_core_and_extra(
    laureate_client, laureate, period
):
    data = form_data(
        stress=None,
        studies_comment="Mes partiels <b>approchent</b>",
        extra__housing="4",
        extra__grant="False",
        extra__workshop="b",
        extra__plans="Partir en Erasmus",
        wants_contact="on",
    )
    response = laureate_client.post(URL, {**data, "action": "submit"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#div_id_stress"' in html
    assert html.count("This answer is needed to submit.") == 2  # summary and field
    assert "Mes partiels &lt;b&gt;approchent&lt;/b&gt;</textarea>" in html
    assert checked(html, "studies_rating") == ["4"]
    assert checked(html, "sponsor_met") == ["True"]
    assert checked(html, "search_kind") == ["internship"]
    assert checked(html, "stress") == []
    assert checked(html, "extra__housing") == ["4"]
    assert checked(html, "extra__grant") == ["False"]
    assert checked(html, "extra__workshop") == ["b"]
    assert checked(html, "wants_contact") == [""]
    assert "Partir en Erasmus</textarea>" in html
    assert 'value="Finance"' in html
    # Not submitted, but nothing is lost: the valid answers are in the draft.
    report = the_report(laureate)
    assert report.status == ReportStatus.DRAFT
    assert report.studies_comment == "Mes partiels <b>approchent</b>"
    assert report.extra_answers == {
        "housing": 4,
        "grant": False,
        "workshop": "b",
        "plans": "Partir en Erasmus",
    }
    assert report.wants_contact is True


def test_an_invalid_value_is_shown_with_its_error_and_never_erases_the_saved_one(
    laureate_client, laureate, period
):
    report_save_draft(
        report=report_start(laureate=laureate, period=period),
        data={"civic_hours": 10, "stress": 3},
    )
    response = laureate_client.post(
        URL, {"action": "save", "civic_hours": "douze", "stress": "4", "extra__housing": "9"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#div_id_civic_hours"' in html
    assert 'href="#div_id_extra__housing"' in html
    assert 'value="douze"' in html
    report = the_report(laureate)
    assert report.civic_hours == 10
    assert report.stress == 4
    assert "housing" not in report.extra_answers


def test_an_answer_left_out_of_the_post_keeps_its_saved_value(laureate_client, laureate, period):
    report_save_draft(
        report=report_start(laureate=laureate, period=period),
        data={"comment": "Déjà écrit", "stress": 2, "extra_answers": {"plans": "Voyager"}},
    )
    response = laureate_client.post(URL, {"action": "submit", "studies_rating": "5"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Déjà écrit</textarea>" in html
    assert "Voyager</textarea>" in html
    report = the_report(laureate)
    assert (report.comment, report.stress, report.studies_rating) == ("Déjà écrit", 2, 5)
    assert report.extra_answers == {"plans": "Voyager"}


def test_a_date_in_the_future_for_the_last_sponsor_meeting_is_refused(laureate_client, period):
    response = laureate_client.post(URL, {"action": "save", "sponsor_last_met_on": "2027-03-01"})
    assert response.status_code == 200
    assert "This date is in the future." in response.content.decode()


def test_submitting_a_complete_report_goes_back_to_the_list_and_updates_the_search(
    laureate_client, laureate, period
):
    response = laureate_client.post(
        URL, {**form_data(extra__housing="3", search_kind="job"), "action": "submit"}
    )
    assert response.status_code == 302
    assert response.url == reverse("reports:list")
    report = the_report(laureate)
    assert report.status == ReportStatus.SUBMITTED
    assert report.extra_answers == {"housing": 3}
    assert laureate.searches.open().get().kind == "job"
    assert "your report has been submitted" in laureate_client.get(response.url).content.decode()


def test_a_submitted_report_is_read_only_and_refuses_a_post_with_a_message(
    laureate_client, laureate, period
):
    report = report_save_draft(
        report=report_start(laureate=laureate, period=period),
        data={**COMPLETE, "comment": "Tel quel", "extra_answers": {"housing": 5}},
    )
    report_submit(report=report, by=laureate.user)

    html = laureate_client.get(URL).content.decode()
    assert 'id="report-form"' not in html
    assert "Tel quel" in html
    assert "<textarea" not in html and 'type="radio"' not in html
    assert "4 — well" in html  # the studies rating, in words

    response = laureate_client.post(URL, {**form_data(comment="Changé"), "action": "save"})
    assert response.status_code == 302
    page = laureate_client.get(response.url).content.decode()
    assert "This report has been submitted: it can no longer be changed." in page
    assert the_report(laureate).comment == "Tel quel"


def test_an_old_submitted_report_shows_its_own_questions_after_staff_made_a_new_version(
    laureate_client, laureate, period, questionnaire
):
    report = report_save_draft(
        report=report_start(laureate=laureate, period=period),
        data={**COMPLETE, "extra_answers": {"housing": 4, "workshop": "a"}},
    )
    report_submit(report=report, by=laureate.user)
    period.questionnaire = make_questionnaire(
        ("housing", QuestionKind.SCALE, True),
        ("mobility", QuestionKind.SHORT_TEXT, True),
        name=questionnaire.name,
        version=2,
    )
    period.save()

    html = laureate_client.get(URL).content.decode()
    assert "Question housing (v1)" in html
    assert "Question workshop (v1)" in html
    assert "Choice A" in html
    assert "(v2)" not in html
    assert "mobility" not in html


def test_autosave_saves_the_draft_and_answers_json(laureate_client, laureate, period):
    response = laureate_client.post(
        URL, {"autosave": "1", "studies_comment": "En cours", "extra__grant": "True"}
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["errors"] == {}
    # 10:00 UTC is 11:00 in Paris.
    assert answer["saved_at"].startswith("2026-11-26T11:00:00")
    assert answer["message"] == "Saved at 11:00"
    report = the_report(laureate)
    assert report.studies_comment == "En cours"
    assert report.extra_answers == {"grant": True}
    assert report.status == ReportStatus.DRAFT


def test_autosave_keeps_the_valid_answers_and_names_the_invalid_ones(
    laureate_client, laureate, period
):
    report_save_draft(
        report=report_start(laureate=laureate, period=period), data={"search_duration_months": 6}
    )
    response = laureate_client.post(
        URL,
        {
            "autosave": "1",
            "search_duration_months": "99",
            "sponsor_meetings": "-1",
            "stress": "4",
            "extra__housing": "4",
        },
    )
    answer = response.json()
    assert set(answer["errors"]) == {"search_duration_months", "sponsor_meetings"}
    report = the_report(laureate)
    assert report.search_duration_months == 6
    assert report.sponsor_meetings is None
    assert report.stress == 4
    assert report.extra_answers == {"housing": 4}


def test_autosave_is_refused_on_a_submitted_report(laureate_client, laureate, period):
    report = report_save_draft(
        report=report_start(laureate=laureate, period=period),
        data={**COMPLETE, "extra_answers": {"housing": 5}},
    )
    report_submit(report=report, by=laureate.user)
    response = laureate_client.post(URL, {"autosave": "1", "stress": "5"})
    assert response.status_code == 409
    assert response.json()["saved_at"] is None
    assert the_report(laureate).stress == COMPLETE["stress"]


def test_each_laureate_only_ever_sees_and_edits_their_own_report(
    client, laureate, other_laureate, period
):
    report_save_draft(
        report=report_start(laureate=other_laureate, period=period),
        data={"comment": "Secret de Yanis"},
    )
    client.force_login(laureate.user)
    html = client.get(URL).content.decode()
    assert "Secret de Yanis" not in html
    client.post(URL, {"autosave": "1", "comment": "Mon commentaire"})
    client.post(URL, {**form_data(extra__housing="2"), "action": "submit"})

    theirs = ActivityReport.objects.get(laureate=other_laureate)
    assert theirs.comment == "Secret de Yanis"
    assert theirs.status == ReportStatus.DRAFT
    assert ActivityReport.objects.get(laureate=laureate).status == ReportStatus.SUBMITTED


def test_an_unknown_or_unopened_period_is_404(laureate_client, period):
    make_period(2027, 1)
    for slug in ["2027-q1", "2019-q2"]:
        assert laureate_client.get(f"/reports/{slug}/").status_code == 404
    assert laureate_client.get("/reports/2026-q5/").status_code == 404
    assert laureate_client.get("/reports/latest/").status_code == 404


def test_a_period_due_before_the_laureate_joined_is_404_as_it_is_not_listed(
    laureate_client, laureate, period
):
    make_period(2024, 2)
    laureate.joined_on = datetime.date(2025, 9, 1)
    laureate.save()

    assert laureate_client.get("/reports/2024-q2/").status_code == 404
    assert laureate_client.post("/reports/2024-q2/", form_data()).status_code == 404
    assert not ActivityReport.objects.filter(laureate=laureate).exists()
    assert laureate_client.get(URL).status_code == 200


def count_queries(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code in {200, 302}
    return len(queries)


def test_the_form_get_and_post_cost_the_same_queries_with_2_or_10_questions(db, client):
    counts = []
    for size, year in [(2, 2026), (10, 2025)]:
        questionnaire = make_questionnaire(
            *[(f"q{n}", QuestionKind.SCALE, n == 0) for n in range(size)], name=f"Q{size}"
        )
        period = make_period(year, 4, questionnaire=questionnaire)
        laureate = LaureateFactory()
        for n in range(size):
            past_report(laureate, make_period(2000 + n + (10 if size == 10 else 0), 1))
        client.force_login(laureate.user)
        url = reverse("reports:edit", kwargs={"period": period.slug})
        client.get(url)  # creates the draft
        answers = {**form_data(extra__q0="3"), **{f"extra__q{n}": "2" for n in range(1, size)}}
        counts.append(
            (
                count_queries(client, "get", url),
                count_queries(client, "post", url, {**answers, "action": "save"}),
                count_queries(client, "post", url, {**answers, "autosave": "1"}),
                count_queries(client, "post", url, {**answers, "action": "submit"}),
            )
        )
    assert counts[0] == counts[1]


def test_the_search_section_offers_to_declare_a_placement(laureate_client, period):
    html = laureate_client.get(URL).content.decode()

    assert reverse("laureates:placement") in html
    assert "Found an internship, a work-study contract or a job?" in html


def test_an_answer_longer_than_the_maximum_is_refused_and_every_answer_stays(
    laureate_client, laureate, period
):
    long = "é" * (ANSWER_TEXT_MAX_LENGTH + 1)
    data = form_data(studies_comment=long, civic_actions="Soutien scolaire")

    response = laureate_client.post(URL, {**data, "action": "save"})

    assert response.status_code == 200
    form = response.context["form"]
    assert "studies_comment" in form.errors
    html = response.content.decode()
    assert f'maxlength="{ANSWER_TEXT_MAX_LENGTH}"' in html
    assert "Soutien scolaire" in html and long in html
    assert "js/char_counter.js" in html
    assert "characters left of" in html


# Opening creates nothing; two tabs; one status line -------------------------------------


def test_opening_a_report_creates_nothing_and_says_it_is_not_started(
    laureate_client, laureate, period
):
    html = laureate_client.get(URL).content.decode()
    assert not ActivityReport.objects.filter(laureate=laureate).exists()
    assert "Draft last saved" not in html
    assert "Not started: your draft is saved from your first answer." in html
    listing = laureate_client.get(reverse("reports:list")).content.decode()
    assert 'data-status="not_started"' in listing


def test_saving_a_draft_with_no_answer_creates_no_report(laureate_client, laureate, period):
    response = laureate_client.post(URL, {"action": "save", "version": "0"}, follow=True)
    assert not ActivityReport.objects.filter(laureate=laureate).exists()
    assert "Nothing to save yet" in response.content.decode()
    answer = laureate_client.post(URL, {"autosave": "1", "version": "0"}).json()
    assert answer["saved"] is False
    assert answer["message"] == ""
    assert not ActivityReport.objects.filter(laureate=laureate).exists()


def test_the_first_answer_creates_the_draft_at_version_1(laureate_client, laureate, period):
    answer = laureate_client.post(
        URL, {"autosave": "1", "version": "0", "studies_comment": "Bien"}
    ).json()
    assert answer["saved"] is True
    assert answer["version"] == 1
    report = the_report(laureate)
    assert (report.studies_comment, report.version) == ("Bien", 1)
    html = laureate_client.get(URL).content.decode()
    assert 'name="version" value="1"' in html
    assert "Draft last saved" in html


def test_a_save_from_an_older_tab_is_refused_with_both_versions_and_nothing_overwritten(
    laureate_client, laureate, period
):
    # Both tabs opened at version 0; the newer one saved first.
    laureate_client.post(URL, {"autosave": "1", "version": "0", "studies_comment": "Onglet B"})
    response = laureate_client.post(
        URL, {"autosave": "1", "version": "0", "studies_comment": "Onglet A"}
    )
    assert response.status_code == 409
    answer = response.json()
    assert answer["conflict"] is True
    assert answer["version"] == 1
    assert {"name": "studies_comment", "label": "About your studies", "saved": "Onglet B"} in (
        answer["differences"]
    )
    assert the_report(laureate).studies_comment == "Onglet B"

    # The buttons: the page keeps theirs and shows both.
    response = laureate_client.post(
        URL, {"action": "save", "version": "0", "studies_comment": "Onglet A"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "saved meanwhile from another tab or device" in html
    assert "Onglet A" in html and "Onglet B" in html
    assert 'name="version" value="1"' in html
    assert the_report(laureate).studies_comment == "Onglet B"

    # Saving again from that page (which has seen version 1) keeps their version, knowingly.
    response = laureate_client.post(
        URL, {"action": "save", "version": "1", "studies_comment": "Onglet A"}
    )
    assert response.status_code == 302
    assert the_report(laureate).studies_comment == "Onglet A"
    assert the_report(laureate).version == 2


def test_an_invalid_autosave_says_what_was_not_saved_and_never_says_saved_alone(
    laureate_client, laureate, period
):
    answer = laureate_client.post(
        URL, {"autosave": "1", "version": "0", "sponsor_meetings": "-1", "stress": "3"}
    ).json()
    assert answer["saved"] is True
    assert list(answer["errors"]) == ["sponsor_meetings"]
    assert answer["message"] == (
        "Not saved: “How many times?” (the reason is shown under the answer). "
        "Your other answers were saved at 11:00."
    )
    assert "Saved at" not in answer["message"]
    report = the_report(laureate)
    assert (report.stress, report.sponsor_meetings) == (3, None)


def test_an_invalid_first_autosave_creates_nothing_and_says_not_saved(
    laureate_client, laureate, period
):
    answer = laureate_client.post(
        URL, {"autosave": "1", "version": "0", "sponsor_meetings": "-1"}
    ).json()
    assert answer["saved"] is False
    assert answer["message"] == (
        "Not saved: “How many times?” (the reason is shown under the answer)."
    )
    assert not ActivityReport.objects.filter(laureate=laureate).exists()


def test_the_page_carries_what_the_script_needs_to_keep_answers_through_a_new_sign_in(
    laureate_client, period
):
    html = laureate_client.get(URL).content.decode()
    assert 'data-login-url="/accounts/login/?next=/reports/2026-q4/"' in html
    assert "use “Save draft”" not in html
    assert "your session has ended" in html
