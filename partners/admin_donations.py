"""The console's donations: confirming that a referral's pledged bonus was received (a page
reached from the referral), the receipts issued, year by year, their PDF and their export.

A donation is never changed nor deleted here: a receipt issued stands.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from emergence.admin import object_error
from emergence.xlsx import XLSX_CONTENT_TYPE
from partners.donations import (
    donation_blocker,
    donation_confirm,
    donation_initial,
    donations_workbook,
)
from partners.forms import DonationConfirmForm
from partners.models import Donation, Referral


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    """The receipts issued, newest first; filter a year to list (and export) its receipts."""

    list_display = (
        "receipt",
        "donor_name",
        "amount",
        "received_on",
        "means",
        "confirmed_on",
        "confirmed_by",
        "pdf",
    )
    list_filter = ("receipt_year", "donor_kind", "means")
    search_fields = ("donor_name", "referral__company", "referral__candidate_name")
    list_select_related = ("confirmed_by",)
    date_hierarchy = "received_on"
    show_full_result_count = False
    readonly_fields = ("receipt", "pdf", "referral_link")
    fields = (
        "receipt",
        "pdf",
        "referral_link",
        "donor_kind",
        "donor_name",
        "donor_address",
        "donor_postcode",
        "donor_city",
        "amount",
        "received_on",
        "means",
        "gift_form",
        "nature",
        "confirmed_on",
        "confirmed_by",
    )

    def has_add_permission(self, request):
        return False  # confirmed from the referral: its "Confirm the donation" page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("receipt"), ordering="receipt_number")
    def receipt(self, donation):
        return donation.receipt_label

    @admin.display(description=_("PDF"))
    def pdf(self, donation):
        return format_html(
            '<a href="{}" class="receipt-pdf">{}</a>',
            reverse("partners:receipt", args=[donation.pk]),
            gettext("Download the receipt"),
        )

    @admin.display(description=_("referral"))
    def referral_link(self, donation):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:partners_referral_change", args=[donation.referral_id]),
            donation.referral,
        )

    def get_urls(self):
        return [
            path(
                "export.xlsx",
                self.admin_site.admin_view(self.export_view),
                name="partners_donation_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            year = request.GET.get("receipt_year", "")
            context["receipt_year"] = year
            context["export_url"] = reverse("admin:partners_donation_export") + (
                f"?receipt_year={year}" if year.isdigit() else ""
            )
            # One grouped query, following the list's filters.
            context["yearly_totals"] = list(
                context["cl"]
                .queryset.order_by()
                .values("receipt_year")
                .annotate(count=Count("pk"), amount=Sum("amount"))
                .order_by("-receipt_year")
            )
        return response

    def export_view(self, request):
        """The receipts of the year chosen (every year without one), as a spreadsheet."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        donations = Donation.objects.order_by("receipt_year", "receipt_number")
        year = request.GET.get("receipt_year", "")
        if year.isdigit():
            donations = donations.filter(receipt_year=int(year))
        book = donations_workbook(donations)
        response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
        name = f"recus-fiscaux-{year}.xlsx" if year.isdigit() else "recus-fiscaux.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        book.save(response)
        return response


def donation_confirm_view(modeladmin, request, object_id):
    """The referral's "Confirm the donation" page: GET, the form pre-filled (or why it
    cannot be confirmed); POST, the donation and its receipt, then the donation's page."""
    referral = modeladmin.get_object(request, unquote(object_id))
    if referral is None:
        raise Http404
    if not request.user.has_perm("partners.add_donation"):
        raise PermissionDenied
    back = reverse("admin:partners_referral_change", args=[referral.pk])
    blocker = donation_blocker(referral)
    form = DonationConfirmForm(request.POST or None, initial=donation_initial(referral))
    if request.method == "POST":
        if blocker:
            messages.error(request, blocker)
            return HttpResponseRedirect(back)
        if form.is_valid():
            try:
                donation = donation_confirm(referral=referral, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    form.add_error(None, error)
                else:
                    messages.error(request, object_error(referral, error))
                    return HttpResponseRedirect(back)
            else:
                messages.success(
                    request,
                    gettext("Donation confirmed: receipt %(number)s, e-mailed to the donor.")
                    % {"number": donation.receipt_label},
                )
                return HttpResponseRedirect(
                    reverse("admin:partners_donation_change", args=[donation.pk])
                )
    return TemplateResponse(
        request,
        "admin/partners/donation_confirm.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": gettext("Confirm the donation"),
            "opts": Referral._meta,
            "original": referral,
            "blocker": blocker,
            "form": form,
            "back": back,
        },
    )
