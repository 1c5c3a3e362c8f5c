from celery import shared_task

from emergence.outbox import (
    OutboxMessage,
    OutboxSendError,
    outbox_deliver,
    outbox_requeue_stale,
    outbox_send_batch,
    outbox_write_and_send,
)


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_outbox_email(self, pk: int) -> None:
    """Send one outbox row; the row, not Celery, counts the attempts and ends them."""
    while True:
        try:
            outbox_deliver(pk=pk)
            return
        except OutboxSendError as error:
            if not self.request.is_eager:
                raise self.retry(countdown=error.countdown) from error
            # Eager (no broker, a laptop or the tests): nothing to wait on, try again now.


@shared_task(acks_late=True)
def send_outbox_emails(pks: list[int]) -> int:
    """Send a batch of outbox rows over one SMTP connection: claimed together in one UPDATE
    that skips rows another worker holds, so a batch run twice, or redelivered after a worker
    died, sends each row once; a failed row is queued again on its own backoff."""
    return outbox_send_batch(pks=pks)


@shared_task(acks_late=True)
def write_and_send_outbox_emails(messages: list[dict]) -> int:
    """Render, write and send a batch of e-mails queued by ``outbox_queue_many``; run twice,
    or redelivered after a worker died, it writes and sends each key once."""
    return outbox_write_and_send(messages=[OutboxMessage(**message) for message in messages])


@shared_task(acks_late=True)
def requeue_stale_outbox_emails() -> int:
    """The periodic sweep: rows whose task was lost are queued again."""
    return outbox_requeue_stale()


@shared_task(acks_late=True)
def build_data_export(pk: int) -> None:
    """Prepare a person's data download and e-mail them the link; safe to run twice."""
    from emergence.data_rights import data_export_build

    data_export_build(pk=pk)


@shared_task(acks_late=True)
def apply_retention() -> dict[str, int]:
    """Daily (beat): apply every retention rule; each logs what it did. Safe to run twice: a
    second run finds nothing more that is due."""
    from emergence.personal_data import retention_apply

    return retention_apply()


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Every minute (beat): the worker that runs it is alive, and so is the beat that sent it
    (the entry expires before the next one, so a late run never passes for a fresh one)."""
    from emergence.health import BEAT, WORKER, heartbeat_record

    heartbeat_record(name=WORKER)
    heartbeat_record(name=BEAT)


@shared_task(acks_late=True)
def refresh_overview_snapshots() -> int:
    """Nightly (beat, after the daily triage refresh): count the staff overview's unfiltered
    figures for each role and language, so that the admin's index reads them in one query.
    Safe to run twice: each run replaces the rows."""
    from emergence.overview_snapshots import overview_snapshots_refresh

    return overview_snapshots_refresh()


@shared_task(acks_late=True)
def run_background_job(pk: int) -> None:
    """A long export or import (emergence/jobs.py); safe to run twice: a finished job is left
    as it is."""
    from emergence.jobs import job_run

    job_run(pk=pk)


@shared_task(acks_late=True)
def sweep_background_jobs() -> dict[str, int]:
    """Every few minutes (beat): a job whose task was lost is queued again, one whose worker
    died is failed and says so (emergence/jobs.py job_sweep); safe to run twice."""
    from emergence.jobs import job_sweep

    return job_sweep()
