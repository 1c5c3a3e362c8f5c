from django.contrib import messages
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from emergence.roles import laureate_required
from laureates.access import own_laureate
from laureates.models import Laureate
from reports.forms import ActivityReportForm
from reports.models import ActivityReport, ReportPeriod
from reports.services import (
    ReportLocked,
    period_status,
    report_questions,
    report_save_draft,
    report_start,
    report_submit,
)


def _open_period(slug: str, laureate: Laureate) -> ReportPeriod:
    """A period that has opened and that the laureate reports on (as listed on their page);
    unknown, future or before-they-joined periods are 404."""
    return get_object_or_404(ReportPeriod.objects.opened().for_laureate(laureate).by_slug(slug))


@laureate_required
def report_list(request):
    laureate = own_laureate(request)
    periods = ReportPeriod.objects.opened().for_laureate(laureate).with_report_of(laureate)
    rows = []
    for period in periods:
        report = period.laureate_reports[0] if period.laureate_reports else None
        rows.append((period, report, period_status(period=period, report=report)))
    return render(request, "reports/list.html", {"rows": rows})


@laureate_required
def report_edit(request, period: str):
    # The URL names only the period: the report is always the logged-in laureate's own.
    laureate = own_laureate(request)
    report = report_start(laureate=laureate, period=_open_period(period, laureate))
    questions = report_questions(report=report)
    if request.method == "POST" and request.POST.get("autosave"):
        return _autosave(request, report, questions)
    if request.method == "POST" and not report.is_draft:
        messages.error(request, _("This report has been submitted: it can no longer be changed."))
        return redirect("reports:edit", period=report.period.slug)
    if not report.is_draft:
        form = ActivityReportForm(instance=report, questions=questions)
        sections = form.answer_sections(carried_over=report.carried_over)
        return render(request, "reports/view.html", {"report": report, "sections": sections})

    submitting = request.POST.get("action") == "submit"
    form = ActivityReportForm(
        request.POST if request.method == "POST" else None,
        instance=report,
        questions=questions,
        submitting=submitting,
    )
    if request.method == "POST":
        valid = form.is_valid()
        try:
            with transaction.atomic():
                # Valid answers are saved even when others are not: nothing typed is lost.
                saved = report_save_draft(report=report, data=form.valid_answers())
                if valid and submitting:
                    report_submit(report=saved, by=request.user)
        except ReportLocked as error:
            messages.error(request, error.messages[0])
            return redirect("reports:edit", period=report.period.slug)
        if valid and submitting:
            messages.success(request, _("Thank you: your report has been submitted."))
            return redirect("reports:list")
        if valid:
            messages.success(request, _("Your draft has been saved."))
            return redirect("reports:edit", period=report.period.slug)
    return render(
        request,
        "reports/edit.html",
        {
            "report": report,
            "form": form,
            "sections": form.sections(carried_over=report.carried_over),
            "overdue": report.period.is_overdue(),
        },
    )


def _autosave(request, report: ActivityReport, questions) -> JsonResponse:
    """Save what is valid, name what is not: ``{saved_at, message, errors}``."""
    if not report.is_draft:
        return _locked_json()
    form = ActivityReportForm(request.POST, instance=report, questions=questions)
    form.is_valid()
    try:
        saved = report_save_draft(report=report, data=form.valid_answers())
    except ReportLocked:
        return _locked_json()
    saved_at = timezone.localtime(saved.updated_at)
    return JsonResponse(
        {
            "saved_at": saved_at.isoformat(),
            "message": _("Saved at %(time)s") % {"time": time_format(saved_at, "H:i")},
            "errors": {name: list(errors) for name, errors in form.errors.items()},
        }
    )


def _locked_json() -> JsonResponse:
    message = _("This report has been submitted: it can no longer be changed.")
    return JsonResponse(
        {"saved_at": None, "message": message, "errors": {"__all__": [message]}}, status=409
    )
