"""The partner member's pages (dashboard, laureate, export, introductions) and the
laureate's co-optation page. Partner pages read laureates only through partners.sharing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from emergence.jobs import export_in_background, job_start
from emergence.roles import laureate_required, partner_required
from emergence.xlsx import XLSX_CONTENT_TYPE
from laureates.access import own_laureate
from laureates.models import Laureate
from partners.exports import dashboard_export_filename, dashboard_filter, dashboard_workbook
from partners.forms import CoOpterForm, IntroductionForm, ReferralForm, ReferralUpdateForm
from partners.models import (
    CoOpter,
    Donation,
    Introduction,
    PartnerMembership,
    PartnerViewKind,
    Referral,
)
from partners.receipts import receipt_filename, receipt_pdf
from partners.services import (
    coopter_register,
    introduction_request,
    partner_view_log,
    referral_add,
    referral_update,
)
from partners.sharing import (
    counted_searches,
    dashboard_counts,
    display_row,
    partner_rows,
    shared_laureate,
    shown_only,
)

PER_PAGE = 20
TOP_FIELDS = 8


def _membership(request) -> PartnerMembership:
    """The member's membership; a company that is no longer a partner sees no laureate."""
    membership = PartnerMembership.objects.select_related("company").get(user=request.user)
    if not membership.company.active:
        raise PermissionDenied
    return membership


@partner_required
def dashboard(request):
    membership = _membership(request)
    # Counted from the maintained column (an index); the page's rows are also checked
    # against the consents and statuses themselves (shown_only).
    filters = dashboard_filter(request.GET, counted_searches())
    found = filters.qs
    counts = dashboard_counts(found, top_fields=TOP_FIELDS)
    paginator = Paginator(found, PER_PAGE)
    paginator.count = counts.total  # counted with the kinds: no second count of the same rows
    page = paginator.get_page(request.GET.get("page"))
    start = (page.number - 1) * PER_PAGE
    rows = partner_rows(shown_only(found))[start : start + PER_PAGE]
    page.object_list = [display_row(row) for row in rows]
    partner_view_log(
        membership=membership, kind=PartnerViewKind.DASHBOARD, query=request.GET.urlencode()
    )
    return render(
        request,
        "partners/dashboard.html",
        {
            "company": membership.company,
            "filter": filters,
            "page": page,
            "kinds": counts.kinds,
            "fields": counts.fields,
        },
    )


@partner_required
def laureate(request, pk: int):
    """A laureate's shared profile and the introduction form, which posts back here: after
    an error the page keeps its address, so reloading or going back never answers 405."""
    membership = _membership(request)
    row = shared_laureate(pk)
    if row is None:
        raise Http404
    if request.method == "POST":
        form = IntroductionForm(request.POST)
        if form.is_valid():
            try:
                introduction_request(
                    membership=membership,
                    # Only what the notification needs: the laureate's referent.
                    laureate=Laureate.objects.only("pk", "referent", "user").get(pk=pk),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    _(
                        "Your request has been sent to the programme team, who will ask the "
                        "laureate."
                    ),
                )
                return redirect("partners:introductions")
    else:
        form = IntroductionForm(initial={"kind": row["raw_kind"]})
        partner_view_log(membership=membership, kind=PartnerViewKind.LAUREATE, laureate_id=pk)
    return render(
        request,
        "partners/laureate.html",
        {
            "row": row,
            "form": form,
            "introductions": Introduction.objects.for_company(membership.company).filter(
                laureate_id=pk
            ),
        },
    )


@partner_required
def introduction_create(request, pk: int):
    """The form's former address: a request posted there is handled as on the laureate's
    page, and opening it (a bookmark, a reload) shows that page."""
    if request.method == "POST":
        return laureate(request, pk)
    return redirect("partners:laureate", pk)


@partner_required
def introductions(request):
    membership = _membership(request)
    company_requests = Introduction.objects.seen_by_partner(membership.company)
    page = Paginator(company_requests, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "partners/introductions.html", {"company": membership.company, "page": page}
    )


@partner_required
def introduction_detail(request, pk: int):
    membership = _membership(request)
    introduction = get_object_or_404(
        Introduction.objects.seen_by_partner(membership.company), pk=pk
    )
    return render(request, "partners/introduction.html", {"introduction": introduction})


@partner_required
def export(request):
    """The dashboard's laureates, filtered, as a spreadsheet; more than
    BACKGROUND_EXPORT_ROWS of them are written by a worker while a progress bar shows."""
    membership = _membership(request)
    filters = dashboard_filter(request.GET)
    partner_view_log(
        membership=membership, kind=PartnerViewKind.EXPORT, query=request.GET.urlencode()
    )
    if export_in_background(filters.qs):
        job = job_start(
            owner=request.user,
            kind="partner-export",
            title=_("Export of the laureates"),
            params={"query": request.GET.urlencode()},
        )
        return redirect(job)
    rows = (display_row(row) for row in partner_rows(filters.qs).iterator(chunk_size=2000))
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{dashboard_export_filename()}"'
    dashboard_workbook(rows).save(response)
    return response


# Co-optation, for laureates --------------------------------------------------------


@laureate_required
def cooptation(request):
    laureate = own_laureate(request, Laureate.objects.select_related("user").with_current_job())
    coopter = CoOpter.objects.filter(laureate=laureate).first()
    register_form = CoOpterForm(instance=coopter, prefix="register")
    referral_form = ReferralForm(prefix="referral")
    if request.method == "POST":
        if "register" in request.POST:
            register_form = CoOpterForm(request.POST, instance=coopter, prefix="register")
            if register_form.is_valid():
                try:
                    coopter_register(
                        laureate=laureate, platforms=register_form.cleaned_data["platforms"]
                    )
                except ValidationError as error:
                    register_form.add_error(None, error.messages)
                else:
                    messages.success(request, _("You are registered as a co-opter."))
                    return redirect("partners:cooptation")
        elif coopter is not None:
            referral_form = ReferralForm(request.POST, prefix="referral")
            if referral_form.is_valid():
                referral_add(coopter=coopter, **referral_form.cleaned_data)
                messages.success(request, _("Your referral has been recorded."))
                return redirect("partners:cooptation")
    referrals = (
        Referral.objects.filter(coopter=coopter).select_related(
            "candidate_laureate__user", "donation"
        )
        if coopter
        else Referral.objects.none()
    )
    return render(
        request,
        "partners/cooptation.html",
        {
            "laureate": laureate,
            "coopter": coopter,
            "register_form": register_form,
            "referral_form": referral_form,
            "referrals": referrals,
        },
    )


# The field each of Referral's rules is about: its error shows there, marked invalid.
REFERRAL_RULE_FIELDS = {"referral_bonus_500_to_1000": "bonus"}


def _referral_rule_field(message: str) -> str | None:
    for constraint in Referral._meta.constraints:
        if str(constraint.get_violation_error_message()) == message:
            return REFERRAL_RULE_FIELDS.get(constraint.name)
    return None


@laureate_required
def referral_edit(request, pk: int):
    referral = get_object_or_404(Referral, pk=pk, coopter__laureate__user=request.user)
    initial = {
        "status": referral.status,
        "bonus": referral.bonus,
        "pledged_to_programme": referral.pledged_to_programme,
    }
    form = ReferralUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral_update(referral=referral, **form.cleaned_data)
        except ValidationError as error:
            # Each rule's message next to the field it is about, marked invalid, once.
            for message in error.messages:
                form.add_error(_referral_rule_field(message), message)
        else:
            messages.success(request, _("Your referral has been updated."))
            return redirect("partners:cooptation")
    return render(request, "partners/referral_edit.html", {"referral": referral, "form": form})


@login_required
def receipt(request, pk: int):
    """A donation's tax receipt, as a PDF: for its donor (a laureate, from their co-optation
    page; a staff co-opter) and for staff who read donations. Anyone else gets 404."""
    donation = get_object_or_404(
        Donation.objects.downloadable_by(request.user).select_related("referral"), pk=pk
    )
    response = HttpResponse(receipt_pdf(donation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{receipt_filename(donation)}"'
    return response
