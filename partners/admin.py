"""The staff console for partner companies and their members."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from emergence.admin import invite
from emergence.spreadsheets import SpreadsheetModelAdmin
from partners.models import Company, PartnerMembership
from partners.resources import CompanyResource


class PartnerMembershipInline(admin.TabularInline):
    model = PartnerMembership
    fields = ("user", "job_title")
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
    actions = ["send_invitation"]

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def email(self, membership):
        return membership.user.email

    @admin.action(description=_("Send an invitation"), permissions=["change"])
    def send_invitation(self, request, queryset):
        invite(request, [membership.user for membership in queryset.select_related("user")])
