"""The daily reminder job: what each report period has due today, sent through the outbox.

A period's laureate-facing schedule (days from the settings, defaults in brackets):

- the opening notice on ``opens_on``, to every active laureate of the period;
- reminders REPORT_REMINDER_DAYS_BEFORE [7, 1] days before ``due_on``;
- overdue reminders REPORT_OVERDUE_DAYS_AFTER [3, 10] days after it;

each to the laureates whose report is not submitted that day. Then, for the staff:

- the escalation, REPORT_ESCALATION_DAYS_AFTER [3] days after the last overdue reminder:
  one e-mail per referent and period listing their laureates still without a report (one
  list a referent can act on, rather than a burst of separate alerts on the same morning);
- the weekly digest on REPORT_DIGEST_WEEKDAY [0, Monday]: each referent's laureates by
  status (late, not started, draft, submitted) for the current period;
- the sponsors' quarterly question (reports/checkins.py), CHECKIN_DAYS_BEFORE_DUE [7] days
  before ``due_on``: one e-mail per current sponsorship of a laureate who owes the period,
  keyed per sponsorship and period, never after the due date;
- every day, the next contacts that are due: one e-mail to each staff member in charge
  (the triage's, else the laureate's referent) naming the laureates whose planned next
  contact (``Triage.next_contact_on``) is today or past, with its date and a link to « Ma
  file » — sent only to those who have some, once a day (its own kind, ``triage-contacts``:
  it is about the follow-up, not a period, and goes out every day, not weekly).

And, before the e-mails, the triage (reports.triage): the closed triages with a period that
became overdue since their close open their next cycle, in bulk.

Catching up: a run on day D sends what fell due on or before D and was not sent yet, for
up to REPORT_CATCH_UP_DAYS [3] days, so a missed run (beat down for a day) loses nothing.
Only the latest step is sent: a laureate never gets yesterday's reminder and today's at
once. A reminder before the due date is not caught up after it; a digest not after its week.

Quiet periods (set in the admin): nothing is sent on their days. What falls due in one is
postponed to the first day after it, where the catch-up rule applies from that day on: the
latest step due by then is sent, once.

Each e-mail has an outbox key (step, period, recipient): running the job twice, or on two
workers at once, sends nothing twice.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse

from emergence.models import OutboxEmail, User
from emergence.outbox import OutboxMessage, outbox_queue_many
from laureates.models import Laureate
from reports.checkins import KIND as CHECKIN_KIND
from reports.checkins import checkin_messages, checkin_step_day
from reports.models import (
    ActivityReport,
    QuietPeriod,
    ReportPeriod,
    ReportStatus,
    periods_create_for_school_year,
)
from reports.triage import contacts_due, triage_reopen_overdue

# The digest follows a period this long after its due date, for the late reports.
DIGEST_DAYS_AFTER_DUE = 30
# Periods whose due date is older than this are never looked at again.
LOOK_BACK = datetime.timedelta(days=120)
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Step:
    """One dated step of a period's schedule."""

    name: str  # in the outbox key: opening, reminder-7d, overdue-3d, escalation
    kind: str  # the outbox kind, one per template
    day: datetime.date  # when it is scheduled, before any quiet period moves it
    last_day: datetime.date | None = None  # never sent after this day


@dataclass(frozen=True)
class PlannedEmail:
    """An e-mail the job sends today (or would send, in a dry run)."""

    kind: str
    recipient: str
    period: str
    message: OutboxMessage


class QuietDays:
    """The quiet periods around today, loaded once."""

    def __init__(self, today: datetime.date):
        self.ranges = list(
            QuietPeriod.objects.filter(ends_on__gte=today - 2 * LOOK_BACK)
            .order_by("starts_on")
            .values_list("starts_on", "ends_on")
        )

    def is_quiet(self, day: datetime.date) -> bool:
        return any(first <= day <= last for first, last in self.ranges)

    def first_open_day(self, day: datetime.date) -> datetime.date:
        """``day``, or the first day after the quiet periods that cover it."""
        moved = True
        while moved:
            moved = False
            for first, last in self.ranges:
                if first <= day <= last:
                    day, moved = last + DAY, True
        return day


def reminders_run(*, today: datetime.date, dry_run: bool = False) -> list[PlannedEmail]:
    """Open the periods due to open and send what is due on ``today``; returns the e-mails.

    A dry run changes nothing (no period, no outbox row) and only returns the list.
    """
    with transaction.atomic():
        # Periods are created ahead, a school year at a time; existing ones are kept.
        periods_create_for_school_year(start_year=school_year_of(today))
        triage_reopen_overdue(today=today)
        planned = reminders_plan(today=today)
        if dry_run:
            transaction.set_rollback(True)
            return planned
    # The workers render, write and send them, a batch per task; a batch lost on the way is
    # planned again by the next run (the catch-up), its key being still absent.
    outbox_queue_many(messages=(email.message for email in planned))
    return planned


def school_year_of(day: datetime.date) -> int:
    """The school year whose quarter ``day`` is in: Q4 starts one, Q1 to Q3 end it."""
    return day.year if day.month >= 10 else day.year - 1


def reminders_plan(*, today: datetime.date) -> list[PlannedEmail]:
    """The e-mails due on ``today`` that no earlier run recorded."""
    quiet = QuietDays(today)
    if quiet.is_quiet(today):
        return []
    periods = list(
        ReportPeriod.objects.filter(opens_on__lte=today, due_on__gte=today - LOOK_BACK).order_by(
            "opens_on"
        )
    )
    planned: list[PlannedEmail] = []
    for period in periods:
        step = _due_step(laureate_steps(period), today=today, quiet=quiet)
        if step is not None:
            planned += _laureate_emails(period, step, today=today)
        step = _due_step([escalation_step(period)], today=today, quiet=quiet)
        if step is not None:
            planned += _escalation_emails(period, step)
        step = _due_step([checkin_step(period)], today=today, quiet=quiet)
        if step is not None:
            planned += [
                PlannedEmail(message.kind, message.to, period.slug, message)
                for message in checkin_messages(period, today=today)
            ]
    period = digest_period(periods, today=today)
    if period is not None:
        step = _due_step([digest_step(today)], today=today, quiet=quiet)
        if step is not None:
            planned += _digest_emails(period, step, today=today)
    planned += contacts_due_emails(today=today)
    return planned


def laureate_steps(period: ReportPeriod) -> list[Step]:
    """The opening notice, then the reminders and overdue reminders, in date order."""
    steps = [Step("opening", "report-opening", period.opens_on)]
    for days in sorted(set(settings.REPORT_REMINDER_DAYS_BEFORE), reverse=True):
        day = period.due_on - datetime.timedelta(days=days)
        if day > period.opens_on:
            steps.append(Step(f"reminder-{days}d", "report-reminder", day, period.due_on))
    for days in sorted(set(settings.REPORT_OVERDUE_DAYS_AFTER)):
        steps.append(
            Step(f"overdue-{days}d", "report-overdue", period.due_on + datetime.timedelta(days))
        )
    return steps


def checkin_step(period: ReportPeriod) -> Step:
    """The sponsors' quarterly question (reports/checkins.py), never after the due date."""
    return Step("sponsor-checkin", CHECKIN_KIND, checkin_step_day(period), period.due_on)


def escalation_step(period: ReportPeriod) -> Step:
    last_overdue = max(settings.REPORT_OVERDUE_DAYS_AFTER, default=0)
    days = last_overdue + settings.REPORT_ESCALATION_DAYS_AFTER
    return Step("escalation", "report-escalation", period.due_on + datetime.timedelta(days))


def digest_step(today: datetime.date) -> Step:
    """This week's digest day; the digest is not caught up in the next week."""
    day = today - datetime.timedelta((today.weekday() - settings.REPORT_DIGEST_WEEKDAY) % 7)
    return Step(f"digest-{day.isoformat()}", "report-digest", day, day + 6 * DAY)


def digest_period(periods: list[ReportPeriod], *, today: datetime.date) -> ReportPeriod | None:
    """The period the digest is about: the latest opened one, until a while after it is due."""
    current = [p for p in periods if today <= p.due_on + datetime.timedelta(DIGEST_DAYS_AFTER_DUE)]
    return current[-1] if current else None


def _due_step(steps: list[Step], *, today: datetime.date, quiet: QuietDays) -> Step | None:
    """The latest step due by ``today`` (moved past quiet periods), if still in its window."""
    due = [(quiet.first_open_day(step.day), step) for step in steps]
    due = [(day, step) for day, step in due if day <= today]
    if not due:
        return None
    day, step = due[-1]
    if today > day + datetime.timedelta(settings.REPORT_CATCH_UP_DAYS):
        return None
    if step.last_day is not None and today > step.last_day:
        return None
    return step


def _key(step: Step, period: ReportPeriod, user_id: int) -> str:
    return f"report-{step.name}:{period.slug}:user-{user_id}"


def _already_sent(step: Step, period: ReportPeriod) -> set[str]:
    prefix = f"report-{step.name}:{period.slug}:"
    return set(OutboxEmail.objects.filter(key__startswith=prefix).values_list("key", flat=True))


def _in_period(period: ReportPeriod):
    """Active laureates, with an active login, who report on ``period``: it opened after
    the day they joined (as ``ReportPeriodQuerySet.for_laureate``)."""
    return Laureate.objects.active().filter(user__is_active=True, joined_on__lt=period.opens_on)


def _submitted(period: ReportPeriod) -> Exists:
    return Exists(ActivityReport.objects.submitted().filter(laureate=OuterRef("pk"), period=period))


def _period_context(period: ReportPeriod) -> dict:
    reports = reverse("admin:reports_activityreport_changelist")
    return {
        "period": {"slug": period.slug, "year": period.year, "quarter": period.quarter},
        "opens_on": period.opens_on,
        "due_on": period.due_on,
        "url": settings.SITE_URL + reverse("reports:edit", args=[period.slug]),
        "staff_url": f"{settings.SITE_URL}{reports}?period__id__exact={period.pk}",
    }


def _laureate_emails(period: ReportPeriod, step: Step, *, today: datetime.date):
    sent = _already_sent(step, period)
    rows = (
        _in_period(period)
        .exclude(_submitted(period))
        .order_by("pk")
        .values_list("user_id", "user__email", "user__first_name", "user__language")
    )
    context = {
        **_period_context(period),
        "days_left": (period.due_on - today).days,
        "days_late": (today - period.due_on).days,
    }
    planned = []
    for user_id, email, first_name, language in rows.iterator(chunk_size=2000):
        key = _key(step, period, user_id)
        if key in sent:
            continue
        message = OutboxMessage(
            key=key,
            kind=step.kind,
            to=email,
            template=step.kind.replace("-", "_"),
            context={**context, "first_name": first_name},
            language=language,
            user_id=user_id,
        )
        planned.append(PlannedEmail(step.kind, email, period.slug, message))
    return planned


def _referent_emails(
    period: ReportPeriod, step: Step, laureates_by_referent: dict[int, list[dict]], extra: dict
) -> list[PlannedEmail]:
    sent = _already_sent(step, period)
    referents = User.objects.filter(pk__in=laureates_by_referent, is_active=True).order_by("pk")
    context = {**_period_context(period), **extra}
    planned = []
    for referent in referents:
        key = _key(step, period, referent.pk)
        if key in sent:
            continue
        message = OutboxMessage(
            key=key,
            kind=step.kind,
            to=referent.email,
            template=step.kind.replace("-", "_"),
            context={
                **context,
                "first_name": referent.first_name,
                "laureates": laureates_by_referent[referent.pk],
            },
            language=referent.language,
            user_id=referent.pk,
        )
        planned.append(PlannedEmail(step.kind, referent.email, period.slug, message))
    return planned


def _laureate_rows(queryset) -> Iterable[dict]:
    admin_list = settings.SITE_URL + reverse("admin:laureates_laureate_changelist")
    for row in queryset.order_by("user__last_name", "user__first_name", "pk").values(
        "pk",
        "referent_id",
        "user__first_name",
        "user__last_name",
        "user__email",
        "report_status",
    ):
        status = row["report_status"]
        yield {
            "referent_id": row["referent_id"],
            "name": f"{row['user__first_name']} {row['user__last_name']}".strip(),
            "email": row["user__email"],
            "status": "submitted" if status in SUBMITTED else status or "not_started",
            "admin_url": f"{admin_list}{row['pk']}/change/",
        }


SUBMITTED = {ReportStatus.SUBMITTED, ReportStatus.REVIEWED}


def _with_report_status(queryset, period: ReportPeriod):
    reports = ActivityReport.objects.filter(laureate=OuterRef("pk"), period=period)
    status = reports.values("status")[:1]
    return queryset.filter(referent__isnull=False).annotate(report_status=Subquery(status))


def _escalation_emails(period: ReportPeriod, step: Step) -> list[PlannedEmail]:
    late = _with_report_status(_in_period(period).exclude(_submitted(period)), period)
    by_referent: dict[int, list[dict]] = defaultdict(list)
    for row in _laureate_rows(late):
        by_referent[row["referent_id"]].append(row)
    return _referent_emails(period, step, by_referent, {})


def _digest_emails(period: ReportPeriod, step: Step, *, today: datetime.date):
    overdue = period.is_overdue(today)
    by_referent: dict[int, dict[str, list[dict]]] = defaultdict(
        lambda: {"late": [], "not_started": [], "draft": [], "submitted": []}
    )
    for row in _laureate_rows(_with_report_status(_in_period(period), period)):
        group = "late" if overdue and row["status"] != "submitted" else row["status"]
        by_referent[row["referent_id"]][group].append(row)
    groups = {referent: list(groups.items()) for referent, groups in by_referent.items()}
    return _referent_emails(period, step, groups, {"overdue": overdue, "today": today})


CONTACTS_KIND = "triage-contacts"


def contacts_due_emails(*, today: datetime.date) -> list[PlannedEmail]:
    """To each staff member, the laureates whose next contact is due (two queries)."""
    prefix = f"{CONTACTS_KIND}:{today.isoformat()}:"
    sent = set(OutboxEmail.objects.filter(key__startswith=prefix).values_list("key", flat=True))
    admin_list = settings.SITE_URL + reverse("admin:laureates_laureate_changelist")
    by_recipient: dict[int, list[dict]] = defaultdict(list)
    rows = (
        contacts_due(today=today)
        .order_by("next_contact_on", "user__last_name", "user__first_name", "pk")
        .values("pk", "recipient_id", "next_contact_on", "user__first_name", "user__last_name")
    )
    for row in rows:
        by_recipient[row["recipient_id"]].append(
            {
                "name": f"{row['user__first_name']} {row['user__last_name']}".strip(),
                "next_contact_on": row["next_contact_on"],
                "admin_url": f"{admin_list}{row['pk']}/change/",
            }
        )
    recipients = User.objects.filter(pk__in=by_recipient, is_active=True, is_staff=True).order_by(
        "pk"
    )
    planned = []
    for recipient in recipients:
        key = f"{prefix}user-{recipient.pk}"
        if key in sent:
            continue
        message = OutboxMessage(
            key=key,
            kind=CONTACTS_KIND,
            to=recipient.email,
            template="triage_contacts",
            context={
                "first_name": recipient.first_name,
                "today": today,
                "laureates": by_recipient[recipient.pk],
                "url": f"{admin_list}?queue=mine",
            },
            language=recipient.language,
            user_id=recipient.pk,
        )
        planned.append(PlannedEmail(CONTACTS_KIND, recipient.email, "", message))
    return planned
