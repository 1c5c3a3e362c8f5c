"""The staff's review of activity reports: the answers are read-only, the review is not."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from emergence.admin import object_error
from emergence.admin_paginator import EstimatedCountPaginator
from emergence.history import HistoryAdmin
from emergence.roles import may_read_confidential
from emergence.spreadsheets import BooleanWidget, normalise
from laureates.activities import participations, quarter_of
from laureates.admin import StaffListFilter
from laureates.models import Laureate
from reports.admin.common import action_form_page
from reports.checkins import checkin_differs, laureate_checkin_for, quarter_meetings
from reports.confidential import (
    CONFIDENTIAL_FIELDS,
    CONFIDENTIAL_NOTICE,
    report_read_record,
    touches_confidential,
)
from reports.forms import SCALE_LABELS
from reports.models import (
    ANSWER_SECTIONS,
    RATING_FIELDS,
    ActivityReport,
    QuestionKind,
    ReportPeriod,
    ReportStatus,
)
from reports.services import report_mark_reviewed, report_reopen
from reports.triage import NEEDS_ATTENTION, triage_refresh_added

SECTION_TITLES = {
    "studies": _("Studies"),
    "sponsor": _("Sponsor"),
    "project": _("Professional project"),
    "civic": _("Civic action"),
    "search": pgettext_lazy("job search", "Search"),
    "wellbeing": _("Wellbeing (confidential)"),
    "comment": _("Free comment"),
}
ANSWER_FIELDSETS = tuple(
    (SECTION_TITLES[key], tuple(names)) for key, names in ANSWER_SECTIONS.items()
)
# The sponsor's answer to the quarterly question (reports/checkins.py) next to the laureate's:
# staff only, shown on the review page, never to the laureate.
SIDE_BY_SIDE = "sponsor_answers"
REPORT_FIELDS = (
    "laureate",
    "period",
    "questionnaire",
    "status",
    "created_at",
    "updated_at",
    "submitted_at",
    "is_late",
    "carried_over_sections",
    # The placement the report asked about; its answer is in the search section.
    "placement",
    # What the laureate took part in that quarter (workshops attended…), from the apps that
    # record it (laureates/activities.py: reports never imports them).
    "attended_this_quarter",
)
REVIEW_READONLY = ("reviewed_at", "reviewed_by")
# In place of each confidential answer, for staff who may not read it.
HIDDEN_FIELDS = {name: f"hidden_{name}" for name in CONFIDENTIAL_FIELDS}


def _report_of(name: str) -> str:
    """« Rapport de Paul », « Rapport d’Inès »: French elides « de » before a vowel."""
    if normalise(name[:1]) in tuple("aeiouy"):
        return pgettext("before a vowel", "Report of %(laureate)s") % {"laureate": name}
    return gettext("Report of %(laureate)s") % {"laureate": name}


def _rating(name: str):
    """A rating with its label, as the laureate chose it: « 4 — bien », not a bare 4."""

    @admin.display(description=ActivityReport._meta.get_field(name).verbose_name)
    def display(self, report):
        value = getattr(report, name)
        labels = SCALE_LABELS.get(name, ())
        if value is None:
            return "—"
        return labels[value - 1] if 1 <= value <= len(labels) else value

    return display


RATING_DISPLAYS = {name: f"{name}_label" for name in RATING_FIELDS}


def _hidden(name: str):
    @admin.display(description=ActivityReport._meta.get_field(name).verbose_name)
    def display(self, report):
        return CONFIDENTIAL_NOTICE

    return display


class NeedsAttentionFilter(admin.SimpleListFilter):
    """Reports of laureates whose triage score (now) says they need attention."""

    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", _("yes"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            # The stored score (reports/triage/stored.py), through its partial index.
            return queryset.filter(laureate__stored_triage__score__gte=NEEDS_ATTENTION)
        return queryset


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Review comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Seen by staff only. Replaces the review comment of each selected report."),
    )


@admin.register(ActivityReport)
class ActivityReportAdmin(HistoryAdmin):
    list_display = (
        "period",
        "laureate_name",
        "status",
        "submitted_at",
        "is_late",
        "triage_score",
    )
    list_display_links = ("laureate_name",)
    list_filter = (
        "period",
        "status",
        NeedsAttentionFilter,
        "laureate__promotion",
        "laureate__track",
        ("laureate__referent", StaffListFilter),
    )
    search_fields = (
        "laureate__user__first_name",
        "laureate__user__last_name",
        "laureate__user__email",
    )
    search_help_text = _("Name or e-mail address of the laureate.")
    list_select_related = ("period", "laureate__user")
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 100
    # Newest first, by primary key: sorting every report by period then name is a full
    # sort (about 1 s at 100,000 laureates); the column headers still sort on demand.
    ordering = ("-pk",)
    actions = ["mark_reviewed", "reopen"]
    fieldsets = (
        (None, {"fields": REPORT_FIELDS}),
        *[
            (title, {"fields": (*names, SIDE_BY_SIDE) if key == "sponsor" else names})
            for key, (title, names) in zip(ANSWER_SECTIONS, ANSWER_FIELDSETS, strict=True)
        ],
        (_("Extra questions"), {"fields": ("extra_answers_display",)}),
        (_("Review"), {"fields": ("review_comment", *REVIEW_READONLY)}),
    )
    # Staff must not change a laureate's answers by accident: all is read-only but the
    # review comment.
    readonly_fields = (
        *REPORT_FIELDS,
        *[name for _title, names in ANSWER_FIELDSETS for name in names],
        *HIDDEN_FIELDS.values(),
        *RATING_DISPLAYS.values(),
        "extra_answers_display",
        SIDE_BY_SIDE,
        *REVIEW_READONLY,
    )
    hidden_stress = _hidden("stress")
    hidden_wants_contact = _hidden("wants_contact")
    hidden_wellbeing_note = _hidden("wellbeing_note")
    studies_rating_label = _rating("studies_rating")
    sponsor_relationship_label = _rating("sponsor_relationship")
    project_progress_label = _rating("project_progress")
    civic_involvement_label = _rating("civic_involvement")
    stress_label = _rating("stress")
    change_form_template = "admin/reports/activityreport/change_form.html"
    change_list_template = "admin/reports/activityreport/change_list.html"
    # The review buttons at the top too: the answers make a long page.
    save_on_top = True

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        if report is not None:
            # Read-only answers: the page is the report, not a form to change it.
            extra_context = {
                **(extra_context or {}),
                "title": _report_of(str(report.laureate)),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        # The score column and filter read the stored triage: laureates added since the
        # last refresh get theirs first (usually one query that finds none).
        triage_refresh_added()
        extra_context = {**(extra_context or {}), **self._list_links(request)}
        return super().changelist_view(request, extra_context)

    @staticmethod
    def _list_links(request) -> dict:
        """Back to the laureate when the list shows one laureate's reports; the laureates
        who have not started the period's report (the filtered period, else the latest)."""
        links = {}
        laureate_id = request.GET.get("laureate__id__exact", "")
        if laureate_id.isdigit():
            links["filtered_laureate"] = (
                Laureate.objects.select_related("user").filter(pk=laureate_id).first()
            )
        period_id = request.GET.get("period__id__exact", "")
        periods = ReportPeriod.objects.opened().order_by("-opens_on")
        period = (periods.filter(pk=period_id).first() if period_id.isdigit() else None) or (
            periods.first()
        )
        if period is not None:
            links["not_started_period"] = period
            links["not_started_url"] = (
                reverse("admin:laureates_laureate_changelist") + f"?not_started={period.pk}"
            )
        return links

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(laureate_triage_score=F("laureate__stored_triage__score"))
        )

    def has_add_permission(self, request):
        return False  # laureates write reports; staff review them

    # Confidential answers ----------------------------------------------------------------

    @staticmethod
    def can_read_confidential(request, report: ActivityReport) -> bool:
        """``may_read_confidential`` for this page's reader, asked once per report."""
        if not hasattr(report, "can_read_confidential"):
            report.can_read_confidential = may_read_confidential(request.user, report.laureate)
        return report.can_read_confidential

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        readable = obj is not None and self.can_read_confidential(request, obj)
        hidden = {} if readable else HIDDEN_FIELDS
        return tuple(
            (
                title,
                {
                    **options,
                    "fields": [
                        hidden.get(f) or RATING_DISPLAYS.get(f, f) for f in options["fields"]
                    ],
                },
            )
            for title, options in fieldsets
        )

    def lookup_allowed(self, lookup, value, request=None):
        # The list never filters on a confidential answer, whatever the URL asks.
        if touches_confidential(lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            report_read_record(
                user=request.user,
                report=obj,
                with_confidential=self.can_read_confidential(request, obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("laureate"), ordering="laureate__user__last_name")
    def laureate_name(self, report):
        user = report.laureate.user
        return user.get_full_name() or user.email

    # Not sortable: sorting every report by a per-laureate subquery is the laureate list's job.
    @admin.display(description=_("triage score (now)"))
    def triage_score(self, report):
        return report.laureate_triage_score

    @admin.display(description=_("attended this quarter"))
    def attended_this_quarter(self, report):
        period = report.period
        start, end = quarter_of(datetime.date(period.year, period.quarter * 3, 1))
        items = participations(report.laureate, start=start, end=end)
        if not items:
            return gettext("nothing recorded")
        return format_html(
            '<ul class="attended-this-quarter">{}</ul>',
            format_html_join(
                "",
                "<li>{} · {}</li>",
                ((date_format(item.day, "SHORT_DATE_FORMAT"), item.label) for item in items),
            ),
        )

    @admin.display(description=_("sections carried over"))
    def carried_over_sections(self, report):
        return ", ".join(str(SECTION_TITLES[key]) for key in report.carried_over) or "—"

    @admin.display(description=_("the laureate's and the sponsor's answers"))
    def sponsor_answers(self, report):
        """« Avez-vous rencontré votre parrain ? » as the laureate answered it, next to the
        sponsor's answer of the same period (and their note), the difference highlighted."""
        checkin = laureate_checkin_for(laureate=report.laureate, period=report.period)
        laureate_says = {True: gettext("Yes"), False: gettext("No")}.get(report.sponsor_met, "—")
        if checkin is None:
            sponsor_says, note, differ = gettext("The sponsor has not answered."), "", False
            sponsor = gettext("The sponsor")
        else:
            sponsor_says, note = checkin.get_answer_display(), checkin.note
            differ = checkin_differs(met=report.sponsor_met, answer=checkin.answer)
            sponsor = gettext("%(sponsor)s (sponsor), on %(day)s") % {
                "sponsor": checkin.sponsorship.sponsor,
                "day": date_format(timezone.localtime(checkin.answered_at), "SHORT_DATE_FORMAT"),
            }
        question = ActivityReport._meta.get_field("sponsor_met").verbose_name
        logged, confirmed = quarter_meetings(laureate=report.laureate, period=report.period)
        meetings = gettext("Meetings logged this quarter: %(logged)d (%(confirmed)d confirmed)") % {
            "logged": logged,
            "confirmed": confirmed,
        }
        return format_html(
            '<table class="sponsor-answers{}"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th></tr></thead><tbody><tr><td>{}</td><td>{}</td></tr>'
            '{}</tbody></table>{}<p class="sponsor-answers-meetings">{}</p>',
            " sponsor-answers-differ" if differ else "",
            gettext("The laureate: “%(question)s”") % {"question": question},
            sponsor,
            laureate_says,
            sponsor_says,
            format_html(
                '<tr><td></td><td class="sponsor-answers-note">{}<br>{}</td></tr>',
                gettext("Sponsor's note (staff only):"),
                note,
            )
            if note
            else "",
            format_html(
                '<p class="sponsor-answers-warning"><strong>{}</strong></p>',
                gettext("The answers differ: a call will tell."),
            )
            if differ
            else "",
            meetings,
        )

    @admin.display(description=_("answers to the extra questions"))
    def extra_answers_display(self, report):
        """Each extra question of the report's own questionnaire version, with its answer."""
        if report.questionnaire_id is None:
            return "—"
        rows = []
        # Closed unless the page said who reads it (get_fieldsets does, for each report).
        readable = getattr(report, "can_read_confidential", False)
        for question in report.questionnaire.questions.all():
            value = report.extra_answers.get(question.key)
            if question.confidential and not readable:
                answer = CONFIDENTIAL_NOTICE
            elif value is None or value == "":
                answer = "—"
            elif question.kind == QuestionKind.YES_NO:
                answer = BooleanWidget().render(value in (True, "yes", "true", "1", 1))
            elif question.kind == QuestionKind.CHOICE:
                answer = dict(question.choice_list()).get(str(value), value)
            else:
                answer = value
            rows.append((question.label, answer))
        if not rows:
            return "—"
        return format_html(
            "<dl class='extra-answers'>{}</dl>",
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows),
        )

    # Review -----------------------------------------------------------------------------

    def response_change(self, request, obj):
        if "_mark_reviewed" in request.POST or "_reopen" in request.POST:
            if "_mark_reviewed" in request.POST:
                self._review(request, [obj], obj.review_comment)
            else:
                self._reopen(request, [obj])
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _review(self, request, reports, comment: str) -> None:
        done = 0
        for report in reports:
            try:
                report_mark_reviewed(report=report, by=request.user, comment=comment)
                done += 1
            except ValidationError as error:
                messages.error(request, object_error(report, error))
        if done:
            messages.success(
                request,
                ngettext(
                    "%(count)d report marked reviewed.",
                    "%(count)d reports marked reviewed.",
                    done,
                )
                % {"count": done},
            )

    def _reopen(self, request, reports) -> None:
        reopened = 0
        for report in reports:
            if report.status != ReportStatus.DRAFT:
                report_reopen(report=report, by=request.user)
                reopened += 1
        messages.success(
            request,
            ngettext(
                "%(count)d report reopened: the laureate can change it and submit it again.",
                "%(count)d reports reopened: the laureates can change them and submit them again.",
                reopened,
            )
            % {"count": reopened},
        )

    @admin.action(description=_("Mark reviewed, with a comment"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        form = ReviewForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return action_form_page(
                self,
                request,
                queryset,
                form=form,
                title=gettext("Mark reviewed"),
                submit=gettext("Mark reviewed"),
            )
        self._review(request, list(queryset), form.cleaned_data["comment"])
        return None

    @admin.action(description=_("Reopen for the laureate"), permissions=["change"])
    def reopen(self, request, queryset):
        self._reopen(request, list(queryset))
