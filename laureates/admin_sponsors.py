"""The console's part for sponsors in the loop: giving a sponsor access to their page, the
meetings log, the yearly fit answers (read-only) and the per-company figures."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from emergence.admin_paginator import EstimatedCountPaginator
from laureates.models import SponsorMeeting, SponsorshipFit
from laureates.sponsors import (
    company_sponsor_figures,
    sponsor_account_give,
    sponsor_account_welcome,
)


class SponsorAccessMixin:
    """For the sponsors' console: who has an account, the « give access » action and the
    per-company figures page."""

    change_list_template = "admin/laureates/sponsor/change_list.html"

    @admin.display(description=_("access to their page"), boolean=True)
    def has_account(self, sponsor) -> bool:
        return sponsor.user_id is not None

    @admin.action(
        description=_("Give access to their page (e-mails them how to sign in)"),
        permissions=["change"],
    )
    def give_access(self, request, queryset):
        given, refused = 0, []
        for sponsor in queryset.select_related("user"):
            if sponsor.user_id is not None:
                continue
            try:
                with transaction.atomic():
                    sponsor_account_give(sponsor=sponsor)
                    sponsor_account_welcome(sponsor=sponsor)
            except ValidationError as error:
                refused.extend(error.messages)
            else:
                given += 1
        if given:
            self.message_user(
                request,
                ngettext(
                    "%(count)d sponsor can now sign in; they were e-mailed how.",
                    "%(count)d sponsors can now sign in; they were e-mailed how.",
                    given,
                )
                % {"count": given},
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    def get_urls(self):
        return [
            path(
                "figures/",
                self.admin_site.admin_view(self.figures_view),
                name="laureates_sponsor_figures",
            ),
            *super().get_urls(),
        ]

    def figures_view(self, request):
        """Per company: active sponsors, laureates followed, meetings per quarter."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "admin/laureates/sponsor/figures.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Sponsors per company"),
                "opts": self.model._meta,
                **company_sponsor_figures(),
            },
        )


@admin.register(SponsorMeeting)
class SponsorMeetingAdmin(admin.ModelAdmin):
    list_display = ("date", "sponsorship", "mode", "logged_by", "confirmed")
    list_filter = ("logged_by", "mode", ("confirmed_at", admin.EmptyFieldListFilter))
    search_fields = (
        "sponsorship__laureate__user__first_name",
        "sponsorship__laureate__user__last_name",
        "sponsorship__sponsor__first_name",
        "sponsorship__sponsor__last_name",
    )
    list_select_related = ("sponsorship__laureate__user", "sponsorship__sponsor")
    autocomplete_fields = ("sponsorship",)
    fields = (
        "sponsorship",
        "date",
        "mode",
        "topics",
        "note",
        "private_note",
        "logged_by",
        "confirmed_at",
    )
    date_hierarchy = "date"
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    @admin.display(description=_("confirmed"), boolean=True)
    def confirmed(self, meeting) -> bool:
        return meeting.is_confirmed

    def get_changeform_initial_data(self, request):
        return {"logged_by": "staff", **super().get_changeform_initial_data(request)}


@admin.register(SponsorshipFit)
class SponsorshipFitAdmin(admin.ModelAdmin):
    """The yearly answers, as given: read by staff, never changed."""

    list_display = ("year", "sponsorship", "side", "score", "comment")
    list_filter = ("year", "side", "score")
    search_fields = (
        "sponsorship__laureate__user__last_name",
        "sponsorship__sponsor__last_name",
        "sponsorship__sponsor__company__name",
    )
    list_select_related = ("sponsorship__laureate__user", "sponsorship__sponsor")
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
