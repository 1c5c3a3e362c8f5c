"""Donations: staff confirm that a co-opter's pledged bonus was received; the donation then
counts in the yearly totals and gets its tax receipt, numbered without gaps per year, which
the donor is e-mailed a link to (the outbox sends no attachments: the link opens the PDF
after signing in).

The console's confirmation page, the demo and the tests call :func:`donation_confirm`.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from emergence.outbox import outbox_enqueue
from emergence.xlsx import xlsx_workbook
from partners.models import (
    Donation,
    DonorKind,
    GiftForm,
    GiftNature,
    PaymentMeans,
    ReceiptCounter,
    Referral,
    ReferralStatus,
)


def donation_blocker(referral: Referral) -> str:
    """Why staff cannot confirm a donation from this referral ("" when they can)."""
    if Donation.objects.filter(referral_id=referral.pk).exists():
        return _("The donation of this referral is already confirmed.")
    if referral.status != ReferralStatus.HIRED:
        return _("Only the bonus of a hired candidate can be given.")
    if not referral.pledged_to_programme:
        return _("The co-opter has not pledged this bonus to the programme.")
    return ""


def donation_initial(referral: Referral) -> dict:
    """The confirmation form as the referral describes it: the bonus, today, the co-opter's
    name; staff complete the donor's address as the donor gave it."""
    user = referral.coopter.user
    city = referral.coopter.laureate.city if referral.coopter.laureate_id else ""
    return {
        "donor_kind": DonorKind.INDIVIDUAL,
        "donor_name": user.get_full_name() if user else "",
        "donor_city": city,
        "amount": referral.bonus,
        "received_on": timezone.localdate(),
        "means": PaymentMeans.TRANSFER,
        "gift_form": GiftForm.MANUAL_GIFT,
        "nature": GiftNature.MONEY,
    }


def receipt_number_next(*, year: int) -> int:
    """The next receipt number of ``year``, within the caller's transaction: the year's
    counter row is locked until it commits, so a second confirmation waits and takes the
    following number; a rollback gives the number back."""
    ReceiptCounter.objects.get_or_create(year=year)
    counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def donation_confirm(
    *,
    referral: Referral,
    by,
    amount: Decimal,
    received_on: datetime.date,
    donor_name: str,
    donor_address: str,
    donor_postcode: str,
    donor_city: str,
    donor_kind: str = DonorKind.INDIVIDUAL,
    means: str = PaymentMeans.TRANSFER,
    gift_form: str = GiftForm.MANUAL_GIFT,
    nature: str = GiftNature.MONEY,
    today: datetime.date | None = None,
) -> Donation:
    """A staff member confirms that the bonus pledged on ``referral`` was received: the
    donation is recorded with the next receipt number of the year, and the donor is e-mailed
    the link to their receipt, all in one transaction."""
    today = today or timezone.localdate()
    if received_on > today:
        raise ValidationError({"received_on": _("A donation cannot be received in the future.")})
    with transaction.atomic():
        locked = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("coopter__laureate__user", "coopter__staff_member")
            .get(pk=referral.pk)
        )
        blocker = donation_blocker(locked)
        if blocker:
            raise ValidationError(blocker, code="donation_refused")
        donation = Donation(
            referral=locked,
            donor_kind=donor_kind,
            donor_name=donor_name.strip(),
            donor_address=donor_address.strip(),
            donor_postcode=donor_postcode.strip(),
            donor_city=donor_city.strip(),
            amount=amount,
            received_on=received_on,
            means=means,
            gift_form=gift_form,
            nature=nature,
            confirmed_by=by,
            confirmed_on=today,
            receipt_year=today.year,
            # Taken in this transaction: an invalid donation rolls its number back.
            receipt_number=receipt_number_next(year=today.year),
        )
        donation.full_clean(exclude=["referral"])
        donation.save()
        _send_receipt(donation)
    return donation


def _send_receipt(donation: Donation) -> None:
    donor = donation.referral.coopter.user
    if donor is None or not donor.email:
        return
    outbox_enqueue(
        key=f"donation-receipt:{donation.pk}",
        kind="donation",
        template="donation_receipt",
        context={
            "donation": donation,
            "first_name": donor.first_name,
            "url": settings.SITE_URL + reverse("partners:receipt", args=[donation.pk]),
        },
        user=donor,
    )


def donations_workbook(donations):
    """The receipts of a year as a spreadsheet, one a line, for the accounts and the
    tax office (emergence.xlsx neutralises formulas)."""
    fields = [
        "receipt_year",
        "receipt_number",
        "donor_name",
        "donor_kind",
        "donor_address",
        "donor_postcode",
        "donor_city",
        "amount",
        "received_on",
        "means",
        "gift_form",
        "nature",
        "confirmed_on",
    ]
    headers = [
        _("Receipt"),
        *[capfirst(Donation._meta.get_field(name).verbose_name) for name in fields],
        _("Confirmed by"),
    ]
    rows = (
        [
            donation.receipt_label,
            donation.receipt_year,
            donation.receipt_number,
            donation.donor_name,
            donation.get_donor_kind_display(),
            donation.donor_address,
            donation.donor_postcode,
            donation.donor_city,
            donation.amount,
            donation.received_on,
            donation.get_means_display(),
            donation.get_gift_form_display(),
            donation.get_nature_display(),
            donation.confirmed_on,
            str(donation.confirmed_by or ""),
        ]
        for donation in donations.select_related("confirmed_by")
    )
    return xlsx_workbook(title=_("Tax receipts"), headers=headers, rows=rows)
