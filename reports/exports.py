"""Export of a period's reports as a spreadsheet: one row per submitted report.

Headers are in the staff member's language (French by default), cells a spreadsheet
would run as formulas are neutralised, and the wellbeing answers (stress, wish to be
contacted, note) are left out unless the staff member asks for them.
"""

import datetime

import tablib
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext

from emergence.spreadsheets import (
    CSV,
    XLSX,
    BooleanWidget,
    exports_in_french,
    neutralise,
)
from laureates.models import Laureate
from reports.models import ANSWER_SECTIONS, ActivityReport, Question, QuestionKind, ReportPeriod

CORE_FIELDS = [
    name
    for key, names in ANSWER_SECTIONS.items()
    if key not in ("wellbeing", "comment")
    for name in names
]
WELLBEING_FIELDS = ANSWER_SECTIONS["wellbeing"]
CLOSING_FIELDS = ["comment", "review_comment"]

FORMATS = {"csv": CSV, "xlsx": XLSX}


class _Renderer:
    """Turns values into cells; labels and formats are looked up once per export, since a
    period may have 100,000 reports."""

    def __init__(self):
        french = exports_in_french()
        self.yes, self.no = (BooleanWidget().render(flag) for flag in (True, False))
        self.datetime_format = "%d/%m/%Y %H:%M" if french else "%Y-%m-%d %H:%M"
        self.date_format = "%d/%m/%Y" if french else "%Y-%m-%d"
        self.labels = {
            name: {value: str(label) for value, label in model._meta.get_field(name).flatchoices}
            for model, name in [
                (ActivityReport, "status"),
                (ActivityReport, "exams"),
                (ActivityReport, "search_kind"),
                (Laureate, "track"),
            ]
        }

    def label(self, name: str, value) -> str:
        return self.labels[name].get(value, value or "")

    def cell(self, value):
        if value is None:
            return ""
        if value is True or value is False:
            return self.yes if value else self.no
        if isinstance(value, datetime.datetime):  # in the programme's time zone
            return timezone.localtime(value).strftime(self.datetime_format)
        if isinstance(value, datetime.date):
            return value.strftime(self.date_format)
        return neutralise(value)


def _extra_value(question: Question, value, choices: dict[str, str]):
    if value is None or value == "":
        return ""
    if question.kind == QuestionKind.YES_NO:
        return value in (True, "yes", "true", "1", 1)
    if question.kind == QuestionKind.CHOICE:
        return choices.get(str(value), value)
    return value


def period_export(*, period: ReportPeriod, include_wellbeing: bool = False) -> tablib.Dataset:
    """The period's submitted and reviewed reports, in two queries whatever their number.

    The extra questions are those of the period's questionnaire; a report answered with
    another version shows its answers under the same keys.
    """
    fields = [*CORE_FIELDS, *(WELLBEING_FIELDS if include_wellbeing else []), *CLOSING_FIELDS]
    questions = (
        list(Question.objects.filter(questionnaire_id=period.questionnaire_id))
        if period.questionnaire_id
        else []
    )
    report_field = ActivityReport._meta.get_field
    headers = [
        gettext("name"),
        gettext("e-mail address"),
        Laureate._meta.get_field("promotion").verbose_name,
        Laureate._meta.get_field("track").verbose_name,
        *[report_field(name).verbose_name for name in ("status", "submitted_at", "is_late")],
        report_field("reviewed_at").verbose_name,
        *[report_field(name).verbose_name for name in fields],
        *[question.label for question in questions],
    ]
    dataset = tablib.Dataset(headers=[neutralise(capfirst(str(header))) for header in headers])
    reports = (
        ActivityReport.objects.submitted()
        .filter(period=period)
        .select_related("laureate__user", "laureate__promotion")
        .order_by("laureate__user__last_name", "laureate__user__first_name", "pk")
    )
    render = _Renderer()
    labelled = [name for name in fields if name in render.labels]
    choices = {question.key: dict(question.choice_list()) for question in questions}
    for report in reports.iterator(chunk_size=2000):
        laureate = report.laureate
        row = [
            laureate.user.get_full_name(),
            laureate.user.email,
            laureate.promotion.year,
            render.label("track", laureate.track),
            render.label("status", report.status),
            report.submitted_at,
            report.is_late,
            report.reviewed_at,
            *[
                render.label(name, getattr(report, name))
                if name in labelled
                else getattr(report, name)
                for name in fields
            ],
            *[
                _extra_value(
                    question, report.extra_answers.get(question.key), choices[question.key]
                )
                for question in questions
            ],
        ]
        dataset.append([render.cell(value) for value in row])
    return dataset


def period_export_response(
    *, period: ReportPeriod, file_format: str, include_wellbeing: bool = False
) -> HttpResponse:
    """The period's export as a file to download, ``file_format`` being csv or xlsx."""
    export_format = FORMATS[file_format]()
    dataset = period_export(period=period, include_wellbeing=include_wellbeing)
    content = export_format.export_data(dataset)
    response = HttpResponse(content, content_type=export_format.get_content_type())
    name = gettext("reports") + f"-{period.slug}"
    if include_wellbeing:
        name += "-" + gettext("confidential")
    response["Content-Disposition"] = (
        f'attachment; filename="{name}.{export_format.get_extension()}"'
    )
    return response
