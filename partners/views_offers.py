"""Offers on the site: a partner company's offers and the laureates who fit them
(/partners/offers/), and the open offers that fit a laureate's search (/offers/).

Partners read laureates only through partners.sharing; each page matches a whole page of rows
in one query (partners.offers)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emergence.roles import laureate_required, partner_required
from laureates.access import own_laureate
from laureates.models import Laureate
from partners.forms import IntroductionForm
from partners.forms_offers import (
    CompanyOfferFilter,
    InterestForm,
    LaureateOfferFilter,
    OfferForm,
)
from partners.models import Introduction, Offer, PartnerViewKind
from partners.offers import (
    offer_close,
    offer_interest,
    offer_is_open,
    offer_post,
    offer_save,
    offers_count_matches,
    offers_matching,
    searches_matching,
)
from partners.services import introduction_request, partner_view_log
from partners.sharing import (
    counted_searches,
    display_row,
    partner_rows,
    seeking_searches,
    shared_laureate,
)
from partners.views import PER_PAGE, _membership

# The partner's side ---------------------------------------------------------------------


def _company_offer(membership, pk: int) -> Offer:
    """One of the member's company's offers; another company's is 404."""
    return get_object_or_404(
        Offer.objects.select_related("company", "posted_by"), pk=pk, company=membership.company
    )


@partner_required
def offer_list(request):
    membership = _membership(request)
    filters = CompanyOfferFilter(
        request.GET or None, queryset=Offer.objects.filter(company=membership.company)
    )
    page = Paginator(filters.qs, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    # The open offers shown, each with its count of matching laureates: one query, over the
    # searches the dashboard counts (the maintained column, no consent or status joined);
    # the offer's page lists the laureates through seeking_searches, the rule read again.
    offers_count_matches([offer for offer in page if not offer.closed], counted_searches())
    return render(
        request,
        "partners/offers.html",
        {"company": membership.company, "filter": filters, "page": page},
    )


@partner_required
def offer_create(request):
    membership = _membership(request)
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            offer = offer_post(company=membership.company, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your offer is posted: here are the laureates it fits."))
            return redirect("partners:offer", offer.pk)
    return render(request, "partners/offer_form.html", {"form": form, "offer": None})


@partner_required
def offer_edit(request, pk: int):
    membership = _membership(request)
    offer = _company_offer(membership, pk)
    form = OfferForm(request.POST or None, instance=offer)
    if request.method == "POST" and form.is_valid():
        try:
            offer_save(offer=offer, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your offer is updated."))
            return redirect("partners:offer", offer.pk)
    return render(request, "partners/offer_form.html", {"form": form, "offer": offer})


@partner_required
@require_POST
def offer_close_view(request, pk: int):
    membership = _membership(request)
    offer_close(offer=_company_offer(membership, pk))
    messages.success(request, _("The offer is closed: laureates no longer see it."))
    return redirect("partners:offer", pk)


@partner_required
def offer_detail(request, pk: int):
    """The offer and, while it is open, the laureates who share their profile and fit it."""
    membership = _membership(request)
    offer = _company_offer(membership, pk)
    is_open = offer_is_open(offer)
    page = None
    if is_open:
        matching = searches_matching(offer, seeking_searches()).order_by(
            "laureate__user__last_name", "laureate__user__first_name", "pk"
        )
        page = Paginator(partner_rows(matching), PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = [display_row(row) for row in page.object_list]
        # Who the company saw: the matching list is a filtered dashboard.
        partner_view_log(
            membership=membership,
            kind=PartnerViewKind.DASHBOARD,
            query=f"offer={offer.pk}&page={page.number}",
        )
    return render(
        request,
        "partners/offer.html",
        {"offer": offer, "is_open": is_open, "page": page},
    )


@partner_required
def offer_introduction(request, pk: int, laureate_pk: int):
    """« Ask for an introduction » about this offer, the form filled in from it."""
    membership = _membership(request)
    offer = _company_offer(membership, pk)
    row = shared_laureate(laureate_pk)
    if row is None:
        raise Http404
    initial = {
        "kind": offer.kind,
        "title": offer.title,
        "starts_on": offer.starts_on,
        "place": offer.place,
    }
    form = IntroductionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            introduction_request(
                membership=membership,
                laureate=Laureate.objects.only("pk", "referent", "user").get(pk=laureate_pk),
                offer=offer,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Your request has been sent to the programme team, who will ask the laureate."),
            )
            return redirect("partners:introductions")
    elif request.method != "POST":
        partner_view_log(
            membership=membership, kind=PartnerViewKind.LAUREATE, laureate_id=laureate_pk
        )
    return render(
        request, "partners/offer_introduction.html", {"offer": offer, "row": row, "form": form}
    )


# The laureate's side --------------------------------------------------------------------


def _laureate(request) -> Laureate:
    return own_laureate(request, Laureate.objects.select_related("user"))


@laureate_required
def my_offers(request):
    """The open offers that fit the laureate's open search."""
    laureate = _laureate(request)
    search = laureate.searches.open().first()
    filters = LaureateOfferFilter(
        request.GET or None,
        queryset=(
            offers_matching(search).select_related("company")
            if search is not None
            else Offer.objects.none()
        ),
    )
    page = Paginator(filters.qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/offers_laureate.html",
        {"search": search, "filter": filters, "page": page},
    )


def _open_offer(pk: int) -> Offer:
    return get_object_or_404(Offer.objects.open().select_related("company"), pk=pk)


@laureate_required
def my_offer(request, pk: int):
    """An open offer, and « I am interested » (or what became of it)."""
    laureate = _laureate(request)
    offer = _open_offer(pk)
    form = InterestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            offer_interest(offer=offer, laureate=laureate, message=form.cleaned_data["message"])
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "Thank you! The programme team has your interest and will pass it on to "
                    "%(company)s, who will then receive your contact details."
                )
                % {"company": offer.company.name},
            )
        return redirect("offers:detail", pk)
    earlier = Introduction.objects.filter(laureate=laureate, offer=offer).order_by("-pk").first()
    return render(
        request,
        "partners/offer_laureate.html",
        {"offer": offer, "form": form, "earlier": earlier},
    )
