"""The animators' pages: the sessions they lead, who registered, attendance and the note.

An animator is a laureate named on a series; they see only their own series' sessions
(another laureate, or the animator of another series, gets 404).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from emergence.roles import laureate_required
from laureates.access import own_laureate
from workshops.animators import attendance_is_open
from workshops.forms import AnimatorSheetForm
from workshops.models import Session
from workshops.services import session_sheet_save


def _animated(laureate):
    return (
        Session.objects.animated_by(laureate)
        .select_related("series")
        .with_confirmed_count()
        .with_attendance()
    )


@laureate_required
def animator_sessions(request):
    laureate = own_laureate(request)
    now = timezone.now()
    sessions = list(_animated(laureate).order_by("starts_at"))
    return render(
        request,
        "workshops/animator_sessions.html",
        {
            "upcoming": [s for s in sessions if s.ends_at > now],
            # The latest past session first: the one whose sheet is still being filled in.
            "past": [s for s in reversed(sessions) if s.ends_at <= now],
        },
    )


@laureate_required
def animator_session(request, pk: int):
    laureate = own_laureate(request)
    session = get_object_or_404(_animated(laureate), pk=pk)
    registrations = list(
        session.registrations.confirmed()
        .select_related("laureate__user")
        .order_by("laureate__user__last_name", "laureate__user__first_name")
    )
    form = AnimatorSheetForm(request.POST or None, registrations=registrations, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            count = session_sheet_save(
                session=session,
                attended={int(pk) for pk in form.cleaned_data["attended"]},
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Attendance saved: %(count)d of %(total)d present.")
                % {"count": count, "total": len(registrations)},
            )
        return redirect("workshops:animator_session", pk=session.pk)
    return render(
        request,
        "workshops/animator_session.html",
        {
            "session": session,
            "registrations": registrations,
            "form": form,
            "attendance_open": attendance_is_open(session),
            "animators": session.series.animators.select_related("user"),
        },
    )
