"""Who looked: the read records of laureates' reports and confidential answers, read-only,
for the programme lead (``reports.view_reportread``)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from emergence.admin_paginator import EstimatedCountPaginator
from laureates.admin import StaffListFilter
from reports.models import ReportRead


@admin.register(ReportRead)
class ReportReadAdmin(admin.ModelAdmin):
    list_display = ("at", "who", "laureate", "description")
    list_filter = ("what", ("user", StaffListFilter))
    search_fields = (
        "laureate__user__first_name",
        "laureate__user__last_name",
        "laureate__user__email",
        "user_email",
    )
    search_help_text = _("Name or e-mail address of the laureate, or e-mail address of who looked.")
    date_hierarchy = "at"
    list_select_related = ("user", "laureate__user")
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 100
    fields = ("at", "who", "user_email", "laureate", "description", "report")
    readonly_fields = fields

    # A record says what happened: nobody writes, changes or deletes one by hand (the daily
    # task deletes them after a year).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("who"), ordering="user_email")
    def who(self, read):
        if read.user is None:
            return read.user_email
        return read.user.get_full_name() or read.user_email

    @admin.display(description=_("what"), ordering="what")
    def description(self, read):
        return read.description
