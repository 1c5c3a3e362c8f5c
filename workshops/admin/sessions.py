"""The staff console for sessions: the session page and the series page's inline, their
warnings and conflicts, attendance and ratings, and publishing with its invitations."""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from emergence.admin_confirm import email_confirmation
from workshops.animators import absences_refresh, session_moved_tell
from workshops.models import Registration, Session
from workshops.moments import key_moment_position, session_warnings
from workshops.services import session_fill_from_waiting_list, session_publish, session_to_invite

# Video links typed without a scheme are HTTPS (Django 6's default, chosen now).
HTTPS_LINKS = {models.URLField: {"assume_scheme": "https"}}


class SessionInline(admin.TabularInline):
    formfield_overrides = HTTPS_LINKS
    model = Session
    fields = (
        "moment",
        "theme",
        "starts_at",
        "ends_at",
        "place",
        "video_url",
        "capacity",
        "days_before_key_date",
        "warnings",
        "published_at",
        "attendance_rate",
        "average_rating",
    )
    readonly_fields = (
        "days_before_key_date",
        "warnings",
        "published_at",
        "attendance_rate",
        "average_rating",
    )
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).with_checks().with_attendance()

    @admin.display(description=_("days before its key date"))
    def days_before_key_date(self, session):
        return _days_before(session)

    @admin.display(description=_("warnings"))
    def warnings(self, session):
        return _warnings_html(session)

    @admin.display(description=_("attendance"))
    def attendance_rate(self, session):
        return _attendance_rate(session)

    @admin.display(description=_("average rating"))
    def average_rating(self, session):
        return _average_rating(session)


def _attendance_rate(session) -> str:
    """« 8 / 10 (80 %) »: present among the registered whose attendance was taken."""
    if session.attendance_rate is None:
        return "—"
    return _("%(present)d / %(marked)d (%(rate)d%%)") % {
        "present": session.present_count,
        "marked": session.marked_count,
        "rate": round(session.attendance_rate * 100),
    }


def _average_rating(session) -> str:
    if not session.rating_count:
        return "—"
    return ngettext(
        "%(average)s / 5 (%(count)d rating)",
        "%(average)s / 5 (%(count)d ratings)",
        session.rating_count,
    ) % {
        "average": number_format(session.average_rating, 1),
        "count": session.rating_count,
    }


def _warn_dates(request, sessions) -> None:
    """The warnings of each session's date (workshops.moments.session_warnings), as messages:
    the save goes through."""
    for session in sessions.with_checks().select_related("series"):
        for warning in session_warnings(session):
            messages.warning(request, f"{session}: {warning}")


def _conflict_message(session: Session, other: Session) -> str:
    return _(
        "Conflict: “%(session)s” overlaps “%(other)s” (%(series)s), which shares its staff lead "
        "or an animator."
    ) % {"session": session, "other": other, "series": other.series}


def _warnings_html(session) -> str:
    if session.pk is None:  # the inline's blank row
        return "—"
    found = session_warnings(session)
    if not found:
        return "—"
    return format_html_join(mark_safe("<br>"), "⚠ {}", ((w,) for w in found))


def _days_before(session) -> str:
    return key_moment_position(session)


class ConflictFilter(admin.SimpleListFilter):
    title = _("conflict")
    parameter_name = "conflict"

    def lookups(self, request, model_admin):
        return [("yes", _("staff lead or animator elsewhere at the same time"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_conflict=True)
        return queryset


class RegistrationInline(admin.TabularInline):
    model = Registration
    fields = ("laureate", "status", "registered_at", "attended")
    readonly_fields = ("laureate", "status", "registered_at")
    extra = 0
    can_delete = False
    verbose_name_plural = _("registrations (tick attendance here)")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("laureate__user")
            .order_by("status", "registered_at")
        )

    def has_add_permission(self, request, obj):
        return False


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = (
        "theme",
        "series",
        "moment",
        "starts_at",
        "days_before_key_date",
        "places",
        "published_at",
        "conflict",
        "warnings",
    )
    list_filter = ("series__school_year", "series__track", "moment", ConflictFilter)
    list_select_related = ("series",)
    search_fields = ("theme", "place")
    autocomplete_fields = ("series",)
    inlines = (RegistrationInline,)
    date_hierarchy = "starts_at"
    show_full_result_count = False
    actions = ["publish"]
    readonly_fields = ("published_at", "days_before_key_date", "warnings", "attendance_sheet")
    fieldsets = (
        (None, {"fields": ("series", "moment", "days_before_key_date", "warnings", "theme")}),
        (_("When and where"), {"fields": ("starts_at", "ends_at", "place", "video_url")}),
        (None, {"fields": ("capacity", "published_at", "attendance_sheet", "animator_note")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_checks()
            .annotate(confirmed=Count("registrations", filter=Q(registrations__status="confirmed")))
        )

    @admin.display(description=_("days before its key date"))
    def days_before_key_date(self, session):
        return _days_before(session)

    @admin.display(description=_("warnings"))
    def warnings(self, session):
        return _warnings_html(session)

    @admin.display(description=_("registered / capacity"))
    def places(self, session):
        return f"{session.confirmed} / {session.capacity}"

    @admin.display(description=_("conflict"), boolean=True, ordering="has_conflict")
    def conflict(self, session):
        return session.has_conflict

    @admin.display(description=_("attendance"))
    def attendance_sheet(self, session):
        if not session.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("workshops:attendance", args=[session.pk]),
            _("Printable list, to take attendance"),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        session = self.get_object(request, object_id)
        if session is not None and request.method == "GET":
            for other in session.conflicts():
                messages.warning(request, _conflict_message(session, other))
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            # More places: the waiting list moves up at once.
            session_fill_from_waiting_list(session=obj)
        _warn_dates(request, Session.objects.filter(pk=obj.pk))
        if change and "starts_at" in form.changed_data:
            # The animators hear of a published session moved to another day or time.
            session_moved_tell(session=obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Registration:
            # Attendance ticked here counts for the triage as the animators' sheet does.
            absences_refresh(
                laureate_ids=[row.laureate_id for row, _fields in formset.changed_objects]
            )

    @admin.action(description=_("Publish and invite the laureates"), permissions=["change"])
    def publish(self, request, queryset):
        sessions = []
        for session in queryset.select_related("series__lead"):
            errors = session.series.publish_errors()
            if errors:
                messages.error(
                    request,
                    _("“%(session)s” is not published: %(errors)s")
                    % {"session": session, "errors": " ".join(errors)},
                )
            else:
                sessions.append(session)
        if not sessions:
            return None
        queryset = queryset.filter(pk__in=[session.pk for session in sessions])
        page = email_confirmation(
            self,
            request,
            queryset,
            title=_("Publish and invite the laureates?"),
            intro=_(
                "Publishing opens registration and e-mails an invitation to each laureate of "
                "the session's audience who was not invited yet."
            ),
            groups=[
                (
                    str(session),
                    [
                        f"{laureate.user.get_full_name()} <{laureate.user.email}>"
                        for laureate in session_to_invite(session)
                    ],
                )
                for session in sessions
            ],
            submit=_("Yes, publish and send the invitations"),
        )
        if page is not None:
            return page
        for session in sessions:
            invited = session_publish(session=session)
            messages.success(
                request,
                ngettext(
                    "“%(session)s” is published: %(count)d laureate invited.",
                    "“%(session)s” is published: %(count)d laureates invited.",
                    invited,
                )
                % {"session": session, "count": invited},
            )
