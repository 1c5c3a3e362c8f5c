"""What the database keeps of the triage: where staff stand with a laureate (Triage) and
each step of their follow-up (TriageEvent). The rules that score, open and close the
cycles are in the reports/triage/ package."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TriageState(models.TextChoices):
    NEW = "new", _("new")
    ASSIGNED = "assigned", _("assigned")
    CONTACTED = "contacted", _("contacted")
    CLOSED = "closed", _("closed")


class FollowUpLevel(models.TextChoices):
    """How closely staff follow a laureate: it weighs in the triage order and sets the
    default delay before the next contact."""

    STANDARD = "standard", pgettext_lazy("follow-up level", "standard")
    REINFORCED = "reinforced", pgettext_lazy("follow-up level", "reinforced")
    ALERT = "alert", pgettext_lazy("follow-up level", "alert")


class ContactOutcome(models.TextChoices):
    REACHED_FINE = "fine", _("reached: all is well")
    REACHED_HELP = "help", _("reached: needs help")
    NOT_REACHED = "not_reached", _("not reached")
    MESSAGE_LEFT = "message", _("message left")


class Triage(models.Model):
    """Where staff stand with a laureate who needs attention, and who is in charge.

    A triage lives in cycles: closing it ends the current cycle; a new reason after the
    close opens the next one (``cycle`` + 1, state "new"). Every step is a TriageEvent.
    """

    laureate = models.OneToOneField(
        "laureates.Laureate",
        verbose_name=_("laureate"),
        on_delete=models.CASCADE,
        related_name="triage",
    )
    state = models.CharField(
        _("triage state"), max_length=10, choices=TriageState.choices, default=TriageState.NEW
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="triages",
        limit_choices_to={"is_staff": True},
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    cycle = models.PositiveIntegerField(_("cycle"), default=1)
    opened_at = models.DateTimeField(_("cycle opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The triage rules that held when the cycle was closed: the list marks the others new.
    closed_reasons = models.JSONField(_("reasons at the close"), default=list, blank=True)
    level = models.CharField(
        _("follow-up level"),
        max_length=10,
        choices=FollowUpLevel.choices,
        default=FollowUpLevel.STANDARD,
    )
    next_contact_on = models.DateField(_("next contact on"), null=True, blank=True)
    # A staff member's flag: a reason of its own until the cycle is closed.
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)
    flag_note = models.CharField(_("why flagged"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("triage")
        verbose_name_plural = _("triages")
        indexes = [
            models.Index(fields=["assigned_to", "next_contact_on"]),
            models.Index(fields=["state", "next_contact_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="closed", closed_at__isnull=False)
                | (~Q(state="closed") & Q(closed_at__isnull=True)),
                name="closed_triage_has_a_close_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.laureate} · {self.get_state_display()}"


class TriageEventKind(models.TextChoices):
    OPENED = "opened", _("cycle opened")
    ASSIGNED = "assigned", _("assigned")
    CONTACTED = "contacted", _("contacted")
    LEVEL = "level", _("follow-up level changed")
    FLAGGED = "flagged", _("flagged")
    CLOSED = "closed", _("closed")


class TriageEvent(models.Model):
    """One step of a laureate's follow-up, for the history of cycles on their page."""

    laureate = models.ForeignKey(
        "laureates.Laureate",
        verbose_name=_("laureate"),
        on_delete=models.CASCADE,
        related_name="triage_events",
    )
    cycle = models.PositiveIntegerField(_("cycle"))
    kind = models.CharField(_("what"), max_length=10, choices=TriageEventKind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    follow_up = models.ForeignKey(
        "laureates.FollowUp",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="triage_events",
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=ContactOutcome.choices, blank=True
    )
    next_contact_on = models.DateField(_("next contact on"), null=True, blank=True)
    level = models.CharField(
        _("follow-up level"), max_length=10, choices=FollowUpLevel.choices, blank=True
    )
    # The triage rules (keys of reports.triage.WEIGHTS, "flag", "overdue"...) behind an
    # opening, so the history says why a cycle started.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("triage event")
        verbose_name_plural = _("triage events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["laureate", "-at"])]

    def __str__(self) -> str:
        return f"{self.laureate} · {self.cycle} · {self.get_kind_display()}"


class StoredTriage(models.Model):
    """The triage score of one laureate as :func:`reports.triage.with_triage` last computed
    it, and what orders the triage list, kept so that the list, its "needs attention"
    filter and the counts read an index instead of scoring everyone on each request.

    Written only by :func:`reports.triage.triage_refresh`, in the same transaction as what
    changes the score, and by the daily job for what dates change (see
    ``reports/triage/stored.py``). One ``rule_<key>`` per key of
    ``reports.triage.RULE_KEYS``: which rules hold.
    """

    laureate = models.OneToOneField(
        "laureates.Laureate",
        verbose_name=_("laureate"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="stored_triage",
    )
    score = models.PositiveSmallIntegerField(_("triage score"), default=0)
    # The follow-up level's rank (alert 2, reinforced 1, standard 0), and "contacted, next
    # contact still ahead": the list's order after the score.
    level_rank = models.PositiveSmallIntegerField(default=0)
    waiting = models.BooleanField(default=False)
    rule_contact = models.BooleanField(default=False)
    rule_flag = models.BooleanField(default=False)
    rule_overdue = models.BooleanField(default=False)
    rule_never = models.BooleanField(default=False)
    rule_sponsor_lost = models.BooleanField(default=False)
    rule_stress = models.BooleanField(default=False)
    rule_sponsor_2 = models.BooleanField(default=False)
    rule_studies = models.BooleanField(default=False)
    rule_sponsor_mismatch = models.BooleanField(default=False)
    rule_workshops = models.BooleanField(default=False)
    rule_sponsor_1 = models.BooleanField(default=False)
    rule_sponsor_not_yet = models.BooleanField(default=False)
    rule_project = models.BooleanField(default=False)
    rule_drop_studies_rating = models.BooleanField(default=False)
    rule_drop_sponsor_relationship = models.BooleanField(default=False)
    rule_drop_project_progress = models.BooleanField(default=False)
    rule_drop_civic_involvement = models.BooleanField(default=False)
    rule_drop_stress = models.BooleanField(default=False)
    # When a refresh last found something changed and wrote it.
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("stored triage score")
        verbose_name_plural = _("stored triage scores")
        indexes = [
            # The triage list's order (reports.triage.STORED_ORDER), read from the top.
            models.Index(
                models.F("score").desc(),
                models.F("level_rank").desc(),
                "waiting",
                "laureate",
                name="stored_triage_order",
            ),
            # "Needs attention": the few with a reason, in the list's order.
            models.Index(
                models.F("score").desc(),
                models.F("level_rank").desc(),
                "waiting",
                "laureate",
                name="stored_triage_attention",
                condition=Q(score__gt=0),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(level_rank__lte=2), name="stored_triage_level_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.laureate_id} · {self.score}"
