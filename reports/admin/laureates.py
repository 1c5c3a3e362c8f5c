"""The laureate list with the triage: score, reasons, state and who is in charge.

``laureates`` must never import ``reports``, so the triage joins the laureate list from
here: :class:`TriageLaureateAdmin` extends ``laureates.admin.LaureateAdmin`` and replaces
it on the admin site.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from laureates.admin import LaureateAdmin, StaffListFilter
from laureates.models import Channel, Laureate
from reports.admin.common import action_form_page
from reports.confidential import readable_flag
from reports.models import ActivityReport, ReportPeriod, Triage, TriageState
from reports.triage import (
    NEEDS_ATTENTION,
    URGENT,
    needing_attention,
    triage_assign,
    triage_close,
    triage_reasons,
    triage_record_contact,
    with_triage,
)

#: How many read records the laureate's page shows; the list has them all.
READS_SHOWN = 20


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


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Recorded as a follow-up of each selected laureate, signed by you."),
    )


class AssignForm(forms.Form):
    staff = forms.ModelChoiceField(
        label=_("in charge"), queryset=get_user_model().objects.filter(is_staff=True)
    )


class TriageChangeList(ChangeList):
    def _get_default_ordering(self):
        # The laureates who need the team most come first. (Not ModelAdmin.ordering: the
        # admin orders its base queryset with it, before the score is annotated.)
        return ["-triage_score", *super()._get_default_ordering()]


class TriageLaureateAdmin(LaureateAdmin):
    # No ``inlines`` here on purpose: the parent's current inlines stay in force (the
    # workshops app appends one to LaureateAdmin.inlines after this module is loaded).
    list_display = (
        "name",
        "triage_score",
        "reasons",
        "triage_state",
        "in_charge",
        *[column for column in LaureateAdmin.list_display if column != "name"],
    )
    list_filter = (
        *LaureateAdmin.list_filter,
        NeedsAttentionFilter,
        TriageStateFilter,
        ("triage__assigned_to", StaffListFilter),
        NotStartedFilter,
    )
    list_select_related = (*LaureateAdmin.list_select_related, "triage__assigned_to")
    actions = [
        *LaureateAdmin.actions,
        "assign_to_me",
        "assign_to",
        "record_contact",
        "close_triage",
    ]

    # Who sees the triage: those with its permission (the lead, referents). Workshops and
    # partnerships staff read the laureates' names, track and contact only.
    TRIAGE_COLUMNS = ("triage_score", "reasons", "triage_state", "in_charge")
    TRIAGE_FILTERS = (
        NeedsAttentionFilter,
        TriageStateFilter,
        "triage__assigned_to",
        NotStartedFilter,
    )

    @staticmethod
    def sees_triage(request) -> bool:
        return request.user.has_perm("reports.view_triage") or request.user.has_perm(
            "reports.change_triage"
        )

    @staticmethod
    def sees_read_records(request) -> bool:
        return request.user.has_perm("reports.view_reportread")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not self.sees_triage(request):
            return queryset
        # The reasons drawn from confidential answers are shown only where the reader may
        # read them: a column of the same query, not a check per row.
        return with_triage(queryset).annotate(can_read_confidential=readable_flag(request.user))

    def get_changelist(self, request, **kwargs):
        if not self.sees_triage(request):
            return super().get_changelist(request, **kwargs)
        return TriageChangeList

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if self.sees_triage(request):
            return columns
        return [column for column in columns if column not in self.TRIAGE_COLUMNS]

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if self.sees_triage(request):
            return filters
        return [
            item
            for item in filters
            if (item[0] if isinstance(item, (list, tuple)) else item) not in self.TRIAGE_FILTERS
        ]

    def get_list_select_related(self, request):
        related = super().get_list_select_related(request)
        if self.sees_triage(request) or not isinstance(related, (list, tuple)):
            return related
        return [name for name in related if not name.startswith("triage")]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        if self.sees_triage(request):
            fieldsets = (*fieldsets, (_("Triage"), {"fields": self.TRIAGE_COLUMNS}))
        if request.user.has_perm("reports.view_activityreport"):
            fieldsets = (*fieldsets, (_("Activity reports"), {"fields": ("report_list",)}))
        if self.sees_read_records(request):
            fieldsets = (*fieldsets, (_("Who looked"), {"fields": ("report_reads",)}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is None:
            return readonly
        return (*readonly, *self.TRIAGE_COLUMNS, "report_reads", "report_list")

    @admin.display(description=_("reports"))
    def report_list(self, laureate):
        """A link to this laureate's reports: the report list, filtered."""
        count = ActivityReport.objects.filter(laureate=laureate).count()
        url = reverse("admin:reports_activityreport_changelist")
        return format_html(
            '<a href="{}?laureate__id__exact={}">{}</a>',
            url,
            laureate.pk,
            ngettext(
                "%(count)d activity report: see the list",
                "%(count)d activity reports: see the list",
                count,
            )
            % {"count": count},
        )

    @admin.display(description=_("score"), ordering="triage_score")
    def triage_score(self, laureate):
        return laureate.triage_score

    @admin.display(description=_("reasons"))
    def reasons(self, laureate):
        # One reason a line: the list is read down the column, reason by reason.
        reasons = triage_reasons(
            laureate, show_confidential=getattr(laureate, "can_read_confidential", False)
        )
        if not reasons:
            return "—"
        return format_html_join(mark_safe("<br>"), "{}", ((reason,) for reason in reasons))

    @admin.display(description=_("who looked"))
    def report_reads(self, laureate):
        """The last read records of the laureate's reports, with a link to all of them."""
        reads = list(laureate.report_reads.select_related("user")[:READS_SHOWN])
        url = reverse("admin:reports_reportread_changelist")
        everything = format_html(
            '<a href="{}?laureate__id__exact={}">{}</a>',
            url,
            laureate.pk,
            gettext("Every read record of this laureate (kept 12 months)"),
        )
        if not reads:
            return format_html("{}<br>{}", gettext("Nobody in the last 12 months."), everything)
        lines = format_html_join(
            mark_safe("<br>"),
            "{} · {} · {}",
            (
                (
                    date_format(timezone.localtime(read.at), "SHORT_DATETIME_FORMAT"),
                    (read.user.get_full_name() or read.user.email)
                    if read.user
                    else read.user_email,
                    read.description,
                )
                for read in reads
            ),
        )
        return format_html("{}<br>{}", lines, everything)

    @admin.display(description=_("triage state"), ordering="triage__state")
    def triage_state(self, laureate):
        triage = getattr(laureate, "triage", None)
        state = TriageState(triage.state if triage else TriageState.NEW)
        return format_html("<span class='triage-{}'>{}</span>", state.value, state.label)

    @admin.display(description=_("in charge"), ordering="triage__assigned_to__last_name")
    def in_charge(self, laureate):
        triage = getattr(laureate, "triage", None)
        return str(triage.assigned_to) if triage and triage.assigned_to else "—"

    # Actions ------------------------------------------------------------------------------

    def has_triage_permission(self, request) -> bool:
        """The triage actions need the triage's permission, not the laureate's."""
        return request.user.has_perm("reports.change_triage")

    def _done(self, request, count: int, message: str) -> None:
        messages.success(request, message % {"count": count})

    @admin.action(description=_("Triage: assign to me"), permissions=["triage"])
    def assign_to_me(self, request, queryset):
        laureates = list(queryset)
        for laureate in laureates:
            triage_assign(laureate=laureate, to=request.user)
        self._done(
            request,
            len(laureates),
            ngettext(
                "You are in charge of %(count)d laureate.",
                "You are in charge of %(count)d laureates.",
                len(laureates),
            ),
        )

    @admin.action(description=_("Triage: assign to…"), permissions=["triage"])
    def assign_to(self, request, queryset):
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return action_form_page(
                self,
                request,
                queryset,
                form=form,
                title=gettext("Assign to a staff member"),
                submit=gettext("Assign"),
            )
        staff = form.cleaned_data["staff"]
        laureates = list(queryset)
        for laureate in laureates:
            triage_assign(laureate=laureate, to=staff)
        messages.success(
            request,
            ngettext(
                "%(staff)s is in charge of %(count)d laureate.",
                "%(staff)s is in charge of %(count)d laureates.",
                len(laureates),
            )
            % {"staff": staff, "count": len(laureates)},
        )
        return None

    @admin.action(
        description=_("Triage: record a contact (follow-up, then “contacted”)"),
        permissions=["triage"],
    )
    def record_contact(self, request, queryset):
        form = ContactForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return action_form_page(
                self,
                request,
                queryset,
                form=form,
                title=gettext("Record a contact"),
                submit=gettext("Record"),
                intro=gettext(
                    "A follow-up is added to each laureate below and their triage moves to "
                    "“contacted”."
                ),
            )
        laureates = list(queryset)
        for laureate in laureates:
            triage_record_contact(
                laureate=laureate,
                by=request.user,
                channel=form.cleaned_data["channel"],
                note=form.cleaned_data["note"],
            )
        self._done(
            request,
            len(laureates),
            ngettext(
                "Contact recorded for %(count)d laureate.",
                "Contact recorded for %(count)d laureates.",
                len(laureates),
            ),
        )
        return None

    @admin.action(description=_("Triage: close"), permissions=["triage"])
    def close_triage(self, request, queryset):
        laureates = list(queryset)
        for laureate in laureates:
            triage_close(laureate=laureate, by=request.user)
        self._done(
            request,
            len(laureates),
            ngettext(
                "Triage closed for %(count)d laureate.",
                "Triage closed for %(count)d laureates.",
                len(laureates),
            ),
        )


# Replace the plain laureate list: the triage lives in ``reports``, which ``laureates``
# must not import, so the extended admin is registered from here instead.
admin.site.unregister(Laureate)
admin.site.register(Laureate, TriageLaureateAdmin)


@admin.register(Triage)
class TriageAdmin(admin.ModelAdmin):
    """Who is in charge of whom: staff change a state or hand a laureate over here."""

    list_display = ("laureate", "state", "assigned_to", "updated_at")
    list_filter = ("state", ("assigned_to", StaffListFilter))
    search_fields = (
        "laureate__user__first_name",
        "laureate__user__last_name",
        "laureate__user__email",
    )
    list_select_related = ("laureate__user", "assigned_to")
    autocomplete_fields = ("laureate", "assigned_to")
    show_full_result_count = False
