"""The programme lead's console page for erasure requests: read the request and what the
programme holds about the person, then approve it (the erasure runs at once) or refuse it with
a reason the person reads. Decided requests stay, read-only, as the record of the decision."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from emergence.admin import object_error
from emergence.data_rights import (
    DECIDE_ERASURE,
    erasure_approve,
    erasure_may_decide,
    erasure_refuse,
)
from emergence.models import ErasureRequest, ErasureStatus
from emergence.personal_data import personal_data_export
from emergence.roles import account_kind


class ErasureDecisionForm(forms.ModelForm):
    confirm = forms.BooleanField(
        label=_("I have read what the programme holds: erase this person now"),
        required=False,
        help_text=_("Needed to approve: the erasure cannot be undone."),
    )

    class Meta:
        model = ErasureRequest
        fields = ["refusal_reason"]

    def clean(self):
        cleaned = super().clean()
        if "_approve" in self.data:
            if not cleaned.get("confirm"):
                self.add_error("confirm", gettext("Tick the box to approve the erasure."))
        elif "_refuse" in self.data:
            if not (cleaned.get("refusal_reason") or "").strip():
                self.add_error(
                    "refusal_reason",
                    gettext("Say why the request is refused: the person will read it."),
                )
        else:
            raise ValidationError(gettext("Approve or refuse the request."))
        return cleaned


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    form = ErasureDecisionForm
    change_form_template = "personal_data/erasurerequest_change_form.html"
    list_display = ("requested_at", "person", "kind", "status", "decided_at", "decided_by")
    list_filter = ("status",)
    list_select_related = ("user", "decided_by")
    search_fields = ("user__email", "user__last_name")
    search_help_text = _("E-mail address or last name (erased people have neither).")
    date_hierarchy = "requested_at"
    show_full_result_count = False
    actions = None
    readonly_fields = (
        "person",
        "kind",
        "requested_at",
        "reason",
        "status",
        "decided_at",
        "decided_by",
        "held",
    )

    def get_fields(self, request, obj=None):
        fields = ["person", "kind", "requested_at", "reason", "status", "held"]
        if self.has_change_permission(request, obj):
            return [*fields, "refusal_reason", "confirm"]
        return [*fields, "decided_at", "decided_by", "refusal_reason"]

    def get_readonly_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.readonly_fields
        return (*self.readonly_fields, "refusal_reason")

    @admin.display(description=_("person"), ordering="user__email")
    def person(self, erasure):
        return erasure.user.email

    @admin.display(description=_("account"))
    def kind(self, erasure):
        return account_kind(erasure.user) or "—"

    @admin.display(description=_("what the programme holds"))
    def held(self, erasure):
        if erasure.user.erased_at is not None:
            return gettext("Erased: nothing that names them is left.")
        sections = personal_data_export(user=erasure.user)
        return format_html_join(
            "\n",
            "<div>{}</div>",
            (
                (
                    gettext("%(section)s: %(rows)s")
                    % {
                        "section": title,
                        "rows": ngettext("%(count)d row", "%(count)d rows", len(rows))
                        % {"count": len(rows)},
                    },
                )
                for title, rows in sections.items()
            ),
        )

    def has_add_permission(self, request):
        return False  # the person asks, on « Mes données »

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was asked and decided

    def has_change_permission(self, request, obj=None):
        if not request.user.has_perm(DECIDE_ERASURE):
            return False
        return obj is None or (
            obj.status == ErasureStatus.PENDING and erasure_may_decide(erasure=obj, by=request.user)
        )

    def save_model(self, request, obj, form, change):
        # The decision goes through erasure_approve / erasure_refuse (response_change), never a
        # plain save.
        pass

    def response_change(self, request, obj):
        try:
            if "_approve" in request.POST:
                erasure_approve(erasure=obj, by=request.user)
                messages.success(request, gettext("Approved: the person's data has been erased."))
            elif "_refuse" in request.POST:
                erasure_refuse(
                    erasure=obj, by=request.user, reason=request.POST.get("refusal_reason", "")
                )
                messages.success(request, gettext("Refused: the person will read your reason."))
        except ValidationError as error:
            messages.error(request, object_error(obj, error))
        return HttpResponseRedirect(request.path)
