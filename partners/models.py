"""Partner companies, their members, introductions, the views log and co-optation."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from emergence.history import HistoricalRecords
from laureates.models import SearchKind


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    active = models.BooleanField(pgettext_lazy("company", "active"), default=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerMembership(models.Model):
    """Makes a user a partner member: they see the dashboard for their company."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="partner_membership",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="memberships"
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("partner member")
        verbose_name_plural = _("partner members")
        ordering = ["company__name", "user__last_name"]

    def __str__(self) -> str:
        return f"{self.user} ({self.company})"


class OfferQuerySet(models.QuerySet):
    def open(self, today: datetime.date | None = None):
        """Offers still taking candidates: not closed by hand, closing date not passed, of an
        active company. An offer closes by itself the day after its closing date."""
        return self.filter(
            closed_at__isnull=True,
            closes_on__gte=today or timezone.localdate(),
            company__active=True,
        )


class Offer(models.Model):
    """An internship, work-study contract or job a partner company offers to laureates."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="offers"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=SearchKind.choices)
    title = models.CharField(_("title"), max_length=200)
    field = models.CharField(_("field"), max_length=200, blank=True)
    place = models.CharField(_("where"), max_length=200, blank=True)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"),
        null=True,
        blank=True,
        help_text=_("Empty for a permanent job."),
    )
    description = models.TextField(_("description"), max_length=4000)
    closes_on = models.DateField(
        _("closing date"), help_text=_("The offer leaves every list the day after.")
    )
    how_to_apply = models.TextField(_("how to apply"), max_length=1000, blank=True)
    # field and place folded by laureates.models.search_fold(): matched in the database.
    field_folded = models.CharField(max_length=200, blank=True, default="", editable=False)
    place_folded = models.CharField(max_length=200, blank=True, default="", editable=False)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers_posted",
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["closes_on", "pk"]
        indexes = [
            models.Index(
                fields=["kind", "closes_on"],
                condition=Q(closed_at__isnull=True),
                name="open_offer_kind_closes",
            ),
            models.Index(fields=["company", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_months__isnull=True)
                | Q(duration_months__gte=1, duration_months__lte=60),
                name="offer_duration_1_to_60_months",
                violation_error_message=_("A duration is between 1 and 60 months."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.title}"


class IntroductionOrigin(models.TextChoices):
    PARTNER = "partner", _("asked by the company")
    LAUREATE = "laureate", _("the laureate is interested in an offer")
    STAFF = "staff", _("proposed by the programme team")


class IntroductionStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the programme team")
    FORWARDED = "forwarded", _("waiting for the laureate")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    EXPIRED = "expired", pgettext_lazy("introduction", "expired")
    CLOSED = "closed", _("can no longer go ahead")


#: The states in which a request is still open: one per company and laureate at a time.
OPEN_STATUSES = (IntroductionStatus.PENDING, IntroductionStatus.FORWARDED)

#: Days the laureate has to answer a request passed on to them; the daily task then expires it.
INTRODUCTION_ANSWER_DAYS = 14


class IntroductionClosedReason(models.TextChoices):
    """Why a request the laureate accepted could not send the contacts (status "closed")."""

    COMPANY_INACTIVE = "company_inactive", _("the company is no longer a partner")
    REQUESTER_LEFT = "requester_left", _("the person who asked has left the company")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("the laureate no longer shares their profile")


class IntroductionQuerySet(models.QuerySet):
    def for_company(self, company: Company):
        return self.filter(company=company)

    def seen_by_partner(self, company: Company):
        """A company's own requests, with only what its members may read of them (never the
        laureate's answer message)."""
        return (
            self.for_company(company)
            .select_related("laureate__user", "requested_by")
            .only(
                "kind",
                "title",
                "message",
                "starts_on",
                "ends_on",
                "place",
                "status",
                "created_at",
                "decided_at",
                "forwarded_at",
                "closed_at",
                "laureate__user__first_name",
                "laureate__user__last_name",
                "requested_by__first_name",
                "requested_by__last_name",
                "requested_by__email",
            )
        )

    def seen_by_laureate(self, user):
        """The requests about the logged-in laureate that the programme team passed on to them
        (a request the team declined never reached them), those waiting for an answer first."""
        return (
            self.filter(laureate__user=user, forwarded_at__isnull=False)
            .select_related("company")
            .alias(
                answered=Case(
                    When(status=IntroductionStatus.FORWARDED, then=Value(0)), default=Value(1)
                )
            )
            .order_by("answered", "-forwarded_at", "-pk")
        )

    def pending(self):
        return self.filter(status=IntroductionStatus.PENDING)

    def unanswered_since(self, now: datetime.datetime):
        """Requests passed on to the laureate INTRODUCTION_ANSWER_DAYS days ago or more, still
        without an answer: the daily task expires them."""
        deadline = now - datetime.timedelta(days=INTRODUCTION_ANSWER_DAYS)
        return self.filter(status=IntroductionStatus.FORWARDED, forwarded_at__lte=deadline)


def _dates_follow_status() -> Q:
    """Each state has exactly its timestamps: decided (by the team), forwarded (to the
    laureate), answered (by the laureate) and closed (the request's end)."""
    s, known = IntroductionStatus, Q(decided_at__isnull=False)
    forwarded, answered = Q(forwarded_at__isnull=False), Q(answered_at__isnull=False)
    closed = Q(closed_at__isnull=False)
    return (
        Q(status=s.PENDING, decided_at=None, forwarded_at=None, answered_at=None, closed_at=None)
        | (Q(status=s.FORWARDED, answered_at=None, closed_at=None) & known & forwarded)
        | (Q(status__in=[s.ACCEPTED, s.CLOSED]) & known & forwarded & answered & closed)
        # Declined by the team (never forwarded) or by the laureate (forwarded and answered).
        | (Q(status=s.DECLINED, forwarded_at=None, answered_at=None) & known & closed)
        | (Q(status=s.DECLINED) & known & forwarded & answered & closed)
        | (Q(status=s.EXPIRED, answered_at=None) & known & forwarded & closed)
    )


class Introduction(models.Model):
    """A partner member asks to meet a laureate about an opportunity: the programme team
    declines it or passes it on, and only the laureate's yes sends each side the other's
    contact."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="introductions"
    )
    # Erasing or deleting the partner member keeps the request (the company's counts).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introductions_requested",
    )
    laureate = models.ForeignKey(
        "laureates.Laureate",
        verbose_name=_("laureate"),
        on_delete=models.CASCADE,
        related_name="introductions",
    )
    message = models.TextField(_("message"), max_length=2000)
    kind = models.CharField(_("kind"), max_length=12, choices=SearchKind.choices)
    title = models.CharField(_("opportunity"), max_length=200)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    place = models.CharField(_("where"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=IntroductionStatus.choices,
        default=IntroductionStatus.PENDING,
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introductions_decided",
    )
    forwarded_at = models.DateTimeField(_("passed on to the laureate at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered by the laureate at"), null=True, blank=True)
    laureate_message = models.TextField(
        _("the laureate's message"),
        max_length=1000,
        blank=True,
        help_text=_(
            "Sent to the company with the contact details on acceptance; never on decline."
        ),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_reason = models.CharField(
        _("why it could not go ahead"),
        max_length=20,
        choices=IntroductionClosedReason.choices,
        blank=True,
    )
    placement = models.OneToOneField(
        "laureates.Placement",
        verbose_name=_("placement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introduction",
        help_text=_("The placement this introduction led to, once recorded."),
    )
    offer = models.ForeignKey(
        Offer,
        verbose_name=_("offer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introductions",
    )
    origin = models.CharField(
        _("origin"),
        max_length=10,
        choices=IntroductionOrigin.choices,
        default=IntroductionOrigin.PARTNER,
    )

    objects = IntroductionQuerySet.as_manager()
    # Who decided, passed on, answered; the partner member's message is theirs to erase too.
    history = HistoricalRecords(laureate=["laureate"], user=["requested_by"])

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["-created_at"]
        # The console's list: its order (and the date hierarchy's first and last day).
        indexes = [models.Index(fields=["created_at", "id"], name="introduction_created_id")]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "laureate"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_introduction_per_company_and_laureate",
                violation_error_message=_(
                    "Your company already has an open request to meet this laureate."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="introduction_ends_after_it_starts",
                violation_error_message=_("The opportunity cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=_dates_follow_status(), name="introduction_dates_follow_status"
            ),
            models.CheckConstraint(
                condition=Q(
                    status=IntroductionStatus.CLOSED,
                    closed_reason__in=[reason.value for reason in IntroductionClosedReason],
                )
                | (~Q(status=IntroductionStatus.CLOSED) & Q(closed_reason="")),
                name="introduction_closed_has_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(laureate_message="") | Q(answered_at__isnull=False),
                name="introduction_laureate_message_comes_with_the_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} → {self.laureate} · {self.title}"

    @property
    def answer_by(self) -> datetime.datetime | None:
        """Until when the laureate may answer a request passed on to them."""
        if self.forwarded_at is None:
            return None
        return self.forwarded_at + datetime.timedelta(days=INTRODUCTION_ANSWER_DAYS)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class PartnerViewKind(models.TextChoices):
    DASHBOARD = "dashboard", _("dashboard")
    LAUREATE = "laureate", _("laureate page")
    EXPORT = "export", _("export")


class PartnerViewLog(models.Model):
    """Who, at a partner company, looked at what and when: staff read it, nobody edits it."""

    # Erasing or deleting the viewer or the laureate keeps the row, without them: the log
    # never blocks an erasure and the company's counts stay.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("viewed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="partner_views",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="views"
    )
    kind = models.CharField(_("page"), max_length=10, choices=PartnerViewKind.choices)
    laureate = models.ForeignKey(
        "laureates.Laureate",
        verbose_name=_("laureate"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_views",
    )
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    viewed_at = models.DateTimeField(_("viewed at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("partner view")
        verbose_name_plural = _("partner views")
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.viewed_at:%Y-%m-%d %H:%M}"


class CoOpter(models.Model):
    """Someone who co-opts candidates through referral platforms: a laureate in work, or a
    member of the programme team (exactly one of the two)."""

    laureate = models.OneToOneField(
        "laureates.Laureate",
        verbose_name=_("laureate"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="coopter",
    )
    # A staff co-opter is an account, not a laureate; kept while their donations are.
    staff_member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coopter",
        limit_choices_to={"is_staff": True},
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    platforms = models.CharField(
        _("platforms"),
        max_length=200,
        blank=True,
        help_text=_("The referral platforms you use, e.g. Keycoopt."),
    )

    class Meta:
        verbose_name = _("co-opter")
        verbose_name_plural = _("co-opters")
        ordering = ["-registered_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(laureate__isnull=False, staff_member__isnull=True)
                | Q(laureate__isnull=True, staff_member__isnull=False),
                name="coopter_is_a_laureate_or_a_staff_member",
                violation_error_message=_(
                    "A co-opter is either a laureate or a member of the programme team."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.laureate if self.laureate_id else self.staff_member)

    @property
    def user(self):
        """The co-opter's account: the laureate's, or the staff member's."""
        return self.laureate.user if self.laureate_id else self.staff_member


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", _("referred")
    INTERVIEWING = "interviewing", _("interviewing")
    HIRED = "hired", _("hired")
    NOT_RETAINED = "not_retained", _("not retained")


BONUS_MIN, BONUS_MAX = 500, 1000


class ReferralQuerySet(models.QuerySet):
    def totals_by_year(self):
        """Per year of referral: how many, hired, bonus pledged, donations confirmed (euros)."""
        return (
            self.annotate(year=ExtractYear("referred_on"))
            .values("year")
            .annotate(
                count=Count("pk"),
                hired=Count("pk", filter=Q(status=ReferralStatus.HIRED)),
                pledged=Coalesce(Sum("bonus", filter=Q(pledged_to_programme=True)), 0),
                # A donation counts once staff confirmed it was received (partners.donations).
                received=Coalesce(
                    Sum("donation__amount"), Value(Decimal(0)), output_field=DecimalField()
                ),
            )
            .order_by("-year")
        )


class Referral(models.Model):
    """A candidate a co-opter recommended to a company through a referral platform."""

    coopter = models.ForeignKey(
        CoOpter, verbose_name=_("co-opter"), on_delete=models.PROTECT, related_name="referrals"
    )
    candidate_laureate = models.ForeignKey(
        "laureates.Laureate",
        verbose_name=_("candidate (laureate)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals_as_candidate",
    )
    candidate_name = models.CharField(
        _("candidate"),
        max_length=200,
        blank=True,
        help_text=_("The candidate's name, when they are not a laureate."),
    )
    company = models.CharField(_("company"), max_length=200)
    job_title = models.CharField(_("job title"), max_length=200)
    platform = models.CharField(_("platform"), max_length=100, default="Keycoopt")
    platform_reference = models.CharField(
        _("reference on the platform"), max_length=100, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED
    )
    referred_on = models.DateField(_("referred on"), default=timezone.localdate)
    bonus = models.PositiveIntegerField(
        _("bonus (€)"),
        null=True,
        blank=True,
        help_text=_("Between 500 and 1,000 €, paid by the platform when the candidate is hired."),
    )
    pledged_to_programme = models.BooleanField(_("bonus given to the programme"), default=False)
    # Declared by the co-opter before staff confirmed donations (partners.donations): kept
    # for the record, no longer written; a Donation is what counts.
    donation_received_on = models.DateField(
        _("donation declared received on"), null=True, blank=True, editable=False
    )
    placement = models.OneToOneField(
        "laureates.Placement",
        verbose_name=_("placement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referral",
        help_text=_("The candidate laureate's placement this hire was recorded as."),
    )

    objects = ReferralQuerySet.as_manager()
    # The referral and its donation (pledged, received): who recorded what, when.
    history = HistoricalRecords(laureate=["candidate_laureate", "coopter__laureate"])

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bonus__isnull=True) | Q(bonus__gte=BONUS_MIN, bonus__lte=BONUS_MAX),
                name="referral_bonus_500_to_1000",
                violation_error_message=_("The bonus is between 500 and 1,000 €."),
            ),
            models.CheckConstraint(
                condition=Q(candidate_laureate__isnull=False) | ~Q(candidate_name=""),
                name="referral_names_its_candidate",
                violation_error_message=_("Choose a laureate or name the candidate."),
            ),
            models.CheckConstraint(
                condition=Q(donation_received_on__isnull=True) | Q(pledged_to_programme=True),
                name="referral_donation_only_when_pledged",
                violation_error_message=_(
                    "A donation can be received only when the bonus is given to the programme."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[choice.value for choice in ReferralStatus]),
                name="referral_status_known",
            ),
        ]
        indexes = [models.Index(fields=["referred_on"])]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.company} · {self.job_title}"

    @property
    def candidate(self) -> str:
        return self.candidate_name or str(self.candidate_laureate or "")


# Donations and their tax receipts (partners.donations, partners.receipts) -------------


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
