"""The fault run: the daily reminder job for N laureates through a real Celery worker that is
killed with SIGKILL during the sending, to a loopback SMTP sink.

    make fault                                   # 20,000 laureates, 3 kills
    FAULT_LAUREATES=5000 make fault              # what CI runs

It builds the laureates with bulk inserts in a scratch PostgreSQL database (FAULT_DATABASE_URL,
created if missing, emptied otherwise), starts an aiosmtpd sink that counts the messages per
recipient and a worker (prefork, FAULT_CONCURRENCY=2) on a queue of its own on the Redis
broker (FAULT_BROKER_URL), queues the job for the opening day of a period (one notice per
laureate), kills the whole worker FAULT_KILLS times as the e-mails go out, restarting it each
time, and waits until every notice is sent, no row is left to send and no task is left in
the queue. Every few seconds it runs the outbox's stale-row sweep, as beat does every 15
minutes in production.

The broker's visibility timeout and the outbox's "sending" timeout are short here (20 s and
10 s, bench/fault_settings.py) so that the tasks and rows of a killed worker come back within
the run.

It checks: every laureate has exactly one sent row; the sink received every message at least
once; duplicates (messages sent, then their worker killed before their batch was marked
sent) are at most kills x concurrency x the outbox's SEND_BATCH. It prints these figures and
the e-mails per second, and exits 1 if a check fails.

Then, in the same run, it sends the same messages again with Django alone (the rows'
subjects, texts and HTML, SEND_BATCH per ``send_messages`` call over one connection, in this
process) to the same sink, and prints that direct rate and the outbox's share of it. The
goal, at least GOAL_RATE e-mails/s and GOAL_SHARE of the direct rate, is reported with a
WARNING line when missed, not as a failure: the shared CI machine's speed varies.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.smtp_sink import SmtpSink  # noqa: E402

N = int(os.environ.get("FAULT_LAUREATES", "20000"))
KILLS = int(os.environ.get("FAULT_KILLS", "3"))
CONCURRENCY = int(os.environ.get("FAULT_CONCURRENCY", "2"))
DATABASE_URL = os.environ.get(
    "FAULT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emergence_fault"
)
BROKER_URL = os.environ.get("FAULT_BROKER_URL", "redis://127.0.0.1:6379/14")
TIMEOUT = int(os.environ.get("FAULT_TIMEOUT", "600"))
DAY = "2026-12-01"  # the opening day of 2026-q4, a Tuesday (no digest)
REFERENTS = 100
# Nothing in flight for this long while notices are missing: the broker lost a batch.
STALL_SECONDS = 45
BATCH = 5000
GOAL_RATE = 300
GOAL_SHARE = 0.5
# Kill when this share of the e-mails has been sent.
KILL_AT = [(i + 1) / (KILLS + 1) for i in range(KILLS)]


def main() -> int:
    with SmtpSink() as sink:
        queue = f"fault-{uuid.uuid4().hex[:8]}"
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.fault_settings",
            "DATABASE_URL": DATABASE_URL,
            "CELERY_BROKER_URL": BROKER_URL,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "EMAIL_URL": sink.url,
            "SITE_URL": "https://emergence.example.org",
        }
        os.environ.update(environment)
        import django

        django.setup()
        return run(sink, environment, queue)


def run(sink: SmtpSink, environment: dict, queue: str) -> int:
    from django.db.models import Count

    from emergence.models import OutboxEmail, OutboxStatus
    from emergence.outbox import SEND_BATCH, outbox_requeue_stale
    from reports.tasks import run_daily_reminders

    started = time.monotonic()
    reset_database()
    emails = build(N)
    print(f"{N:,} laureates built in {time.monotonic() - started:.1f} s", flush=True)

    log_path = ROOT / "bench" / "out" / "fault_worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    worker = start_worker(environment, queue, log)
    kills = 0
    started = time.monotonic()
    run_daily_reminders.delay(DAY)
    last_sweep = last_report = time.monotonic()
    stalled_since = None
    catch_ups: list[int] = []  # the notices still missing at each second run
    stalled = 0.0  # seconds spent seeing that a batch was lost, left out of the rate
    try:
        while True:
            time.sleep(0.25)
            counts = dict(
                OutboxEmail.objects.values_list("status").annotate(n=Count("pk")).order_by()
            )
            # The opening notices only (not the referents' digests), counted as written and
            # sent: the workers write the rows as they send them.
            sent = OutboxEmail.objects.filter(
                kind="report-opening", status=OutboxStatus.SENT
            ).count()
            waiting = counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0)
            in_queue = queued(queue)
            if sent >= N and not waiting and not in_queue:
                break
            if waiting or in_queue:
                stalled_since = None
            elif stalled_since is None:
                stalled_since = time.monotonic()
            elif time.monotonic() - stalled_since > STALL_SECONDS:
                catch_ups.append(N - sent)
                stalled += time.monotonic() - stalled_since
                print(f"catch-up: {N - sent:,} notices lost with a batch, the daily job again")
                run_daily_reminders.delay(DAY)
                stalled_since = None
            if time.monotonic() - last_report > 5:
                last_report = time.monotonic()
                print(f"{last_report - started:6.1f} s  {counts}", flush=True)
            if kills < KILLS and sent >= KILL_AT[kills] * N:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
                kills += 1
                print(f"kill {kills}: SIGKILL at {sent:,} sent, restarting the worker", flush=True)
                worker = start_worker(environment, queue, log)
            if worker.poll() is not None:
                raise RuntimeError(f"the worker stopped, see {log_path}")
            if time.monotonic() - last_sweep > 5:
                outbox_requeue_stale()
                last_sweep = last_report = time.monotonic()
            if time.monotonic() - started > TIMEOUT:
                raise RuntimeError(f"not done after {TIMEOUT} s: {counts}")
        elapsed = time.monotonic() - started
    finally:
        stop_worker(worker)
        log.close()

    received = sink.received
    rows = OutboxEmail.objects.filter(kind="report-opening")
    sent_rows = rows.filter(status=OutboxStatus.SENT).count()
    per_user = rows.filter(status=OutboxStatus.SENT).values("user").annotate(n=Count("pk"))
    users_with_one = per_user.filter(n=1).count()
    missing = [email for email in emails if received[email] < 1]
    duplicates = sum(count - 1 for count in received.values() if count > 1)
    total_received = sum(received[email] for email in emails)
    others = sum(received.values()) - total_received
    print()
    print(f"laureates               {N:>10,}")
    print(f"worker kills (SIGKILL)  {kills:>10}")
    print(f"concurrency             {CONCURRENCY:>10}")
    print(f"outbox rows sent        {sent_rows:>10,}  (all rows: {rows.count():,})")
    print(f"laureates with one row  {users_with_one:>10,}")
    print(f"notices received        {total_received:>10,}  (and {others} referents' digests)")
    print(f"recipients never served {len(missing):>10,}")
    bound = kills * CONCURRENCY * SEND_BATCH
    print(f"duplicates              {duplicates:>10,}  (bound: {bound})")
    print(
        f"lost batches, caught up {sum(catch_ups):>10,}  "
        f"(notices sent by {len(catch_ups)} second run(s) of the daily job)"
    )
    print(f"time to send all        {elapsed:>10.1f} s  ({stalled:.0f} s seeing a lost batch)")
    rate = N / (elapsed - stalled)
    print(f"e-mails per second      {rate:>10.1f}  (outbox, through the worker)")
    direct_elapsed = send_directly_in_a_process(environment, batch=SEND_BATCH)
    direct = N / direct_elapsed
    print(
        f"direct send             {direct:>10.1f}  (Django alone, {SEND_BATCH} per connection, "
        f"same sink, same run: {direct_elapsed:.1f} s)"
    )
    print(f"outbox / direct         {rate / direct:>10.2f}")
    checks = {
        "every laureate has exactly one sent row": sent_rows == N
        and users_with_one == N
        and rows.count() == N,
        "the sink received every message at least once": not missing,
        "duplicates <= kills x concurrency x SEND_BATCH": duplicates <= bound,
        f"the worker was killed {KILLS} times": kills == KILLS,
    }
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'}  {name}")
    if rate < GOAL_RATE or rate < GOAL_SHARE * direct:
        print(
            f"WARNING  goal missed: the outbox sent {rate:.0f} e-mails/s, the goal is at least "
            f"{GOAL_RATE}/s and {GOAL_SHARE:.0%} of the direct send ({GOAL_SHARE * direct:.0f}/s)"
        )
    else:
        print(f"ok    goal: >= {GOAL_RATE} e-mails/s and >= {GOAL_SHARE:.0%} of the direct send")
    return 0 if all(checks.values()) else 1


def queued(queue: str) -> int:
    """Tasks waiting in the run's queue: the batches of e-mails not written yet (the referents'
    digests, the copies queued by a job redelivered while it ran) are not rows to count."""
    from emergence.celery import app

    with app.connection_for_read() as connection:
        # The Redis transport's own count (its lists, one per priority step).
        return connection.default_channel._size(queue)


def send_directly_in_a_process(environment: dict, *, batch: int) -> float:
    """Run ``send_directly`` in a process of its own, as the worker's are (the sink's thread
    here would otherwise share this process's interpreter lock); returns its seconds."""
    done = subprocess.run(
        [sys.executable, __file__, "--direct", str(batch)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.split()[-1])


def send_directly(*, batch: int) -> float:
    """Send the opening notices' messages (the outbox rows' subjects, texts and HTML) with
    Django alone, ``batch`` per connection; returns the seconds taken, building the messages
    included, reading the rows not."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives, get_connection

    from emergence.models import OutboxEmail

    rows = OutboxEmail.objects.filter(kind="report-opening").order_by("pk")
    loaded = list(rows.values_list("to", "subject", "text", "html"))
    started = time.monotonic()
    for start in range(0, len(loaded), batch):
        messages = []
        for to, subject, text, html in loaded[start : start + batch]:
            message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
            if html:
                message.attach_alternative(html, "text/html")
            messages.append(message)
        get_connection().send_messages(messages)
    return time.monotonic() - started


def reset_database() -> None:
    """An empty, migrated scratch database."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.utils import OperationalError

    try:
        connection.ensure_connection()
    except OperationalError:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{connection.settings_dict["NAME"]}"')
    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)


def build(n: int) -> list[str]:
    """``n`` active laureates (100 referents) and the period 2026-q4; returns their e-mails."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from laureates.models import Laureate, Promotion, Track
    from reports.models import periods_create_for_school_year

    User = get_user_model()
    with transaction.atomic():
        promotion = Promotion.objects.create(year=2024)
        referents = User.objects.bulk_create(
            User(email=f"referent{i}@fault.example.org", password="!", is_staff=True)
            for i in range(REFERENTS)
        )
        periods_create_for_school_year(start_year=2026)
        emails = []
        for start in range(0, n, BATCH):
            users = User.objects.bulk_create(
                User(
                    email=f"laureate{i}@fault.example.org",
                    password="!",  # unusable: nobody logs in here
                    first_name=f"Prénom{i}",
                    last_name="Fault",
                    language="en" if i % 10 == 0 else "fr",
                )
                for i in range(start, min(start + BATCH, n))
            )
            Laureate.objects.bulk_create(
                Laureate(
                    user=user,
                    promotion=promotion,
                    track=Track.ENGINEERING,
                    referent=referents[i % REFERENTS],
                    joined_on=datetime.date(2024, 9, 1),
                )
                for i, user in enumerate(users, start)
            )
            emails += [user.email for user in users]
    return emails


def start_worker(environment: dict, queue: str, log) -> subprocess.Popen:
    # A session of its own: SIGKILL to the group kills the main process and its children.
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "emergence",
            "worker",
            "--pool=prefork",
            "-c",
            str(CONCURRENCY),
            "-Q",
            queue,
            "-l",
            "warning",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],  # fmt: skip
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--direct"]:  # the direct send, in its own process (see above)
        import django

        django.setup()
        print(send_directly(batch=int(sys.argv[2])))
        sys.exit(0)
    sys.exit(main())
