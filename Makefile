# Two commands for a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
# Stamps: pip runs again only when a requirements file changes.
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev

.PHONY: demo test bench bench-imports fault lint install serve load

$(PY):
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(DEV): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(RUNTIME) $@

install: $(RUNTIME)

demo: $(RUNTIME)
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	@echo
	@echo "  Emergence demo: http://127.0.0.1:$(PORT)/"
	@echo "  Password for every login: demo-emergence-2026"
	@echo "    lead@example.org          Direction du programme (programme lead) -> /admin/"
	@echo "    referent@example.org      Référent·e, referent of laureate@example.org -> /admin/"
	@echo "    workshops@example.org     Ateliers (workshops)            -> /admin/"
	@echo "    partnerships@example.org  Entreprises (partnerships)      -> /admin/"
	@echo "    staff@example.org         technical administrator (superuser) -> /admin/"
	@echo "    laureate@example.org      laureate                        -> /me/"
	@echo "    partner@example.org       partner company member          -> /partners/"
	@echo "    sponsor@example.org       sponsor of laureate@example.org -> /sponsor/ (or a sign-in link)"
	@echo "    animator@example.org      laureate animating the prépa workshops -> /workshops/animate/"
	@echo "  Two-factor sign-in, off in the demo (STAFF_MFA_REQUIRED=true make demo to try it):"
	@echo "    staff@example.org's authenticator secret (TOTP): EMERGENCEDEMOSTAFFTOTPSECRETKEYS"
	@echo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# A production-like run on this machine (README, "Deployment"): the Procfile's release (migrate,
# collectstatic), then its web (gunicorn), worker and beat through honcho, DEBUG off, against
# DATABASE_URL (default: the SQLite file) and CELERY_BROKER_URL (needed: redis://...).
# The SECRET_KEY and ALLOWED_HOSTS defaults here are for a local run only, never production.
SERVE_ENV = PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DEBUG=false \
	SECRET_KEY="$${SECRET_KEY:-local-make-serve-only-not-a-production-secret-0123456789}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-false}" \
	EMAIL_URL="$${EMAIL_URL:-file:///sent-emails}"

serve: $(DEV)
	@test -n "$$CELERY_BROKER_URL" || { echo "make serve needs CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) and, for PostgreSQL, DATABASE_URL." >&2; exit 2; }
	$(SERVE_ENV) $(VENV)/bin/honcho start --no-colour release
	@echo "  Emergence (DEBUG off): http://localhost:$(PORT)/   e-mails: sent-emails/ unless EMAIL_URL says otherwise"
	$(SERVE_ENV) $(VENV)/bin/honcho start --no-colour --port $(PORT) web worker beat

test: $(DEV)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: $(RUNTIME)
	$(PY) bench/run.py

# Served as in production under load: LOAD_LAUREATES (100,000) in a scratch PostgreSQL database
# (LOAD_DATABASE_URL), the Procfile's web process, LOAD_USERS (20) Locust users for LOAD_SECONDS
# (30) per page; p50 / p95 / errors per page next to /healthz. LOAD_REUSE=1 keeps a loaded database.
load: $(DEV)
	$(PY) bench/load.py

# Imports: rows/s of a 10,000-row laureate file at 0 and 100,000 existing laureates (scratch
# database: BENCH_DATABASE_URL as for make bench; IMPORT_ROWS, IMPORT_EXISTING to change sizes).
bench-imports: $(RUNTIME)
	$(PY) bench/imports.py

# The reminder job through a real worker killed three times (PostgreSQL and Redis needed).
fault: $(DEV)
	$(PY) bench/fault_reminders.py

lint: $(DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
