"""Long work in the background: a big export or import runs in a Celery worker while the
person watches a progress bar (or leaves and comes back), then finds the file on the job's
page and in an e-mail, for JOB_FILE_DAYS days.

A job runs once: a worker claims it (queued -> running) in one conditional UPDATE. A job whose
task the broker lost, or whose worker died, is caught by the periodic sweep (``job_sweep``):
queued again if it never started, failed with a message to the person if it stopped moving.

Each app registers its kinds of job (``job_register``) with a function that does the work
for one job and reports its progress; the site starts one with ``job_start`` and sends the
person to ``job.get_absolute_url()``. Only the person who started a job sees it: anyone
else's, or an expired one, is not found.
"""

import datetime
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from emergence.models import BackgroundJob, JobStatus
from emergence.outbox import outbox_enqueue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobFile:
    content: bytes
    filename: str
    content_type: str


@dataclass(frozen=True)
class JobOutcome:
    """What a job leaves: a file to download, and/or what its page shows (counts, errors);
    ``notify`` says whether the person is e-mailed (an import's preview is not)."""

    file: JobFile | None = None
    result: dict = field(default_factory=dict)
    notify: bool = True


class JobLost(Exception):
    """The job was taken from this worker (the sweep failed it as stuck): stop its work."""


_UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class Progress:
    """Rows done out of ``total``, written at most once a second: the page reads it, and the
    sweep takes each write as a sign of life. A job the sweep has failed meanwhile stops here
    (``JobLost``), so that a worker thought dead does not finish it behind the person's back."""

    def __init__(self, job: BackgroundJob, *, every: float = 1.0):
        self.job, self.every, self._last, self._separate = job, every, 0.0, False

    def total(self, total: int) -> None:
        self.job.total = total
        self._write(force=True)

    def advance(self, done: int) -> None:
        self.job.done = min(done, self.job.total) if self.job.total else done
        self._write()

    @contextmanager
    def inside_transaction(self):
        """For work that writes all or nothing in one transaction (an import): there the
        progress goes through a connection of its own on PostgreSQL, so that the page sees it
        before the commit. SQLite allows one writer at a time: there the bar moves at the end."""
        self._separate = True
        try:
            yield self
        finally:
            self._separate = False

    def _write(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        self._last = now
        job = self.job
        touched = timezone.now()
        if not self._separate:
            written = BackgroundJob.objects.filter(pk=job.pk, status__in=_UNFINISHED).update(
                done=job.done, total=job.total, touched_at=touched
            )
        elif connection.vendor == "postgresql":
            side = connections.create_connection(DEFAULT_DB_ALIAS)
            try:
                with side.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {BackgroundJob._meta.db_table} "
                        "SET done = %s, total = %s, touched_at = %s "
                        "WHERE id = %s AND status IN (%s, %s)",
                        [job.done, job.total, touched, job.pk, *_UNFINISHED],
                    )
                    written = cursor.rowcount
                side.commit()
            finally:
                side.close()
        else:
            return
        if not written:
            raise JobLost(job.pk)


Runner = Callable[[BackgroundJob, Progress], JobOutcome]
_runners: dict[str, Runner] = {}
_templates: dict[str, str] = {}


def job_register(kind: str, run: Runner, *, result_template: str = "") -> None:
    """``run(job, progress)`` does the work of a job of this kind, in the owner's language,
    and returns its outcome; an exception marks the job failed (and is logged). The job's
    page includes ``result_template`` (with ``job`` and ``result``) once it is done."""
    _runners[kind] = run
    if result_template:
        _templates[kind] = result_template


def job_result_template(job: BackgroundJob) -> str:
    return _templates.get(job.kind, "")


def job_start(
    *, owner, kind: str, title: str, params: dict | None = None, source: bytes = b"", total=0
) -> BackgroundJob:
    """Record a job for ``owner`` and queue it once the current transaction commits."""
    if kind not in _runners:
        raise ValueError(f"No background job of kind {kind!r}.")
    now = timezone.now()
    job = BackgroundJob.objects.create(
        owner=owner,
        kind=kind,
        title=title[:200],
        params=params or {},
        source=source,
        total=total,
        expires_at=now + datetime.timedelta(days=settings.JOB_FILE_DAYS),
    )
    from emergence.tasks import run_background_job

    transaction.on_commit(lambda: run_background_job.delay(job.pk))
    return job


def job_for(*, user, token: str, now: datetime.datetime | None = None) -> BackgroundJob:
    """The user's own unexpired job with this token; anyone else's, an expired one or a wrong
    token all raise ``BackgroundJob.DoesNotExist`` (a 404 for the site)."""
    return BackgroundJob.objects.defer("file", "source").get(
        owner=user, token=token, expires_at__gt=now or timezone.now()
    )


def job_bytes(job: BackgroundJob, field: str = "file") -> bytes:
    """The job's ``file`` (or the ``source`` an import reads), not loaded with the job on its
    pages."""
    return bytes(BackgroundJob.objects.values_list(field, flat=True).get(pk=job.pk))


def export_in_background(queryset) -> bool:
    """Whether an export of ``queryset`` is for a worker: more than BACKGROUND_EXPORT_ROWS
    rows, found by reading at most one row's key instead of counting them all."""
    limit = settings.BACKGROUND_EXPORT_ROWS
    return queryset.order_by().values("pk")[limit : limit + 1].exists()


def job_run(*, pk: int) -> BackgroundJob | None:
    """Do job ``pk``'s work if it is still queued, claimed in one conditional UPDATE: run twice
    (a task delivered twice, or queued again by the sweep while the first was only late), or
    on two workers at once, it does the work once. A job already running, or finished, is
    left as it is; one whose worker died is failed by ``job_sweep``."""
    now = timezone.now()
    claimed = BackgroundJob.objects.filter(pk=pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, touched_at=now, done=0
    )
    job = BackgroundJob.objects.select_related("owner").filter(pk=pk).first()
    if not claimed or job is None:
        return job
    with translation.override(job.owner.language or settings.LANGUAGE_CODE):
        try:
            outcome = _runners[job.kind](job, Progress(job))
        except JobLost:
            logger.warning("background job %s (%s) was failed by the sweep meanwhile", pk, job.kind)
            return job
        except PermissionDenied:
            # The owner lost the right between asking and the worker's turn.
            logger.info("background job %s (%s) refused to its owner", job.pk, job.kind)
            return _fail(job, gettext("You no longer have the right to do this: nothing was done."))
        except Exception:
            logger.exception("background job %s (%s) failed", job.pk, job.kind)
            return _fail(
                job, gettext("The work stopped on an error; the programme team has been told.")
            )
    _finish(job, outcome)
    return job


def _fail(job: BackgroundJob, error: str) -> BackgroundJob:
    job.status, job.finished_at, job.error = JobStatus.FAILED, timezone.now(), error
    _save_if_running(job, ["status", "finished_at", "error"])
    return job


def _save_if_running(job: BackgroundJob, fields: list[str]) -> bool:
    """Write the job's end unless the sweep ended it first (then it keeps the sweep's word)."""
    written = BackgroundJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        **{name: getattr(job, name) for name in fields}
    )
    if not written:
        logger.warning("background job %s ended after the sweep had failed it", job.pk)
        job.refresh_from_db(fields=fields)
    return bool(written)


def _finish(job: BackgroundJob, outcome: JobOutcome) -> None:
    now = timezone.now()
    job.status, job.finished_at, job.result = JobStatus.DONE, now, outcome.result
    job.done = job.total
    job.expires_at = now + datetime.timedelta(days=settings.JOB_FILE_DAYS)
    fields = ["status", "finished_at", "result", "done", "total", "expires_at"]
    if outcome.file is not None:
        job.file, job.filename = outcome.file.content, outcome.file.filename
        job.content_type = outcome.file.content_type
        fields += ["file", "filename", "content_type"]
    with transaction.atomic():
        if not _save_if_running(job, fields):
            return
        if outcome.notify:
            outbox_enqueue(
                key=f"job:{job.pk}",
                kind="job-ready",
                user=job.owner,
                template="job_ready",
                context={
                    "first_name": job.owner.first_name,
                    "title": job.title,
                    "url": settings.SITE_URL + job.get_absolute_url(),
                    "has_file": bool(job.filename),
                    "expires_at": job.expires_at,
                },
            )


def job_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The periodic sweep (beat, every few minutes) for jobs that would otherwise wait forever.

    A job still queued JOB_QUEUED_TIMEOUT seconds after it was queued lost its task (broker
    down or emptied): it is queued again, at most JOB_REQUEUES times, then failed. A running
    job whose progress has not moved for JOB_RUNNING_TIMEOUT seconds lost its worker: it is
    failed. Each job's page then says so in its owner's language. Every change is a
    conditional UPDATE, so a job that starts or moves meanwhile is left alone, and two sweeps
    at once queue a job again once.
    """
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0}
    waiting_since = now - datetime.timedelta(seconds=settings.JOB_QUEUED_TIMEOUT)
    silent_since = now - datetime.timedelta(seconds=settings.JOB_RUNNING_TIMEOUT)
    stale = (
        BackgroundJob.objects.filter(
            Q(status=JobStatus.QUEUED, touched_at__lt=waiting_since)
            | Q(status=JobStatus.RUNNING, touched_at__lt=silent_since)
        )
        .select_related("owner")
        .only("kind", "status", "requeues", "touched_at", "owner", "owner__language")
        .order_by("pk")
    )
    for job in stale:
        if job.status == JobStatus.QUEUED and job.requeues < settings.JOB_REQUEUES:
            if _requeue(job, now=now, waiting_since=waiting_since):
                counts["requeued"] += 1
            continue
        with translation.override(job.owner.language or settings.LANGUAGE_CODE):
            if job.status == JobStatus.QUEUED:
                still = Q(status=JobStatus.QUEUED, touched_at__lt=waiting_since)
                error = gettext(
                    "The work never started: no worker took it up. The programme team has "
                    "been told; please ask again later."
                )
            else:
                still = Q(status=JobStatus.RUNNING, touched_at__lt=silent_since)
                error = gettext(
                    "The work stopped before the end: its worker was interrupted. The "
                    "programme team has been told; please ask again."
                )
        if BackgroundJob.objects.filter(still, pk=job.pk).update(
            status=JobStatus.FAILED, finished_at=now, error=error
        ):
            logger.error(
                "background job %s (%s) failed by the sweep: %s since %s",
                job.pk,
                job.kind,
                job.status,
                job.touched_at.isoformat(),
            )
            counts["failed"] += 1
    return counts


def _requeue(
    job: BackgroundJob, *, now: datetime.datetime, waiting_since: datetime.datetime
) -> bool:
    from emergence.tasks import run_background_job

    claimed = BackgroundJob.objects.filter(
        pk=job.pk, status=JobStatus.QUEUED, touched_at__lt=waiting_since
    ).update(touched_at=now, requeues=F("requeues") + 1)
    if claimed:
        logger.warning("background job %s (%s) queued again by the sweep", job.pk, job.kind)
        transaction.on_commit(lambda: run_background_job.delay(job.pk))
    return bool(claimed)


def job_status(job: BackgroundJob) -> dict:
    """What the progress bar reads every second."""
    return {
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.is_finished,
        "file": reverse("job_file", args=[job.token]) if job.filename else None,
    }


def rows_progress(rows, progress: Progress, *, start: int = 0):
    """``rows`` as they are, telling ``progress`` how many went by."""
    done = start
    for row in rows:
        yield row
        done += 1
        progress.advance(done)
