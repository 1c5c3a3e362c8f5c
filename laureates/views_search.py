"""« Ma recherche »: a laureate or an alumnus says what they look for, confirms it is still
true, or closes it. What partners see of it is decided in partners.sharing, not here."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emergence.roles import laureate_required
from laureates.access import own_laureate
from laureates.forms import SearchForm
from laureates.models import (
    SEARCH_FRESH_MONTHS,
    SHOWN_TO_PARTNERS,
    Laureate,
    search_confirm,
    search_set,
)

# Those who left the programme have no search page (404), as partners no longer see them.
SEARCHERS = Laureate.objects.filter(status__in=SHOWN_TO_PARTNERS).select_related("user")


@laureate_required
def search(request):
    """GET: the open search, whether partners see it, and its form; POST: save it."""
    laureate = own_laureate(request, SEARCHERS.with_partner_consent())
    current = laureate.searches.open().first()
    form = SearchForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            search_set(laureate=laureate, **form.cleaned_data)
        messages.success(request, _("Your search has been saved."))
        return redirect("laureates:search")
    return render(
        request,
        "laureates/search.html",
        {
            "laureate": laureate,
            "search": current,
            "form": form,
            "consent_state": laureate.consent_state(),
            "fresh_months": SEARCH_FRESH_MONTHS,
        },
    )


@laureate_required
@require_POST
def search_still_looking(request):
    laureate = own_laureate(request, SEARCHERS)
    if search_confirm(laureate=laureate) is None:
        messages.info(request, _("You have no open search: say what you are looking for."))
    else:
        messages.success(request, _("Thank you: your search is confirmed."))
    return redirect("laureates:search")


@laureate_required
@require_POST
def search_close(request):
    laureate = own_laureate(request, SEARCHERS)
    with transaction.atomic():
        search_set(laureate=laureate, kind=None)
    messages.success(request, _("Your search is closed: partner companies no longer see it."))
    return redirect("laureates:search")
