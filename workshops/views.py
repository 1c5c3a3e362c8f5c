from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emergence.roles import laureate_required, staff_permission_required
from laureates.access import own_laureate
from workshops.calendar import sessions_calendar
from workshops.forms import AttendanceForm, FeedbackForm
from workshops.models import (
    CalendarFeed,
    Registration,
    RegistrationStatus,
    Session,
    WorkshopSeries,
)
from workshops.services import (
    attendance_record,
    calendar_feed_reset,
    feedback_give,
    registration_cancel,
    workshop_register,
)


@laureate_required
def session_list(request):
    laureate = own_laureate(request)
    now = timezone.now()
    sessions = (
        Session.objects.for_audience(laureate)
        .upcoming(now)
        .select_related("series")
        .with_confirmed_count()
        .with_registration_of(laureate)
        .order_by("starts_at")
    )
    animated = (
        Session.objects.published()
        .upcoming(now)
        .animated_by(laureate)
        .select_related("series")
        .order_by("starts_at")
    )
    feed = CalendarFeed.objects.filter(laureate=laureate).first()
    feed_url = feed and request.build_absolute_uri(reverse("workshops:feed", args=[feed.token]))
    return render(
        request,
        "workshops/list.html",
        {
            "sessions": sessions,
            "animated": animated,
            "feedback_due": Session.objects.awaiting_feedback_from(laureate, now).select_related(
                "series"
            ),
            "feed_url": feed_url,
            # The same address for calendar apps that subscribe from a link.
            "webcal_url": feed_url and "webcal://" + feed_url.split("://", 1)[1],
        },
    )


@require_POST
@laureate_required
def register(request, pk: int):
    laureate = own_laureate(request)
    session = get_object_or_404(Session.objects.for_audience(laureate), pk=pk)
    try:
        registration = workshop_register(session=session, laureate=laureate)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("workshops:list")
    if registration.status == RegistrationStatus.CONFIRMED:
        messages.success(
            request, _("You are registered for “%(theme)s”.") % {"theme": session.theme}
        )
    else:
        messages.info(
            request,
            _(
                "“%(theme)s” is full: you are on the waiting list. If a place frees up, "
                "it is yours and we will e-mail you."
            )
            % {"theme": session.theme},
        )
    return redirect("workshops:list")


@laureate_required
def cancel(request, pk: int):
    """GET: the confirmation page (cancelling gives the place away); POST: cancel."""
    registration = get_object_or_404(
        Registration.objects.select_related("session__series"), pk=pk, laureate__user=request.user
    )
    if request.method != "POST":
        if registration.status == RegistrationStatus.CANCELLED:
            messages.info(request, _("This registration is already cancelled."))
            return redirect("workshops:list")
        return render(request, "workshops/cancel.html", {"registration": registration})
    try:
        registration_cancel(registration=registration)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your registration for “%(theme)s” is cancelled.")
            % {"theme": registration.session.theme},
        )
    return redirect("workshops:list")


@laureate_required
def session_ics(request, pk: int):
    laureate = own_laureate(request)
    session = get_object_or_404(
        Session.objects.visible_to(laureate).select_related("series"), pk=pk
    )
    return _ics_response(
        sessions_calendar([session], name=session.theme), filename=f"atelier-{session.pk}.ics"
    )


def feed(request, token: str):
    """The personal calendar: no login (calendar apps cannot log in), the token is the key."""
    # A deactivated login loses its calendar too: the token is a login of its own.
    calendar_feed = (
        CalendarFeed.objects.filter(token=token, laureate__user__is_active=True)
        .select_related("laureate")
        .first()
    )
    if calendar_feed is None:
        raise Http404
    laureate = calendar_feed.laureate
    sessions = (
        Session.objects.published()
        .filter(
            Exists(
                Registration.objects.confirmed().filter(session=OuterRef("pk"), laureate=laureate)
            )
            | Exists(
                WorkshopSeries.animators.through.objects.filter(
                    workshopseries_id=OuterRef("series_id"), laureate_id=laureate.pk
                )
            )
        )
        .select_related("series")
        .order_by("starts_at")
    )
    return _ics_response(sessions_calendar(sessions, name=_("Emergence workshops")))


@require_POST
@laureate_required
def feed_reset(request):
    laureate = own_laureate(request)
    had_one = CalendarFeed.objects.filter(laureate=laureate).exists()
    calendar_feed_reset(laureate=laureate)
    if had_one:
        message = _(
            "Your calendar address is new: the previous one no longer works. "
            "Subscribe again with this one."
        )
    else:
        message = _("Your calendar address is ready: copy it into your calendar app.")
    messages.success(request, message)
    return redirect(reverse("workshops:list") + "#calendar")


@laureate_required
def feedback(request, pk: int):
    laureate = own_laureate(request)
    session = get_object_or_404(
        Session.objects.awaiting_feedback_from(laureate).select_related("series"), pk=pk
    )
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_give(session=session, laureate=laureate, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you for your feedback."))
        return redirect("workshops:list")
    return render(request, "workshops/feedback.html", {"session": session, "form": form})


@staff_permission_required(get="workshops.view_registration", post="workshops.change_registration")
def attendance(request, pk: int):
    """The printable list of a session, on which staff also tick who came."""
    session = get_object_or_404(Session.objects.select_related("series__lead"), pk=pk)
    registrations = list(
        session.registrations.confirmed()
        .select_related("laureate__user")
        .order_by("laureate__user__last_name", "laureate__user__first_name")
    )
    form = AttendanceForm(request.POST or None, registrations=registrations)
    if request.method == "POST" and form.is_valid():
        count = attendance_record(
            session=session, attended={int(pk) for pk in form.cleaned_data["attended"]}
        )
        messages.success(
            request,
            _("Attendance saved: %(count)d of %(total)d present.")
            % {"count": count, "total": len(registrations)},
        )
        return redirect("workshops:attendance", pk=session.pk)
    return render(
        request,
        "workshops/attendance.html",
        {
            "session": session,
            "registrations": registrations,
            "form": form,
            "waiting": session.registrations.waiting().select_related("laureate__user"),
        },
    )


def _ics_response(content: bytes, filename: str = "ateliers-emergence.ics") -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
