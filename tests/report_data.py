"""Periods, questionnaires and reports for the report tests: plain helpers, explicit data."""

import datetime

from django.utils import timezone

from reports.models import (
    ActivityReport,
    Question,
    QuestionKind,
    Questionnaire,
    ReportPeriod,
    ReportStatus,
)

# The tests live on 26 November 2026, in the open 2026-q4 period.
TODAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)

COMPLETE = {
    "studies_rating": 4,
    "sponsor_met": True,
    "project_progress": 3,
    "civic_involvement": 4,
    "search_kind": "internship",
    "stress": 2,
}


def make_period(year=2026, quarter=4, *, questionnaire=None, opens_on=None, due_on=None):
    return ReportPeriod.objects.create(
        year=year,
        quarter=quarter,
        opens_on=opens_on or datetime.date(year, quarter * 3 - 1, 1),
        due_on=due_on
        or (
            datetime.date(year + 1, 1, 15)
            if quarter == 4
            else datetime.date(year, quarter * 3 + 1, 15)
        ),
        questionnaire=questionnaire,
    )


def make_questionnaire(*questions, name="Rapport 2026-2027", version=1):
    """``questions``: (key, kind, required) tuples; labels are made from the key."""
    questionnaire = Questionnaire.objects.create(name=name, version=version)
    for position, (key, kind, required) in enumerate(questions):
        Question.objects.create(
            questionnaire=questionnaire,
            key=key,
            label_fr=f"Question {key} (v{version})",
            label_en=f"Question {key} (v{version}) in English",
            kind=kind,
            required=required,
            position=position,
            choices="a | Choix A | Choice A\nb | Choix B | Choice B"
            if kind == QuestionKind.CHOICE
            else "",
        )
    return questionnaire


def past_report(laureate, period, *, status=ReportStatus.SUBMITTED, **answers):
    """A report written straight into the database, as if answered in an earlier quarter."""
    submitted = status != ReportStatus.DRAFT
    return ActivityReport.objects.create(
        laureate=laureate,
        period=period,
        questionnaire=period.questionnaire,
        status=status,
        submitted_at=timezone.make_aware(datetime.datetime.combine(period.due_on, datetime.time(9)))
        if submitted
        else None,
        **{**COMPLETE, **answers},
    )


def form_data(**overrides) -> dict:
    """A POST of the report form with every required core answer given."""
    data = {
        "studies_rating": "4",
        "studies_comment": "Ça avance",
        "sponsor_met": "True",
        "sponsor_meetings": "2",
        "project_progress": "3",
        "project_next_steps": "Trouver un stage",
        "civic_involvement": "4",
        "civic_actions": "Soutien scolaire",
        "civic_hours": "12",
        "search_kind": "internship",
        "search_field": "Finance",
        "search_place": "Paris",
        "search_duration_months": "3",
        "stress": "2",
        "comment": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
