"""The laureate's side of introductions: the requests the programme team passed on to them,
and their answer. These pages live in partners, which owns the data; laureates never
imports partners (its page /me/ shows our card through laureates.panels)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emergence.roles import laureate_required
from partners import services
from partners.forms import IntroductionAnswerForm
from partners.models import Introduction, IntroductionClosedReason, IntroductionStatus


def _own(request, pk: int) -> Introduction:
    """One of the logged-in laureate's requests; someone else's, or one not passed on, is 404."""
    return get_object_or_404(
        Introduction.objects.seen_by_laureate(request.user).select_related("requested_by"), pk=pk
    )


def _form(introduction: Introduction, data=None) -> IntroductionAnswerForm | None:
    if introduction.status != IntroductionStatus.FORWARDED:
        return None
    return IntroductionAnswerForm(data, introduction_pk=introduction.pk)


@laureate_required
def introduction_list(request):
    introductions = Introduction.objects.seen_by_laureate(request.user).select_related(
        "requested_by"
    )
    return render(
        request,
        "partners/my_introductions.html",
        {"items": [(introduction, _form(introduction)) for introduction in introductions]},
    )


@laureate_required
def introduction_detail(request, pk: int):
    introduction = _own(request, pk)
    return render(
        request,
        "partners/my_introduction.html",
        {"introduction": introduction, "form": _form(introduction)},
    )


@laureate_required
@require_POST
def introduction_answer(request, pk: int):
    introduction = _own(request, pk)
    form = _form(introduction, request.POST)
    if form is None:
        messages.info(request, _("You have already answered this request."))
        return redirect("my_introductions:detail", pk=pk)
    if not form.is_valid():
        return render(
            request,
            "partners/my_introduction.html",
            {"introduction": introduction, "form": form},
        )
    try:
        introduction = services.introduction_answer(
            introduction=introduction,
            accept=form.accepted,
            message=form.cleaned_data["message"],
        )
    except ValidationError:  # a second click, or another tab, answered first
        messages.info(request, _("You have already answered this request."))
        return redirect("my_introductions:detail", pk=pk)
    level, text = _outcome(introduction)
    messages.add_message(request, level, text)
    return redirect("my_introductions:detail", pk=pk)


def _outcome(introduction: Introduction) -> tuple[int, str]:
    company = introduction.company.name
    if introduction.status == IntroductionStatus.ACCEPTED:
        return messages.SUCCESS, _(
            "Thank you! %(company)s and you will each receive the other's contact details by "
            "e-mail in a moment."
        ) % {"company": company}
    if introduction.status == IntroductionStatus.DECLINED:
        return messages.SUCCESS, _(
            "Your answer is recorded: %(company)s will be told politely that the introduction "
            "will not go ahead, without any reason."
        ) % {"company": company}
    return messages.WARNING, closed_explanation(introduction)


def closed_explanation(introduction: Introduction) -> str:
    """Why a request the laureate accepted ended without sending anything, for the laureate."""
    reason = introduction.closed_reason
    company = introduction.company.name
    if reason == IntroductionClosedReason.COMPANY_INACTIVE:
        text = _("%(company)s is no longer a partner of the programme.")
    elif reason == IntroductionClosedReason.REQUESTER_LEFT:
        text = _("The person who asked no longer works at %(company)s.")
    else:
        text = _("You no longer share your profile with partner companies.")
    return "{} {}".format(
        text % {"company": company},
        _("Your contact details were not sent, and this request is closed."),
    )
