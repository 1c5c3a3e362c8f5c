"""The user (an e-mail address as login, a preferred language), the mail outbox, and the
person's data download and erasure request."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from emergence.history import HistoricalRecords


class UserQuerySet(models.QuerySet):
    def by_email(self, email: str | None):
        """The account of this e-mail address, whatever its case: compared as
        ``lower(email)``, the expression of the unique index, so that PostgreSQL looks it up
        in the index (``email__iexact`` compiles to ``UPPER(...)`` and reads the whole
        table)."""
        return self.filter(Exact(Lower("email"), (email or "").strip().lower()))


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.by_email(username).get()


class User(AbstractUser):
    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    # "Sign out everywhere" adds one: every session signed with the previous value ends.
    session_version = models.PositiveIntegerField(_("session version"), default=0, editable=False)
    # Set by the erasure routine (emergence.personal_data.person_anonymise): the account is
    # closed, and its names and e-mail are gone.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()
    # Who made whom staff or gave which role, and when (emergence/history.py): never the
    # password, the last login or the language.
    history = HistoricalRecords(
        fields=["email", "first_name", "last_name", "is_active", "is_staff", "is_superuser"],
        m2m_fields=["groups"],
        user=["id"],
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]
        # Lists sorted by name (users, laureates, the partners' dashboard) walk this index
        # instead of sorting every user.
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="user_name"),
            # The console's staff filters (referent, in charge) list the staff by e-mail on
            # every page: a few rows of this index instead of reading every user.
            models.Index(fields=["email"], condition=Q(is_staff=True), name="user_staff_email"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def _get_session_auth_hash(self, secret=None):
        # Django signs each session with a hash of the password; the session version is mixed
        # in once "sign out everywhere" was used (0 keeps the hash sessions already carry).
        if not self.session_version:
            return super()._get_session_auth_hash(secret=secret)
        key_salt = "emergence.User.get_session_auth_hash"
        value = f"{self.password}:{self.session_version}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


# The mail outbox ----------------------------------------------------------------------------
# Every e-mail is a row first, written in the transaction of the change that causes it, then
# sent by a task that claims the row. The functions that use it live in emergence/outbox.py.


class OutboxStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("e-mail status", "pending")
    SENDING = "sending", pgettext_lazy("e-mail status", "sending")
    SENT = "sent", pgettext_lazy("e-mail status", "sent")
    FAILED = "failed", pgettext_lazy("e-mail status", "failed")


class OutboxEmail(models.Model):
    key = models.CharField(
        _("key"),
        max_length=200,
        unique=True,
        help_text=_("What the e-mail is about and to whom: the same key is never sent twice."),
    )
    kind = models.CharField(_("kind"), max_length=50, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_emails",
    )
    to = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # The console's list: its order (and the date hierarchy's first and last day).
            models.Index(fields=["created_at", "id"], name="outbox_created_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=OutboxStatus.SENT) | Q(sent_at__isnull=False),
                name="outbox_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to}"


# « Mes données »: the person's download and erasure request -----------------------------------
# The functions that use them live in emergence/data_rights.py.


def new_export_token() -> str:
    return secrets.token_urlsafe(32)


class DataExport(models.Model):
    """A person's data, prepared in the background as a JSON and an XLSX file, downloadable by
    them only until ``expires_at``; the retention task deletes it then."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="data_exports",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_export_token)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    json_file = models.BinaryField(_("JSON file"), blank=True, default=b"")
    xlsx_file = models.BinaryField(_("XLSX file"), blank=True, default=b"")

    class Meta:
        verbose_name = _("data download")
        verbose_name_plural = _("data downloads")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.owner_id} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_ready(self) -> bool:
        return self.ready_at is not None


class ErasureStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("erasure request", "waiting for the programme lead")
    APPROVED = "approved", pgettext_lazy("erasure request", "approved: data erased")
    REFUSED = "refused", pgettext_lazy("erasure request", "refused")


class ErasureRequest(models.Model):
    """A person asks the programme to erase their data; the programme lead approves it (the
    erasure runs at once) or refuses it with a reason the person reads."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="erasure_requests",
    )
    reason = models.TextField(_("their reason"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ErasureStatus.choices, default=ErasureStatus.PENDING
    )
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="erasure_decisions",
    )
    refusal_reason = models.TextField(
        _("reason for refusing"),
        max_length=2000,
        blank=True,
        help_text=_("Shown to the person, for instance a legal obligation to keep a record."),
    )

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-requested_at", "-pk"]
        permissions = [("decide_erasurerequest", _("Can approve or refuse erasure requests"))]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="one_pending_erasure_request_per_user",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="erasure_request_decided_has_a_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""),
                name="erasure_request_refusal_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.requested_at:%Y-%m-%d}"


# Heartbeats: when the worker and the beat last showed they were alive (/healthz/deep) --------
# Written by emergence/health.py's heartbeat_record: a worker and the beat as they start
# (emergence/celery.py), and a worker each minute as it runs the beat's heartbeat task.


class Heartbeat(models.Model):
    name = models.CharField(_("name"), max_length=20, primary_key=True)
    at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} · {self.at:%Y-%m-%d %H:%M:%S}"


# The overview's figures counted at night (emergence/overview_snapshots.py) ------------------


class OverviewSnapshot(models.Model):
    """The staff overview's unfiltered panels for one language and one set of staff
    permissions, counted by the nightly task: at 100,000 laureates the page reads this row
    rather than counting on each visit."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    computed_at = models.DateTimeField(_("counted at"))
    panels = models.JSONField(_("panels"))

    class Meta:
        verbose_name = _("overview snapshot")
        verbose_name_plural = _("overview snapshots")

    def __str__(self) -> str:
        return f"{self.key[:8]} · {self.computed_at:%Y-%m-%d %H:%M}"


# Long work in the background (emergence/jobs.py) -------------------------------------------


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("background job", "waiting")
    RUNNING = "running", pgettext_lazy("background job", "in progress")
    DONE = "done", pgettext_lazy("background job", "ready")
    FAILED = "failed", pgettext_lazy("background job", "failed")


class BackgroundJob(models.Model):
    """A long export or import run by a worker for one person: its progress (rows done out of
    ``total``), then its file, kept until ``expires_at`` for them only; retention deletes it
    then. ``source`` is the file an import reads; ``result`` what the page shows at the end."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="background_jobs",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_export_token)
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("rows to do"), default=0)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The sweep (emergence.jobs.job_sweep) reads these: a job queued, started or moving its
    # bar is "touched"; one untouched for too long lost its task or its worker.
    touched_at = models.DateTimeField(_("last sign of life"), default=timezone.now)
    requeues = models.PositiveSmallIntegerField(_("times queued again"), default=0)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    source = models.BinaryField(_("file read"), blank=True, default=b"")
    file = models.BinaryField(_("file"), blank=True, default=b"")
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=200, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="job_owner_created"),
            # The sweep's look-up: the few unfinished jobs, among a week of finished ones.
            models.Index(
                fields=["touched_at"],
                condition=Q(status__in=["queued", "running"]),
                name="job_unfinished_touched",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["done", "failed"]) | Q(finished_at__isnull=False),
                name="job_finished_has_finished_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.owner_id} · {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("job", args=[self.token])

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0
