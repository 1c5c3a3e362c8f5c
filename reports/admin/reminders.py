"""Quiet periods: the dates when no report reminder goes out."""

from django.contrib import admin

from reports.models import QuietPeriod


@admin.register(QuietPeriod)
class QuietPeriodAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_on", "ends_on")
    date_hierarchy = "starts_on"
    search_fields = ("name",)
    fields = ("name", "starts_on", "ends_on")
