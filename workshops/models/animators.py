"""The changes of a series' animators once its first session is published, each with its
reason."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from laureates.models import Laureate
from workshops.models.series import WorkshopSeries


class AnimatorChangeKind(models.TextChoices):
    ADDED = "added", pgettext_lazy("animator", "added")
    REMOVED = "removed", pgettext_lazy("animator", "removed")


class AnimatorChange(models.Model):
    """An animator added to or removed from a series once its first session was published:
    animators stay the same for the school year, so each change says why."""

    series = models.ForeignKey(
        WorkshopSeries,
        verbose_name=_("series"),
        on_delete=models.CASCADE,
        related_name="animator_changes",
    )
    laureate = models.ForeignKey(
        Laureate,
        verbose_name=_("animator"),
        on_delete=models.CASCADE,
        related_name="animator_changes",
    )
    kind = models.CharField(_("change"), max_length=10, choices=AnimatorChangeKind.choices)
    reason = models.TextField(_("reason"), max_length=1000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("change of animators")
        verbose_name_plural = _("changes of animators")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="animator_change_has_a_reason",
                violation_error_message=_("Say why the animators change."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series} · {self.laureate} · {self.get_kind_display()}"
