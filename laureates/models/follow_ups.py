"""The programme team's follow-ups of a laureate: a call, an e-mail, a meeting."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emergence.history import HistoricalRecords
from laureates.models.people import Laureate


class Channel(models.TextChoices):
    PHONE = "phone", _("phone call")
    EMAIL = "email", _("e-mail")
    MEETING = "meeting", _("meeting")
    VIDEO = "video", _("video call")
    MESSAGE = "message", _("text message")


class FollowUp(models.Model):
    laureate = models.ForeignKey(
        Laureate, verbose_name=_("laureate"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )

    history = HistoricalRecords(laureate=["laureate"])

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-date", "-pk"]
        # The console's list: its order (and the date hierarchy's first and last day).
        indexes = [models.Index(fields=["date", "id"], name="followup_date_id")]

    def __str__(self) -> str:
        return f"{self.date} · {self.get_channel_display()}"
