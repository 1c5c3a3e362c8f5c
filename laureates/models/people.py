"""Laureates and their promotions, tracks, statuses and situations.

Laureate and its QuerySet read the other topics' models (sponsorships, searches, consents,
placements), which point at Laureate and are declared after it: they are imported where
they are used.
"""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from emergence.history import HistoricalRecords
from emergence.roles import account_kind, is_partner

if TYPE_CHECKING:
    from laureates.models.sponsorships import Sponsorship


class Promotion(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class Track(models.TextChoices):
    MEDICINE = "medecine", _("Medicine")
    PREPA = "prepa", _("Preparatory classes")
    UNIVERSITY = "universite", _("University")
    ENGINEERING = "ingenieur", _("Engineering school")
    BUSINESS = "commerce", _("Business school")
    IUT_BTS = "iut_bts", _("IUT/BTS")
    OTHER = "autre", _("Other")


class Status(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("laureate status", "active")
    ALUMNI = "alumni", pgettext_lazy("laureate status", "alumni")
    LEFT = "left", pgettext_lazy("laureate status", "left the programme")


#: Who may appear on the partners' dashboard (with their consent): never those who left.
SHOWN_TO_PARTNERS = (Status.ACTIVE, Status.ALUMNI)


class Situation(models.TextChoices):
    STUDYING = "studying", _("studying")
    INTERNSHIP = "internship", _("in an internship")
    WORK_STUDY = "work_study", _("in a work-study contract")
    IN_WORK = "in_work", _("in work")
    SEEKING = "seeking", _("looking for work")


class LaureateQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Status.ACTIVE)

    def followed_in_school_year(self, school_year: int):
        """The laureates the programme followed during ``school_year`` (2025 for 2025–2026,
        1 September to 31 August): joined by its end, and still active, or left on or after
        its start, or with a report (a draft or an answer) for one of its periods (its Q4,
        then Q1 to Q3 of the next year). An alumnus has no date of becoming one: a report
        is what says they were still followed that year."""
        start = datetime.date(school_year, 9, 1)
        end = datetime.date(school_year + 1, 8, 31)
        # ActivityReport (reports, an app above this one) points at Laureate; it is reached
        # through that foreign key's reverse side ("reports"), by name, never imported.
        reports = self.model._meta.get_field("reports").related_model.objects.filter(
            Q(period__year=school_year, period__quarter=4)
            | Q(period__year=school_year + 1, period__quarter__lte=3),
            laureate=OuterRef("pk"),
        )
        return self.filter(joined_on__lte=end).filter(
            Q(status=Status.ACTIVE) | Q(left_on__gte=start) | Exists(reports)
        )

    def visible_to_partners(self, today: datetime.date | None = None):
        """Laureates and alumni (never those who left) whose partner-sharing consent is
        given, not withdrawn, not expired."""
        from laureates.models.consent import PartnerConsent

        valid = PartnerConsent.objects.valid(today).filter(laureate=OuterRef("pk"))
        return self.filter(status__in=SHOWN_TO_PARTNERS).filter(Exists(valid))

    def with_partner_consent(self):
        """Annotate the open consent's ``consent_version`` and ``consent_expires_on`` (or None)."""
        from laureates.models.consent import PartnerConsent

        current = PartnerConsent.objects.open().filter(laureate=OuterRef("pk"))
        return self.annotate(
            consent_version=Subquery(current.values("version")[:1]),
            consent_given_at=Subquery(current.values("given_at")[:1]),
            consent_expires_on=Subquery(current.values("expires_on")[:1]),
        )

    def with_open_search_confirmed_on(self):
        """Annotate ``open_search_confirmed_on``, the last confirmation of their open search
        (None without one), in the same query: /me/ says when it needs confirming."""
        from laureates.models.searches import Search

        open_search = Search.objects.open().filter(laureate=OuterRef("pk"))
        return self.annotate(
            open_search_confirmed_on=Subquery(open_search.values("confirmed_on")[:1])
        )

    def with_current_sponsor(self):
        return self.filter(_has_current_sponsorship())

    def with_current_job(self, today: datetime.date | None = None):
        """Annotate ``has_current_job``, which ``Laureate.can_coopt`` reads instead of a query."""
        from laureates.models.placements import Placement
        from laureates.models.searches import SearchKind

        jobs = Placement.objects.current(today).filter(laureate=OuterRef("pk"), kind=SearchKind.JOB)
        return self.annotate(has_current_job=Exists(jobs))

    def without_current_sponsor(self):
        return self.filter(~_has_current_sponsorship())

    def with_current_sponsor_name(self):
        """Annotate ``current_sponsor_name`` with one subquery, whatever the list's length."""
        from laureates.models.sponsorships import Sponsorship

        current = (
            Sponsorship.objects.current()
            .filter(laureate=OuterRef("pk"))
            .annotate(name=Concat(F("sponsor__first_name"), Value(" "), F("sponsor__last_name")))
            .values("name")[:1]
        )
        return self.annotate(current_sponsor_name=Subquery(current))

    def search(self, text: str):
        query = Q()
        for word in text.split():
            query &= (
                Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
                | Q(user__email__icontains=word)
                | Q(school__icontains=word)
            )
        return self.filter(query)


def _has_current_sponsorship() -> Exists:
    from laureates.models.sponsorships import Sponsorship

    return Exists(Sponsorship.objects.current().filter(laureate=OuterRef("pk")))


class Laureate(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="laureate",
    )
    promotion = models.ForeignKey(
        Promotion, verbose_name=_("promotion"), on_delete=models.PROTECT, related_name="laureates"
    )
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    study_year = models.PositiveSmallIntegerField(
        _("study year"), default=1, help_text=_("1 for the first year after the baccalauréat.")
    )
    school = models.CharField(_("school"), max_length=200, blank=True)
    degree = models.CharField(
        _("degree"),
        max_length=100,
        blank=True,
        help_text=_("The degree being prepared or obtained, e.g. Master, Licence, PASS."),
    )
    degree_year = models.PositiveSmallIntegerField(
        _("year of the degree"),
        null=True,
        blank=True,
        help_text=_("2 for a master 2, 3 for a licence 3."),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    situation = models.CharField(
        _("situation"), max_length=10, choices=Situation.choices, default=Situation.STUDYING
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referred_laureates",
        limit_choices_to={"is_staff": True},
    )
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    # From this day the retention rule "left_laureates" counts (README, « Mes données »).
    left_on = models.DateField(
        _("left the programme on"),
        null=True,
        blank=True,
        help_text=_(
            "Filled in with today's date when the status becomes “left the programme”; "
            "correct it if they left earlier. Their data is erased 3 years after it."
        ),
    )

    # Written by the laureate on « Mon parrain » (/me/sponsor/): the only words of theirs
    # their sponsor reads; report answers never reach a sponsor.
    project_for_sponsor = models.TextField(
        _("my professional project, for my sponsor"),
        blank=True,
        max_length=1000,
        help_text=_("A few lines your sponsor reads on their page; nothing else you write."),
    )

    # The last time an alumnus was asked by e-mail whether they are looking (once a year).
    search_asked_on = models.DateField(
        _("last asked about their search on"), null=True, blank=True, editable=False
    )

    # Kept by workshops' attendance_record (laureates cannot read workshops): how many
    # sessions of the current school year the laureate registered for and missed. The
    # triage score reads it (« absent·e aux ateliers » from 2).
    workshop_absences = models.PositiveSmallIntegerField(
        _("workshop absences this school year"), default=0, editable=False
    )

    objects = LaureateQuerySet.as_manager()
    # Who changed what and when; a change of status says why (emergence/history.py).
    history = HistoricalRecords(laureate=["id"], user=["user"])

    class Meta:
        verbose_name = _("laureate")
        verbose_name_plural = _("laureates")
        ordering = ["user__last_name", "user__first_name"]
        indexes = [
            models.Index(fields=["status", "track"]),
            # The partners' dashboard filtered by track counts through the laureates of
            # that track: an index-only scan of their keys.
            models.Index(fields=["track", "id"], name="laureate_track"),
            # The few who left: the programme team's offer matching leaves them out with an
            # anti-join that reads this index, not the whole table (partners.offers).
            models.Index(
                fields=["id"],
                condition=~Q(status__in=[Status.ACTIVE, Status.ALUMNI]),
                name="laureate_outside_programme",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(study_year__gte=1) & Q(study_year__lte=12),
                name="laureate_study_year_1_to_12",
            ),
            models.CheckConstraint(
                condition=Q(degree_year__isnull=True) | Q(degree_year__gte=1, degree_year__lte=8),
                name="laureate_degree_year_1_to_8",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def clean(self):
        # One account, one kind of person: an import or a form never turns a staff or
        # partner account into a laureate as well.
        if self._state.adding and self.user_id and self._account_of_another_kind():
            kind = account_kind(self.user)
            raise ValidationError(
                {
                    "user": gettext(
                        "%(email)s is already %(kind)s: a laureate needs an account of their own."
                    )
                    % {"email": self.user.email, "kind": kind}
                }
            )
        # The day they left, which retention counts from: set when the status becomes "left"
        # (by the form or an import), gone when they come back.
        if self.status == Status.LEFT and self.left_on is None:
            self.left_on = timezone.localdate()
        elif self.status != Status.LEFT:
            self.left_on = None

    def _account_of_another_kind(self) -> bool:
        # Reverse accessors, which an import reads with the account (select_related).
        user = self.user
        return user.is_staff or is_partner(user) or hasattr(user, "sponsor")

    def consent_state(self, today: datetime.date | None = None) -> str:
        """ "none", "valid", "expiring" (renew soon) or "expired"; needs the annotation of
        ``Laureate.objects.with_partner_consent()``."""
        from laureates.models.consent import CONSENT_RENEW_PROMPT_DAYS

        today = today or timezone.localdate()
        expires_on = self.consent_expires_on
        if expires_on is None:
            return "none"
        if expires_on <= today:
            return "expired"
        if expires_on <= today + datetime.timedelta(days=CONSENT_RENEW_PROMPT_DAYS):
            return "expiring"
        return "valid"

    def search_needs_confirming(self, today: datetime.date | None = None) -> bool:
        """Their open search left the dashboard for want of a confirmation; needs the
        annotation of ``Laureate.objects.with_open_search_confirmed_on()``."""
        from laureates.models.searches import search_fresh_since

        confirmed_on = self.open_search_confirmed_on
        return confirmed_on is not None and confirmed_on < search_fresh_since(today)

    def consent_outdated(self) -> bool:
        """Whether their open, valid consent was given to an older text than today's (it stays
        valid for what that text named; the page asks them to renew it for the rest). Needs
        the annotation of ``Laureate.objects.with_partner_consent()``."""
        from laureates.models.consent import CONSENT_VERSION

        return self.consent_state() in ("valid", "expiring") and (
            self.consent_version != CONSENT_VERSION
        )

    @property
    def can_coopt(self) -> bool:
        """Only laureates in work recommend candidates through referral platforms: in work
        by their situation, or by a current job placement (declared or recorded)."""
        from laureates.models.searches import SearchKind

        if self.situation == Situation.IN_WORK:
            return True
        if hasattr(self, "has_current_job"):  # Laureate.objects.with_current_job()
            return self.has_current_job
        return self.placements.current().filter(kind=SearchKind.JOB).exists()

    @property
    def current_sponsorship(self) -> "Sponsorship | None":
        return self.sponsorships.current().select_related("sponsor__company").first()
