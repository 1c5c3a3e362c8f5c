"""Versions of the extra questions: a questionnaire used by a submitted report is frozen;
staff copy it into a new version and change that one."""

from django.db import transaction
from django.db.models import Max

from reports.models import Question, Questionnaire, ReportPeriod


@transaction.atomic
def questionnaire_copy(*, questionnaire: Questionnaire) -> Questionnaire:
    """A new, editable version of ``questionnaire``: same name, next version number, and
    the same questions with the same keys, so that answers stay comparable."""
    latest = (
        Questionnaire.objects.filter(name=questionnaire.name).aggregate(Max("version"))[
            "version__max"
        ]
        or 0
    )
    copy = Questionnaire.objects.create(
        name=questionnaire.name, version=latest + 1, based_on=questionnaire
    )
    Question.objects.bulk_create(
        Question(
            questionnaire=copy,
            key=question.key,
            label_fr=question.label_fr,
            label_en=question.label_en,
            kind=question.kind,
            choices=question.choices,
            required=question.required,
            confidential=question.confidential,
            position=question.position,
        )
        for question in questionnaire.questions.all()
    )
    return copy


def periods_not_answered_yet(*, questionnaire: Questionnaire):
    """The periods that ask ``questionnaire`` and have no submitted report yet."""
    return ReportPeriod.objects.filter(questionnaire=questionnaire).exclude(
        reports__status__in=["submitted", "reviewed"]
    )


@transaction.atomic
def periods_switch_questionnaire(*, old: Questionnaire, new: Questionnaire) -> list[ReportPeriod]:
    """Make the periods that ask ``old`` and have no submitted report yet ask ``new``.

    Drafts follow their period when the laureate opens them again (answers are keyed by
    question key); submitted reports keep the version they were answered with.
    """
    periods = list(periods_not_answered_yet(questionnaire=old).select_for_update())
    ReportPeriod.objects.filter(pk__in=[p.pk for p in periods]).update(questionnaire=new)
    for period in periods:
        period.questionnaire = new
    return periods
