"""The laureate list with the triage: score, reasons, state and who is in charge.

``laureates`` must never import ``reports``, so the triage joins the laureate list from
here: :class:`TriageLaureateAdmin` extends ``laureates.admin.LaureateAdmin`` and replaces
it on the admin site.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from laureates.admin import LaureateAdmin, StaffListFilter
from laureates.models import Channel, Laureate
from reports.admin.common import action_form_page
from reports.models import Triage, TriageState
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
    )
    list_select_related = (*LaureateAdmin.list_select_related, "triage__assigned_to")
    actions = [
        *LaureateAdmin.actions,
        "assign_to_me",
        "assign_to",
        "record_contact",
        "close_triage",
    ]

    def get_queryset(self, request):
        return with_triage(super().get_queryset(request))

    def get_changelist(self, request, **kwargs):
        return TriageChangeList

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        triage = (_("Triage"), {"fields": ("triage_score", "reasons", "triage_state", "in_charge")})
        return (*fieldsets, triage)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is None:
            return readonly
        return (*readonly, "triage_score", "reasons", "triage_state", "in_charge")

    @admin.display(description=_("score"), ordering="triage_score")
    def triage_score(self, laureate):
        return laureate.triage_score

    @admin.display(description=_("reasons"))
    def reasons(self, laureate):
        # One reason a line: the list is read down the column, reason by reason.
        reasons = triage_reasons(laureate)
        if not reasons:
            return "—"
        return format_html_join(mark_safe("<br>"), "{}", ((reason,) for reason in reasons))

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

    def _done(self, request, count: int, message: str) -> None:
        messages.success(request, message % {"count": count})

    @admin.action(description=_("Triage: assign to me"), permissions=["change"])
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

    @admin.action(description=_("Triage: assign to…"), permissions=["change"])
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
        permissions=["change"],
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

    @admin.action(description=_("Triage: close"), permissions=["change"])
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
