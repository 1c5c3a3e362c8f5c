"""The staff console for workshops: key dates, series, sessions, registrations, feedback."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from emergence.admin_confirm import email_confirmation
from emergence.admin_paginator import EstimatedCountPaginator
from laureates.admin import LaureateAdmin
from workshops.animators import absences_refresh, animators_change_record, session_moved_tell
from workshops.models import (
    Feedback,
    KeyDate,
    Registration,
    RegistrationStatus,
    Session,
    WorkshopSeries,
    default_school_zone,
)
from workshops.moments import key_moment_position, session_warnings
from workshops.services import (
    series_propose_sessions,
    session_fill_from_waiting_list,
    session_publish,
    session_to_invite,
)


@admin.register(KeyDate)
class KeyDateAdmin(admin.ModelAdmin):
    list_display = ("label", "date", "window", "exams_end", "kind", "track", "school_year")
    list_filter = ("school_year", "track", "kind")
    search_fields = ("label",)
    ordering = ("-school_year", "track", "date")
    fieldsets = (
        (None, {"fields": ("track", "school_year", "kind", "label", "date", "exams_end")}),
        (
            _("When its session may fall"),
            {"fields": ("window_starts", "window_ends")},
        ),
    )

    @admin.display(description=_("sessions from … until"))
    def window(self, key):
        first, last = key.window
        return (
            f"{date_format(first, 'SHORT_DATE_FORMAT')} – {date_format(last, 'SHORT_DATE_FORMAT')}"
        )


class WorkshopSeriesForm(forms.ModelForm):
    class Meta:
        model = WorkshopSeries
        fields = (
            "school_year",
            "track",
            "lead",
            "audience_from_year",
            "audience_to_year",
            "animators",
            "school_zone",
        )

    school_zone = WorkshopSeries._meta.get_field("school_zone").formfield(required=False)

    def clean_school_zone(self):
        return self.cleaned_data.get("school_zone") or default_school_zone()

    change_reason = forms.CharField(
        label=_("Why the animators change"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_(
            "Animators stay the same for the school year: once a session is published, "
            "adding or removing one needs a reason, and the registered laureates are told."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        animators = cleaned.get("animators")
        if (
            animators is not None
            and self.instance.animators_locked()
            and set(animators.values_list("pk", flat=True))
            != set(self.instance.animators.values_list("pk", flat=True))
            and not cleaned.get("change_reason", "").strip()
        ):
            self.add_error(
                "change_reason",
                _(
                    "The animators stay the same for the school year once a session is "
                    "published: say why they change."
                ),
            )
        if animators and "track" in cleaned and "audience_to_year" in cleaned:
            series = WorkshopSeries(
                track=cleaned["track"],
                audience_from_year=cleaned.get("audience_from_year") or 1,
                audience_to_year=cleaned["audience_to_year"],
            )
            errors = series.animator_errors(animators.select_related("user"))
            if errors:
                self.add_error("animators", ValidationError(errors))
        return cleaned


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


@admin.register(WorkshopSeries)
class WorkshopSeriesAdmin(admin.ModelAdmin):
    form = WorkshopSeriesForm
    list_display = ("__str__", "school_year", "track", "audience", "lead", "sessions")
    list_filter = ("school_year", "track")
    list_select_related = ("lead",)
    search_fields = ("school_year", "lead__last_name", "lead__email")
    autocomplete_fields = ("lead", "animators")
    inlines = (SessionInline,)
    actions = ["propose_sessions"]
    fieldsets = (
        (None, {"fields": ("school_year", "track", "lead", "school_zone")}),
        (_("Audience"), {"fields": ("audience_from_year", "audience_to_year")}),
        (None, {"fields": ("animators", "change_reason", "animator_changes")}),
    )
    readonly_fields = ("animator_changes",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_session_count()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # The reason for changing the animators is asked of those who may change them.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "change_reason"]})
            for name, options in fieldsets
        ]

    @admin.display(description=_("audience"))
    def audience(self, series):
        return _("study years %(first)d to %(last)d") % {
            "first": series.audience_from_year,
            "last": series.audience_to_year,
        }

    @admin.display(description=pgettext_lazy("workshop", "sessions"), ordering="session_count")
    def sessions(self, series):
        warning = series.session_count_warning(series.session_count)
        if warning:
            return format_html('<span title="{}">⚠ {}</span>', warning, series.session_count)
        return series.session_count

    def change_view(self, request, object_id, form_url="", extra_context=None):
        series = self.get_object(request, object_id)
        if series is not None and request.method == "GET":
            _warn_about(request, series)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        series = form.instance
        before = set(series.animators.values_list("pk", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        animators_change_record(
            series=series,
            before=before,
            reason=form.cleaned_data.get("change_reason", ""),
            by=request.user,
        )
        for formset in formsets:
            for session, changed in getattr(formset, "changed_objects", []):
                if isinstance(session, Session) and "starts_at" in changed:
                    # Moved from the series page: its animators hear of it too.
                    session_moved_tell(session=session)

    @admin.display(description=_("changes of animators"))
    def animator_changes(self, series):
        if not series.pk:
            return "—"
        changes = series.animator_changes.select_related("laureate__user", "by")[:50]
        if not changes:
            return _("none since the first session was published")
        return format_html_join(
            mark_safe("<br>"),
            "{} · {} {} · {} — {}",
            (
                (
                    date_format(timezone.localtime(c.at), "SHORT_DATETIME_FORMAT"),
                    c.get_kind_display(),
                    c.laureate,
                    c.by or "—",
                    c.reason,
                )
                for c in changes
            ),
        )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Session:
            _warn_dates(request, Session.objects.filter(series=form.instance))

    @admin.action(
        description=_("Propose the four sessions from the key dates"), permissions=["add"]
    )
    def propose_sessions(self, request, queryset):
        for series in queryset:
            created, missing = series_propose_sessions(series=series)
            messages.success(
                request,
                ngettext(
                    "%(series)s: %(count)d session proposed; adjust its date, place and theme.",
                    "%(series)s: %(count)d sessions proposed; adjust their dates, places and "
                    "themes.",
                    len(created),
                )
                % {"series": series, "count": len(created)},
            )
            _warn_dates(request, Session.objects.filter(pk__in=[s.pk for s in created]))
            if missing:
                messages.warning(
                    request,
                    _("%(series)s: no key date yet for %(moments)s. Enter it in Key moments first.")
                    % {"series": series, "moments": ", ".join(str(m) for m in missing)},
                )


def _warn_dates(request, sessions) -> None:
    """The warnings of each session's date (workshops.moments.session_warnings), as messages:
    the save goes through."""
    for session in sessions.with_checks().select_related("series"):
        for warning in session_warnings(session):
            messages.warning(request, f"{session}: {warning}")


def _warn_about(request, series: WorkshopSeries) -> None:
    """The planning warnings of a series: how many sessions, and its conflicts."""
    warning = series.session_count_warning(series.sessions.count())
    if warning:
        messages.warning(request, warning)
    for session in series.sessions.select_related("series"):
        for other in session.conflicts():
            messages.warning(request, _conflict_message(session, other))


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


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("laureate", "session", "status", "registered_at", "attended")
    list_editable = ("attended",)
    list_filter = ("status", "attended", "session__series", "session")
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
