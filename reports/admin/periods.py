"""Report periods (dates, school years, exports) and questionnaire versions."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from emergence.roles import may_read_some_confidential
from reports.admin.common import action_form_page
from reports.exports import period_export_response
from reports.models import (
    ActivityReport,
    Question,
    Questionnaire,
    ReportPeriod,
    periods_create_for_school_year,
)
from reports.questionnaires import (
    periods_not_answered_yet,
    periods_switch_questionnaire,
    questionnaire_copy,
)
from reports.triage import ANSWERED

# Periods ------------------------------------------------------------------------------


def current_school_year(today=None) -> int:
    """The first calendar year of the school year under way (it starts in September)."""
    today = today or timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


class SchoolYearForm(forms.Form):
    start_year = forms.IntegerField(
        label=_("School year starting in"),
        min_value=2000,
        max_value=2100,
        help_text=_(
            "Creates its four quarters (Q4 of that year, then Q1 to Q3 of the next) with "
            "the default dates; periods that already exist keep their dates."
        ),
    )


class ExportForm(forms.Form):
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV")],
        initial="xlsx",
    )
    include_wellbeing = forms.BooleanField(
        label=_("Include wellbeing answers (confidential)"),
        required=False,
        help_text=_(
            "Stress, wish to be contacted, the note to the team and the questions marked "
            "confidential, filled only for the laureates whose confidential answers you may "
            "read (empty for the others); each of them is recorded as read by you. Leave "
            "unticked unless you need them: the file may travel further than the console."
        ),
    )

    def __init__(self, *args, confidential: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not confidential:  # not offered to staff who may read no confidential answer
            del self.fields["include_wellbeing"]


@admin.register(ReportPeriod)
class ReportPeriodAdmin(admin.ModelAdmin):
    list_display = ("__str__", "opens_on", "due_on", "questionnaire", "answered", "export")
    list_display_links = ("__str__",)
    list_select_related = ("questionnaire",)
    autocomplete_fields = ("questionnaire",)
    fields = ("year", "quarter", "opens_on", "due_on", "questionnaire")
    search_fields = ("year",)
    change_list_template = "admin/reports/reportperiod/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                report_count=Count("reports"),
                answered_count=Count("reports", filter=Q(reports__status__in=ANSWERED)),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        # A period's name is in the laureates' links and e-mails: only its dates move.
        return ("year", "quarter") if obj else ()

    @admin.display(description=_("submitted / started"), ordering="answered_count")
    def answered(self, period):
        return f"{period.answered_count} / {period.report_count}"

    @admin.display(description=_("export"))
    def export(self, period):
        url = reverse("admin:reports_reportperiod_export", args=[period.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Export the reports"))

    def get_urls(self):
        return [
            path(
                "school-year/",
                self.admin_site.admin_view(self.school_year_view),
                name="reports_reportperiod_school_year",
            ),
            path(
                "<int:pk>/export/",
                self.admin_site.admin_view(self.export_view),
                name="reports_reportperiod_export",
            ),
            *super().get_urls(),
        ]

    def school_year_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SchoolYearForm(
            request.POST or None, initial={"start_year": current_school_year() + 1}
        )
        if request.method == "POST" and form.is_valid():
            start_year = form.cleaned_data["start_year"]
            periods = periods_create_for_school_year(start_year=start_year)
            messages.success(
                request,
                gettext("School year %(start)d–%(end)d: %(periods)s.")
                % {
                    "start": start_year,
                    "end": start_year + 1,
                    "periods": ", ".join(str(period) for period in periods),
                },
            )
            return HttpResponseRedirect(reverse("admin:reports_reportperiod_changelist"))
        return self.form_page(request, form, title=gettext("Create the periods of a school year"))

    def export_view(self, request, pk):
        if not self.has_view_permission(request) or not request.user.has_perm(
            "reports.view_activityreport"
        ):
            raise PermissionDenied
        period = get_object_or_404(ReportPeriod, pk=pk)
        form = ExportForm(
            request.POST or None, confidential=may_read_some_confidential(request.user)
        )
        if request.method == "POST" and form.is_valid():
            return period_export_response(
                period=period,
                file_format=form.cleaned_data["file_format"],
                include_confidential=form.cleaned_data.get("include_wellbeing", False),
                by=request.user,
            )
        return self.form_page(
            request,
            form,
            title=gettext("Export the reports of %(period)s") % {"period": period},
            submit=gettext("Export"),
        )

    def form_page(self, request, form, *, title, submit=None):
        return TemplateResponse(
            request,
            "admin/reports/reportperiod/form_page.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "form": form,
                "submit": submit or gettext("Create"),
                "opts": self.model._meta,
            },
        )


# Questionnaires -------------------------------------------------------------------------


def is_frozen(questionnaire: Questionnaire | None) -> bool:
    """``questionnaire.is_frozen``, asked once per request and object."""
    if questionnaire is None or questionnaire.pk is None:
        return False
    if not hasattr(questionnaire, "_frozen"):
        questionnaire._frozen = questionnaire.is_frozen
    return questionnaire._frozen


class QuestionInline(admin.TabularInline):
    model = Question
    fields = (
        "position",
        "key",
        "label_fr",
        "label_en",
        "kind",
        "choices",
        "required",
        "confidential",
    )
    ordering = ("position", "pk")
    extra = 0

    # Once a submitted report uses the questionnaire, its questions are what that report
    # was answered with: nothing may be added, changed or removed.
    def has_add_permission(self, request, obj=None):
        return not is_frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not is_frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_frozen(obj) and super().has_delete_permission(request, obj)


class CopyForm(forms.Form):
    switch_periods = forms.BooleanField(
        label=_("Ask the new version in the periods that have no submitted report yet"),
        required=False,
        initial=True,
    )


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "based_on", "question_count", "frozen", "period_list")
    list_select_related = ("based_on",)
    search_fields = ("name",)
    fields = ("name", "version", "based_on")
    readonly_fields = ("based_on",)
    inlines = (QuestionInline,)
    actions = ["copy_into_new_version"]

    def get_queryset(self, request):
        used = ActivityReport.objects.filter(questionnaire=OuterRef("pk"), status__in=ANSWERED)
        return (
            super()
            .get_queryset(request)
            .annotate(question_count=Count("questions", distinct=True), _used=Exists(used))
            .prefetch_related("periods")
        )

    @admin.display(description=_("questions"), ordering="question_count")
    def question_count(self, questionnaire):
        return questionnaire.question_count

    @admin.display(description=_("frozen"), boolean=True, ordering="_used")
    def frozen(self, questionnaire):
        return questionnaire._used

    @admin.display(description=_("periods"))
    def period_list(self, questionnaire):
        return ", ".join(str(period) for period in questionnaire.periods.all()) or "—"

    def get_object(self, request, object_id, from_field=None):
        questionnaire = super().get_object(request, object_id, from_field)
        if questionnaire is not None:
            questionnaire._frozen = questionnaire._used
        return questionnaire

    def has_change_permission(self, request, obj=None):
        return not is_frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_frozen(obj) and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        questionnaire = self.get_object(request, object_id)
        if is_frozen(questionnaire) and request.method == "GET":
            copy_url = reverse("admin:reports_questionnaire_copy", args=[questionnaire.pk])
            messages.warning(
                request,
                format_html(
                    "{} <a href='{}'>{}</a>",
                    gettext(
                        "Submitted reports were answered with this version: it can no longer "
                        "be changed, so that they keep showing their own questions."
                    ),
                    copy_url,
                    gettext("Copy it into a new version to change the questions."),
                ),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:pk>/copy/",
                self.admin_site.admin_view(self.copy_view),
                name="reports_questionnaire_copy",
            ),
            *super().get_urls(),
        ]

    def copy_view(self, request, pk):
        if not self.has_add_permission(request):
            raise PermissionDenied
        queryset = self.get_queryset(request).filter(pk=pk)
        get_object_or_404(queryset)
        if request.method == "POST":
            return self.copy_into_new_version(request, queryset)
        return self.copy_page(request, queryset, CopyForm())

    @admin.action(description=_("Copy into a new version"), permissions=["add"])
    def copy_into_new_version(self, request, queryset):
        form = CopyForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self.copy_page(request, queryset, form)
        copies = []
        for questionnaire in queryset:
            copy = questionnaire_copy(questionnaire=questionnaire)
            moved = []
            if form.cleaned_data["switch_periods"]:
                moved = periods_switch_questionnaire(old=questionnaire, new=copy)
            copies.append(copy)
            messages.success(
                request,
                gettext("%(copy)s created from %(original)s.")
                % {"copy": copy, "original": questionnaire}
                + (
                    " "
                    + ngettext(
                        "Period %(periods)s now asks it.",
                        "Periods %(periods)s now ask it.",
                        len(moved),
                    )
                    % {"periods": ", ".join(str(period) for period in moved)}
                    if moved
                    else ""
                ),
            )
        if len(copies) == 1:
            return HttpResponseRedirect(
                reverse("admin:reports_questionnaire_change", args=[copies[0].pk])
            )
        return None

    def copy_page(self, request, queryset, form):
        periods = [
            str(period)
            for questionnaire in queryset
            for period in periods_not_answered_yet(questionnaire=questionnaire)
        ]
        intro = gettext(
            "The copy has the same questions with the same keys, so that answers stay "
            "comparable; change it freely until a report is submitted with it."
        )
        if periods:
            intro += " " + gettext("Periods without a submitted report yet: %(periods)s.") % {
                "periods": ", ".join(periods)
            }
        response = action_form_page(
            self,
            request,
            queryset,
            form=form,
            title=gettext("Copy into a new version"),
            submit=gettext("Copy"),
            intro=intro,
        )
        response.context_data["action"] = "copy_into_new_version"
        return response
