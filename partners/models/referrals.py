"""Co-optation: co-opters, the candidates they refer and the bonus pledged to the programme."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emergence.history import HistoricalRecords


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
