"""The laureate list with the triage: score, reasons (new ones since the last close
marked « nouveau »), follow-up level, next contact, state and who is in charge; « Ma
file » (my queue); the actions assign, record a contact, flag, close; and the history of
the cycles on the laureate's page.

``laureates`` must never import ``reports``, so the triage joins the laureate list from
here: :class:`TriageLaureateAdmin` extends ``laureates.admin.LaureateAdmin`` and replaces
it on the admin site. The score, the reasons and the order are read from the stored rows
(``reports/triage/stored.py``): the order is :data:`reports.triage.STORED_ORDER` (see
``reports/triage/score.py``), served by an index, all in the list's one query.
"""

from functools import cached_property

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.db.models import BooleanField, Case, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from emergence.admin_paginator import EstimatedCountPaginator, counts_whole_table, table_estimate
from emergence.roles import may_read_confidential
from laureates.admin import LaureateAdmin, StaffListFilter
from laureates.models import Laureate
from reports.admin.common import action_form_page
from reports.admin.triage_filters import (
    MyQueueFilter,
    NeedsAttentionFilter,
    NotStartedFilter,
    TriageReasonFilter,
    TriageStateFilter,
)
from reports.admin.triage_forms import AssignForm, ContactForm, FlagForm
from reports.confidential import readable_flag
from reports.models import ActivityReport, FollowUpLevel, Triage, TriageState
from reports.triage import (
    STORED_ORDER,
    triage_assign,
    triage_close,
    triage_flag,
    triage_history,
    triage_reason_items,
    triage_record_contact,
    triage_refresh,
    triage_refresh_added,
    with_stored_row,
    with_stored_triage,
)
from reports.triage.score import reason_context

#: How many read records the laureate's page shows; the list has them all.
READS_SHOWN = 20


class StoredTriagePaginator(EstimatedCountPaginator):
    """The triage list keeps the laureates with a stored row (:func:`with_stored_row`), which
    every laureate has: it is counted as the list without that condition, so that the whole
    table's estimate still applies (see ``emergence/admin_paginator.py``)."""

    @cached_property
    def _estimate(self) -> int | None:
        whole = getattr(self.object_list, "whole_list", None)
        if whole is None or not counts_whole_table(whole):
            return super()._estimate
        estimate = table_estimate(whole)
        if estimate is None or estimate < self.estimate_above:
            return None
        return estimate


class TriageChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        rows = with_stored_row(queryset)
        rows.whole_list = queryset  # what the paginator counts
        return rows

    @cached_property
    def _change_url(self) -> tuple[str, str]:
        marker = "pk-marker"
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(marker,),
            current_app=self.model_admin.admin_site.name,
        )
        prefix, _marker, suffix = url.partition(marker)
        return prefix, suffix

    def url_for_result(self, result):
        # Django's address, reversed once a page rather than once a row.
        prefix, suffix = self._change_url
        return f"{prefix}{quote(result.pk)}{suffix}"

    def _get_default_ordering(self):
        # The laureates who need the team most come first. (Not ModelAdmin.ordering: the
        # admin orders its base queryset with it, before the score is annotated.) At an
        # equal score, level and waiting, by the laureate's key: the index's order.
        ordering = list(STORED_ORDER)
        if self.params.get(MyQueueFilter.parameter_name) == MyQueueFilter.MINE:
            return ["-triage_contact_due", *ordering]
        return ordering


class TriageLaureateAdmin(LaureateAdmin):
    # No ``inlines`` here on purpose: the parent's current inlines stay in force (the
    # workshops app appends one to LaureateAdmin.inlines after this module is loaded).
    change_list_template = "admin/reports/triage_change_list.html"
    paginator = StoredTriagePaginator
    list_display = (
        "name",
        "triage_score",
        "reasons",
        "level",
        "next_contact",
        "triage_state",
        "in_charge",
        *[column for column in LaureateAdmin.list_display if column != "name"],
    )
    list_filter = (
        *LaureateAdmin.list_filter,
        MyQueueFilter,
        NeedsAttentionFilter,
        TriageReasonFilter,
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
        "flag_for_follow_up",
        "close_triage",
    ]

    class Media:
        css = {"all": ["css/triage.css"]}

    # Who sees the triage: those with its permission (the lead, referents). Workshops and
    # partnerships staff read the laureates' names, track and contact only.
    TRIAGE_COLUMNS = (
        "triage_score",
        "reasons",
        "level",
        "next_contact",
        "triage_state",
        "in_charge",
    )
    TRIAGE_FILTERS = (
        MyQueueFilter,
        NeedsAttentionFilter,
        TriageReasonFilter,
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
        # read them: a column of the same query, not a check per row. « Ma file » puts the
        # next contacts due first: computed on the queue's rows, it reads today's date.
        return with_stored_triage(queryset).annotate(
            **reason_context(),
            can_read_confidential=readable_flag(request.user),
            triage_contact_due=Case(
                When(triage__next_contact_on__lte=timezone.localdate(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )

    def changelist_view(self, request, extra_context=None):
        if self.sees_triage(request):
            # Laureates added since the last refresh (created here, imported) get their
            # stored triage before the list reads it: usually one query that finds none.
            triage_refresh_added()
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if self.sees_triage(request):
            triage_refresh_added()
        return super().change_view(request, object_id, form_url, extra_context)

    def get_export_queryset(self, request):
        # The export reads the list as it is filtered, stored triage included.
        if self.sees_triage(request):
            triage_refresh_added()
        return super().get_export_queryset(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The status and the joining date are inputs of the score.
        triage_refresh(laureate_ids=[obj.pk])

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
            # The history's display needs the reader (readonly fields get the object only).
            obj.triage_reader = request.user
            fields = (*self.TRIAGE_COLUMNS, "cycles")
            fieldsets = (*fieldsets, (_("Triage"), {"fields": fields}))
        if request.user.has_perm("reports.view_activityreport"):
            fieldsets = (*fieldsets, (_("Activity reports"), {"fields": ("report_list",)}))
        if self.sees_read_records(request):
            fieldsets = (*fieldsets, (_("Who looked"), {"fields": ("report_reads",)}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is None:
            return readonly
        return (*readonly, *self.TRIAGE_COLUMNS, "cycles", "report_reads", "report_list")

    def action_checkbox(self, obj):
        # Django's markup, written directly: its widget renders three form templates per
        # row, about a fifth of the time of a page of 100 laureates.
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

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
        # One reason a line: the list is read down the column, reason by reason. Those new
        # since the last close (a reopened cycle) carry a « nouveau » badge.
        items = triage_reason_items(
            laureate, show_confidential=getattr(laureate, "can_read_confidential", False)
        )
        if not items:
            return "—"
        lines, badge = [], ""
        for reason, is_new in items:
            if is_new and not badge:
                badge = format_html(
                    ' <span class="triage-badge triage-new">{}</span>',
                    pgettext("triage reason", "new"),
                )
            lines.append(conditional_escape(reason) + (badge if is_new else ""))
        return mark_safe("<br>".join(lines))

    @admin.display(description=_("follow-up level"), ordering="triage_level_rank")
    def level(self, laureate):
        triage = getattr(laureate, "triage", None)
        level = FollowUpLevel(triage.level if triage else FollowUpLevel.STANDARD)
        return format_html(
            '<span class="triage-badge triage-level-{}">{}</span>', level.value, level.label
        )

    @admin.display(description=_("next contact"), ordering="triage__next_contact_on")
    def next_contact(self, laureate):
        triage = getattr(laureate, "triage", None)
        day = triage.next_contact_on if triage else None
        if day is None:
            return "—"
        shown = date_format(day, "SHORT_DATE_FORMAT")
        if day <= timezone.localdate():
            return format_html('<span class="triage-due">{} · {}</span>', shown, gettext("to call"))
        return shown

    @admin.display(description=_("history of the follow-up"))
    def cycles(self, laureate):
        """The cycles of the triage, latest first: opened (why), assigned, contacted,
        closed, by whom. Contact notes only for who may read follow-ups."""
        reader = getattr(laureate, "triage_reader", None)
        if reader is None:
            return "—"
        cycles = triage_history(
            laureate=laureate,
            show_notes=reader.has_perm("laureates.view_followup"),
            show_confidential=may_read_confidential(reader, laureate),
        )
        if not cycles:
            return gettext("No follow-up recorded yet.")
        return render_to_string("admin/reports/triage_history.html", {"cycles": cycles})

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
        if triage and triage.cycle > 1:
            return format_html(
                "<span class='triage-{}'>{}</span> <small>{}</small>",
                state.value,
                state.label,
                gettext("cycle %(number)d") % {"number": triage.cycle},
            )
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
            triage_assign(laureate=laureate, to=request.user, by=request.user)
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
            triage_assign(laureate=laureate, to=staff, by=request.user)
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
                outcome=form.cleaned_data["outcome"],
                level=form.cleaned_data["level"] or None,
                next_contact_on=form.cleaned_data["next_contact_on"],
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

    @admin.action(description=_("Triage: flag for follow-up"), permissions=["triage"])
    def flag_for_follow_up(self, request, queryset):
        form = FlagForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return action_form_page(
                self,
                request,
                queryset,
                form=form,
                title=gettext("Flag for follow-up"),
                submit=gettext("Flag"),
                intro=gettext(
                    "The flag is a reason of its own in the triage, until the triage is "
                    "closed. A closed triage opens a new cycle."
                ),
            )
        laureates = list(queryset)
        for laureate in laureates:
            triage_flag(laureate=laureate, by=request.user, note=form.cleaned_data["note"])
        self._done(
            request,
            len(laureates),
            ngettext(
                "%(count)d laureate flagged for follow-up.",
                "%(count)d laureates flagged for follow-up.",
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
    """Who is in charge of whom: staff hand a laureate over, or change the follow-up level and
    the next contact, here. The state and the cycle change through the laureate list's
    actions (assign, record a contact, flag, close), which keep the history."""

    list_display = ("laureate", "state", "cycle", "level", "next_contact_on", "assigned_to")
    list_filter = ("state", "level", ("assigned_to", StaffListFilter))
    search_fields = (
        "laureate__user__first_name",
        "laureate__user__last_name",
        "laureate__user__email",
    )
    list_select_related = ("laureate__user", "assigned_to")
    autocomplete_fields = ("laureate", "assigned_to")
    show_full_result_count = False
    CYCLE_FIELDS = ("state", "cycle", "opened_at", "closed_at", "closed_reasons")
    FLAG_FIELDS = ("flagged_at", "flag_note")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*self.CYCLE_FIELDS, *self.FLAG_FIELDS)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The level and the next contact order the triage list.
        triage_refresh(laureate_ids=[obj.laureate_id])

    def get_exclude(self, request, obj=None):
        # A new triage starts its first cycle: nothing of a cycle to fill in.
        return None if obj is not None else (*self.CYCLE_FIELDS, *self.FLAG_FIELDS)
