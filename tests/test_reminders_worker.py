"""Two real Celery workers run the daily reminder job at the same time: nothing is sent twice.

Like tests/test_worker.py, it needs CELERY_BROKER_URL and a test database another process
can open (PostgreSQL in CI); skipped otherwise, except that CI=true fails on a missing broker.
The e-mails go to a loopback SMTP server (aiosmtpd) that counts them per recipient.
"""

import datetime
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db.models import Count

from bench.smtp_sink import SmtpSink
from emergence import health, roles
from emergence.celery import app as celery_app
from emergence.models import OutboxEmail, OutboxStatus
from reports.tasks import run_daily_reminders
from tests.factories import LaureateFactory, RoleStaffFactory
from tests.report_factories import ReportPeriodFactory
from tests.test_worker import ROOT, database_url, unavailable

LAUREATES = 30
REFERENTS = 3


@pytest.fixture
def sink():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def two_workers(transactional_db, tmp_path, sink):
    """Start two workers on a queue of their own; yields the queue and their logs."""
    if not settings.CELERY_BROKER_URL:
        pytest.skip("no CELERY_BROKER_URL: tasks run eagerly")
    if not health.broker_answers():
        unavailable(f"the broker at {settings.CELERY_BROKER_URL} does not answer")
    url = database_url()
    if url is None:
        unavailable("the test database is in memory: a worker process cannot see it")
    # The workers queue the sending tasks on this queue too: a worker of another run on the
    # same broker never takes them.
    queue = f"test-reminders-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "emergence.settings",
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": sink.url,
        "SITE_URL": "https://emergence.example.org",
    }
    logs = [tmp_path / f"worker{n}.log" for n in (1, 2)]
    workers = []
    for n, log_path in enumerate(logs, 1):
        with open(log_path, "w") as log:
            workers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "emergence",
                        "worker",
                        "--pool=solo",
                        "-n",
                        f"reminders{n}-{queue}@%h",
                        "-Q",
                        queue,
                        "-l",
                        "info",
                        "--without-heartbeat",
                        "--without-gossip",
                        "--without-mingle",
                    ],  # fmt: skip
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            )
    deadline = time.monotonic() + 60
    while not all(" ready." in log.read_text() for log in logs):
        assert time.monotonic() < deadline, "the workers did not start:\n" + tail(logs)
        time.sleep(0.2)
    yield queue, logs, workers
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@pytest.mark.worker
def test_two_workers_running_the_job_at_once_send_each_email_once(two_workers, sink):
    queue, logs, workers = two_workers
    ReportPeriodFactory(year=2026, quarter=4)  # opens on Tuesday 1 December 2026
    referents = [
        RoleStaffFactory(role=roles.REFERENT, email=f"referent{n}@example.org")
        for n in range(REFERENTS)
    ]
    laureates = [
        LaureateFactory(referent=referents[n % REFERENTS], user__email=f"laureate{n}@example.org")
        for n in range(LAUREATES)
    ]
    # Each laureate's opening notice, and each referent's digest of Monday, caught up.
    expected = {laureate.user.email for laureate in laureates} | {r.email for r in referents}

    day = datetime.date(2026, 12, 1).isoformat()
    eager = celery_app.conf.task_always_eager
    try:
        celery_app.conf.task_always_eager = False
        for _ in range(2):
            run_daily_reminders.apply_async((day,), queue=queue)
    finally:
        celery_app.conf.task_always_eager = eager

    deadline = time.monotonic() + 90
    while not (both_jobs_done(logs) and all_sent(len(expected))):
        for worker in workers:
            assert worker.poll() is None, "a worker stopped:\n" + tail(logs)
        assert time.monotonic() < deadline, "not done after 90 s:\n" + tail(logs)
        time.sleep(0.2)

    # Both workers ran the job (one each) and both wrote what they found due.
    assert all("run_daily_reminders" in log.read_text() for log in logs), tail(logs)
    keys = OutboxEmail.objects.values("key").annotate(n=Count("pk"))
    assert keys.count() == len(expected)
    assert not keys.filter(n__gt=1).exists()
    assert set(sink.received) == expected
    assert set(sink.received.values()) == {1}, sink.received.most_common(3)


def both_jobs_done(logs) -> bool:
    done = sum(
        line.count("run_daily_reminders") and line.count("succeeded")
        for log in logs
        for line in log.read_text().splitlines()
    )
    return done >= 2


def all_sent(expected: int) -> bool:
    rows = OutboxEmail.objects.all()
    return (
        rows.filter(status=OutboxStatus.SENT).count() == expected
        and not rows.exclude(status=OutboxStatus.SENT).exists()
    )


def tail(logs) -> str:
    return "\n".join(log.read_text()[-3000:] for log in logs)
