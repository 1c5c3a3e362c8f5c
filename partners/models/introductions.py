"""Introductions: a partner asks to meet a laureate, the team and the laureate decide."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from emergence.history import HistoricalRecords
from laureates.models import SearchKind
from partners.models.companies import Company
from partners.models.offers import Offer


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
