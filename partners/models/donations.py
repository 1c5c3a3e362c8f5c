"""Donations and their tax receipts (partners.donations, partners.receipts)."""

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.models.referrals import Referral


class DonorKind(models.TextChoices):
    """Who gives decides the article of the tax code the receipt names."""

    INDIVIDUAL = "individual", _("an individual (article 200 of the CGI)")
    COMPANY = "company", _("a company (article 238 bis of the CGI)")


class GiftForm(models.TextChoices):
    """« Forme du don » on the Cerfa n° 11580 receipt."""

    AUTHENTIC_DEED = "authentic_deed", _("notarial deed")
    PRIVATE_DEED = "private_deed", _("private deed")
    MANUAL_GIFT = "manual_gift", _("declaration of a manual gift")
    OTHER = "other", pgettext_lazy("form of a gift", "other")


class GiftNature(models.TextChoices):
    """« Nature du don » on the receipt."""

    MONEY = "money", _("money")
    SECURITIES = "securities", _("listed securities")
    OTHER = "other", pgettext_lazy("nature of a gift", "other")


class PaymentMeans(models.TextChoices):
    """« Mode de versement du don » on the receipt."""

    TRANSFER = "transfer", _("transfer, direct debit or bank card")
    CHEQUE = "cheque", _("cheque")
    CASH = "cash", _("cash")


class DonationQuerySet(models.QuerySet):
    def downloadable_by(self, user):
        """The donations whose receipt ``user`` may download: their own as the donor (a
        laureate or staff co-opter), every one for staff who may read donations."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff and user.has_perm("partners.view_donation"):
            return self
        return self.of_donor(user)

    def of_donor(self, user):
        """The donations ``user`` gave, as a laureate or a staff co-opter."""
        return self.filter(
            Q(referral__coopter__laureate__user=user) | Q(referral__coopter__staff_member=user)
        )

    def totals_by_year(self):
        """Per year of receipt: how many donations were confirmed, and their total (euros)."""
        return (
            self.values("receipt_year")
            .annotate(count=Count("pk"), amount=Sum("amount"))
            .order_by("-receipt_year")
        )


class Donation(models.Model):
    """A pledged bonus staff confirmed as received: a donation to the programme, with its
    tax receipt numbered in sequence, without gaps, per year (2026-0001, 2026-0002…).

    Created by ``partners.donations.donation_confirm`` only; never changed nor deleted
    afterwards (a receipt issued stands)."""

    referral = models.OneToOneField(
        Referral, verbose_name=_("referral"), on_delete=models.PROTECT, related_name="donation"
    )
    donor_kind = models.CharField(
        _("donor"), max_length=10, choices=DonorKind.choices, default=DonorKind.INDIVIDUAL
    )
    donor_name = models.CharField(
        _("donor's name"),
        max_length=200,
        help_text=_("First and last names, or the company's name, as the donor gave them."),
    )
    donor_address = models.CharField(_("donor's address"), max_length=300)
    donor_postcode = models.CharField(_("postcode"), max_length=10)
    donor_city = models.CharField(_("city"), max_length=100)
    amount = models.DecimalField(_("amount (€)"), max_digits=10, decimal_places=2)
    received_on = models.DateField(_("received on"))
    means = models.CharField(
        _("means of payment"),
        max_length=10,
        choices=PaymentMeans.choices,
        default=PaymentMeans.TRANSFER,
    )
    gift_form = models.CharField(
        _("form of the gift"),
        max_length=16,
        choices=GiftForm.choices,
        default=GiftForm.MANUAL_GIFT,
    )
    nature = models.CharField(
        _("nature of the gift"), max_length=10, choices=GiftNature.choices, default=GiftNature.MONEY
    )
    receipt_year = models.PositiveSmallIntegerField(_("year of the receipt"))
    receipt_number = models.PositiveIntegerField(_("number in the year"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="donations_confirmed",
    )
    confirmed_on = models.DateField(_("confirmed on"))

    objects = DonationQuerySet.as_manager()

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-receipt_year", "-receipt_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="donation_amount_positive",
                violation_error_message=_("A donation is more than 0 €."),
            ),
            models.UniqueConstraint(
                fields=["receipt_year", "receipt_number"], name="one_receipt_per_number_and_year"
            ),
            models.CheckConstraint(
                condition=Q(receipt_number__gte=1), name="donation_receipt_number_from_1"
            ),
            models.CheckConstraint(
                condition=Q(received_on__lte=F("confirmed_on")),
                name="donation_received_before_confirmed",
                violation_error_message=_("A donation is confirmed after it was received."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_label} · {self.donor_name}"

    @property
    def receipt_label(self) -> str:
        """The receipt's number as printed on it: 2026-0001."""
        return f"{self.receipt_year}-{self.receipt_number:04d}"

    @property
    def tax_article(self) -> str:
        return "238 bis" if self.donor_kind == DonorKind.COMPANY else "200"


class ReceiptCounter(models.Model):
    """The last receipt number given in a year: its row is locked while a donation is
    confirmed, so two confirmations at once get two numbers, and a rolled-back one none."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"
