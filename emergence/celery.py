"""The Celery app. Without CELERY_BROKER_URL, tasks run eagerly in-process."""

import os

from celery import Celery
from celery.signals import beat_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emergence.settings")

app = Celery("emergence")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# /healthz/deep: a worker and the beat say they are alive as they start; then each minute the
# beat's "heartbeat" entry (emergence.tasks.heartbeat) keeps both fresh.
@worker_ready.connect
def _worker_started(**kwargs) -> None:
    from django.db import connection

    from emergence.health import WORKER, heartbeat_record

    heartbeat_record(name=WORKER)
    if not connection.in_atomic_block:  # (a test's transaction holds it)
        connection.close()  # the worker's main process runs no task: no connection left idle


@beat_init.connect
def _beat_started(**kwargs) -> None:
    from emergence.health import BEAT, heartbeat_record

    heartbeat_record(name=BEAT)
