"""A laureate's personal calendar address: the secret token of their feed of sessions."""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laureates.models import Laureate


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret token of a laureate's personal calendar address."""

    laureate = models.OneToOneField(
        Laureate,
        verbose_name=_("laureate"),
        on_delete=models.CASCADE,
        related_name="workshop_calendar",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.laureate)
