"""Settings as production sees them: run ``manage.py`` in a subprocess with a clean environment."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management.utils import get_random_secret_key

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "emergence.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://emergence.example.org",
    "SITE_URL": "https://emergence.example.org",
    "DATABASE_URL": "postgres://emergence:secret@db.example.org:5432/emergence",
    "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.org:587/?tls=True",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        # Only what the shell gives any process: no project setting leaks in from the test run.
        if key in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "VIRTUAL_ENV"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deploy_check():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=get_random_secret_key(),
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_django_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = manage("check", **PRODUCTION)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_laptop_defaults_start_without_any_environment():
    result = manage("check")
    assert result.returncode == 0, result.stderr
