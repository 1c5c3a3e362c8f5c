"""The benchmark's settings: the project's, on a scratch database, without debug overhead."""

import os
from pathlib import Path

from emergence.settings import *  # noqa: F403

OUT = Path(__file__).resolve().parent / "out"

DEBUG = False
ALLOWED_HOSTS = ["testserver"]
DATABASES = {
    "default": database(  # noqa: F405
        os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{OUT / 'bench.sqlite3'}"
    )
}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
