"""The sponsor's pages (/sponsor/: sign-in by link, their laureates, meetings, the yearly fit
question) and the laureate's « Mon parrain » (/me/sponsor/). The rules are in
laureates/sponsors.py; a sponsor reaches only their own sponsorships (404 otherwise)."""

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from emergence import roles
from emergence.roles import laureate_required, sponsor_required
from emergence.security import password_reset_limited
from laureates.access import own_laureate
from laureates.models import Laureate, Side, SponsorMeeting, Sponsorship
from laureates.sponsor_forms import FitForm, MeetingForm, ProjectForSponsorForm, SignInLinkForm
from laureates.sponsors import (
    SIGN_IN_SCOPE,
    fit_answer,
    fit_due,
    meeting_confirm,
    meeting_log,
    sponsor_account_send_link,
    sponsorships_of,
)

# Sign-in ------------------------------------------------------------------------------------


@never_cache
def sign_in(request):
    """« Recevoir un lien de connexion »: the same answer whether the address is a sponsor's
    or not, and nothing sent over the password-reset limits."""
    if roles.is_sponsor(request.user):
        return redirect("sponsor:home")
    form = SignInLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not password_reset_limited(request, email):
            sponsor_account_send_link(email=email)
        return render(request, "laureates/sponsor/sign_in_sent.html", {"email": email})
    return render(request, "laureates/sponsor/sign_in.html", {"form": form})


@never_cache
def sign_in_link(request):
    """The link in the e-mail. Opening it shows a button; the link is used (once) by pressing
    it, so that a mail scanner opening links does not use it up."""
    token = request.POST.get("sesame") or request.GET.get("sesame") or ""
    if request.method == "POST":
        user = authenticate(request, sesame=token, scope=SIGN_IN_SCOPE) if token else None
        if user is not None:
            login(request, user)
            return redirect("sponsor:home")
        return render(request, "laureates/sponsor/sign_in_invalid.html", status=400)
    if not token:
        return render(request, "laureates/sponsor/sign_in_invalid.html", status=400)
    return render(request, "laureates/sponsor/sign_in_link.html", {"token": token})


# The sponsor's pages -------------------------------------------------------------------------


def _own_sponsorship(request, pk: int) -> Sponsorship:
    return get_object_or_404(
        Sponsorship.objects.select_related("laureate__user", "sponsor__company"),
        pk=pk,
        sponsor__user=request.user,
    )


@sponsor_required
def home(request):
    sponsorships = list(sponsorships_of(request.user))
    for sponsorship in sponsorships:
        sponsorship.fit_due = fit_due(sponsorship=sponsorship, side=Side.SPONSOR)
    return render(
        request,
        "laureates/sponsor/home.html",
        {
            "current": [s for s in sponsorships if s.is_current],
            "past": [s for s in sponsorships if not s.is_current],
        },
    )


@sponsor_required
def sponsorship(request, pk: int):
    sponsorship = _own_sponsorship(request, pk)
    return render(
        request,
        "laureates/sponsor/sponsorship.html",
        _meetings_context(sponsorship, Side.SPONSOR),
    )


@sponsor_required
def meeting_new(request, pk: int):
    sponsorship = _own_sponsorship(request, pk)
    return _meeting_form(request, sponsorship, Side.SPONSOR)


@sponsor_required
@require_POST
def meeting_confirm_view(request, pk: int):
    meeting = get_object_or_404(
        SponsorMeeting.objects.select_related("sponsorship"),
        pk=pk,
        sponsorship__sponsor__user=request.user,
    )
    _confirm(request, meeting, Side.SPONSOR)
    return redirect("sponsor:sponsorship", meeting.sponsorship_id)


@sponsor_required
def fit(request, pk: int):
    sponsorship = _own_sponsorship(request, pk)
    return _fit_form(request, sponsorship, Side.SPONSOR)


# The laureate's « Mon parrain » ----------------------------------------------------------------


def _laureate_sponsorship(request) -> tuple[Laureate, Sponsorship | None]:
    laureate = own_laureate(request, Laureate.objects.select_related("user"))
    return laureate, laureate.current_sponsorship


@laureate_required
def laureate_page(request):
    laureate, sponsorship = _laureate_sponsorship(request)
    form = ProjectForSponsorForm(request.POST or None, instance=laureate)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your sponsor will read your project on their page."))
        return redirect("laureates:sponsor")
    context = {"laureate": laureate, "project_form": form}
    if sponsorship is not None:
        context.update(_meetings_context(sponsorship, Side.LAUREATE))
    return render(request, "laureates/sponsor/laureate.html", context)


@laureate_required
def laureate_meeting_new(request):
    _laureate, sponsorship = _laureate_sponsorship(request)
    if sponsorship is None:
        return redirect("laureates:sponsor")
    return _meeting_form(request, sponsorship, Side.LAUREATE)


@laureate_required
@require_POST
def laureate_meeting_confirm(request, pk: int):
    meeting = get_object_or_404(
        SponsorMeeting.objects.select_related("sponsorship"),
        pk=pk,
        sponsorship__laureate__user=request.user,
    )
    _confirm(request, meeting, Side.LAUREATE)
    return redirect("laureates:sponsor")


@laureate_required
def laureate_fit(request):
    _laureate, sponsorship = _laureate_sponsorship(request)
    if sponsorship is None:
        return redirect("laureates:sponsor")
    return _fit_form(request, sponsorship, Side.LAUREATE)


# Shared by both sides ----------------------------------------------------------------------------


def _back(side: str, sponsorship: Sponsorship):
    if side == Side.SPONSOR:
        return redirect("sponsor:sponsorship", sponsorship.pk)
    return redirect("laureates:sponsor")


def _meetings_context(sponsorship: Sponsorship, side: str) -> dict:
    meetings = list(sponsorship.meetings.all())
    return {
        "sponsorship": sponsorship,
        "side": side,
        "meetings": meetings,
        "to_confirm": [m for m in meetings if not m.is_confirmed and m.logged_by != side],
        "fit_due": fit_due(sponsorship=sponsorship, side=side),
    }


def _meeting_form(request, sponsorship: Sponsorship, side: str):
    form = MeetingForm(request.POST or None)
    if not sponsorship.is_current:
        form = None
    elif request.method == "POST" and form.is_valid():
        try:
            meeting_log(sponsorship=sponsorship, side=side, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting is logged; the other side can confirm it."))
            return _back(side, sponsorship)
    return render(
        request,
        "laureates/sponsor/meeting_form.html",
        {"form": form, "sponsorship": sponsorship, "side": side},
    )


def _confirm(request, meeting: SponsorMeeting, side: str) -> None:
    try:
        meeting_confirm(meeting=meeting, side=side)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: the meeting is confirmed."))


def _fit_form(request, sponsorship: Sponsorship, side: str):
    if not fit_due(sponsorship=sponsorship, side=side):
        messages.info(request, _("This question was already answered this year."))
        return _back(side, sponsorship)
    form = FitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fit_answer(sponsorship=sponsorship, side=side, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you for your answer."))
            return _back(side, sponsorship)
    return render(
        request,
        "laureates/sponsor/fit.html",
        {"form": form, "sponsorship": sponsorship, "side": side},
    )
