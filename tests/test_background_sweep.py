"""The sweep of background jobs (emergence.jobs.job_sweep, every 5 minutes): a job whose task
the broker lost is queued again, a few times at most, then failed; a job whose worker died
while it ran is failed; either way its page stops waiting and says so. A job runs once."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from emergence.jobs import JobOutcome, job_register, job_run, job_start, job_sweep
from emergence.models import BackgroundJob, JobStatus
from emergence.tasks import sweep_background_jobs

pytestmark = pytest.mark.django_db

ASKED = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)

calls: list[int] = []


def counted(job, progress):
    calls.append(job.pk)
    return JobOutcome(notify=False)


job_register("test-sweep", counted)


@pytest.fixture(autouse=True)
def timeouts(settings, time_machine):
    settings.JOB_QUEUED_TIMEOUT = 10 * 60
    settings.JOB_REQUEUES = 2
    settings.JOB_RUNNING_TIMEOUT = 30 * 60
    time_machine.move_to(ASKED, tick=False)
    calls.clear()


def lost_job(owner) -> BackgroundJob:
    """A job recorded and committed whose task never reached a worker (its on-commit callback
    is not run here, as if the broker had lost the message)."""
    return job_start(owner=owner, kind="test-sweep", title="Export")


def page_text(client, job) -> str:
    return client.get(job.get_absolute_url()).content.decode().replace("\u00a0", " ")


def test_a_job_whose_task_was_lost_is_queued_again_by_the_sweep(
    partner_member, time_machine, django_capture_on_commit_callbacks
):
    lost = lost_job(partner_member.user)
    time_machine.move_to(ASKED + 9 * MINUTE, tick=False)
    waiting = lost_job(partner_member.user)  # asked a minute ago: only waiting its turn
    time_machine.move_to(ASKED + 11 * MINUTE, tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        assert job_sweep() == {"requeued": 1, "failed": 0}

    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert (lost.status, lost.requeues) == (JobStatus.DONE, 1)
    assert (waiting.status, waiting.requeues) == (JobStatus.QUEUED, 0)
    assert calls == [lost.pk]


def test_a_sweep_run_twice_queues_a_lost_job_once(
    partner_member, time_machine, django_capture_on_commit_callbacks
):
    job = lost_job(partner_member.user)
    time_machine.move_to(ASKED + 11 * MINUTE, tick=False)

    with django_capture_on_commit_callbacks() as queued:
        job_sweep()
        job_sweep()

    assert len(queued) == 1
    job.refresh_from_db()
    assert (job.status, job.requeues) == (JobStatus.QUEUED, 1)


def test_a_job_queued_again_and_again_in_vain_ends_failed_and_its_page_says_so(
    partner_member, partner_client, time_machine, django_capture_on_commit_callbacks
):
    job = lost_job(partner_member.user)
    for sweep in range(1, 4):  # the broker loses every message
        time_machine.move_to(ASKED + sweep * 11 * MINUTE, tick=False)
        with django_capture_on_commit_callbacks():
            job_sweep()

    job.refresh_from_db()
    assert (job.status, job.requeues) == (JobStatus.FAILED, 2)
    assert job.finished_at == ASKED + 33 * MINUTE
    page = page_text(partner_client, job)
    assert (
        "Le travail n’a jamais commencé : aucun processus de travail ne l’a pris en charge. "
        "L’équipe du programme a été prévenue ; veuillez refaire la demande plus tard."
    ) in page
    assert "<progress" not in page  # the bar no longer waits
    assert calls == []


def test_a_job_stuck_running_is_marked_failed_and_says_so(
    partner_member, partner_client, time_machine
):
    stuck, moving = lost_job(partner_member.user), lost_job(partner_member.user)
    BackgroundJob.objects.filter(pk__in=[stuck.pk, moving.pk]).update(
        status=JobStatus.RUNNING, started_at=ASKED, done=40, total=100
    )  # their worker was killed after 40 rows
    time_machine.move_to(ASKED + 20 * MINUTE, tick=False)
    BackgroundJob.objects.filter(pk=moving.pk).update(done=41, touched_at=ASKED + 20 * MINUTE)
    time_machine.move_to(ASKED + 31 * MINUTE, tick=False)

    assert job_sweep() == {"requeued": 0, "failed": 1}

    stuck.refresh_from_db()
    moving.refresh_from_db()
    assert stuck.status == JobStatus.FAILED
    assert moving.status == JobStatus.RUNNING
    assert (
        "Le travail s’est arrêté avant la fin : son processus de travail a été interrompu. "
        "L’équipe du programme a été prévenue ; veuillez refaire la demande."
    ) in page_text(partner_client, stuck)
    assert not mail.outbox
    job_run(pk=stuck.pk)  # the lost task redelivered after all: the job is not run again
    assert calls == []


def test_the_failure_is_written_in_its_owner_s_language(partner_member, time_machine):
    partner_member.user.language = "en"
    partner_member.user.save()
    job = lost_job(partner_member.user)
    BackgroundJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=ASKED)
    time_machine.move_to(ASKED + 31 * MINUTE, tick=False)

    job_sweep()

    job.refresh_from_db()
    assert job.error == (
        "The work stopped before the end: its worker was interrupted. The programme team has "
        "been told; please ask again."
    )


def test_a_job_whose_bar_moves_is_never_failed_however_long_it_runs(partner_member, time_machine):
    def long(job, progress):
        progress.total(3)
        progress.every = 0  # once a second in real time; here the clock is stopped
        for done in (1, 2, 3):
            time_machine.move_to(ASKED + done * 25 * MINUTE, tick=False)
            assert job_sweep() == {"requeued": 0, "failed": 0}
            progress.advance(done)
        return JobOutcome(notify=False)

    job_register("test-sweep-long", long)
    job = job_start(owner=partner_member.user, kind="test-sweep-long", title="Long")

    job_run(pk=job.pk)

    job.refresh_from_db()
    assert (job.status, job.done) == (JobStatus.DONE, 3)


def test_a_worker_thought_dead_stops_at_its_next_row_and_leaves_the_sweep_s_word(
    partner_member, time_machine
):
    rows = []

    def slow(job, progress):
        progress.total(2)
        progress.every = 0
        time_machine.move_to(ASKED + 31 * MINUTE, tick=False)  # stuck on something, then...
        job_sweep()
        for done in (1, 2):
            progress.advance(done)
            rows.append(done)
        return JobOutcome(notify=True)

    job_register("test-sweep-slow", slow)
    job = job_start(owner=partner_member.user, kind="test-sweep-slow", title="Lent")

    job_run(pk=job.pk)

    job.refresh_from_db()
    assert rows == []
    assert (job.status, job.filename) == (JobStatus.FAILED, "")
    assert job.error.startswith("Le travail s’est arrêté avant la fin")
    assert not mail.outbox


def test_a_task_delivered_twice_at_once_runs_the_job_once(partner_member):
    job = lost_job(partner_member.user)

    def second_delivery(job, progress):
        job_run(pk=job.pk)  # the same task, on another worker, while the first runs
        calls.append(job.pk)
        return JobOutcome(notify=False)

    job_register("test-sweep-twice", second_delivery)
    BackgroundJob.objects.filter(pk=job.pk).update(kind="test-sweep-twice")

    job_run(pk=job.pk)

    assert calls == [job.pk]
    assert BackgroundJob.objects.get(pk=job.pk).status == JobStatus.DONE


def test_beat_runs_the_sweep_every_five_minutes(partner_member, time_machine):
    entry = settings.CELERY_BEAT_SCHEDULE["background-jobs-sweep"]
    assert entry["task"] == "emergence.tasks.sweep_background_jobs"
    assert entry["schedule"].minute == set(range(0, 60, 5))
    lost_job(partner_member.user)
    time_machine.move_to(ASKED + 11 * MINUTE, tick=False)

    assert sweep_background_jobs.delay().get() == {"requeued": 1, "failed": 0}
