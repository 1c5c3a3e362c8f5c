"""Factories for report periods, questionnaires and activity reports.

``ActivityReportFactory()`` is a submitted report with calm, positive answers: a
laureate with only such reports needs no attention. Override the answers that matter.
"""

import datetime

import factory
from django.utils import timezone

from reports.models import (
    ActivityReport,
    Question,
    QuestionKind,
    Questionnaire,
    ReportPeriod,
    ReportStatus,
    quarter_dates,
)
from tests.factories import LaureateFactory


def _period_dates(period) -> tuple[datetime.date, datetime.date]:
    return quarter_dates(period.year, period.quarter)


class ReportPeriodFactory(factory.django.DjangoModelFactory):
    """A quarter with the default dates; ``year`` and ``quarter`` identify it."""

    class Meta:
        model = ReportPeriod
        django_get_or_create = ["year", "quarter"]

    year = 2025
    quarter = factory.Sequence(lambda n: n % 4 + 1)
    opens_on = factory.LazyAttribute(lambda period: _period_dates(period)[0])
    due_on = factory.LazyAttribute(lambda period: _period_dates(period)[1])


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    name = factory.Sequence(lambda n: f"Questions {n}")
    version = 1


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    key = factory.Sequence(lambda n: f"question-{n}")
    label_fr = factory.Sequence(lambda n: f"Question {n} ?")
    label_en = factory.Sequence(lambda n: f"Question {n}?")
    kind = QuestionKind.SHORT_TEXT
    position = factory.Sequence(lambda n: n)


class ActivityReportFactory(factory.django.DjangoModelFactory):
    """A submitted report where everything goes well."""

    class Meta:
        model = ActivityReport

    laureate = factory.SubFactory(LaureateFactory)
    period = factory.SubFactory(ReportPeriodFactory)
    questionnaire = factory.LazyAttribute(lambda report: report.period.questionnaire)
    status = ReportStatus.SUBMITTED
    submitted_at = factory.LazyAttribute(
        lambda report: None if report.status == ReportStatus.DRAFT else timezone.now()
    )
    studies_rating = 4
    exams = "passed"
    sponsor_met = True
    sponsor_meetings = 2
    sponsor_relationship = 4
    project_progress = 4
    project_next_steps = "Chercher un stage de 2e année"
    civic_involvement = 4
    civic_actions = "Soutien scolaire au collège"
    civic_hours = 12
    stress = 2
    wants_contact = False
    extra_answers = factory.LazyFunction(dict)

    class Params:
        draft = factory.Trait(status=ReportStatus.DRAFT)
