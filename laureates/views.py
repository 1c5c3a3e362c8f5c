from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emergence.roles import laureate_required
from laureates.access import own_laureate
from laureates.forms import LaureateContactForm, PlacementForm
from laureates.models import (
    CONSENT_TEXT,
    CONSENT_VERSION,
    Laureate,
    PlacementSource,
    SearchKind,
    consent_give,
    consent_withdraw,
    placement_record,
)
from laureates.panels import home_panels

# What the laureate's own pages show: their account, promotion and referent.
OWN = Laureate.objects.select_related("user", "promotion", "referent")


@laureate_required
def home(request):
    laureate = own_laureate(
        request, OWN.with_partner_consent().with_current_job().with_open_search_confirmed_on()
    )
    return render(
        request,
        "laureates/home.html",
        {
            "laureate": laureate,
            "sponsorship": laureate.current_sponsorship,
            "consent_state": laureate.consent_state(),
            "consent_text": CONSENT_TEXT,
            "consent_version": CONSENT_VERSION,
            "panels": home_panels(laureate),
        },
    )


@laureate_required
def edit(request):
    laureate = own_laureate(request, OWN)
    form = LaureateContactForm(request.POST or None, instance=laureate)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details have been saved."))
        return redirect("laureates:home")
    return render(request, "laureates/edit.html", {"form": form})


# Sharing with partner companies -----------------------------------------------------


@laureate_required
@require_POST
def consent(request):
    laureate = own_laureate(request, OWN)
    if request.POST.get("decision") == "withdraw":
        consent_withdraw(laureate=laureate)
        messages.success(request, _("Partner companies no longer see your profile."))
        return redirect("laureates:home")
    try:
        consent_give(laureate=laureate, version=request.POST.get("version", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Thank you: partner companies can see your profile for 12 months.")
        )
    return redirect("laureates:home")


@laureate_required
def consent_withdraw_confirm(request):
    """GET: the confirmation page (partners stop seeing the profile); POST: withdraw."""
    laureate = own_laureate(request, OWN.with_partner_consent())
    if request.method == "POST":
        consent_withdraw(laureate=laureate)
        messages.success(request, _("Partner companies no longer see your profile."))
        return redirect("laureates:home")
    if laureate.consent_state() not in ("valid", "expiring"):
        messages.info(request, _("Partner companies do not see your profile."))
        return redirect("laureates:home")
    return render(request, "laureates/consent_withdraw.html", {"laureate": laureate})


@laureate_required
def placement(request):
    laureate = own_laureate(request, OWN)
    form = PlacementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        placement = placement_record(
            laureate=laureate, source=PlacementSource.LAUREATE, **form.cleaned_data
        )
        messages.success(request, _("Congratulations! Your placement has been recorded."))
        if placement.kind == SearchKind.JOB and laureate.can_coopt:
            messages.info(
                request,
                _("In work, you may now recommend candidates: see “Co-optation” on your page."),
            )
        return redirect("laureates:home")
    placements = laureate.placements.select_related("company")
    return render(request, "laureates/placement.html", {"form": form, "placements": placements})
