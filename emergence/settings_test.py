"""Test-only overrides: fast hashing, mail in memory, eager tasks."""

from emergence.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_AUTOREFRESH = True
# Rate limits count in memory, emptied before each test (tests/conftest.py), even where a Redis
# broker is configured.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Two-factor sign-in for staff is off in tests, whatever DEBUG says; its tests turn it on.
STAFF_MFA_REQUIRED = False
# On PostgreSQL, the tests that commit empty the tables by DELETE rather than TRUNCATE: 2–3 s
# less per browser journey (tests/postgresql/base.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405
