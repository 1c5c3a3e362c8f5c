"""The partners app's part of « Mes données » (emergence/personal_data.py).

For a laureate: which companies viewed their profile and when, the introductions about them,
their co-optation. For a partner member: their membership, the introductions they asked for,
the pages they viewed. Erasure keeps every row (the companies' counts, the donations) without
the person; retention deletes the views log after ``RETENTION_DAYS["partner_view_logs"]``.
"""

import datetime
from urllib.parse import quote_plus

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from emergence.personal_data import (
    Export,
    PersonalDataPart,
    RetentionRule,
    identity_terms,
    retention_cutoff,
)
from laureates.models import Laureate
from partners.models import (
    Company,
    CoOpter,
    Donation,
    Introduction,
    IntroductionStatus,
    Offer,
    PartnerMembership,
    PartnerViewLog,
    Referral,
)

#: What replaces the name of an erased candidate on a referral (kept for the donations).
ERASED = "—"


def _introduction_row(row: Introduction, *, laureate_name: str | None = None) -> dict:
    about = {_("Laureate"): laureate_name} if laureate_name is not None else {}
    return {
        **about,
        _("Company"): row.company.name,
        _("Opportunity"): row.title,
        _("Kind"): row.get_kind_display(),
        _("From"): row.starts_on,
        _("Until"): row.ends_on,
        _("Where"): row.place,
        _("Message"): row.message,
        _("Status"): row.get_status_display(),
        _("Asked at"): row.created_at,
        _("Passed on to the laureate at"): row.forwarded_at,
        _("Answered at"): row.answered_at,
    }


def _export(user) -> Export:
    sections: Export = {}
    if Laureate.objects.filter(user=user).exists():
        views = PartnerViewLog.objects.filter(laureate__user=user).select_related("company")
        sections[_("Companies that viewed your profile")] = [
            {
                _("Company"): row.company.name,
                _("Page"): row.get_kind_display(),
                _("Viewed at"): row.viewed_at,
            }
            for row in views.order_by("viewed_at")
        ]
        introductions = Introduction.objects.filter(laureate__user=user).select_related("company")
        sections[_("Introductions")] = [
            {**_introduction_row(row), _("Your message"): row.laureate_message}
            for row in introductions.order_by("created_at")
        ]
    coopter = CoOpter.objects.filter(laureate__user=user).first()
    if coopter is not None:
        sections[_("Co-optation")] = [
            {
                _("Candidate"): row.candidate,
                _("Company"): row.company,
                _("Job title"): row.job_title,
                _("Platform"): row.platform,
                _("Reference on the platform"): row.platform_reference,
                _("Status"): row.get_status_display(),
                _("Referred on"): row.referred_on,
                _("Bonus (€)"): row.bonus,
                _("Bonus given to the programme"): row.pledged_to_programme,
                _("Donation received on"): row.donation_received_on,
            }
            for row in coopter.referrals.select_related("candidate_laureate__user").order_by(
                "referred_on"
            )
        ]
    # Donations and their receipts: a tax record the programme keeps, an erasure aside.
    donations = Donation.objects.of_donor(user).order_by("receipt_year", "receipt_number")
    if donations:
        sections[_("Donations")] = [
            {
                _("Receipt"): row.receipt_label,
                _("Amount (€)"): row.amount,
                _("Received on"): row.received_on,
                _("Name on the receipt"): row.donor_name,
                _("Address on the receipt"): f"{row.donor_address}, {row.donor_postcode} "
                f"{row.donor_city}",
            }
            for row in donations
        ]
    as_candidate = Referral.objects.filter(candidate_laureate__user=user).order_by("referred_on")
    if as_candidate:
        sections[_("Referrals of you")] = [
            {
                _("Company"): row.company,
                _("Job title"): row.job_title,
                _("Status"): row.get_status_display(),
                _("Referred on"): row.referred_on,
            }
            for row in as_candidate
        ]
    membership = PartnerMembership.objects.filter(user=user).select_related("company").first()
    if membership is not None:
        sections[_("Partner company")] = [
            {_("Company"): membership.company.name, _("Job title"): membership.job_title}
        ]
        asked = Introduction.objects.filter(requested_by=user).select_related(
            "company", "laureate__user"
        )
        sections[_("Introductions you asked for")] = [
            _introduction_row(row, laureate_name=row.laureate.user.get_full_name())
            for row in asked.order_by("created_at")
        ]
        posted = Offer.objects.filter(posted_by=user).select_related("company")
        if posted:
            sections[_("Offers you posted")] = [
                {
                    _("Company"): row.company.name,
                    _("Title"): row.title,
                    _("Kind"): row.get_kind_display(),
                    _("Posted at"): row.created_at,
                    _("Closing date"): row.closes_on,
                }
                for row in posted.order_by("created_at")
            ]
        # The laureates' names are theirs: the pages and filters only.
        sections[_("Pages you viewed")] = [
            {
                _("Page"): row.get_kind_display(),
                _("Filters"): row.query,
                _("Viewed at"): row.viewed_at,
            }
            for row in PartnerViewLog.objects.filter(user=user).order_by("viewed_at")
        ]
    return sections


def _anonymise(user) -> None:
    now = timezone.now()
    # Filters a partner typed may hold the person's name, as typed or encoded in the URL.
    terms = identity_terms(user, last_name_alone=True)
    named = Q(pk__in=[])
    for term in {*terms, *(quote_plus(term) for term in terms)}:
        named |= Q(query__icontains=term)
    PartnerViewLog.objects.filter(named).update(query="")

    # As a laureate: the logs keep their counts without them; requests end without contact.
    PartnerViewLog.objects.filter(laureate__user=user).update(laureate=None)
    about = Introduction.objects.filter(laureate__user=user)
    about.filter(status=IntroductionStatus.PENDING).update(
        status=IntroductionStatus.DECLINED, decided_at=now, closed_at=now
    )
    about.filter(status=IntroductionStatus.FORWARDED).update(
        status=IntroductionStatus.DECLINED, answered_at=now, closed_at=now
    )
    about.update(message="", laureate_message="")
    Referral.objects.filter(coopter__laureate__user=user).update(
        candidate_name=ERASED, candidate_laureate=None, platform_reference=""
    )
    Referral.objects.filter(candidate_laureate__user=user).update(
        candidate_laureate=None, candidate_name=ERASED
    )

    # As a partner member: their requests and views stay, without them.
    PartnerMembership.objects.filter(user=user).update(job_title="")
    Introduction.objects.filter(requested_by=user).update(requested_by=None, message="")
    PartnerViewLog.objects.filter(user=user).update(user=None, query="")
    # The company's offers stay, without who posted them.
    Offer.objects.filter(posted_by=user).update(posted_by=None)
    Company.objects.filter(contact_email__iexact=user.email).update(
        contact_name="", contact_email="", contact_phone=""
    )


def _partner_view_logs(now: datetime.datetime, dry_run: bool) -> int:
    due = PartnerViewLog.objects.filter(viewed_at__lt=retention_cutoff("partner_view_logs", now))
    return due.count() if dry_run else due.delete()[0]


PART = PersonalDataPart(
    app="partners",
    export=_export,
    anonymise=_anonymise,
    retention=(
        RetentionRule("partner_view_logs", "partner views log: deleted", _partner_view_logs),
    ),
)
