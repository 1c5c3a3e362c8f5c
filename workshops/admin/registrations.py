"""The staff console for registrations and feedback, and the workshops shown read-only on a
laureate's admin page."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from emergence.admin_paginator import EstimatedCountPaginator
from laureates.admin import LaureateAdmin
from workshops.animators import absences_refresh
from workshops.models import Feedback, Registration, RegistrationStatus, Session


class RecentSessionFilter(admin.SimpleListFilter):
    """The sessions of the weeks around today (and the one chosen), not every session ever
    held: hundreds a year, too many to read in the sidebar. Older ones are found by their
    series or by searching their theme."""

    title = _("session")
    parameter_name = "session__id__exact"
    WEEKS = 4

    def lookups(self, request, model_admin):
        chosen = self._chosen()
        sessions = Session.objects.around(self.WEEKS) | Session.objects.filter(pk=chosen)
        return [(str(session.pk), str(session)) for session in sessions.order_by("starts_at")]

    def queryset(self, request, queryset):
        chosen = self._chosen()
        return queryset if chosen is None else queryset.filter(session_id=chosen)

    def _chosen(self) -> int | None:
        value = self.value() or ""
        return int(value) if value.isdigit() else None


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("laureate", "session", "status", "registered_at", "attended")
    list_editable = ("attended",)
    # Attendance is edited in place: a page of fifty rows to tick and save at once.
    list_per_page = 50
    list_filter = ("status", "attended", "session__series", RecentSessionFilter)
    list_select_related = ("laureate__user", "session")
    search_fields = ("laureate__user__first_name", "laureate__user__last_name", "session__theme")
    autocomplete_fields = ("laureate", "session")
    readonly_fields = ("registered_at", "promoted_at", "cancelled_at")
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    # Attendance or a status changed here (the list's attendance column included) rewrites
    # the laureate's absences, which the triage reads, as the attendance sheets do.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        absences_refresh(laureate_ids=[obj.laureate_id])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        absences_refresh(laureate_ids=[obj.laureate_id])

    def delete_queryset(self, request, queryset):
        laureate_ids = list(queryset.values_list("laureate_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        absences_refresh(laureate_ids=laureate_ids)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("series", "session", "laureate", "rating", "created_at")
    list_filter = ("series", "rating")
    list_select_related = ("series", "session", "laureate__user")
    search_fields = ("helped", "comment", "laureate__user__last_name")
    autocomplete_fields = ("laureate",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator


class ReadOnlyFormSet(BaseInlineFormSet):
    """A formset that shows rows and never takes any: the laureate's page posts its own
    fields and inlines, and a client (or a test) that does not know this one's management
    form must not be refused for it."""

    def is_valid(self):
        return True

    def save(self, commit=True):
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        return []


class LaureateWorkshopInline(admin.TabularInline):
    """A laureate's workshop registrations and attendance, read-only, on their admin page."""

    model = Registration
    formset = ReadOnlyFormSet
    fields = ("session", "status", "attended")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("workshops")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("session")
            .exclude(status=RegistrationStatus.CANCELLED)
        )

    def has_add_permission(self, request, obj):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# laureates sits below workshops and must not import it (DESIGN.md), so the laureate's
# admin page learns about workshops from here: workshops.admin is loaded after
# laureates.admin (INSTALLED_APPS order), and ModelAdmin reads ``inlines`` from its class.
LaureateAdmin.inlines = (*LaureateAdmin.inlines, LaureateWorkshopInline)
