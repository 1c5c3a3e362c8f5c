"""Read records: who opened a laureate's report or their confidential answers
(written by reports/confidential.py)."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models.activity_reports import ActivityReport


class ReadWhat(models.TextChoices):
    REPORT = "report", _("report")
    REPORT_CONFIDENTIAL = "report_confidential", _("report, with its confidential answers")
    EXPORT_CONFIDENTIAL = "export_confidential", _("export with confidential answers")


class ReportReadQuerySet(models.QuerySet):
    def older_than(self, days: int):
        return self.filter(at__lt=timezone.now() - datetime.timedelta(days=days))


class ReportRead(models.Model):
    """A staff member opened a laureate's report or their confidential answers (who looked).

    Written by reports/confidential.py, read by the programme lead, deleted after
    ``RETENTION_DAYS["read_records"]`` (a retention rule of reports/personal_data.py). The
    reader's e-mail is copied so that the record still says who it was after their account
    is deleted (not once they are erased).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="report_reads",
    )
    user_email = models.EmailField(_("e-mail address of who looked"))
    # Deleting the laureate keeps the record (who looked, when), without them: a log never
    # blocks a deletion.
    laureate = models.ForeignKey(
        "laureates.Laureate",
        verbose_name=_("laureate"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="report_reads",
    )
    report = models.ForeignKey(
        ActivityReport,
        verbose_name=_("report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reads",
    )
    period = models.CharField(_("period"), max_length=10, blank=True)
    what = models.CharField(_("what"), max_length=20, choices=ReadWhat.choices)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = ReportReadQuerySet.as_manager()

    class Meta:
        verbose_name = _("read record")
        verbose_name_plural = _("read records (who looked)")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["laureate", "-at"], name="report_read_laureate_at")]

    def __str__(self) -> str:
        return f"{self.user_email} · {self.description}"

    @property
    def description(self) -> str:
        """What was read, in words: « rapport 2026-q4 », « export de 2026-q4 … »."""
        if self.what == ReadWhat.EXPORT_CONFIDENTIAL:
            return _("export of %(period)s with confidential answers") % {"period": self.period}
        if self.what == ReadWhat.REPORT_CONFIDENTIAL:
            return _("report %(period)s, with its confidential answers") % {"period": self.period}
        return _("report %(period)s") % {"period": self.period}
