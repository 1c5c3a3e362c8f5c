"""A production-like run: the Procfile's commands, gunicorn's settings, logging printed once,
who may read /healthz/deep, SQLite's settings for a few people at once, and the e-mail
look-ups that use the unique index on lower(email)."""

import json
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class
from django.db import connection
from django.db.utils import ConnectionHandler
from honcho.environ import parse_procfile

from emergence.models import User
from laureates.models import Laureate
from tests.factories import LaureateFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOKEN = "a-monitor-token-for-the-tests"


def clean_env(**env: str) -> dict[str, str]:
    """What the shell gives any process, and ``env``: no project setting leaks in from the run."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}
    return {**{k: v for k, v in os.environ.items() if k in keep}, **env}


PRODUCTION_LIKE = {
    "DEBUG": "false",
    "SECRET_KEY": "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
}


def procfile() -> dict[str, str]:
    """The Procfile as honcho (and the PaaS hosts) read it: process type -> command."""
    return dict(parse_procfile((ROOT / "Procfile").read_text()).processes)


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env=clean_env(**env), capture_output=True, text=True, timeout=120
    )


# The Procfile --------------------------------------------------------------------------------


def test_the_procfile_declares_web_worker_beat_and_release():
    processes = procfile()
    assert {"web", "worker", "beat", "release"} <= set(processes)
    assert processes["web"].startswith("gunicorn --config gunicorn.conf.py")
    assert "worker" in shlex.split(processes["worker"])
    assert "django_celery_beat.schedulers:DatabaseScheduler" in processes["beat"]
    # Scalingo runs "postdeploy" instead of "release": the migrations at least.
    assert "migrate" in processes["postdeploy"]


def test_every_line_of_the_procfile_is_a_process_type_and_a_command():
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()]
    assert len(lines) == len(procfile())


def test_the_release_migrates_and_collects_the_static_files_with_valid_arguments():
    commands = [shlex.split(part) for part in procfile()["release"].split("&&")]
    assert [args[2] for args in commands] == ["migrate", "collectstatic"]
    for args in commands:
        assert args[:2] == ["python", "manage.py"]
        name, options = args[2], args[3:]
        command = load_command_class(get_commands()[name], name)
        parsed = command.create_parser("manage.py", name).parse_args(options)
        assert parsed.interactive is False


@pytest.mark.parametrize("process", ["worker", "beat"])
def test_the_celery_commands_load_the_app_and_accept_their_options(process):
    args = shlex.split(procfile()[process])
    assert args[0] == "celery"
    result = run([str(BIN / "celery"), *args[1:], "--help"])
    assert result.returncode == 0, result.stderr


def test_make_serve_asks_for_a_broker_before_starting_anything():
    result = run(["make", "--old-file=.venv/.installed-dev", "serve"])
    assert result.returncode != 0
    assert "make serve needs CELERY_BROKER_URL" in result.stderr
    assert "honcho" not in result.stdout


def test_the_beat_scheduler_of_the_procfile_is_the_one_the_settings_name(settings):
    args = shlex.split(procfile()["beat"])
    assert args[args.index("--scheduler") + 1] == settings.CELERY_BEAT_SCHEDULER


# gunicorn --------------------------------------------------------------------------------------


def gunicorn_config(**env: str) -> dict[str, str]:
    result = run(
        [str(BIN / "gunicorn"), *shlex.split(procfile()["web"])[1:], "--print-config"], **env
    )
    assert result.returncode == 0, result.stderr
    config = {}
    for line in result.stdout.splitlines():
        name, _, value = line.partition("=")
        config[name.strip()] = value.strip()
    return config


def test_gunicorn_loads_its_config_with_four_sync_workers_by_default():
    config = gunicorn_config()
    assert config["wsgi_app"] == "emergence.wsgi:application"
    assert config["bind"] == "['0.0.0.0:8000']"
    assert config["workers"] == "4"
    assert config["worker_class"] == "sync"
    assert config["timeout"] == "30"
    assert config["accesslog"] == "-"


def test_gunicorn_takes_the_port_and_the_workers_from_the_host():
    config = gunicorn_config(PORT="9123", WEB_CONCURRENCY="2", GUNICORN_TIMEOUT="60")
    assert config["bind"] == "['0.0.0.0:9123']"
    assert config["workers"] == "2"
    assert config["timeout"] == "60"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_web_process_serves_healthz_and_logs_each_request_once(tmp_path):
    port = free_port()
    args = [str(BIN / "gunicorn"), *shlex.split(procfile()["web"])[1:], "--bind"]
    server = subprocess.Popen(
        [*args, f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=clean_env(
            **PRODUCTION_LIKE,
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
            WEB_CONCURRENCY="1",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = None
        deadline = time.monotonic() + 30
        while body is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    body = json.load(r)
            except OSError:
                time.sleep(0.2)
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    assert body == {"database": "ok"}, err
    assert out.count("GET /healthz HTTP/1.1") == 1
    assert "GET /healthz" not in err


# Logging ---------------------------------------------------------------------------------------

LOG_LINES = """
import logging, django
django.setup()
logging.getLogger("django.request").error("a line from django.request")
logging.getLogger("django.security.csrf").warning("a line from django.security")
logging.getLogger("emergence.outbox").warning("a line from emergence.outbox")
"""


@pytest.mark.parametrize("debug", ["true", "false"])
def test_a_logged_line_is_printed_once(debug):
    result = run(
        [sys.executable, "-c", LOG_LINES],
        **{**PRODUCTION_LIKE, "DEBUG": debug},
        DJANGO_SETTINGS_MODULE="emergence.settings",
    )
    assert result.returncode == 0, result.stderr
    for source in ("django.request", "django.security", "emergence.outbox"):
        assert result.stderr.count(f"a line from {source}") == 1, result.stderr
    assert "ERROR django.request: a line from django.request" in result.stderr


# /healthz/deep: who may read it ----------------------------------------------------------------


@pytest.fixture
def deep(settings):
    settings.CELERY_BROKER_URL = ""  # tasks run eagerly: nothing to wait for from a worker
    settings.HEALTHZ_TOKEN = TOKEN
    return "/healthz/deep"


@pytest.mark.django_db
def test_staff_read_the_deep_health_check(staff_client, deep):
    response = staff_client.get(deep)
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert set(report) >= {"database", "broker", "worker", "beat", "outbox"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_monitor_reads_the_deep_health_check_with_the_token_in_a_header(client, deep):
    response = client.get(deep, headers={"X-Healthz-Token": TOKEN})
    assert response.status_code == 200
    assert response.json()["database"]["status"] == "ok"


@pytest.mark.django_db
def test_a_monitor_reads_the_deep_health_check_with_the_token_in_the_address(client, deep):
    response = client.get(f"{deep}?token={TOKEN}")
    assert response.status_code == 200
    assert response.json()["outbox"]["unsent"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers,query",
    [({}, ""), ({"X-Healthz-Token": "wrong"}, ""), ({}, "?token=wrong"), ({}, "?token=")],
)
def test_anyone_else_gets_a_404_that_says_nothing(client, deep, headers, query):
    response = client.get(deep + query, headers=headers)
    assert response.status_code == 404
    assert b"database" not in response.content


@pytest.mark.django_db
def test_a_laureate_gets_a_404_from_the_deep_health_check(laureate_client, deep):
    assert laureate_client.get(deep).status_code == 404


@pytest.mark.django_db
def test_without_a_token_setting_no_token_opens_the_deep_health_check(client, deep, settings):
    settings.HEALTHZ_TOKEN = ""
    assert client.get(deep, headers={"X-Healthz-Token": ""}).status_code == 404
    assert client.get(f"{deep}?token=").status_code == 404


@pytest.mark.django_db
def test_a_worker_never_seen_is_told_in_the_report_while_the_site_answers_200(
    client, deep, settings, monkeypatch
):
    from emergence import health

    settings.CELERY_BROKER_URL = "redis://broker.example.org:6379/0"
    monkeypatch.setattr(health, "broker_answers", lambda: True)
    response = client.get(deep, headers={"X-Healthz-Token": TOKEN})
    assert response.status_code == 200
    assert response.json()["status"] == "late"
    assert response.json()["worker"]["status"] == "missing"


@pytest.mark.django_db
def test_the_deep_health_check_answers_503_when_the_broker_is_down(
    client, deep, settings, monkeypatch
):
    from emergence import health

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(health, "broker_answers", lambda: False)
    response = client.get(deep, headers={"X-Healthz-Token": TOKEN})
    assert response.status_code == 503
    assert response.json()["status"] == "down"


# SQLite for a few people at once ---------------------------------------------------------------

READ_DATABASE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps(settings.DATABASES["default"].get("OPTIONS", {})))
"""


def database_options(**env: str) -> dict:
    result = run(
        [sys.executable, "-c", READ_DATABASE], DJANGO_SETTINGS_MODULE="emergence.settings", **env
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_sqlite_default_waits_for_other_writers_instead_of_failing():
    options = database_options()
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "PRAGMA journal_mode=WAL" in options["init_command"]


def test_postgresql_gets_none_of_sqlites_options():
    options = database_options(DATABASE_URL="postgres://emergence@db.example.org:5432/emergence")
    assert "transaction_mode" not in options
    assert "init_command" not in options


def test_postgresql_pages_run_without_parallel_workers_unless_asked(db):
    from django.db import connection

    url = "postgres://emergence@db.example.org:5432/emergence"
    default = database_options(DATABASE_URL=url)["options"]
    asked = database_options(DATABASE_URL=url, PG_PARALLEL_WORKERS="2")["options"]

    assert default == "-c max_parallel_workers_per_gather=0"
    assert asked == "-c max_parallel_workers_per_gather=2"
    if connection.vendor == "postgresql":  # the suite's own connection, as configured
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            assert cursor.fetchone() == ("0",)


def test_a_sqlite_file_opens_in_write_ahead_logging_with_a_busy_timeout(
    tmp_path, django_db_blocker
):
    options = database_options(SQLITE_TIMEOUT="7")
    settings_dict = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "db.sqlite3"),
        "OPTIONS": options,
    }
    db = ConnectionHandler({"default": settings_dict})["default"]
    with django_db_blocker.unblock():
        try:
            with db.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone() == ("wal",)
                cursor.execute("PRAGMA busy_timeout")
                assert cursor.fetchone() == (7000,)
            assert db.transaction_mode == "IMMEDIATE"
        finally:
            db.close()


# Look-ups by e-mail use the unique index on lower(email) ---------------------------------------


@pytest.mark.django_db
def test_an_account_is_found_by_its_e_mail_whatever_the_case_and_spaces():
    user = UserFactory(email="ines.petit@example.org")
    assert list(User.objects.by_email("  Ines.PETIT@Example.org ")) == [user]
    assert User.objects.get_by_natural_key("INES.petit@example.org") == user
    assert not User.objects.by_email("").exists()
    assert not User.objects.by_email(None).exists()


def test_the_e_mail_look_up_compares_the_indexed_expression():
    sql = str(User.objects.by_email("Ines@Example.org").query)
    assert 'LOWER("emergence_user"."email") = ines@example.org' in sql


@pytest.mark.django_db
def test_the_password_reset_finds_the_account_through_the_indexed_expression():
    from django.test.utils import CaptureQueriesContext

    from emergence.forms import EmailPasswordResetForm

    user = UserFactory(email="ines.petit@example.org")
    user.set_password("a-long-enough-password-2026")
    user.save()
    with CaptureQueriesContext(connection) as queries:
        found = list(EmailPasswordResetForm().get_users("Ines.Petit@Example.org"))
    assert found == [user]
    (query,) = [q["sql"] for q in queries.captured_queries]
    assert 'LOWER("emergence_user"."email")' in query
    assert "UPPER" not in query


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        # A small test table is read whole anyway; without sequential scans, the planner uses
        # the index whenever the condition can use it.
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


@pytest.mark.django_db
def test_on_postgresql_the_e_mail_look_ups_of_imports_and_forms_are_index_scans():
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN's index scans are PostgreSQL's")
    LaureateFactory.create_batch(3)
    laureate = LaureateFactory(user__email="ines.petit@example.org")
    users = User.objects.by_email("Ines.Petit@example.org")
    assert "user_email_unique_ci" in plan(users)
    laureates = Laureate.objects.filter(user__in=users)
    assert "user_email_unique_ci" in plan(laureates)
    assert list(laureates) == [laureate]
    # Why: "iexact" compiles to UPPER(email), which the index on lower(email) cannot answer.
    assert "user_email_unique_ci" not in plan(User.objects.filter(email__iexact="x@example.org"))
