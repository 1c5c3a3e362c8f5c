"""Emergence settings, read from the environment with defaults that run on a laptop."""

import datetime
import os
from pathlib import Path

import dj_database_url
import dj_email_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env_str(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_ints(name: str, default: str = "") -> list[int]:
    return [int(item) for item in env_list(name, default)]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "emergence",
    "laureates",
    "reports",
    "workshops",
    "partners",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "django_celery_beat",
    "django_filters",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "emergence.middleware.SecurityHeadersMiddleware",
    "emergence.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "emergence.urls"
WSGI_APPLICATION = "emergence.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "emergence.context_processors.roles",
            ],
        },
    },
]


def database(url: str, **parse) -> dict:
    """The database of ``url`` (dj_database_url), with the options its engine needs here."""
    config = dj_database_url.parse(url, **parse)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # The laptop default holds a few people at once: write-ahead logging (readers never
        # wait for a writer), transactions that take the write lock as they begin, and a
        # writer that waits up to SQLITE_TIMEOUT seconds for another instead of answering
        # « database is locked ». PostgreSQL is still the database for more than a handful.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": int(env_str("SQLITE_TIMEOUT", "20")),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            **config.get("OPTIONS", {}),
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # A page's queries are short: starting a parallel worker costs more than it saves
        # (5-10 ms on a 2-core machine: a company's offer page at 100,000 laureates 26 ->
        # 14 ms) and, under load, takes a core from another request. PG_PARALLEL_WORKERS
        # gives PostgreSQL's per-query workers back (its default is 2).
        workers = int(env_str("PG_PARALLEL_WORKERS", "0"))
        config["OPTIONS"] = {
            "options": f"-c max_parallel_workers_per_gather={workers}",
            **config.get("OPTIONS", {}),
        }
    return config


DATABASES = {
    "default": database(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env_str("DB_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "emergence.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Invitation and password-reset links stay valid for this long.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * int(env_str("INVITATION_DAYS", "5"))

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
# British English dates ("15 January 2027", "12/08/2026" for 12 August): emergence/formats/en/.
FORMAT_MODULE_PATH = ["emergence.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# collectstatic (each production start: the Procfile's release, make serve) compresses every
# file; the source maps, 60 % of the bytes and read only by a browser's developer tools, are
# left as they are: 2.5 times faster.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: EMAIL_URL (smtp://user:pass@host:587/?tls=True) or the console in debug.
_email_url = env_str("EMAIL_URL", "console://" if DEBUG else "smtp://localhost:25")
_email = dj_email_url.parse(_email_url)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or 30
if _email["EMAIL_FILE_PATH"]:
    # file:///sent-emails writes each e-mail as a file in the folder sent-emails/ of the
    # project (a relative path is taken from the project folder; file:////tmp/mail for /tmp).
    EMAIL_FILE_PATH = str(BASE_DIR / _email["EMAIL_FILE_PATH"])
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Emergence <no-reply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: without a broker, tasks run eagerly in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged task to another worker after this many seconds: a worker
# killed mid-task loses nothing. Retries always wait less than this (emergence/outbox.py).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(env_str("CELERY_VISIBILITY_TIMEOUT", "3600"))
}
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Each periodic job is an idempotent "what is due now" task; beat copies these entries into
# django-celery-beat's database schedule, where the admin shows them.
CELERY_BEAT_SCHEDULE = {
    "workshop-session-reminders": {
        "task": "workshops.tasks.send_session_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "workshop-feedback-requests": {
        "task": "workshops.tasks.request_series_feedback",
        "schedule": crontab(hour=8, minute=15),
    },
    "outbox-requeue-stale": {
        "task": "emergence.tasks.requeue_stale_outbox_emails",
        "schedule": crontab(minute="*/15"),
    },
    # Background jobs whose task was lost are queued again, stuck ones failed (JOB_* below).
    "background-jobs-sweep": {
        "task": "emergence.tasks.sweep_background_jobs",
        "schedule": crontab(minute="*/5"),
    },
    # Alumni asked once a year whether they are still looking (a bounded batch per day).
    "alumni-search-ask": {
        "task": "laureates.tasks.ask_alumni_about_their_search",
        "schedule": crontab(hour=9, minute=0),
    },
    # Who partners see, recomputed for everyone: a write path that forgot to refresh
    # Search.shared_consent_until is fixed and logged (the dashboard's rows never relied on it).
    "partner-sharing-check": {
        "task": "laureates.tasks.check_partner_sharing",
        "schedule": crontab(hour=3, minute=45),
    },
    # Sponsor and laureate reminded after SPONSOR_NUDGE_DAYS without a meeting (once a gap).
    "sponsor-nudges": {
        "task": "reports.tasks.send_sponsor_nudges",
        "schedule": crontab(hour=9, minute=30),
    },
    "introductions-expiry": {
        "task": "partners.tasks.expire_introductions",
        "schedule": crontab(hour=7, minute=30),
    },
    "report-reminders": {
        "task": "reports.tasks.run_daily_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # The staff overview's figures, counted after the daily job refreshed the triage scores.
    "overview-snapshots": {
        "task": "emergence.tasks.refresh_overview_snapshots",
        "schedule": crontab(hour=7, minute=40),
    },
    # Every retention rule (RETENTION_DAYS below), staff read records included.
    "retention": {
        "task": "emergence.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=30),
    },
    # /healthz/deep: the worker that runs it and the beat that sent it are alive.
    "heartbeat": {
        "task": "emergence.tasks.heartbeat",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
}
# A row left "sending" this long (its worker died mid-send) may be claimed and sent again.
OUTBOX_SENDING_TIMEOUT = int(env_str("OUTBOX_SENDING_TIMEOUT", str(15 * 60)))

# Spreadsheet imports (emergence/spreadsheets/limits.py): a bigger file is refused whole.
IMPORT_MAX_ROWS = int(env_str("IMPORT_MAX_ROWS", "50000"))
IMPORT_MAX_BYTES = int(env_str("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))

# Background jobs (emergence/jobs.py): an import of more rows than BACKGROUND_IMPORT_ROWS, or an
# export of more than BACKGROUND_EXPORT_ROWS, runs in a worker with a progress bar; its file
# stays JOB_FILE_DAYS days for the person who asked, then retention deletes it.
BACKGROUND_IMPORT_ROWS = int(env_str("BACKGROUND_IMPORT_ROWS", "1000"))
BACKGROUND_EXPORT_ROWS = int(env_str("BACKGROUND_EXPORT_ROWS", "5000"))
JOB_FILE_DAYS = int(env_str("JOB_FILE_DAYS", "7"))
# The sweep (every 5 minutes): a job still waiting for a worker JOB_QUEUED_TIMEOUT seconds
# after it was queued is queued again, at most JOB_REQUEUES times, then failed; a running job
# whose progress has not moved for JOB_RUNNING_TIMEOUT seconds is failed (its worker died).
JOB_QUEUED_TIMEOUT = int(env_str("JOB_QUEUED_TIMEOUT", str(10 * 60)))
JOB_REQUEUES = int(env_str("JOB_REQUEUES", "2"))
JOB_RUNNING_TIMEOUT = int(env_str("JOB_RUNNING_TIMEOUT", str(30 * 60)))

# Workshops: the French school-holiday zone (A, B or C) of the programme's schools, the
# default of each series' own zone (prépa sessions are proposed in its holidays).
WORKSHOPS_DEFAULT_ZONE = env_str("WORKSHOPS_DEFAULT_ZONE", "C")

# Report reminders (reports/reminders.py): days before and after a period's due date, the
# referent's escalation that many days after the last overdue reminder, the weekday of the
# referents' digest (0 is Monday), and how many days a missed daily run is caught up.
REPORT_REMINDER_DAYS_BEFORE = env_ints("REPORT_REMINDER_DAYS_BEFORE", "7,1")
REPORT_OVERDUE_DAYS_AFTER = env_ints("REPORT_OVERDUE_DAYS_AFTER", "3,10")
REPORT_ESCALATION_DAYS_AFTER = int(env_str("REPORT_ESCALATION_DAYS_AFTER", "3"))
REPORT_DIGEST_WEEKDAY = int(env_str("REPORT_DIGEST_WEEKDAY", "0"))
REPORT_CATCH_UP_DAYS = int(env_str("REPORT_CATCH_UP_DAYS", "3"))

# « Mes données » (README): a person's data download stays this many days; then retention,
# in days, per rule (each registered by the app that owns the data, applied daily by
# emergence.tasks.apply_retention; `manage.py apply_retention --dry-run` says what it would do).
# Each can be set as RETENTION_<NAME>_DAYS, e.g. RETENTION_OUTBOX_BODIES_DAYS=60.
DATA_EXPORT_DAYS = int(env_str("DATA_EXPORT_DAYS", "7"))
RETENTION_DAYS = {
    name: int(env_str(f"RETENTION_{name.upper()}_DAYS", str(days)))
    for name, days in {
        "left_laureates": 3 * 365,  # from leaving (Laureate.left_on): the person is erased
        "alumni_report_text": 5 * 365,  # from the period's due date: free text emptied
        "partner_view_logs": 365,  # deleted
        "outbox_bodies": 90,  # sent e-mails: the text and HTML emptied, the row kept
        "read_records": 365,  # staff read records ("who looked"), deleted
        "data_exports": 0,  # from their expiry: deleted
        "background_jobs": 0,  # from their expiry: deleted, with their file
    }.items()
}

# Admin lists never count a whole table to paginate it.
ADMIN_LIST_PER_PAGE = 100

# --- Security headers and cookies (README, "Security") ------------------------------------
# The Content-Security-Policy of every page, the console included (django-csp). No inline
# script, style attribute or event handler anywhere; browsers report what the policy blocked to
# /csp-report/ (emergence/csp.py), which logs it as "emergence.csp", CSP_REPORTS_PER_MINUTE
# reports a minute per client address at most.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
        "report-uri": ["/csp-report/"],
    },
}
CSP_REPORTS_PER_MINUTE = int(env_str("CSP_REPORTS_PER_MINUTE", "10"))
# Permissions-Policy and Cache-Control: no-store come from emergence/middleware.py.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REFERRER_POLICY = "same-origin"
# Every cookie (session, CSRF, language) is Secure once DEBUG is off, never read by a script
# (the report's autosave sends the CSRF token of the form's hidden input), and SameSite=Lax.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"
# /.well-known/security.txt: where to report a vulnerability (an e-mail or an https:// URL).
_from_domain = DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >")
SECURITY_CONTACT = env_str("SECURITY_CONTACT", f"security@{_from_domain}")
if "@" in SECURITY_CONTACT and ":" not in SECURITY_CONTACT:
    SECURITY_CONTACT = f"mailto:{SECURITY_CONTACT}"
# --- end of security headers and cookies ---------------------------------------------------

# --- Sign-in: lockout, password-reset limits, two-factor for staff, sessions -------------
# (README, "Security" > "Sign-in"; the code is in emergence/security.py and emergence/mfa.py.)
# django-otp's apps come before ours: emergence/admin.py takes their device pages out of the
# console (a secret is never shown there; the lead resets devices from the user list).
INSTALLED_APPS[0:0] = ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
INSTALLED_APPS += ["axes"]
# django-otp's OTPMiddleware tells whether the session passed the second step; the next two
# end idle staff sessions and send staff to the second step; axes' comes last, as it asks.
_after_auth = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE[_after_auth:_after_auth] = [
    "django_otp.middleware.OTPMiddleware",
    "emergence.security.SessionAgeMiddleware",
    "emergence.mfa.StaffMFAMiddleware",
]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "emergence.security.LockoutBackend",  # axes: refuses a locked-out e-mail and address
    "django.contrib.auth.backends.ModelBackend",
    # Sponsors' sign-in links (django-sesame), for sponsor accounts only: laureates/sponsors.py.
    "laureates.sponsors.SponsorLinkBackend",
]
# A sign-in link works once, for 15 minutes (signing in changes the last login it is tied to).
SESAME_MAX_AGE = int(env_str("SPONSOR_LINK_SECONDS", "900"))
SESAME_ONE_TIME = True
# A sponsorship without a meeting for this many days: the sponsor and the laureate are
# reminded once (laureates/sponsors.py, a daily task).
SPONSOR_NUDGE_DAYS = int(env_str("SPONSOR_NUDGE_DAYS", "60"))
# 5 failures for one e-mail from one address lock that pair for 15 minutes (from the last
# try); a success resets the count. The page reads the same whether the account exists.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every start, no line per sign-in on the console
AXES_USERNAME_CALLABLE = "emergence.security.login_username"
AXES_LOCKOUT_CALLABLE = "emergence.security.lockout_response"
# Behind a proxy, the client's address comes from this header only (e.g. X-Forwarded-For),
# CLIENT_IP_PROXY_COUNT entries from the right; unset: the connection's address.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER")
CLIENT_IP_PROXY_COUNT = int(env_str("CLIENT_IP_PROXY_COUNT", "1"))
AXES_CLIENT_IP_CALLABLE = "emergence.security.client_ip"
RATELIMIT_IP_META_KEY = "emergence.security.client_ip"
# Password-reset requests, counted by django-ratelimit in the default cache, which every web
# process must share: CACHE_URL (redis://...), by default the broker's Redis when it is one.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env_str("PASSWORD_RESET_LIMIT_PER_ADDRESS", "10/h")
PASSWORD_RESET_LIMIT_PER_EMAIL = env_str("PASSWORD_RESET_LIMIT_PER_EMAIL", "3/h")
CACHE_URL = env_str("CACHE_URL", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Two-factor sign-in (TOTP and backup codes, django-otp) before any staff page: on unless
# DEBUG is on; STAFF_MFA_REQUIRED=true in the demo to try it.
STAFF_MFA_REQUIRED = env_bool("STAFF_MFA_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = "Emergence"
# Staff sessions end after this many minutes without a request; the others' after
# SESSION_COOKIE_AGE seconds (14 days).
STAFF_SESSION_IDLE_MINUTES = int(env_str("STAFF_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = int(env_str("SESSION_COOKIE_AGE", str(14 * 24 * 60 * 60)))
# --- end of sign-in ------------------------------------------------------------------------

# --- Change history (README, "Security" > "Change history"; emergence/history.py) ----------
# django-simple-history: each tracked model's changes, with the person signed in during the
# request (none for tasks and commands).
INSTALLED_APPS += ["simple_history"]
MIDDLEWARE.append("simple_history.middleware.HistoryRequestMiddleware")
# --- end of change history -----------------------------------------------------------------

# --- Donations' tax receipts (README, "Partners" > "Co-optation"; partners/receipts.py) -----
# The organisation as the Cerfa n° 11580 receipt names it. The defaults are the demo's.
DONATION_RECEIPT_ORGANISATION = {
    "name": env_str("RECEIPT_ORGANISATION_NAME", "Association Emergence"),
    "address": env_str("RECEIPT_ORGANISATION_ADDRESS", "12 rue des Lilas"),
    "postcode": env_str("RECEIPT_ORGANISATION_POSTCODE", "75020"),
    "city": env_str("RECEIPT_ORGANISATION_CITY", "Paris"),
    "object": env_str(
        "RECEIPT_ORGANISATION_OBJECT",
        "Accompagner vers la réussite des étudiants brillants issus de milieux modestes",
    ),
    # « Œuvre ou organisme d'intérêt général », « Association reconnue d'utilité publique »…
    "quality": env_str("RECEIPT_ORGANISATION_QUALITY", "Œuvre ou organisme d’intérêt général"),
    "siren": env_str("RECEIPT_ORGANISATION_SIREN", "000 000 000"),
    "rna": env_str("RECEIPT_ORGANISATION_RNA", "W000000000"),
    "signatory_name": env_str("RECEIPT_SIGNATORY_NAME", "Nadia Ferhat"),
    "signatory_role": env_str("RECEIPT_SIGNATORY_ROLE", "Directrice du programme"),
}
# --- end of donations' tax receipts ---------------------------------------------------------

# Logging: every line once, on the standard error, from the root logger. Django's own
# "django" logger is emptied (its console handler, on in DEBUG, printed each of its lines a
# second time through the root); runserver's request lines ("django.server") keep theirs.
# gunicorn writes its access log to the standard output itself (gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}

# /healthz/deep (emergence/health.py): for staff, or for a monitor sending this token (in the
# X-Healthz-Token header or as ?token=); unset, only staff. A worker's or the beat's heartbeat
# older than HEALTHZ_LATE_SECONDS, or an unsent e-mail older than HEALTHZ_OUTBOX_LATE_SECONDS,
# makes its "status" "late".
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN")
HEALTHZ_LATE_SECONDS = int(env_str("HEALTHZ_LATE_SECONDS", "300"))
HEALTHZ_OUTBOX_LATE_SECONDS = int(env_str("HEALTHZ_OUTBOX_LATE_SECONDS", "3600"))

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    X_FRAME_OPTIONS = "DENY"
