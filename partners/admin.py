"""The staff console for partner companies, their members, introductions, the partner
views log and co-optation."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from emergence.admin import confirm_and_invite, object_error
from emergence.admin_paginator import EstimatedCountPaginator
from emergence.history import HistoryAdmin
from emergence.roles import is_laureate
from emergence.spreadsheets import SpreadsheetModelAdmin
from laureates.forms import PlacementForm
from partners.models import (
    Company,
    CoOpter,
    Introduction,
    PartnerMembership,
    PartnerViewLog,
    Referral,
)
from partners.placements import (
    introduction_placement_blocker,
    introduction_placement_initial,
    placement_figures,
    placement_from_introduction,
    placement_from_referral,
    referral_placement_blocker,
    referral_placement_initial,
)
from partners.resources import CompanyResource
from partners.services import (
    coopter_register,
    coopter_register_staff,
    introduction_decline,
    introduction_forward,
    referral_check_transition,
)


class PartnerMembershipForm(forms.ModelForm):
    """One account, one kind of person: a staff account never becomes a partner member, and
    a laureate (an alumnus who joined the company) only when the staff member says so."""

    also_laureate = forms.BooleanField(
        label=_("This laureate now works at this company"),
        required=False,
        help_text=_(
            "Tick to make a laureate (an alumnus) a member of the company as well: they keep "
            "their laureate pages and also see the partner dashboard."
        ),
    )

    class Meta:
        model = PartnerMembership
        fields = ("user", "company", "job_title")

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user")
        if user is None or self.instance.pk:
            return cleaned
        if user.is_staff:
            self.add_error("user", _("This is a staff account: a partner member needs their own."))
        elif is_laureate(user) and not cleaned.get("also_laureate"):
            self.add_error(
                "also_laureate",
                _("%(user)s is a laureate: tick the box if they now work at this company.")
                % {"user": user},
            )
        return cleaned


class PartnerMembershipInline(admin.TabularInline):
    model = PartnerMembership
    form = PartnerMembershipForm
    fields = ("user", "job_title", "also_laureate")
    autocomplete_fields = ("user",)
    extra = 0


@admin.register(Company)
class CompanyAdmin(SpreadsheetModelAdmin):
    resource_classes = [CompanyResource]
    list_display = ("name", "sector", "city", "contact_name", "contact_email", "active")
    list_filter = ("active", "sector", "city")
    search_fields = ("name", "sector", "city", "contact_name", "contact_email")
    inlines = (PartnerMembershipInline,)


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "company", "job_title")
    list_filter = ("company",)
    search_fields = ("user__first_name", "user__last_name", "user__email", "company__name")
    list_select_related = ("user", "company")
    autocomplete_fields = ("user", "company")
    form = PartnerMembershipForm
    fields = ("user", "company", "job_title", "also_laureate")
    actions = ["send_invitation"]

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def email(self, membership):
        return membership.user.email

    @admin.action(description=_("Send an invitation"), permissions=["change"])
    def send_invitation(self, request, queryset):
        users = [membership.user for membership in queryset.select_related("user")]
        return confirm_and_invite(self, request, queryset, users)


# Introductions ----------------------------------------------------------------------


@admin.register(Introduction)
class IntroductionAdmin(HistoryAdmin):
    """Requests come from partners (or from a laureate interested in an offer): the team
    passes each on or declines it (list actions, or the buttons of the change page), and may
    link a placement. Passing on a laureate's interest sends the contacts at once."""

    list_display = (
        "created_at",
        "laureate",
        "company",
        "requested_by",
        "kind",
        "title",
        "origin",
        "status",
    )
    list_filter = ("status", "origin", "kind", "company")
    search_fields = (
        "title",
        "laureate__user__first_name",
        "laureate__user__last_name",
        "company__name",
        "requested_by__email",
    )
    list_select_related = ("laureate__user", "company", "requested_by")
    date_hierarchy = "created_at"
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    actions = ["forward", "decline", "record_placement"]
    fields = (
        "company",
        "requested_by",
        "laureate",
        "origin",
        "offer",
        "kind",
        "title",
        "starts_on",
        "ends_on",
        "place",
        "message",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
        "forwarded_at",
        "answered_at",
        "laureate_message",
        "closed_at",
        "closed_reason",
        "placement",
    )
    readonly_fields = tuple(name for name in fields if name != "placement")
    autocomplete_fields = ("placement",)
    # The change page's buttons: the POST name -> (the service, its done message).
    DECISIONS = {
        "_forward": (introduction_forward, _("The request was passed on to the laureate.")),
        "_decline": (introduction_decline, _("The request was declined.")),
    }

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Pass on to the laureate, who decides"), permissions=["change"])
    def forward(self, request, queryset):
        self._decide(
            request,
            queryset,
            introduction_forward,
            lambda count: ngettext(
                "%(count)d request passed on to the laureate.",
                "%(count)d requests passed on to their laureates.",
                count,
            ),
        )

    @admin.action(description=_("Decline"), permissions=["change"])
    def decline(self, request, queryset):
        self._decide(
            request,
            queryset,
            introduction_decline,
            lambda count: ngettext(
                "%(count)d request declined.", "%(count)d requests declined.", count
            ),
        )

    def _decide(self, request, queryset, decide, done_message) -> None:
        done = 0
        for introduction in queryset.select_related("laureate__user"):
            try:
                decide(introduction=introduction, by=request.user)
            except ValidationError as error:
                messages.error(request, object_error(introduction, error))
            else:
                done += 1
        if done:
            messages.success(request, done_message(done) % {"count": done})

    @admin.action(description=_("Record the placement"), permissions=["change"])
    def record_placement(self, request, queryset):
        return _one_placement_page(request, queryset, "admin:partners_introduction_placement")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/placement/",
                view(self.placement_view),
                name="partners_introduction_placement",
            ),
            path(
                "placement-figures/",
                view(placement_figures_view),
                name="partners_placement_figures",
            ),
            *super().get_urls(),
        ]

    def placement_view(self, request, object_id):
        """The placement form, pre-filled from the accepted introduction; once only."""
        introduction = self.get_object(request, unquote(object_id))
        if introduction is None:
            raise Http404
        if not (
            self.has_change_permission(request, introduction)
            and request.user.has_perm("laureates.add_placement")
        ):
            raise PermissionDenied
        return _placement_page(
            self,
            request,
            introduction,
            laureate=introduction.laureate,
            blocker=introduction_placement_blocker(introduction),
            initial=introduction_placement_initial(introduction),
            record=lambda fields: placement_from_introduction(introduction=introduction, **fields),
        )

    def save_model(self, request, obj, form, change):
        # Only the placement is edited here: the state moves through the services alone.
        obj.save(update_fields=["placement"])

    def response_change(self, request, obj):
        for name, (decide, done) in self.DECISIONS.items():
            if name in request.POST:
                try:
                    decide(introduction=obj, by=request.user)
                except ValidationError as error:
                    messages.error(request, object_error(obj, error))
                else:
                    messages.success(request, done)
                return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


@admin.register(PartnerViewLog)
class PartnerViewLogAdmin(admin.ModelAdmin):
    """Read-only: the record of what partner members looked at."""

    list_display = ("viewed_at", "user", "company", "kind", "laureate", "query")
    list_filter = ("kind", "company")
    search_fields = ("user__email", "laureate__user__last_name", "company__name")
    list_select_related = ("user", "company", "laureate__user")
    date_hierarchy = "viewed_at"
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Co-optation ------------------------------------------------------------------------


class CoOpterAdminForm(forms.ModelForm):
    """A co-opter is a laureate in work or a member of the programme team: one of the two."""

    class Meta:
        model = CoOpter
        fields = ("laureate", "staff_member", "platforms")
        help_texts = {
            "staff_member": _(
                "A member of the programme team who co-opts (leave the laureate empty)."
            )
        }

    def clean(self):
        cleaned = super().clean()
        laureate, staff_member = cleaned.get("laureate"), cleaned.get("staff_member")
        if (laureate is None) == (staff_member is None):
            raise ValidationError(_("Choose either a laureate or a member of the programme team."))
        if laureate is not None and not laureate.can_coopt:
            raise ValidationError(
                {"laureate": _("Only laureates in work can register as co-opters.")}
            )
        if staff_member is not None and not (staff_member.is_staff and staff_member.is_active):
            raise ValidationError(
                {"staff_member": _("Only active staff members co-opt from the console.")}
            )
        return cleaned


@admin.register(CoOpter)
class CoOpterAdmin(admin.ModelAdmin):
    form = CoOpterAdminForm
    list_display = ("__str__", "kind", "platforms", "registered_at")
    search_fields = (
        "laureate__user__first_name",
        "laureate__user__last_name",
        "staff_member__first_name",
        "staff_member__last_name",
        "platforms",
    )
    list_select_related = ("laureate__user", "staff_member")
    autocomplete_fields = ("laureate", "staff_member")
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    @admin.display(description=_("co-opter"))
    def kind(self, coopter):
        return _("laureate") if coopter.laureate_id else _("programme team")

    def save_model(self, request, obj, form, change):
        if obj.laureate_id:
            saved = coopter_register(laureate=obj.laureate, platforms=obj.platforms)
        else:
            saved = coopter_register_staff(user=obj.staff_member, platforms=obj.platforms)
        obj.pk = saved.pk


class ReferralAdminForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = (
            "coopter",
            "candidate_laureate",
            "candidate_name",
            "company",
            "job_title",
            "platform",
            "platform_reference",
            "referred_on",
            "status",
            "bonus",
            "pledged_to_programme",
        )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "status" in cleaned:
            referral_check_transition(old=self.initial["status"], new=cleaned["status"])
        return cleaned


@admin.register(Referral)
class ReferralAdmin(HistoryAdmin):
    form = ReferralAdminForm
    list_display = (
        "referred_on",
        "coopter",
        "candidate",
        "company",
        "job_title",
        "platform",
        "status",
        "bonus",
        "pledged_to_programme",
        "donation",
    )
    list_filter = ("status", "pledged_to_programme", "platform")
    search_fields = (
        "candidate_name",
        "company",
        "job_title",
        "platform_reference",
        "coopter__laureate__user__last_name",
        "coopter__staff_member__last_name",
    )
    list_select_related = (
        "coopter__laureate__user",
        "coopter__staff_member",
        "candidate_laureate__user",
        "donation",
    )
    autocomplete_fields = ("coopter", "candidate_laureate")
    date_hierarchy = "referred_on"
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    actions = ["record_placement", "confirm_donation"]
    # The date the co-opter declared before staff confirmed donations: the record of it.
    readonly_fields = ("placement", "donation_received_on")

    @admin.action(description=_("Record the placement"), permissions=["change"])
    def record_placement(self, request, queryset):
        return _one_placement_page(request, queryset, "admin:partners_referral_placement")

    @admin.action(description=_("Confirm the donation received"), permissions=["confirm"])
    def confirm_donation(self, request, queryset):
        return _one_placement_page(
            request,
            queryset,
            "admin:partners_referral_donation",
            _("Select one row: a donation is confirmed one at a time."),
        )

    def has_confirm_permission(self, request):
        return request.user.has_perm("partners.add_donation")

    @admin.display(description=_("donation"), ordering="donation__receipt_number")
    def donation(self, referral):
        donation = getattr(referral, "donation", None)
        return donation.receipt_label if donation else "—"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/placement/",
                self.admin_site.admin_view(self.placement_view),
                name="partners_referral_placement",
            ),
            path(
                "<path:object_id>/donation/",
                self.admin_site.admin_view(
                    lambda request, object_id: donation_confirm_view(self, request, object_id)
                ),
                name="partners_referral_donation",
            ),
            *super().get_urls(),
        ]

    def placement_view(self, request, object_id):
        """The hired candidate laureate's placement, pre-filled from the referral; once."""
        referral = self.get_object(request, unquote(object_id))
        if referral is None:
            raise Http404
        if not (
            self.has_change_permission(request, referral)
            and request.user.has_perm("laureates.add_placement")
        ):
            raise PermissionDenied
        return _placement_page(
            self,
            request,
            referral,
            laureate=referral.candidate_laureate,
            blocker=referral_placement_blocker(referral),
            initial=referral_placement_initial(referral),
            record=lambda fields: placement_from_referral(referral=referral, **fields),
        )

    def response_change(self, request, obj):
        # Hired, and a laureate (hired now, or known now as a laureate of the programme):
        # the next step is their placement, on the next page.
        if (
            {"status", "candidate_laureate"} & set(getattr(request, "referral_changed", ()))
            and not referral_placement_blocker(obj)
            and request.user.has_perm("laureates.add_placement")
        ):
            messages.info(request, _("The candidate was hired: record their placement."))
            return HttpResponseRedirect(reverse("admin:partners_referral_placement", args=[obj.pk]))
        return super().response_change(request, obj)

    def save_model(self, request, obj, form, change):
        # On the request, not on this admin (one instance serves every request).
        request.referral_changed = form.changed_data
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            # The totals follow the list's filters: one grouped query, whatever the list's size.
            context["yearly_totals"] = list(context["cl"].queryset.order_by().totals_by_year())
        return response


# Placements from introductions and referrals; the yearly figures ---------------------


def _one_placement_page(request, queryset, url_name: str, one_at_a_time=None):
    """A list action for one row: its placement page (a placement is recorded one by one),
    or another page of one row (``url_name``, with its own ``one_at_a_time`` warning)."""
    rows = list(queryset[:2])
    if len(rows) != 1:
        messages.warning(
            request,
            one_at_a_time or _("Select one row: a placement is recorded one at a time."),
        )
        return None
    return HttpResponseRedirect(reverse(url_name, args=[rows[0].pk]))


def _placement_page(modeladmin, request, obj, *, laureate, blocker: str, initial, record):
    """GET: the placement form pre-filled (or why it cannot be recorded); POST: record it
    and go back to the object's page."""
    opts = modeladmin.model._meta
    back = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    form = PlacementForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if blocker:
            messages.error(request, blocker)
            return HttpResponseRedirect(back)
        if form.is_valid():
            try:
                placement = record(form.cleaned_data)
            except ValidationError as error:
                messages.error(request, object_error(obj, error))
                return HttpResponseRedirect(back)
            messages.success(
                request,
                _("The placement of %(laureate)s was recorded: %(placement)s.")
                % {"laureate": laureate, "placement": placement.title},
            )
            return HttpResponseRedirect(back)
    return TemplateResponse(
        request,
        "admin/partners/placement_record.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Record the placement"),
            "opts": opts,
            "original": obj,
            "laureate": laureate,
            "blocker": blocker,
            "form": form,
            "back": back,
        },
    )


def placement_figures_view(request):
    """Placements per year, company and kind, and the median days from the company's first
    view of the laureate or first introduction to the start; partnerships and the lead."""
    if not (
        request.user.has_perm("laureates.view_placement")
        and request.user.has_perm("partners.view_partnerviewlog")
    ):
        raise PermissionDenied
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else None
    return TemplateResponse(
        request,
        "admin/partners/placement_figures.html",
        {
            **admin.site.each_context(request),
            "title": _("Placement figures"),
            "rows": placement_figures(year=year),
            "year": year,
        },
    )


# Offers and donations: their console, in their own modules (registered on import).
import partners.admin_offers  # noqa: E402, F401
from partners.admin_donations import donation_confirm_view  # noqa: E402
