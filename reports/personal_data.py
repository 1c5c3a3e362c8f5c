"""The reports app's part of « Mes données » (emergence/personal_data.py): the laureate's
reports with every answer (their confidential ones included: they are theirs), and the steps
of their follow-up (date, what, level: the team's notes are theirs, as for follow-ups);
erasing their free text while the ratings stay, per period, and the team's notes on their
follow-up (flag notes); and the retention of alumni's free text and of the staff's read
records.

Sponsors' quarterly answers (SponsorCheckin): a sponsor's download lists their answers
(period, laureate, answer, note); the laureate's does not (the answers are the team's, never
shown to the laureate: reports/checkins.py). Erasing either side empties the notes: a
sponsor's note speaks of the laureate, and is the sponsor's own words."""

import datetime

from django.db.models import CharField, Q, TextField
from django.utils import timezone
from django.utils.translation import gettext as _

from emergence.personal_data import (
    Export,
    PersonalDataPart,
    RetentionRule,
    erased_email,
    retention_cutoff,
)
from laureates.models import Laureate, Status
from reports.models import (
    ANSWER_FIELDS,
    ActivityReport,
    QuestionKind,
    ReportRead,
    SponsorCheckin,
    Triage,
    TriageEvent,
)

#: The answers typed in words (a comment, a pitch, a note to the team), and the staff's
#: review comment: what erasure and retention empty. Ratings, yes/no and choices stay.
FREE_TEXT_FIELDS = [
    field.name
    for field in ActivityReport._meta.fields
    if isinstance(field, (CharField, TextField))
    and not field.choices
    and (field.name in ANSWER_FIELDS or field.name == "review_comment")
]
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


def _reports_of(user):
    return (
        ActivityReport.objects.filter(laureate__user=user)
        .select_related("period", "questionnaire")
        .prefetch_related("questionnaire__questions")
        .order_by("period__year", "period__quarter")
    )


def _display(report: ActivityReport, name: str):
    field = ActivityReport._meta.get_field(name)
    value = getattr(report, name)
    if field.choices and isinstance(value, str) and value:  # ratings stay numbers
        return getattr(report, f"get_{name}_display")()
    return value


def _sponsor_answers(user) -> list[dict]:
    """The answers a sponsor (known by their e-mail: they need no account) gave."""
    rows = (
        SponsorCheckin.objects.filter(sponsorship__sponsor__email__iexact=user.email)
        .select_related("period", "sponsorship__laureate__user")
        .order_by("period__year", "period__quarter", "pk")
    )
    return [
        {
            _("Period"): row.period.slug,
            _("Laureate"): row.sponsorship.laureate.user.get_full_name(),
            _("Answer"): row.get_answer_display(),
            _("Answered at"): row.answered_at,
            _("Note"): row.note,
        }
        for row in rows
    ]


def _export(user) -> Export:
    if not Laureate.objects.filter(user=user).exists():
        answers = _sponsor_answers(user)
        return {_("Quarterly answers as a sponsor"): answers} if answers else {}
    rows = []
    for report in _reports_of(user):
        about = {
            _("Period"): report.period.slug,
            _("Status"): report.get_status_display(),
            _("Submitted at"): report.submitted_at,
        }
        for name in ANSWER_FIELDS:
            field = ActivityReport._meta.get_field(name)
            rows.append(
                {
                    **about,
                    _("Question"): str(field.verbose_name),
                    _("Answer"): _display(report, name),
                }
            )
        questions = report.questionnaire.questions.all() if report.questionnaire else []
        for question in questions:
            value = report.extra_answers.get(question.key)
            if question.kind == QuestionKind.CHOICE:
                value = dict(question.choice_list()).get(value, value)
            rows.append({**about, _("Question"): question.label, _("Answer"): value})
    steps = [
        {
            _("Date"): event.at,
            _("Cycle"): event.cycle,
            _("What"): event.get_kind_display(),
            _("Follow-up level"): event.get_level_display(),
            _("Next contact on"): event.next_contact_on,
        }
        for event in TriageEvent.objects.filter(laureate__user=user).order_by("at", "pk")
    ]
    sections = {_("Activity reports"): rows}
    if steps:  # only laureates the team has followed up have some
        sections[_("Follow-up steps")] = steps
    return sections


def report_free_text_cleared(report: ActivityReport) -> dict:
    """The changes that empty ``report``'s free text ({} when it has none left): the text
    fields, and the extra answers to text questions (or to questions no longer known)."""
    changes = {name: "" for name in FREE_TEXT_FIELDS if getattr(report, name)}
    kinds = (
        {question.key: question.kind for question in report.questionnaire.questions.all()}
        if report.questionnaire_id
        else {}
    )
    kept = {
        key: value
        for key, value in report.extra_answers.items()
        if kinds.get(key) not in TEXT_KINDS and not (key not in kinds and isinstance(value, str))
    }
    if kept != report.extra_answers:
        changes["extra_answers"] = kept
    return changes


def reports_free_text_clear(reports, *, dry_run: bool = False) -> int:
    """Empty the free text of ``reports``; returns how many had some (and were, or would be,
    changed)."""
    changed = 0
    for report in reports.prefetch_related("questionnaire__questions").iterator(chunk_size=500):
        changes = report_free_text_cleared(report)
        if not changes:
            continue
        changed += 1
        if not dry_run:
            ActivityReport.objects.filter(pk=report.pk).update(**changes)
    return changed


def _anonymise(user) -> None:
    reports_free_text_clear(ActivityReport.objects.filter(laureate__user=user))
    # The team's notes on the follow-up name the laureate's life; the steps themselves stay.
    TriageEvent.objects.filter(laureate__user=user).exclude(note="").update(note="")
    Triage.objects.filter(laureate__user=user).exclude(flag_note="").update(flag_note="")
    SponsorCheckin.objects.filter(
        Q(sponsorship__laureate__user=user) | Q(sponsorship__sponsor__email__iexact=user.email)
    ).exclude(note="").update(note="")
    # A staff member's read records keep their e-mail, to say who looked after the account
    # is gone: not once they are erased.
    ReportRead.objects.filter(Q(user=user) | Q(user_email__iexact=user.email)).update(
        user_email=erased_email(user)
    )


def _with_some_text() -> Q:
    text = Q(pk__in=[])
    for name in FREE_TEXT_FIELDS:
        text |= ~Q(**{name: ""})
    return text | ~Q(extra_answers={})


def _alumni_report_text(now: datetime.datetime, dry_run: bool) -> int:
    due = ActivityReport.objects.filter(
        _with_some_text(),
        laureate__status=Status.ALUMNI,
        period__due_on__lt=timezone.localdate(retention_cutoff("alumni_report_text", now)),
    )
    return reports_free_text_clear(due, dry_run=dry_run)


def _read_records(now: datetime.datetime, dry_run: bool) -> int:
    due = ReportRead.objects.filter(at__lt=retention_cutoff("read_records", now))
    return due.count() if dry_run else due.delete()[0]


PART = PersonalDataPart(
    app="reports",
    export=_export,
    anonymise=_anonymise,
    retention=(
        RetentionRule(
            "alumni_report_text",
            "alumni's reports, from the period's due date: free text emptied, ratings kept",
            _alumni_report_text,
        ),
        RetentionRule("read_records", "staff read records (who looked): deleted", _read_records),
    ),
)
