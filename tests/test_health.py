import time

import pytest
from django.conf import settings
from django.db.utils import ConnectionHandler

from emergence import views

# A PostgreSQL server that cannot answer: nothing listens on port 1.
UNREACHABLE_DATABASE = {
    "ENGINE": "django.db.backends.postgresql",
    "HOST": "127.0.0.1",
    "PORT": "1",
    "NAME": "emergence",
    "USER": "emergence",
    "OPTIONS": {"connect_timeout": 2},
}


@pytest.fixture
def no_broker(settings):
    settings.CELERY_BROKER_URL = ""


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client, no_broker):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_unreachable(client, no_broker, monkeypatch):
    broken = ConnectionHandler({"default": UNREACHABLE_DATABASE})["default"]
    monkeypatch.setattr(views, "connection", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "down"}


@pytest.mark.django_db
def test_healthz_answers_503_quickly_when_the_broker_does_not_answer(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_healthz_checks_the_configured_broker(client):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("no CELERY_BROKER_URL configured")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
