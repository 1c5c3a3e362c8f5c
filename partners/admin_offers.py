"""The console's offers: staff post for any company, see how many laureates fit each offer,
and open an offer's matching laureates to propose one (imported by partners.admin)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from emergence.admin import object_error
from emergence.admin_paginator import EstimatedCountPaginator
from laureates.models import Laureate, PartnerConsent, Search
from partners.models import Offer
from partners.offers import (
    OFFER_FIELDS,
    offer_close,
    offer_is_open,
    offer_post,
    offer_propose,
    offer_save,
    offers_count_matches,
    searches_matching,
    staff_searches,
)
from partners.services import DECIDE_INTRODUCTIONS

#: Laureates per page of an offer's matches in the console, and their order.
MATCHES_PER_PAGE = 50
MATCHES_ORDER = ("laureate__user__last_name", "laureate__user__first_name", "pk")


def _matching_keys(offer: Offer) -> list[int]:
    """The keys of the searches that fit ``offer``, in the page's order: all of them, which
    the page counts and cuts. Two queries: the laureates whose open search fits, read from
    the covering index ``open_search_match`` alone, then their searches (one open search
    per laureate) joined to the names they are sorted by. Written as one query, PostgreSQL
    cannot foresee how few fit the substring rules: asked for a page (a LIMIT) it walked the
    users by name, all 100,000 for an offer with few matches (0.3-0.9 s); asked for all it
    read every search of the offer's kind from the table (17 ms at 100,000 laureates; the
    two queries take 5 ms)."""
    fitting = searches_matching(offer, staff_searches()).order_by()
    laureate_ids = list(fitting.values_list("laureate_id", flat=True))
    return list(
        Search.objects.open()
        .filter(laureate_id__in=laureate_ids)
        .order_by(*MATCHES_ORDER)
        .values_list("pk", flat=True)
    )


class OpenFilter(admin.SimpleListFilter):
    title = pgettext_lazy("offer", "state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", pgettext_lazy("offer", "open")), ("closed", _("closed or expired"))]

    def queryset(self, request, queryset):
        open_offers = Offer.objects.open().values("pk")
        if self.value() == "open":
            return queryset.filter(pk__in=open_offers)
        if self.value() == "closed":
            return queryset.exclude(pk__in=open_offers)
        return queryset


class OfferAdminForm(forms.ModelForm):
    class Meta:
        model = Offer
        fields = ("company", *OFFER_FIELDS)
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class OfferChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        # The rows shown, each with its count of matching laureates: one query for the page.
        offers_count_matches(self.result_list, staff_searches())


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    """Offers of every company: the count of matching laureates on each row (one query for
    the page's rows), and each offer's matches, where staff propose a laureate."""

    form = OfferAdminForm
    list_display = ("title", "company", "kind", "closes_on", "state", "matches")
    list_filter = (OpenFilter, "kind", "company")
    search_fields = ("title", "field", "place", "company__name")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)
    date_hierarchy = "closes_on"
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # Each row counts its matches in the database: a short page keeps the list quick.
    list_per_page = 25
    actions = ["close_offers"]
    readonly_fields = ("matches", "posted_by", "created_at", "updated_at", "closed_at")

    def get_changelist(self, request, **kwargs):
        return OfferChangeList

    def get_fields(self, request, obj=None):
        fields = ["company", *OFFER_FIELDS]
        return fields + list(self.readonly_fields) if obj else fields

    @admin.display(description=pgettext_lazy("offer", "state"))
    def state(self, offer):
        if offer_is_open(offer):
            return pgettext_lazy("offer", "open")
        return pgettext("offer", "closed")

    # Not sortable: sorting by it would count the matches of every offer, not of a page.
    @admin.display(description=_("matching laureates"))
    def matches(self, offer):
        if offer.pk is None:
            return "—"
        count = getattr(offer, "match_count", None)
        if count is None:  # the change form: one offer, counted alone
            count = searches_matching(offer, staff_searches()).count()
        url = reverse("admin:partners_offer_matches", args=[offer.pk])
        return format_html(
            '<a href="{}">{}</a>',
            url,
            ngettext("%(count)d laureate", "%(count)d laureates", count) % {"count": count},
        )

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in OFFER_FIELDS}
        if change:
            offer_save(offer=obj, **fields)
        else:
            saved = offer_post(company=form.cleaned_data["company"], by=request.user, **fields)
            obj.pk = saved.pk

    @admin.action(description=_("Close the selected offers now"), permissions=["change"])
    def close_offers(self, request, queryset):
        count = 0
        for offer in queryset:
            offer_close(offer=offer)
            count += 1
        messages.success(
            request,
            ngettext("%(count)d offer closed.", "%(count)d offers closed.", count)
            % {"count": count},
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/matches/",
                self.admin_site.admin_view(self.matches_view),
                name="partners_offer_matches",
            ),
            *super().get_urls(),
        ]

    def matches_view(self, request, pk: int):
        """The laureates whose open search fits the offer (consenting or not: the laureate
        decides on a proposal), and a button to propose each."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        offer = get_object_or_404(Offer.objects.select_related("company"), pk=pk)
        may_propose = request.user.has_perm(DECIDE_INTRODUCTIONS)
        if request.method == "POST":
            if not may_propose:
                raise PermissionDenied
            laureate = get_object_or_404(
                Laureate.objects.select_related("user"), pk=request.POST.get("laureate")
            )
            try:
                offer_propose(
                    offer=offer,
                    laureate=laureate,
                    by=request.user,
                    message=request.POST.get("message", "")[:2000],
                )
            except ValidationError as error:
                messages.error(request, object_error(laureate, error))
            else:
                messages.success(
                    request,
                    gettext("The offer was proposed to %(laureate)s, who will answer.")
                    % {"laureate": laureate},
                )
            return HttpResponseRedirect(request.get_full_path())
        is_open = offer_is_open(offer, timezone.localdate())
        page = Paginator(_matching_keys(offer) if is_open else [], MATCHES_PER_PAGE).get_page(
            request.GET.get("page")
        )
        consents = PartnerConsent.objects.valid().filter(laureate=OuterRef("laureate_id"))
        rows = Search.objects.select_related("laureate__user", "laureate__promotion").annotate(
            shares=Exists(consents)
        )
        page.object_list = list(rows.filter(pk__in=page.object_list).order_by(*MATCHES_ORDER))
        return TemplateResponse(
            request,
            "admin/partners/offer_matches.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Laureates who fit « %(offer)s »") % {"offer": offer.title},
                "offer": offer,
                "is_open": is_open,
                "page": page,
                "may_propose": may_propose and is_open,
            },
        )
