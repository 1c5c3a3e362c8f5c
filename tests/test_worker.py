"""One task through a real Celery worker and broker, as production runs it.

Runs when CELERY_BROKER_URL is set and the test database is one another
process can open (PostgreSQL in CI). Skipped otherwise, except that with
CI=true a configured but unreachable broker fails the run.
"""

import email
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import override_settings

from emergence import health
from emergence.accounts import user_invite
from emergence.celery import app as celery_app
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def database_url() -> str | None:
    """A URL for the test database that the worker process can open, or None."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "")
        if db["PASSWORD"]:
            auth += ":" + quote(db["PASSWORD"])
        host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        return f"postgres://{auth}@{host}/{db['NAME']}"
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        return f"sqlite:///{db['NAME']}"
    return None


def unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture
def worker_environment(transactional_db, tmp_path):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("no CELERY_BROKER_URL: tasks run eagerly")
    if not health.broker_answers():
        unavailable(f"the broker at {settings.CELERY_BROKER_URL} does not answer")
    url = database_url()
    if url is None:
        unavailable("the test database is in memory: a worker process cannot see it")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    # dj-email-url drops one leading slash of the path, hence four.
    return {
        "env": {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "emergence.settings",
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "EMAIL_URL": f"file:///{mail_dir}",
            "SITE_URL": "https://emergence.example.org",
        },
        "mail_dir": mail_dir,
        "log": tmp_path / "worker.log",
    }


@pytest.mark.worker
def test_a_real_worker_sends_the_invitation(worker_environment):
    user = UserFactory(email="invited@example.org", first_name="Salomé")
    # Our own queue, so a worker of another run on the same broker cannot take the task.
    queue = f"test-worker-{uuid.uuid4().hex[:8]}"
    mail_dir = worker_environment["mail_dir"]
    with open(worker_environment["log"], "w") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "emergence",
                "worker",
                "--pool=solo",
                "-c",
                "1",
                "-l",
                "info",
                "-Q",
                queue,
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],  # fmt: skip
            cwd=ROOT,
            env=worker_environment["env"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    eager, default_queue = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    try:
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_default_queue = queue
        # The real path: the outbox row is rendered and written here, its send task queued
        # on commit, and the worker sends it.
        with override_settings(SITE_URL=worker_environment["env"]["SITE_URL"]):
            user_invite(user=user)
        deadline = time.monotonic() + 60
        while not any(mail_dir.iterdir()):
            assert worker.poll() is None, "the worker stopped:\n" + worker_log(worker_environment)
            assert time.monotonic() < deadline, "no e-mail after 60 s:\n" + worker_log(
                worker_environment
            )
            time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager = eager
        celery_app.conf.task_default_queue = default_queue
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    (mail_file,) = mail_dir.iterdir()
    message = email.message_from_bytes(mail_file.read_bytes().split(b"\n" + b"-" * 79)[0])
    assert message["To"] == "invited@example.org"
    text = next(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )
    link = re.search(r"https://emergence\.example\.org/accounts/reset/(\w+)/([\w-]+)/", text)
    assert link, text
    assert default_token_generator.check_token(user, link.group(2))


def worker_log(environment) -> str:
    return environment["log"].read_text()[-4000:]
