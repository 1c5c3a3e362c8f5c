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
from reports.forms import ActivityReportForm, has_answer
from reports.models import ActivityReport, ReportPeriod
from reports.services import (
    ReportConflict,
    ReportLocked,
    period_status,
    report_open,
    report_questions,
    report_save_draft,
    report_submit,
)


def _open_period(slug: str, laureate: Laureate) -> ReportPeriod:
    """A period that has opened and that the laureate reports on (as listed on their page);
    unknown, future or before-they-joined periods are 404."""
    return get_object_or_404(ReportPeriod.objects.opened().for_laureate(laureate).by_slug(slug))


def _posted_version(request) -> int | None:
    """The version of the report the page was showing (None from a page that did not say)."""
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


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
    # Opening it creates nothing: the report exists from its first saved answer.
    laureate = own_laureate(request)
    report = report_open(laureate=laureate, period=_open_period(period, laureate))
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
    version = report.version
    conflict = None
    if request.method == "POST":
        valid = form.is_valid()
        answers = form.valid_answers()
        try:
            if report.pk is None and not has_answer(answers):
                # Nothing answered yet: nothing to create (an invalid answer is shown).
                if valid and not submitting:
                    messages.info(
                        request,
                        _("Nothing to save yet: your report is saved from your first answer."),
                    )
                    return redirect("reports:edit", period=report.period.slug)
            else:
                with transaction.atomic():
                    # Valid answers are saved even when others are not: nothing typed is lost.
                    saved = report_save_draft(
                        report=report, data=answers, version=_posted_version(request)
                    )
                    version = saved.version
                    saved.laureate, saved.period = report.laureate, report.period
                    report = saved
                    if valid and submitting:
                        report_submit(report=saved, by=request.user)
        except ReportLocked as error:
            messages.error(request, error.messages[0])
            return redirect("reports:edit", period=report.period.slug)
        except ReportConflict as error:
            # Theirs stays in the form; the saved one is listed. Saving again from this
            # page (which now carries the saved version) keeps theirs, knowingly.
            conflict = form.differences(error.saved)
            version = error.saved.version
            report = error.saved
        else:
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
            "version": version,
            "conflict": conflict,
            "sections": form.sections(carried_over=report.carried_over),
            "overdue": report.period.is_overdue(),
        },
        status=409 if conflict is not None else 200,
    )


def _autosave(request, report: ActivityReport, questions) -> JsonResponse:
    """Save what is valid, name what is not:
    ``{saved, saved_at, version, message, errors}``; 409 with ``conflict`` (and the saved
    answers that differ) when the page showed an older version, or ``locked``."""
    if not report.is_draft:
        return _locked_json()
    form = ActivityReportForm(request.POST, instance=report, questions=questions)
    form.is_valid()
    answers = form.valid_answers()
    errors = {name: list(errors) for name, errors in form.errors.items()}
    if report.pk is None and not has_answer(answers):
        return JsonResponse(
            {
                "saved": False,
                "saved_at": None,
                "version": 0,
                "message": _invalid_message(form, errors, None),
                "errors": errors,
            }
        )
    try:
        saved = report_save_draft(report=report, data=answers, version=_posted_version(request))
    except ReportLocked:
        return _locked_json()
    except ReportConflict as error:
        return JsonResponse(
            {
                "conflict": True,
                "version": error.saved.version,
                "message": error.messages[0],
                "differences": [
                    {"name": name, "label": label, "saved": saved_value}
                    for name, label, saved_value, _yours in form.differences(error.saved)
                ],
                "errors": errors,
            },
            status=409,
        )
    saved_at = timezone.localtime(saved.updated_at)
    return JsonResponse(
        {
            "saved": True,
            "saved_at": saved_at.isoformat(),
            "version": saved.version,
            "message": _invalid_message(form, errors, saved_at),
            "errors": errors,
        }
    )


def _invalid_message(form: ActivityReportForm, errors: dict, saved_at) -> str:
    """One status line that never contradicts itself: saved at HH:MM, or what was not saved."""
    time = saved_at and time_format(saved_at, "H:i")
    if not errors:
        return _("Saved at %(time)s") % {"time": time} if time else ""
    labels = ", ".join(
        _("“%(label)s”") % {"label": form.plain_label(form[name])}
        for name in errors
        if name in form.fields
    )
    if time:
        return _(
            "Not saved: %(fields)s (the reason is shown under the answer). "
            "Your other answers were saved at %(time)s."
        ) % {"fields": labels, "time": time}
    return _("Not saved: %(fields)s (the reason is shown under the answer).") % {"fields": labels}


def _locked_json() -> JsonResponse:
    message = _("This report has been submitted: it can no longer be changed.")
    return JsonResponse(
        {
            "saved": False,
            "locked": True,
            "saved_at": None,
            "message": message,
            "errors": {"__all__": [message]},
        },
        status=409,
    )
