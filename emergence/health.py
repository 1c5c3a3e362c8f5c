"""What /healthz/deep reports: the database, the broker, the worker's and the beat's last
heartbeats and the outbox backlog, each with its age in seconds.

``/healthz`` (emergence/views.py) stays the cheap floor a load balancer polls; this one reads
four small things and is for a person or a monitor with the token (HEALTHZ_TOKEN).
"""

import time

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone

from emergence.models import Heartbeat, OutboxEmail, OutboxStatus

WORKER = "worker"
BEAT = "beat"


def heartbeat_record(*, name: str) -> None:
    """Say that ``name`` (WORKER or BEAT) is alive now: one upsert of a one-row table."""
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, at=timezone.now())],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["at"],
    )


def health_deep() -> dict:
    """Each check as {"status": ..., "age_seconds": ...} plus the overall "status": "ok" when
    every check is "ok" (or "eager": no broker, tasks run in the request), else "late" (a
    heartbeat or the outbox's oldest row is older than allowed) or "down"."""
    now = timezone.now()
    checks = {"database": _timed(database_answers)}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _timed(broker_answers)
        beats = dict(Heartbeat.objects.values_list("name", "at"))
        late_after = settings.HEALTHZ_LATE_SECONDS
        checks[WORKER] = _heartbeat(beats.get(WORKER), now=now, late_after=late_after)
        checks[BEAT] = _heartbeat(beats.get(BEAT), now=now, late_after=late_after)
    else:
        checks["broker"] = checks[WORKER] = checks[BEAT] = {"status": "eager"}
    checks["outbox"] = _outbox(now=now)
    statuses = {check["status"] for check in checks.values()}
    overall = "down" if "down" in statuses else "ok" if statuses <= {"ok", "eager"} else "late"
    return {"status": overall, "checked_at": now.isoformat(), **checks}


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def broker_answers() -> bool:
    """One connection attempt, no retry: a health check must answer within a couple of seconds."""
    from emergence.celery import app

    try:
        with app.connection_for_write(
            settings.CELERY_BROKER_URL,
            connect_timeout=2,
            transport_options={"socket_timeout": 2, "socket_connect_timeout": 2},
        ) as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
        return True
    except Exception:
        return False


def _timed(check) -> dict:
    started = time.monotonic()
    ok = check()
    return {
        "status": "ok" if ok else "down",
        "age_seconds": 0,
        "ms": round((time.monotonic() - started) * 1000, 1),
    }


def _heartbeat(at, *, now, late_after: int) -> dict:
    if at is None:
        return {"status": "missing", "last_seen": None, "age_seconds": None}
    age = max(0, round((now - at).total_seconds()))
    return {
        "status": "ok" if age <= late_after else "late",
        "last_seen": at.isoformat(),
        "age_seconds": age,
    }


def _outbox(*, now) -> dict:
    """Rows waiting to be sent (pending, or claimed by a worker) and the oldest one's age; the
    failed ones, given up and waiting for staff in the console, are counted apart."""
    backlog = OutboxEmail.objects.filter(
        status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]
    ).aggregate(unsent=Count("pk"), oldest=Min("created_at"))
    backlog["failed"] = OutboxEmail.objects.filter(status=OutboxStatus.FAILED).count()
    oldest = backlog["oldest"]
    age = max(0, round((now - oldest).total_seconds())) if oldest else None
    late = age is not None and age > settings.HEALTHZ_OUTBOX_LATE_SECONDS
    return {
        "status": "late" if late else "ok",
        "unsent": backlog["unsent"],
        "oldest_unsent": oldest.isoformat() if oldest else None,
        "age_seconds": age,
        "failed": backlog["failed"],
    }
