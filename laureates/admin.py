"""The staff console for laureates, promotions, sponsors and follow-ups."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models.functions import Coalesce, ExtractYear
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from emergence.admin import confirm_and_invite
from emergence.admin_paginator import EstimatedCountPaginator
from emergence.history import HistoryAdmin
from emergence.spreadsheets import SpreadsheetModelAdmin
from laureates.activities import participations, quarter_of
from laureates.admin_sponsors import SponsorAccessMixin
from laureates.models import (
    FollowUp,
    Laureate,
    PartnerConsent,
    Placement,
    Promotion,
    Sponsor,
    Sponsorship,
    placement_end,
    placement_record,
    search_sharing_refresh,
    search_text_refresh,
)
from laureates.personal_data import laureate_delete
from laureates.resources import LaureateResource, SponsorResource, SponsorshipResource


class StaffListFilter(admin.RelatedFieldListFilter):
    """A filter on a user field that lists staff members only, not every user."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False, limit_choices_to={"is_staff": True}, ordering=ordering
        )


class CurrentSponsorFilter(admin.SimpleListFilter):
    title = _("current sponsor")
    parameter_name = "current_sponsor"

    def lookups(self, request, model_admin):
        return [("yes", _("yes")), ("none", _("none"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.with_current_sponsor()
        if self.value() == "none":
            return queryset.without_current_sponsor()
        return queryset


def one_current_sponsorship_message() -> str:
    constraint = next(
        c for c in Sponsorship._meta.constraints if c.name == "one_current_sponsorship_per_laureate"
    )
    return constraint.get_violation_error_message()


class SponsorshipFormSet(BaseInlineFormSet):
    """Checks the one-current-sponsorship rule across the rows of one submission.

    Each form's model validation cannot see its siblings (and an inline form leaves
    the laureate out of constraint checks), so two current sponsorships typed in one
    submission would otherwise reach the database constraint and fail there.
    """

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        current = [
            form
            for form in self.forms
            if form not in self.deleted_forms
            and (form.instance.pk or form.has_changed())
            and form.cleaned_data.get("ended_on") is None
        ]
        elsewhere = 0
        if self.instance.pk:
            # Current sponsorships not shown in this formset still count.
            shown = [form.instance.pk for form in self.initial_forms]
            elsewhere = (
                Sponsorship.objects.current()
                .filter(laureate=self.instance)
                .exclude(pk__in=shown)
                .count()
            )
        if len(current) + elsewhere > 1:
            raise ValidationError(
                _("%(rule)s End the previous sponsorship (fill in its end date) first.")
                % {"rule": one_current_sponsorship_message()},
                code="one_current_sponsorship",
            )


class SponsorshipInline(admin.TabularInline):
    model = Sponsorship
    formset = SponsorshipFormSet
    fields = ("sponsor", "started_on", "ended_on", "end_reason")
    autocomplete_fields = ("sponsor",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sponsor")


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    fields = ("date", "channel", "note", "by")
    readonly_fields = ("by",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class LaureateAdminForm(forms.ModelForm):
    """The laureate's form in the console: a change of status says why, for the history."""

    change_reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Required when the status changes: kept in the laureate's history."),
    )

    def clean(self):
        cleaned = super().clean()
        reason = cleaned.get("change_reason", "").strip()
        if self.instance.pk and "status" in self.changed_data and not reason:
            self.add_error(
                "change_reason", _("Say why the status changes: it is kept in the history.")
            )
        if reason:
            self.instance._change_reason = reason  # simple-history's: the row's reason
        return cleaned


@admin.register(Laureate)
class LaureateAdmin(HistoryAdmin, SpreadsheetModelAdmin):
    form = LaureateAdminForm
    resource_classes = [LaureateResource]
    list_display = (
        "name",
        "email",
        "promotion",
        "track",
        "study_year",
        "status",
        "referent",
        "current_sponsor",
    )
    list_filter = (
        "promotion",
        "track",
        "status",
        ("referent", StaffListFilter),
        CurrentSponsorFilter,
    )
    search_fields = ("user__first_name", "user__last_name", "user__email", "school")
    search_help_text = _("Name, e-mail address or school.")
    list_select_related = ("user", "promotion", "referent")
    autocomplete_fields = ("user", "promotion", "referent")
    inlines = (SponsorshipInline, FollowUpInline)
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 100
    actions = ["send_invitation"]
    fieldsets = (
        (None, {"fields": ("user", "promotion", ("status", "left_on"), "situation", "referent")}),
        (_("Studies"), {"fields": ("track", "study_year", "school", ("degree", "degree_year"))}),
        (_("Contact"), {"fields": ("city", "phone")}),
        (None, {"fields": ("joined_on",)}),
        # Read-only: the laureate decides on their own page; placements have their own list.
        (_("Partner companies"), {"fields": ("partner_consent", "placements", "search_asked_on")}),
        # What the apps above record (workshops attended…): laureates.activities.
        (_("This quarter"), {"fields": ("attended_this_quarter",)}),
    )
    readonly_fields = (
        "partner_consent",
        "placements",
        "search_asked_on",
        "attended_this_quarter",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_current_sponsor_name()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        # The reason comes right after the status it explains (alone or on a line).
        (title, options), *others = fieldsets
        fields = list(options["fields"])
        line = next(i for i, f in enumerate(fields) if f == "status" or "status" in f)
        fields.insert(line + 1, "change_reason")
        return ((title, {**options, "fields": fields}), *others)

    def history_related(self, request, obj):
        # Consents have no console page of their own: their history shows here.
        records = (
            PartnerConsent.history.filter(laureate_id=obj.pk)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[:100]
        )
        rows = [
            {
                "date": record.history_date,
                "action": record.get_history_type_display(),
                "user": record.history_user,
                "reason": record.history_change_reason,
                "summary": _consent_line(record),
            }
            for record in records
        ]
        return [(capfirst(PartnerConsent._meta.verbose_name_plural), rows)]

    @admin.display(description=_("name"), ordering="user__last_name")
    def name(self, laureate):
        return laureate.user.get_full_name() or laureate.user.email

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def email(self, laureate):
        return laureate.user.email

    @admin.display(description=_("current sponsor"), ordering="current_sponsor_name")
    def current_sponsor(self, laureate):
        return laureate.current_sponsor_name or "—"

    @admin.action(description=_("Send an invitation"), permissions=["change"])
    def send_invitation(self, request, queryset):
        users = [laureate.user for laureate in queryset.select_related("user")]
        return confirm_and_invite(self, request, queryset, users)

    @admin.display(description=_("consent to partner sharing"))
    def partner_consent(self, laureate):
        if not laureate.pk:
            return "—"
        consents = laureate.partner_consents.all()[:10]
        if not consents:
            return _("never given")
        return format_html_join(
            mark_safe("<br>"), "{}", ((_consent_line(consent),) for consent in consents)
        )

    @admin.display(description=_("attended this quarter"))
    def attended_this_quarter(self, laureate):
        if not laureate.pk:
            return "—"
        start, end = quarter_of(timezone.localdate())
        items = participations(laureate, start=start, end=end)
        if not items:
            return _("nothing recorded")
        return format_html(
            '<ul class="attended-this-quarter">{}</ul>',
            format_html_join(
                "",
                "<li>{} · {}</li>",
                ((date_format(item.day, "SHORT_DATE_FORMAT"), item.label) for item in items),
            ),
        )

    @admin.display(description=_("placements"))
    def placements(self, laureate):
        if not laureate.pk:
            return "—"
        rows = laureate.placements.select_related("company")
        record = format_html(
            '<a href="{}?laureate={}" class="record-placement">{}</a>',
            reverse("admin:laureates_placement_add"),
            laureate.pk,
            _("Record a placement"),
        )
        if not rows:
            return format_html("{} · {}", _("none"), record)
        lines = format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{} · {} · {} · {}</a>{}',
            (
                (
                    reverse("admin:laureates_placement_change", args=[placement.pk]),
                    placement.starts_on,
                    placement.get_kind_display(),
                    placement.title,
                    placement.company_name,
                    format_html(" · {} {}", _("ended on"), placement.ended_on)
                    if placement.ended_on
                    else "",
                )
                for placement in rows
            ),
        )
        return format_html("{}<br>{}", lines, record)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new school, or another account (another name), is what partners search by.
        search_text_refresh(laureate_ids=[obj.pk])
        # A new status (left, alumni, back) is whether partners see them.
        search_sharing_refresh(laureate_ids=[obj.pk])

    # Deleting a laureate also erases and closes their account (README, « Mes données »).
    def delete_model(self, request, obj):
        laureate_delete(laureate=obj)

    def delete_queryset(self, request, queryset):
        for laureate in queryset.select_related("user"):
            laureate_delete(laureate=laureate)

    def save_formset(self, request, form, formset, change):
        if formset.model is not FollowUp:
            return super().save_formset(request, form, formset, change)
        # A follow-up typed by a staff member is theirs.
        for follow_up in formset.save(commit=False):
            if follow_up.by_id is None:
                follow_up.by = request.user
            follow_up.save()
        for follow_up in formset.deleted_objects:
            follow_up.delete()
        formset.save_m2m()


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ("year", "laureate_count")
    search_fields = ("year",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(laureate_count=Count("laureates"))

    @admin.display(description=_("laureates"), ordering="laureate_count")
    def laureate_count(self, promotion):
        return promotion.laureate_count


@admin.register(Sponsor)
class SponsorAdmin(SponsorAccessMixin, SpreadsheetModelAdmin):
    resource_classes = [SponsorResource]
    list_display = ("last_name", "first_name", "email", "phone", "company", "has_account")
    list_filter = ("company",)
    search_fields = ("first_name", "last_name", "email", "company__name")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)
    readonly_fields = ("user",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    actions = ["give_access"]


class CurrentFilter(admin.SimpleListFilter):
    title = _("current")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", _("yes")), ("no", _("no"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.current()
        if self.value() == "no":
            return queryset.exclude(pk__in=Sponsorship.objects.current())
        return queryset


@admin.register(Sponsorship)
class SponsorshipAdmin(HistoryAdmin, SpreadsheetModelAdmin):
    resource_classes = [SponsorshipResource]
    list_display = ("laureate", "sponsor", "started_on", "ended_on", "end_reason")
    list_filter = (CurrentFilter, "end_reason", "sponsor__company")
    search_fields = (
        "laureate__user__first_name",
        "laureate__user__last_name",
        "laureate__user__email",
        "sponsor__first_name",
        "sponsor__last_name",
        "sponsor__email",
    )
    list_select_related = ("laureate__user", "sponsor")
    autocomplete_fields = ("laureate", "sponsor")
    date_hierarchy = "started_on"
    show_full_result_count = False
    paginator = EstimatedCountPaginator


@admin.register(FollowUp)
class FollowUpAdmin(HistoryAdmin):
    list_display = ("date", "laureate", "channel", "by")
    list_filter = ("channel", ("by", StaffListFilter))
    search_fields = (
        "laureate__user__first_name",
        "laureate__user__last_name",
        "laureate__user__email",
        "note",
    )
    list_select_related = ("laureate__user", "by")
    autocomplete_fields = ("laureate",)
    date_hierarchy = "date"
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_changeform_initial_data(self, request):
        return {"by": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "by":
            kwargs["queryset"] = db_field.related_model.objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _consent_line(consent: PartnerConsent) -> str:
    line = _("version %(version)s, given %(given)s, valid until %(until)s") % {
        "version": consent.version,
        "given": date_format(timezone.localtime(consent.given_at), "SHORT_DATETIME_FORMAT"),
        "until": date_format(consent.expires_on, "SHORT_DATE_FORMAT"),
    }
    if consent.withdrawn_at:
        withdrawn = date_format(timezone.localtime(consent.withdrawn_at), "SHORT_DATETIME_FORMAT")
        line += " · " + _("withdrawn %(when)s") % {"when": withdrawn}
    elif consent.replaced_at:
        renewed = date_format(timezone.localtime(consent.replaced_at), "SHORT_DATETIME_FORMAT")
        line += " · " + _("renewed %(when)s") % {"when": renewed}
    return line


class PlacementYearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Placement.objects.dates("starts_on", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(starts_on__year=int(self.value()))
        return queryset


class CurrentPlacementFilter(admin.SimpleListFilter):
    title = _("going on")
    parameter_name = "going_on"

    def lookups(self, request, model_admin):
        return [("yes", _("yes")), ("no", _("no"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.current()
        if self.value() == "no":
            return queryset.exclude(pk__in=Placement.objects.current().values("pk"))
        return queryset


@admin.register(Placement)
class PlacementAdmin(HistoryAdmin):
    list_display = (
        "starts_on",
        "laureate",
        "kind",
        "title",
        "company_display",
        "city",
        "duration_months",
        "ended_on",
        "source",
    )
    list_filter = (PlacementYearFilter, CurrentPlacementFilter, "kind", "company", "source")
    search_fields = (
        "laureate__user__first_name",
        "laureate__user__last_name",
        "title",
        "company__name",
        "other_company",
        "city",
    )
    list_select_related = ("laureate__user", "company")
    autocomplete_fields = ("laureate", "company")
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = (
        "laureate",
        "kind",
        "title",
        "company",
        "other_company",
        "department",
        "city",
        "starts_on",
        "duration_months",
        "ended_on",
        "source",
    )

    @admin.display(description=_("company"), ordering="company__name")
    def company_display(self, placement):
        return placement.company_name

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            if "ended_on" in form.changed_data and obj.ended_on:
                # It stopped: the laureate's situation goes back, unless another goes on.
                placement_end(placement=obj, on=obj.ended_on)
            return
        # A new placement also closes the laureate's open search of the same kind and puts
        # the laureate in its situation.
        fields = {name: getattr(obj, name) for name in self.fields if name != "laureate"}
        form.instance = placement_record(laureate=obj.laureate, **fields)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            # Placements per company and per year, following the list's filters, in one query.
            context["placement_totals"] = list(
                context["cl"]
                .queryset.order_by()
                .annotate(
                    year=ExtractYear("starts_on"),
                    company_label=Coalesce("company__name", "other_company"),
                )
                .values("year", "company_label")
                .annotate(count=Count("pk"))
                .order_by("-year", "-count", "company_label")
            )
        return response
