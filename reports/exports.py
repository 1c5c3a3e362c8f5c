"""Export of a period's reports as a spreadsheet: one row per submitted report.

Headers are in the staff member's language (French by default), cells a spreadsheet
would run as formulas are neutralised, and the confidential answers (stress, wish to be
contacted, note, questions marked confidential) are left out unless a staff member who
may read some asks for them: then they are filled for the laureates they may read only,
and each such laureate gets a read record.

The rows are read in chunks and written to the file as they come (a write-only workbook, or
Python's csv writer), in the request and in the worker alike: a period of 100,000 reports is
never held whole in memory, as model instances or as cells.
"""

import datetime
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext

from emergence.jobs import (
    JobFile,
    JobOutcome,
    Progress,
    export_in_background,
    job_start,
    rows_progress,
)
from emergence.models import BackgroundJob
from emergence.roles import may_read_some_confidential
from emergence.spreadsheets import (
    CSV,
    XLSX,
    BooleanWidget,
    exports_in_french,
    neutralise,
)
from emergence.spreadsheets.formats import csv_bytes
from emergence.xlsx import xlsx_bytes
from laureates.models import Laureate
from reports.confidential import CONFIDENTIAL_FIELDS, export_read_record, readable_flag
from reports.models import ANSWER_SECTIONS, ActivityReport, Question, QuestionKind, ReportPeriod

CORE_FIELDS = [
    name
    for key, names in ANSWER_SECTIONS.items()
    if key not in ("wellbeing", "comment")
    for name in names
]
WELLBEING_FIELDS = CONFIDENTIAL_FIELDS
CLOSING_FIELDS = ["comment", "review_comment"]

FORMATS = {"csv": CSV, "xlsx": XLSX}
#: Reports read from the database at a time; read records written at a time.
CHUNK = 2000


class _Renderer:
    """Turns values into cells; labels and formats are looked up once per export, since a
    period may have 100,000 reports. ``native`` keeps dates and numbers as they are, for
    a spreadsheet to hold as real cells (XLSX); otherwise they are written as text (CSV)."""

    def __init__(self, *, native: bool = False):
        self.native = native
        french = exports_in_french()
        self.yes, self.no = (BooleanWidget().render(flag) for flag in (True, False))
        self.datetime_format = "%d/%m/%Y %H:%M" if french else "%Y-%m-%d %H:%M"
        self.date_format = "%d/%m/%Y" if french else "%Y-%m-%d"
        # Choices as the site shows them: « Soumis », « Classes préparatoires ».
        self.labels = {
            name: {
                value: capfirst(str(label))
                for value, label in model._meta.get_field(name).flatchoices
            }
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
            return None if self.native else ""
        if value is True or value is False:
            return self.yes if value else self.no
        if self.native:
            return value  # emergence.xlsx makes dates, numbers and safe text of it
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


class PeriodExport:
    """A period's submitted and reviewed reports for one reader: the sheet's title, its
    headers, and its rows, read in chunks as they are written (``rows``). The one definition
    of the columns, for the file written in the request and by the worker.

    The extra questions are those of the period's questionnaire; a report answered with
    another version shows its answers under the same keys. The confidential answers (the
    wellbeing section and the questions marked confidential) are columns only with
    ``include_confidential``, and filled only for the laureates whose confidential answers
    ``reader`` may read (``emergence.roles``), in the same query; ``confidential_read``
    collects those reports as the rows go by, as (laureate id, report id) pairs, each a read
    record once the file is written. With ``native``, dates and numbers stay dates and
    numbers (for XLSX); otherwise every cell is text (for CSV).
    """

    def __init__(
        self,
        *,
        period: ReportPeriod,
        include_confidential: bool = False,
        reader=None,
        native: bool = False,
    ):
        if include_confidential and reader is None:
            raise ValueError("Confidential answers are exported for a reader only.")
        self.include_confidential = include_confidential
        self.questions = [
            question
            for question in (
                Question.objects.filter(questionnaire_id=period.questionnaire_id)
                if period.questionnaire_id
                else []
            )
            if include_confidential or not question.confidential
        ]
        self.wellbeing = WELLBEING_FIELDS if include_confidential else []
        report_field = ActivityReport._meta.get_field
        headers = [
            gettext("name"),
            gettext("e-mail address"),
            Laureate._meta.get_field("promotion").verbose_name,
            Laureate._meta.get_field("track").verbose_name,
            *[report_field(name).verbose_name for name in ("status", "submitted_at", "is_late")],
            report_field("reviewed_at").verbose_name,
            *[
                report_field(name).verbose_name
                for name in [*CORE_FIELDS, *self.wellbeing, *CLOSING_FIELDS]
            ],
            *[question.label for question in self.questions],
        ]
        self.headers = [neutralise(capfirst(str(header))) for header in headers]
        # The XLSX sheet's name: « Rapports 2026-q4 ».
        self.title = gettext("Reports %(period)s") % {"period": period.slug}
        reports = (
            ActivityReport.objects.submitted()
            .filter(period=period)
            .select_related("laureate__user", "laureate__promotion")
            # Only what the columns read: a laureate's and a user's other fields are not
            # loaded for each of 100,000 rows.
            .only(
                *[field.name for field in ActivityReport._meta.concrete_fields],
                "laureate__track",
                "laureate__promotion__year",
                "laureate__user__first_name",
                "laureate__user__last_name",
                "laureate__user__email",
            )
            .order_by("laureate__user__last_name", "laureate__user__first_name", "pk")
        )
        if include_confidential:
            reports = reports.annotate(readable=readable_flag(reader, "laureate__"))
        self.reports = reports
        self.render = _Renderer(native=native)
        self.choices = {question.key: dict(question.choice_list()) for question in self.questions}
        self.confidential_read: list[tuple[int, int]] = []

    def rows(self, progress: Progress | None = None) -> Iterator[list]:
        """The reports' rows, in two queries whatever their number (three with ``progress``,
        told the total first, then of every row)."""
        rows = self.reports.iterator(chunk_size=CHUNK)
        if progress is not None:
            progress.total(self.reports.count())
            rows = rows_progress(rows, progress)
        for report in rows:
            yield [self.render.cell(value) for value in self._values(report)]

    def _values(self, report: ActivityReport) -> list:
        render, laureate = self.render, report.laureate
        readable = self.include_confidential and report.readable
        if readable:
            self.confidential_read.append((report.laureate_id, report.pk))

        def answer(name: str):
            value = getattr(report, name)
            return render.label(name, value) if name in render.labels else value

        return [
            laureate.user.get_full_name(),
            laureate.user.email,
            laureate.promotion.year,
            render.label("track", laureate.track),
            render.label("status", report.status),
            report.submitted_at,
            report.is_late,
            report.reviewed_at,
            *[answer(name) for name in CORE_FIELDS],
            *[answer(name) if readable else None for name in self.wellbeing],
            *[answer(name) for name in CLOSING_FIELDS],
            *[
                _extra_value(
                    question, report.extra_answers.get(question.key), self.choices[question.key]
                )
                if readable or not question.confidential
                else None
                for question in self.questions
            ],
        ]


def period_export_file(
    *,
    period: ReportPeriod,
    file_format: str,
    include_confidential: bool = False,
    by=None,
    progress: Progress | None = None,
) -> JobFile:
    """The period's export as a file, ``file_format`` being csv or xlsx, for staff member
    ``by``, written as its rows are read (a background job passes its ``progress``); the
    exported confidential answers are then recorded as read by them."""
    export_format = FORMATS[file_format]()
    export = PeriodExport(
        period=period,
        include_confidential=include_confidential,
        reader=by,
        native=file_format == "xlsx",
    )
    rows = export.rows(progress)
    if file_format == "xlsx":
        content = xlsx_bytes(title=export.title, headers=export.headers, rows=rows)
    else:
        content = csv_bytes(export.headers, rows)
    read = export.confidential_read
    for start in range(0, len(read), CHUNK):
        export_read_record(user=by, period=period, reports=read[start : start + CHUNK])
    name = gettext("reports") + f"-{period.slug}"
    if include_confidential:
        name += "-" + gettext("confidential")
    return JobFile(
        content, f"{name}.{export_format.get_extension()}", export_format.get_content_type()
    )


def period_export_response(
    *, period: ReportPeriod, file_format: str, include_confidential: bool = False, by=None
):
    """The period's export, as a download when it has at most BACKGROUND_EXPORT_ROWS reports;
    a bigger one is written by a worker (the job ``period-export``) and the response sends
    ``by`` to its progress bar."""
    if export_in_background(ActivityReport.objects.submitted().filter(period=period)):
        job = job_start(
            owner=by,
            kind="period-export",
            title=gettext("Export of the reports of %(period)s") % {"period": period},
            params={
                "period": period.pk,
                "file_format": file_format,
                "include_confidential": include_confidential,
            },
        )
        return redirect(job)
    file = period_export_file(
        period=period,
        file_format=file_format,
        include_confidential=include_confidential,
        by=by,
    )
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


def period_export_run(job: BackgroundJob, progress: Progress) -> JobOutcome:
    """The job ``period-export``: the file as the request would have made it for the job's
    owner, confidential answers only if they may still read them."""
    owner = job.owner
    if not (
        owner.is_active
        and owner.has_perm("reports.view_reportperiod")
        and owner.has_perm("reports.view_activityreport")
    ):
        raise PermissionDenied
    include_confidential = job.params["include_confidential"] and may_read_some_confidential(owner)
    return JobOutcome(
        file=period_export_file(
            period=ReportPeriod.objects.get(pk=job.params["period"]),
            file_format=job.params["file_format"],
            include_confidential=include_confidential,
            by=owner,
            progress=progress,
        )
    )
