"""The functions that change activity reports: start, save a draft, submit, reopen, review.

Views, admin actions, commands and tasks call these; none of them re-implements a rule.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emergence.roles import is_staff
from laureates.models import (
    Laureate,
    Placement,
    placement_end,
    search_set,
    situation_from_placements,
)
from reports.models import (
    ANSWER_FIELDS,
    ANSWER_SECTIONS,
    ActivityReport,
    Question,
    ReportPeriod,
    ReportStatus,
    SearchChoice,
)
from reports.triage import triage_refresh, triage_report_submitted

# The core answers a laureate must give before submitting; extra questions add theirs.
CORE_REQUIRED = [
    "studies_rating",
    "sponsor_met",
    "project_progress",
    "civic_involvement",
    "search_kind",
    "stress",
]

# What a new report copies from the last submitted one. Only what usually persists from
# one quarter to the next: the ratings are about *this* quarter, so they start empty and
# the laureate has to think about them again (and the triage stays honest).
# The search answers proper; "does the placement go on?" is asked about this quarter only.
SEARCH_FIELDS = [name for name in ANSWER_SECTIONS["search"] if name != "placement_goes_on"]
CARRIED_OVER_FIELDS = {
    "project": ["project_next_steps"],
    "civic": ["civic_actions"],
}
# The open Search's fields each search answer is copied from.
SEARCH_OF_ANSWER = {
    "search_kind": "kind",
    "search_field": "field",
    "search_starts_on": "starts_on",
    "search_duration_months": "duration_months",
    "search_place": "place",
    "search_pitch": "pitch",
}


class ReportLocked(ValidationError):
    """The report is no longer a draft: the laureate cannot change it."""


class ReportConflict(ValidationError):
    """The answers were saved meanwhile from another page (another tab, another device):
    a save made from the older version is refused, never applied over the newer one.
    ``saved`` is the report as it is now saved."""

    def __init__(self, message, *, saved: ActivityReport):
        super().__init__(message, code="conflict")
        self.saved = saved


def is_answered(value: Any) -> bool:
    return value is not None and value != ""


def report_questions(*, report: ActivityReport) -> list[Question]:
    """The extra questions of the report's own questionnaire version, in order (one query)."""
    if report.questionnaire_id is None:
        return []
    return list(Question.objects.filter(questionnaire_id=report.questionnaire_id))


def required_names(*, questions: list[Question], placement: bool = False) -> list[str]:
    """Form names of the answers needed to submit: core fields and ``extra__<key>``; with a
    carried placement, whether it goes on."""
    names = CORE_REQUIRED + [f"extra__{q.key}" for q in questions if q.required]
    return ["placement_goes_on", *names] if placement else names


def report_missing_answers(*, report: ActivityReport, questions: list[Question]) -> list[str]:
    """Names (as in ``required_names``) of the required answers the report still lacks."""
    names = required_names(questions=[], placement=report.placement_id is not None)
    missing = [name for name in names if not is_answered(getattr(report, name))]
    missing += [
        f"extra__{q.key}"
        for q in questions
        if q.required and not is_answered(report.extra_answers.get(q.key))
    ]
    return missing


def report_open(*, laureate: Laureate, period: ReportPeriod) -> ActivityReport:
    """The laureate's report for ``period`` as the form shows it, without creating it.

    Opening a report changes nothing: a report that does not exist yet comes back unsaved
    (``pk`` None), pre-filled as ``report_start`` would make it; ``report_save_draft``
    creates it with the first answer.
    """
    if not period.is_open():
        raise ValidationError(_("This report period is not open yet."), code="not_open")
    report = (
        ActivityReport.objects.filter(laureate=laureate, period=period)
        .select_related("placement__company")
        .first()
    )
    if report is None:
        report = ActivityReport(
            laureate=laureate,
            period=period,
            questionnaire_id=period.questionnaire_id,
            **_carried_over(laureate, period),
        )
    elif report.is_draft and report.submitted_at is None:
        # As report_start: a draft follows the period's questionnaire (saved with it).
        report.questionnaire_id = period.questionnaire_id
    if report.pk is not None and report.is_draft and report.placement_id is None:
        # A placement recorded after the draft began: the draft asks about it (saved with it).
        report.placement = _current_placement(laureate)
    report.laureate, report.period = laureate, period
    return report


def report_start(*, laureate: Laureate, period: ReportPeriod) -> ActivityReport:
    """The laureate's report for ``period``, created as a pre-filled draft the first time.

    A new report takes the period's questionnaire and copies the sections that usually
    persist from the laureate's last submitted report, recording them in ``carried_over``.
    A draft that was never submitted follows the period if staff switch its questionnaire.
    """
    if not period.is_open():
        raise ValidationError(_("This report period is not open yet."), code="not_open")
    report = ActivityReport.objects.filter(laureate=laureate, period=period).first()
    if report is None:
        defaults = {"questionnaire_id": period.questionnaire_id, **_carried_over(laureate, period)}
        report, _created = ActivityReport.objects.get_or_create(
            laureate=laureate, period=period, defaults=defaults
        )
    elif (
        report.is_draft
        and report.submitted_at is None
        and report.questionnaire_id != period.questionnaire_id
    ):
        # Answers are keyed by stable question keys, so those of the old version still fit.
        report.questionnaire_id = period.questionnaire_id
        report.save(update_fields=["questionnaire", "updated_at"])
    # Already loaded: the page reads both without another query.
    report.laureate, report.period = laureate, period
    return report


def _carried_over(laureate: Laureate, period: ReportPeriod) -> dict[str, Any]:
    """What a new report starts with: the project and civic action of the last submitted
    report; the search only while the laureate still has an open one (a placement or "nothing
    now" closed it); and the laureate's current placement, which the report asks about."""
    last = (
        ActivityReport.objects.submitted()
        .filter(laureate=laureate)
        .exclude(period=period)
        .order_by("-period__year", "-period__quarter")
        .first()
    )
    placement = _current_placement(laureate)
    values: dict[str, Any] = {"placement": placement} if placement else {}
    if last is None:
        return values
    sections = []
    for section, names in CARRIED_OVER_FIELDS.items():
        copied = {name: getattr(last, name) for name in names}
        if any(is_answered(value) for value in copied.values()):
            values.update(copied)
            sections.append(section)
    search = _search_carried_over(laureate, last, placement)
    if search:
        values.update(search)
        sections.append("search")
    return {**values, "carried_over": sections} if sections else values


def _current_placement(laureate: Laureate) -> Placement | None:
    """The placement the laureate is in now (the latest started, if several)."""
    return (
        Placement.objects.current()
        .filter(laureate=laureate)
        .select_related("company")
        .order_by("-starts_on", "-pk")
        .first()
    )


def _search_carried_over(
    laureate: Laureate, last: ActivityReport, placement: Placement | None
) -> dict[str, Any]:
    """The open search as it stands now; without one, the last report's answer only when
    no search was closed since (by a placement) and no placement goes on."""
    search = laureate.searches.open().first()
    if search is not None:
        return {answer: getattr(search, name) for answer, name in SEARCH_OF_ANSWER.items()}
    if placement is not None or not is_answered(last.search_kind):
        return {}
    if last.search_kind != SearchChoice.NOTHING:
        since = timezone.localdate(last.submitted_at) if last.submitted_at else None
        closed = laureate.searches.filter(closed_on__isnull=False)
        if since is None or closed.filter(closed_on__gte=since).exists():
            return {}
    return {name: getattr(last, name) for name in SEARCH_FIELDS}


def report_save_draft(
    *, report: ActivityReport, data: Mapping[str, Any], version: int | None = None
) -> ActivityReport:
    """Save answers into a draft: core fields by name, extra answers under ``extra_answers``.

    Only the given answers change; extra answers are merged by key (an empty value
    clears one). An unsaved report (from ``report_open``) is created here. With
    ``version`` (the version the page was showing), a report saved meanwhile from
    elsewhere raises ``ReportConflict`` and nothing changes. Raises ``ReportLocked`` once
    the report is no longer a draft.
    """
    unknown = set(data) - set(ANSWER_FIELDS) - {"extra_answers"}
    if unknown:
        raise ValueError(f"Not report answers: {sorted(unknown)}")
    with transaction.atomic():
        if report.pk is None:
            # get_or_create: two first saves at once make one report, and the second
            # meets the version check below.
            ActivityReport.objects.get_or_create(
                laureate=report.laureate,
                period=report.period,
                defaults={
                    "questionnaire_id": report.questionnaire_id,
                    "carried_over": report.carried_over,
                    "placement_id": report.placement_id,
                    **{name: getattr(report, name) for name in ANSWER_FIELDS},
                    "extra_answers": dict(report.extra_answers),
                },
            )
        # Locked and re-read, so an autosave arriving after a submit cannot change it.
        locked = ActivityReport.objects.select_for_update().get(
            laureate_id=report.laureate_id, period_id=report.period_id
        )
        if not locked.is_draft:
            raise ReportLocked(
                _("This report has been submitted: it can no longer be changed."),
                code="locked",
            )
        if version is not None and locked.version != version:
            raise ReportConflict(
                _(
                    "Your report was saved meanwhile from another tab or device: "
                    "nothing was overwritten."
                ),
                saved=locked,
            )
        if locked.submitted_at is None:
            locked.questionnaire_id = report.questionnaire_id
        if locked.placement_id is None and report.placement_id is not None:
            locked.placement_id = report.placement_id
        locked.version += 1
        for name, value in data.items():
            if name != "extra_answers":
                setattr(locked, name, value)
        extra = dict(locked.extra_answers)
        for key, value in data.get("extra_answers", {}).items():
            if is_answered(value):
                extra[key] = value
            else:
                extra.pop(key, None)
        locked.extra_answers = extra
        # Answers are not history (emergence/history.py): the report's history is its life.
        locked.save_without_historical_record()
    return locked


def report_submit(*, report: ActivityReport, by) -> ActivityReport:
    """Submit a draft: checks required answers, dates it, marks it late after the due date,
    ends the placement it carries if the laureate says it does not go on, and makes its
    search the laureate's current Search — all or nothing.

    A report reopened by staff keeps its first submission's lateness when submitted again.
    """
    if by != report.laureate.user and not is_staff(by):
        raise PermissionDenied
    with transaction.atomic():
        locked = (
            ActivityReport.objects.select_for_update()
            .select_related("period", "laureate")
            .get(pk=report.pk)
        )
        if not locked.is_draft:
            raise ReportLocked(_("This report has already been submitted."), code="locked")
        questions = report_questions(report=locked)
        missing = report_missing_answers(report=locked, questions=questions)
        if missing:
            raise ValidationError(
                {name: _("This answer is needed to submit.") for name in missing},
                code="required",
            )
        now = timezone.now()
        if locked.submitted_at is None:
            locked.is_late = timezone.localdate(now) > locked.period.due_on
        locked.submitted_at = now
        locked.status = ReportStatus.SUBMITTED
        # Answers to questions that are not in this version are not part of the report.
        keys = {q.key for q in questions}
        locked.extra_answers = {k: v for k, v in locked.extra_answers.items() if k in keys}
        locked.save()
        # "It does not go on": the placement ends today and the situation goes back.
        placement = locked.placement
        if locked.placement_goes_on is False and placement and placement.ended_on is None:
            placement_end(placement=placement, on=timezone.localdate(now))
        elif locked.placement_goes_on and placement:
            # It goes on: one that started later than a month after recording sets it now.
            situation_from_placements(laureate=locked.laureate)
        nothing = locked.search_kind == SearchChoice.NOTHING
        search_set(
            laureate=locked.laureate,
            kind=None if nothing else locked.search_kind,
            field=locked.search_field,
            starts_on=locked.search_starts_on,
            duration_months=locked.search_duration_months,
            place=locked.search_place,
            pitch=locked.search_pitch,
        )
        # A closed triage opens its next cycle if this report gives a reason.
        triage_report_submitted(report=locked)
    return locked


def report_reopen(*, report: ActivityReport, by) -> ActivityReport:
    """Staff send a submitted report back to draft; every answer is kept."""
    if not is_staff(by):
        raise PermissionDenied
    with transaction.atomic():
        locked = ActivityReport.objects.select_for_update().get(pk=report.pk)
        if locked.is_draft:
            return locked
        locked.status = ReportStatus.DRAFT
        locked.reviewed_at = None
        locked.reviewed_by = None
        locked.save()
        triage_refresh(laureate_ids=[locked.laureate_id])
    return locked


def report_mark_reviewed(*, report: ActivityReport, by, comment: str = "") -> ActivityReport:
    """Staff record that they read a submitted report, with an optional comment."""
    if not is_staff(by):
        raise PermissionDenied
    with transaction.atomic():
        locked = ActivityReport.objects.select_for_update().get(pk=report.pk)
        if locked.is_draft:
            raise ValidationError(_("A draft cannot be marked reviewed."), code="draft")
        locked.status = ReportStatus.REVIEWED
        locked.reviewed_at = timezone.now()
        locked.reviewed_by = by
        locked.review_comment = comment
        locked.save()
        triage_refresh(laureate_ids=[locked.laureate_id])
    return locked


@dataclass(frozen=True)
class PeriodStatus:
    """Where a laureate stands for one period, as the list of reports shows it."""

    key: str  # not_started, draft, submitted, reviewed
    label: str
    late: bool


def period_status(
    *, period: ReportPeriod, report: ActivityReport | None, on: datetime.date | None = None
) -> PeriodStatus:
    if report is None:
        return PeriodStatus("not_started", _("Not started"), period.is_overdue(on))
    if report.is_draft:
        return PeriodStatus("draft", _("Draft"), period.is_overdue(on))
    label = _("Reviewed") if report.status == ReportStatus.REVIEWED else _("Submitted")
    return PeriodStatus(report.status, label, report.is_late)
