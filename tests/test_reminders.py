"""The daily reminder job: each e-mail on its day, once, never after submission, never in a
quiet period, in the recipient's language; the referents' escalation and weekly digest.

Period 2026-q4 opens on Tuesday 1 December 2026 and is due on Friday 15 January 2027: the
reminders fall on 8 and 14 January, the overdue ones on 18 and 25 January (Mondays), the
escalation on 28 January; the digest goes out on Mondays.
"""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from emergence import roles
from emergence.models import OutboxEmail, OutboxStatus
from emergence.outbox import MAX_ATTEMPTS, SEND_BATCH, OutboxMessage, outbox_enqueue_many
from laureates.models import Status
from reports.models import QuietPeriod, ReportPeriod, ReportStatus
from reports.tasks import run_daily_reminders
from tests.factories import LaureateFactory, RoleStaffFactory
from tests.report_factories import ActivityReportFactory, ReportPeriodFactory

pytestmark = pytest.mark.django_db

OPENS = datetime.date(2026, 12, 1)
DUE = datetime.date(2027, 1, 15)


@pytest.fixture
def period():
    return ReportPeriodFactory(year=2026, quarter=4)


@pytest.fixture
def referent():
    return RoleStaffFactory(
        email="sophie.referente@example.org", first_name="Sophie", role=roles.REFERENT
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the daily task at 7:00 on a day, as beat does; returns the e-mails it sent."""

    def run_on(day: datetime.date) -> list:
        before = len(mail.outbox)
        with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 7), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                run_daily_reminders()
        return mail.outbox[before:]

    return run_on


def recipients(messages) -> list[str]:
    return sorted(to for message in messages for to in message.to)


def kinds(day: datetime.date) -> dict[str, list[str]]:
    """The outbox rows written on ``day``, by kind."""
    rows = OutboxEmail.objects.filter(created_at__date=day).order_by("to")
    found: dict[str, list[str]] = {}
    for kind, to in rows.values_list("kind", "to"):
        found.setdefault(kind, []).append(to)
    return found


def digests(messages) -> list:
    return [m for m in messages if m.subject.startswith("Point hebdomadaire")]


def html_of(message) -> str:
    return message.alternatives[0][0]


def test_the_opening_notice_goes_to_every_active_laureate_on_the_opening_day(
    period, laureate, other_laureate, run
):
    LaureateFactory(status=Status.ALUMNI, user__email="alumni@example.org")
    LaureateFactory(status=Status.LEFT, user__email="left@example.org")
    LaureateFactory(user__is_active=False, user__email="blocked@example.org")
    LaureateFactory(joined_on=datetime.date(2027, 2, 1), user__email="newcomer@example.org")

    assert run(OPENS - datetime.timedelta(days=1)) == []
    sent = run(OPENS)

    assert recipients(sent) == [laureate.user.email, other_laureate.user.email]
    message = next(m for m in sent if m.to == [laureate.user.email])
    assert message.subject == "Votre rapport d’activité du T4\u00a02026 est ouvert"
    assert "Bonjour Inès," in message.body
    assert "http://127.0.0.1:8000/reports/2026-q4/" in message.body
    assert 'href="http://127.0.0.1:8000/reports/2026-q4/"' in html_of(message)
    assert "15 janvier 2027" in message.body
    assert OutboxEmail.objects.get(to=laureate.user.email).kind == "report-opening"


@pytest.mark.parametrize(
    ("day", "kind", "words"),
    [
        (datetime.date(2027, 1, 8), "report-reminder", "dans 7 jours"),
        (datetime.date(2027, 1, 14), "report-reminder", "demain"),
        (datetime.date(2027, 1, 18), "report-overdue", "il y a 3 jours"),
        (datetime.date(2027, 1, 25), "report-overdue", "il y a 10 jours"),
    ],
)
def test_each_reminder_goes_out_on_its_day_and_not_the_day_before(
    period, laureate, run, day, kind, words
):
    assert run(day - datetime.timedelta(days=1)) == []
    (message,) = run(day)

    assert message.to == [laureate.user.email]
    assert OutboxEmail.objects.get(key__contains=":user-").kind == kind
    assert words in message.body
    assert "http://127.0.0.1:8000/reports/2026-q4/" in message.body


def test_a_submitted_report_stops_the_reminders_but_a_draft_does_not(
    period, laureate, other_laureate, run
):
    third = LaureateFactory(user__email="lina.laureate@example.org")
    ActivityReportFactory(laureate=laureate, period=period)
    ActivityReportFactory(laureate=third, period=period, status=ReportStatus.REVIEWED)
    ActivityReportFactory(laureate=other_laureate, period=period, draft=True)

    for day in (datetime.date(2027, 1, 8), datetime.date(2027, 1, 14), datetime.date(2027, 1, 18)):
        assert recipients(run(day)) == [other_laureate.user.email]


def test_the_referent_hears_once_about_the_reports_still_missing_after_the_last_reminder(
    period, referent, laureate, other_laureate, run
):
    late = LaureateFactory(referent=referent, user__first_name="Zoé", user__last_name="Durand")
    laureate.referent = other_laureate.referent = referent
    laureate.save()
    other_laureate.save()
    ActivityReportFactory(laureate=laureate, period=period)
    ActivityReportFactory(laureate=other_laureate, period=period, draft=True)
    LaureateFactory(user__email="no.referent@example.org")  # nobody to tell

    run(datetime.date(2027, 1, 25))  # the last overdue reminder (and Monday's digest)
    assert "report-escalation" not in kinds(datetime.date(2027, 1, 25))
    assert run(datetime.date(2027, 1, 27)) == []
    (message,) = run(datetime.date(2027, 1, 28))

    assert message.to == [referent.email]
    assert message.subject == "2 rapports du T4\u00a02026 manquent encore"
    assert "Zoé Durand" in message.body
    assert "Yanis Robert" in message.body and "Brouillon" in message.body
    assert "Inès" not in message.body  # she submitted
    assert f"/admin/laureates/laureate/{late.pk}/change/" in html_of(message)
    assert run(datetime.date(2027, 1, 29)) == []


def test_the_weekly_digest_tells_each_referent_where_their_laureates_stand(
    period, referent, laureate, other_laureate, run
):
    laureate.referent = other_laureate.referent = referent
    laureate.save()
    other_laureate.save()
    LaureateFactory(referent=referent, user__first_name="Zoé", user__last_name="Durand")
    ActivityReportFactory(laureate=laureate, period=period)
    ActivityReportFactory(laureate=other_laureate, period=period, draft=True)
    other_referent = RoleStaffFactory(email="karim.referent@example.org", role=roles.REFERENT)
    LaureateFactory(referent=other_referent, user__first_name="Noé", user__last_name="Petit")

    sent = digests(run(datetime.date(2027, 1, 11)))  # a Monday, before the due date

    assert recipients(sent) == [other_referent.email, referent.email]
    digest = next(m for m in sent if m.to == [referent.email])
    assert digest.subject == (
        "Point hebdomadaire\u00a0: les rapports de vos lauréats du T4\u00a02026"
    )
    body = digest.body
    assert "Non commencé (1)\n- Zoé Durand" in body
    assert "Brouillon (1)\n- Yanis Robert" in body
    assert "Soumis (1)\n- Inès Benali" in body
    assert "En retard (0)" in body
    assert "Noé" not in body
    assert run(datetime.date(2027, 1, 12)) == []  # once a week

    # After the due date, the reports still missing are late.
    sent = digests(run(datetime.date(2027, 1, 18)))
    digest = next(m for m in sent if m.to == [referent.email])
    assert "En retard (2)\n- Zoé Durand (Non commencé)\n- Yanis Robert (Brouillon)" in digest.body
    assert run(datetime.date(2027, 1, 19)) == []


def test_no_referent_email_carries_a_confidential_answer(
    period, referent, laureate, other_laureate, run
):
    laureate.referent = other_laureate.referent = referent
    laureate.save()
    other_laureate.save()
    ActivityReportFactory(
        laureate=laureate,
        period=period,
        stress=5,
        wants_contact=True,
        wellbeing_note="Je ne dors plus",
        extra_answers={"family": "Séparation des parents"},
    )
    ActivityReportFactory(
        laureate=other_laureate, period=period, draft=True, wellbeing_note="Épuisé"
    )
    sent = run(datetime.date(2027, 1, 18)) + run(datetime.date(2027, 1, 28))

    to_referent = [m for m in sent if m.to == [referent.email]]
    kinds_sent = OutboxEmail.objects.filter(to=referent.email).values_list("kind", flat=True)
    assert set(kinds_sent) == {"report-digest", "report-escalation"}
    for message in to_referent:
        for text in (message.body, html_of(message)):
            assert "Yanis Robert" in text
            for confidential in ("Je ne dors plus", "Épuisé", "Séparation des parents"):
                assert confidential not in text
            assert "stress" not in text.lower()


def test_running_the_job_twice_sends_nothing_twice(period, laureate, other_laureate, run):
    assert len(run(OPENS)) == 2
    assert run(OPENS) == []
    call_command("send_reminders", "--date", OPENS.isoformat(), stdout=StringIO())

    assert OutboxEmail.objects.count() == 2
    assert len(mail.outbox) == 2


def test_a_batch_the_broker_lost_with_its_worker_is_sent_by_the_next_days_run(
    period, laureate, other_laureate, run, django_capture_on_commit_callbacks
):
    # The opening day's batch task never reaches a worker: no row, no e-mail.
    with time_machine.travel(datetime.datetime(2026, 12, 1, 7), tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            run_daily_reminders()
    assert not OutboxEmail.objects.exists()

    sent = run(OPENS + datetime.timedelta(days=1))

    assert recipients(sent) == sorted([laureate.user.email, other_laureate.user.email])
    assert set(OutboxEmail.objects.values_list("kind", flat=True)) == {"report-opening"}


def test_a_day_without_a_run_is_caught_up_the_next_day(period, laureate, run):
    (message,) = run(OPENS + datetime.timedelta(days=2))

    assert OutboxEmail.objects.get().kind == "report-opening"
    assert message.to == [laureate.user.email]


def test_catching_up_sends_only_the_latest_reminder_and_gives_up_after_a_few_days(
    period, laureate, run
):
    # Beat was down from 7 to 15 January: the reminder of the 14th replaces that of the 8th.
    (message,) = run(datetime.date(2027, 1, 15))
    assert "aujourd’hui" in message.body
    assert run(datetime.date(2027, 1, 16)) == []  # the 7-day one is not sent late
    # Down from 25 January to 2 February: the last overdue reminder is too old to send.
    assert [m.to for m in run(datetime.date(2027, 1, 18))] == [[laureate.user.email]]
    assert run(datetime.date(2027, 2, 2)) == []


def test_nothing_goes_out_in_a_quiet_period_and_what_fell_in_it_is_sent_the_day_after(
    period, laureate, run, lead_client
):
    response = lead_client.post(
        reverse("admin:reports_quietperiod_add"),
        {"name": "Partiels de janvier", "starts_on": "2027-01-06", "ends_on": "2027-01-14"},
    )
    assert response.status_code == 302
    assert QuietPeriod.objects.count() == 1

    for day in range(6, 15):
        assert run(datetime.date(2027, 1, day)) == []
    (message,) = run(datetime.date(2027, 1, 15))

    # The latest reminder due by then, once: the one-day one (not the 7-day one, not both).
    assert OutboxEmail.objects.get().key == f"report-reminder-1d:2026-q4:user-{laureate.user.pk}"
    assert "aujourd’hui" in message.body
    assert run(datetime.date(2027, 1, 16)) == []
    assert run(datetime.date(2027, 1, 18))[0].to == [laureate.user.email]  # overdue, on time


def test_a_rolled_back_transaction_sends_nothing(
    period, laureate, django_capture_on_commit_callbacks
):
    from reports.reminders import reminders_run

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                assert len(reminders_run(today=OPENS)) == 1
                raise RuntimeError("the run failed half-way")

    assert mail.outbox == []
    assert not OutboxEmail.objects.exists()


@override_settings(EMAIL_BACKEND="tests.test_outbox.FailingBackend")
def test_a_reminder_the_smtp_server_refuses_is_retried_then_marked_failed(
    period, laureate, run, lead_client, django_capture_on_commit_callbacks
):
    from tests.test_outbox import FailingBackend

    FailingBackend.calls = 0
    assert run(OPENS) == []

    email = OutboxEmail.objects.get()
    assert FailingBackend.calls == MAX_ATTEMPTS
    assert (email.status, email.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)
    # The operator fixes the server, then re-sends from the admin; the job does not resend.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert run(OPENS) == []
        with django_capture_on_commit_callbacks(execute=True):
            lead_client.post(
                reverse("admin:emergence_outboxemail_changelist"),
                {"action": "resend", "_selected_action": [email.pk]},
            )
    email.refresh_from_db()
    assert email.status == OutboxStatus.SENT
    assert recipients(mail.outbox) == [laureate.user.email]


def test_a_dry_run_lists_the_emails_and_records_nothing(laureate, other_laureate):
    out = StringIO()
    call_command("send_reminders", "--date", "2026-12-01", "--dry-run", stdout=out)

    lines = out.getvalue().splitlines()
    assert f"report-opening\t{laureate.user.email}\t2026-q4" in lines
    assert f"report-opening\t{other_laureate.user.email}\t2026-q4" in lines
    assert "2 e-mail(s) would be sent" in lines[-1]
    assert mail.outbox == []
    assert not OutboxEmail.objects.exists()
    assert not ReportPeriod.objects.exists()  # not even the periods it would create


def test_the_command_runs_a_given_day_and_creates_the_school_years_periods(
    laureate, django_capture_on_commit_callbacks
):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "2026-12-01", stdout=out)

    assert sorted(str(p) for p in ReportPeriod.objects.all()) == [
        "2026-q4",
        "2027-q1",
        "2027-q2",
        "2027-q3",
    ]
    assert recipients(mail.outbox) == [laureate.user.email]
    assert "1 e-mail(s) queued" in out.getvalue()


def test_an_english_speaking_laureate_gets_english(period, laureate, other_laureate, run):
    laureate.user.language = "en"
    laureate.user.save()

    sent = {m.to[0]: m for m in run(datetime.date(2027, 1, 8))}

    english = sent[laureate.user.email]
    assert english.subject == "Reminder: your activity report is due on 15 January 2027"
    assert "Hello Inès," in english.body
    assert "is due in 7 days" in english.body
    assert '<html lang="en">' in html_of(english)
    french = sent[other_laureate.user.email]
    assert (
        french.subject == "Rappel\u00a0: votre rapport d’activité est à rendre le 15 janvier 2027"
    )


def test_many_emails_are_written_together_and_sent_in_batches(
    laureate, django_capture_on_commit_callbacks
):
    messages = [
        OutboxMessage(
            key=f"test:{n}",
            kind="test",
            to=f"person{n}@example.org",
            template="report_opening",
            context={"period": {"year": 2026, "quarter": 4}, "due_on": DUE, "url": "x"},
        )
        for n in range(2 * SEND_BATCH + 1)
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert outbox_enqueue_many(messages=messages) == 2 * SEND_BATCH + 1
        assert outbox_enqueue_many(messages=messages) == 0

    assert len(callbacks) == 3  # three tasks, not one per e-mail
    assert len(mail.outbox) == 2 * SEND_BATCH + 1
    assert OutboxEmail.objects.filter(status=OutboxStatus.SENT).count() == 2 * SEND_BATCH + 1


def test_the_daily_task_is_in_the_beat_schedule_the_admin_shows(staff_client):
    # The schedules are the technical administrator's (a superuser), not a role's.
    call_command("setup_beat", stdout=StringIO())
    call_command("setup_beat", stdout=StringIO())

    task = PeriodicTask.objects.get(name="report-reminders")
    assert task.task == "reports.tasks.run_daily_reminders"
    assert (task.crontab.hour, task.crontab.minute) == ("7", "0")
    response = staff_client.get(reverse("admin:django_celery_beat_periodictask_changelist"))
    assert "report-reminders" in response.content.decode()
