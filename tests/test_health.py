import datetime
import time

import pytest
import time_machine
from django.conf import settings
from django.db.utils import ConnectionHandler

from emergence import health, tasks
from emergence.models import Heartbeat, OutboxEmail, OutboxStatus

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
    monkeypatch.setattr(health, "connection", broken)
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


# /healthz/deep: what it reports (who may read it: tests/test_production.py) -----------------

NOW = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def broker_up(settings, monkeypatch):
    """A configured broker that answers, without needing one: the heartbeats are then read."""
    settings.CELERY_BROKER_URL = "redis://broker.example.org:6379/0"
    monkeypatch.setattr(health, "broker_answers", lambda: True)


def outbox_row(key: str, *, status=OutboxStatus.PENDING, created_at=NOW, **extra) -> OutboxEmail:
    return OutboxEmail.objects.create(
        key=key,
        kind="test",
        to=f"{key}@example.org",
        language="fr",
        subject="Subject",
        text="Text",
        status=status,
        created_at=created_at,
        **extra,
    )


@pytest.mark.django_db
def test_deep_health_without_a_broker_says_tasks_run_eagerly(no_broker):
    report = health.health_deep()
    assert report["status"] == "ok"
    assert report["database"]["status"] == "ok"
    assert report["database"]["age_seconds"] == 0
    for name in ("broker", "worker", "beat"):
        assert report[name] == {"status": "eager"}
    assert report["outbox"] == {
        "status": "ok",
        "unsent": 0,
        "oldest_unsent": None,
        "age_seconds": None,
        "failed": 0,
    }


@pytest.mark.django_db
def test_deep_health_gives_the_age_of_the_worker_and_beat_heartbeats(broker_up):
    Heartbeat.objects.create(name=health.WORKER, at=NOW - datetime.timedelta(seconds=40))
    Heartbeat.objects.create(name=health.BEAT, at=NOW - datetime.timedelta(seconds=70))
    with time_machine.travel(NOW, tick=False):
        report = health.health_deep()
    assert report["status"] == "ok"
    assert report["broker"]["status"] == "ok"
    assert report["worker"] == {
        "status": "ok",
        "last_seen": (NOW - datetime.timedelta(seconds=40)).isoformat(),
        "age_seconds": 40,
    }
    assert report["beat"]["age_seconds"] == 70


@pytest.mark.django_db
def test_a_silent_beat_makes_the_deep_health_late(broker_up, settings):
    settings.HEALTHZ_LATE_SECONDS = 300
    Heartbeat.objects.create(name=health.WORKER, at=NOW - datetime.timedelta(seconds=30))
    Heartbeat.objects.create(name=health.BEAT, at=NOW - datetime.timedelta(minutes=10))
    with time_machine.travel(NOW, tick=False):
        report = health.health_deep()
    assert report["status"] == "late"
    assert report["beat"]["status"] == "late"
    assert report["beat"]["age_seconds"] == 600
    assert report["worker"]["status"] == "ok"


@pytest.mark.django_db
def test_a_worker_never_seen_is_reported_missing(broker_up):
    report = health.health_deep()
    assert report["worker"] == {"status": "missing", "last_seen": None, "age_seconds": None}
    assert report["status"] == "late"


@pytest.mark.django_db
def test_an_unreachable_broker_makes_the_deep_health_down(settings, monkeypatch):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(health, "broker_answers", lambda: False)
    report = health.health_deep()
    assert report["broker"]["status"] == "down"
    assert report["status"] == "down"


@pytest.mark.django_db
def test_the_outbox_backlog_counts_unsent_rows_and_the_oldest_ones_age(no_broker, settings):
    settings.HEALTHZ_OUTBOX_LATE_SECONDS = 3600
    outbox_row("old", created_at=NOW - datetime.timedelta(minutes=20))
    outbox_row(
        "claimed", status=OutboxStatus.SENDING, created_at=NOW - datetime.timedelta(minutes=5)
    )
    outbox_row("given-up", status=OutboxStatus.FAILED, created_at=NOW - datetime.timedelta(days=3))
    outbox_row(
        "done", status=OutboxStatus.SENT, created_at=NOW - datetime.timedelta(days=9), sent_at=NOW
    )
    with time_machine.travel(NOW, tick=False):
        report = health.health_deep()
    assert report["outbox"] == {
        "status": "ok",
        "unsent": 2,
        "oldest_unsent": (NOW - datetime.timedelta(minutes=20)).isoformat(),
        "age_seconds": 1200,
        "failed": 1,
    }
    assert report["status"] == "ok"


@pytest.mark.django_db
def test_an_e_mail_waiting_too_long_makes_the_deep_health_late(no_broker, settings):
    settings.HEALTHZ_OUTBOX_LATE_SECONDS = 3600
    outbox_row("stuck", created_at=NOW - datetime.timedelta(hours=2))
    with time_machine.travel(NOW, tick=False):
        report = health.health_deep()
    assert report["outbox"]["status"] == "late"
    assert report["outbox"]["age_seconds"] == 7200
    assert report["status"] == "late"


@pytest.mark.django_db
def test_the_beats_heartbeat_task_records_the_worker_and_the_beat_even_eagerly(no_broker):
    with time_machine.travel(NOW, tick=False):
        tasks.heartbeat.delay()
    assert dict(Heartbeat.objects.values_list("name", "at")) == {"worker": NOW, "beat": NOW}
    later = NOW + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        tasks.heartbeat.delay()
    assert Heartbeat.objects.count() == 2
    assert set(Heartbeat.objects.values_list("at", flat=True)) == {later}


@pytest.mark.django_db
def test_a_worker_and_the_beat_say_they_are_alive_as_they_start():
    from celery.signals import beat_init, worker_ready

    with time_machine.travel(NOW, tick=False):
        worker_ready.send(sender=None)
        beat_init.send(sender=None)
    assert dict(Heartbeat.objects.values_list("name", "at")) == {"worker": NOW, "beat": NOW}


def test_the_beat_sends_the_heartbeat_every_minute_and_it_expires_before_the_next():
    entry = settings.CELERY_BEAT_SCHEDULE["heartbeat"]
    assert entry["task"] == "emergence.tasks.heartbeat"
    assert entry["schedule"] == 60.0
    assert entry["options"]["expire_seconds"] < 60


@pytest.mark.django_db
def test_healthz_stays_the_cheap_floor(client, no_broker, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.json() == {"database": "ok"}
