"""The staff console for key dates and series: the series form, which checks the animators
and asks why they change, and the series page with its sessions inline."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from workshops.admin.sessions import SessionInline, _conflict_message, _warn_dates
from workshops.animators import animators_change_record, session_moved_tell
from workshops.models import KeyDate, Session, WorkshopSeries, default_school_zone
from workshops.services import series_propose_sessions


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


def _warn_about(request, series: WorkshopSeries) -> None:
    """The planning warnings of a series: how many sessions, and its conflicts."""
    warning = series.session_count_warning(series.sessions.count())
    if warning:
        messages.warning(request, warning)
    for session in series.sessions.select_related("series"):
        for other in session.conflicts():
            messages.warning(request, _conflict_message(session, other))
