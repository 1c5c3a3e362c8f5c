"""The triage list's filters: not started, needs attention, reason, state and « Ma file »."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports.models import ActivityReport, ReportPeriod, TriageState
from reports.triage import (
    CONFIDENTIAL_RULES,
    NEEDS_ATTENTION,
    REASONS,
    URGENT,
    my_queue,
    needing_attention,
)


class NotStartedFilter(admin.SimpleListFilter):
    """Active laureates with no report at all for a period: « Non commencé », one query."""

    title = _("report not started")
    parameter_name = "not_started"

    def lookups(self, request, model_admin):
        periods = ReportPeriod.objects.opened().order_by("-opens_on")[:8]
        return [(str(period.pk), str(period)) for period in periods]

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        started = ActivityReport.objects.filter(laureate=OuterRef("pk"), period_id=self.value())
        return queryset.active().filter(~Exists(started))


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("yes (any reason)")),
            ("urgent", _("urgent (score %(score)d or more)") % {"score": URGENT}),
            ("no", _("no")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return needing_attention(queryset)
        if self.value() == "urgent":
            return needing_attention(queryset, minimum=URGENT)
        if self.value() == "no":
            return queryset.filter(triage_score__lt=NEEDS_ATTENTION)
        return queryset


class TriageReasonFilter(admin.SimpleListFilter):
    """The laureates for whom one triage reason holds (the overview links its counts here).
    The reasons read from confidential answers are not offered: the list would name who
    has them."""

    title = _("triage reason")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return [
            (rule, gettext("flagged by a staff member") if rule == "flag" else REASONS[rule])
            for rule in REASONS
            if rule not in CONFIDENTIAL_RULES
        ]

    def queryset(self, request, queryset):
        rule = self.value()
        if rule in REASONS and rule not in CONFIDENTIAL_RULES:
            return queryset.filter(**{f"triage_{rule}": True})
        return queryset


class TriageStateFilter(admin.SimpleListFilter):
    title = _("triage state")
    parameter_name = "triage"

    def lookups(self, request, model_admin):
        return [*TriageState.choices, ("open", _("not closed"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == TriageState.NEW:
            # A laureate nobody has triaged yet has no Triage row: they are new too.
            return queryset.filter(Q(triage__isnull=True) | Q(triage__state=TriageState.NEW))
        if value == "open":
            return queryset.exclude(triage__state=TriageState.CLOSED)
        if value in TriageState.values:
            return queryset.filter(triage__state=value)
        return queryset


class MyQueueFilter(admin.SimpleListFilter):
    """« Ma file »: the laureates assigned to me or whose referent I am, the next contacts
    that are due first (see :class:`TriageChangeList`)."""

    title = _("queue")
    parameter_name = "queue"
    MINE = "mine"

    def lookups(self, request, model_admin):
        return [(self.MINE, _("My queue"))]

    def queryset(self, request, queryset):
        if self.value() == self.MINE:
            return my_queue(queryset, user=request.user)
        return queryset
