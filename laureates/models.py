"""Laureates, their promotions, their sponsors and the staff's follow-ups."""

import calendar
import datetime
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from emergence.history import BY_THE_LAUREATE, HistoricalRecords, stored_reason
from emergence.roles import account_kind, is_partner


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

    def visible_to_partners(self, today: datetime.date | None = None):
        """Laureates and alumni (never those who left) whose partner-sharing consent is
        given, not withdrawn, not expired."""
        valid = PartnerConsent.objects.valid(today).filter(laureate=OuterRef("pk"))
        return self.filter(status__in=SHOWN_TO_PARTNERS).filter(Exists(valid))

    def with_partner_consent(self):
        """Annotate the open consent's ``consent_version`` and ``consent_expires_on`` (or None)."""
        current = PartnerConsent.objects.open().filter(laureate=OuterRef("pk"))
        return self.annotate(
            consent_version=Subquery(current.values("version")[:1]),
            consent_given_at=Subquery(current.values("given_at")[:1]),
            consent_expires_on=Subquery(current.values("expires_on")[:1]),
        )

    def with_open_search_confirmed_on(self):
        """Annotate ``open_search_confirmed_on``, the last confirmation of their open search
        (None without one), in the same query: /me/ says when it needs confirming."""
        open_search = Search.objects.open().filter(laureate=OuterRef("pk"))
        return self.annotate(
            open_search_confirmed_on=Subquery(open_search.values("confirmed_on")[:1])
        )

    def with_current_sponsor(self):
        return self.filter(_has_current_sponsorship())

    def with_current_job(self, today: datetime.date | None = None):
        """Annotate ``has_current_job``, which ``Laureate.can_coopt`` reads instead of a query."""
        jobs = Placement.objects.current(today).filter(laureate=OuterRef("pk"), kind=SearchKind.JOB)
        return self.annotate(has_current_job=Exists(jobs))

    def without_current_sponsor(self):
        return self.filter(~_has_current_sponsorship())

    def with_current_sponsor_name(self):
        """Annotate ``current_sponsor_name`` with one subquery, whatever the list's length."""
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

    objects = LaureateQuerySet.as_manager()
    # Who changed what and when; a change of status says why (emergence/history.py).
    history = HistoricalRecords(laureate=["id"], user=["user"])

    class Meta:
        verbose_name = _("laureate")
        verbose_name_plural = _("laureates")
        ordering = ["user__last_name", "user__first_name"]
        indexes = [models.Index(fields=["status", "track"])]
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
        user = self.user
        return user.is_staff or is_partner(user) or Sponsor.objects.filter(user_id=user.pk).exists()

    def consent_state(self, today: datetime.date | None = None) -> str:
        """ "none", "valid", "expiring" (renew soon) or "expired"; needs the annotation of
        ``Laureate.objects.with_partner_consent()``."""
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
        confirmed_on = self.open_search_confirmed_on
        return confirmed_on is not None and confirmed_on < search_fresh_since(today)

    def consent_outdated(self) -> bool:
        """Whether their open, valid consent was given to an older text than today's (it stays
        valid for what that text named; the page asks them to renew it for the rest). Needs
        the annotation of ``Laureate.objects.with_partner_consent()``."""
        return self.consent_state() in ("valid", "expiring") and (
            self.consent_version != CONSENT_VERSION
        )

    @property
    def can_coopt(self) -> bool:
        """Only laureates in work recommend candidates through referral platforms: in work
        by their situation, or by a current job placement (declared or recorded)."""
        if self.situation == Situation.IN_WORK:
            return True
        if hasattr(self, "has_current_job"):  # Laureate.objects.with_current_job()
            return self.has_current_job
        return self.placements.current().filter(kind=SearchKind.JOB).exists()

    @property
    def current_sponsorship(self) -> "Sponsorship | None":
        return self.sponsorships.current().select_related("sponsor__company").first()


class Sponsor(models.Model):
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail address"), unique=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    company = models.ForeignKey(
        "partners.Company",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="sponsors",
    )
    # Their sign-in to /sponsor/ (laureates/sponsors.py: sponsor_account_give); none until
    # staff give them access or an import does.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsor",
    )

    class Meta:
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class EndReason(models.TextChoices):
    MOVED = "moved", _("moved away")
    NO_TIME = "no_time", _("no time any more")
    MISMATCH = "mismatch", _("not a good match")
    LAUREATE_LEFT = "laureate_left", _("the laureate left the programme")
    GRADUATED = "graduated", _("the laureate graduated")


class SponsorshipQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_on__isnull=True)


class Sponsorship(models.Model):
    laureate = models.ForeignKey(
        Laureate, verbose_name=_("laureate"), on_delete=models.CASCADE, related_name="sponsorships"
    )
    sponsor = models.ForeignKey(
        Sponsor, verbose_name=_("sponsor"), on_delete=models.PROTECT, related_name="sponsorships"
    )
    started_on = models.DateField(_("start date"), default=timezone.localdate)
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for ending"), max_length=20, choices=EndReason.choices, blank=True
    )

    objects = SponsorshipQuerySet.as_manager()
    history = HistoricalRecords(laureate=["laureate"])

    class Meta:
        verbose_name = _("sponsorship")
        verbose_name_plural = _("sponsorships")
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["laureate"],
                condition=Q(ended_on__isnull=True),
                name="one_current_sponsorship_per_laureate",
                violation_error_message=_("This laureate already has a current sponsor."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="sponsorship_ends_after_it_starts",
                violation_error_message=_("A sponsorship cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(end_reason="") | Q(ended_on__isnull=False),
                name="sponsorship_end_reason_only_when_ended",
                violation_error_message=_("Only an ended sponsorship has a reason for ending."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sponsor} → {self.laureate}"

    def clean(self):
        # Sponsorships ended before the reason existed have none; every new end says why
        # (the console, an import): the programme learns why sponsorships end.
        if self.ended_on is not None and not self.end_reason:
            if self._state.adding or self._ended_on_at_load is None:
                raise ValidationError(
                    {"end_reason": gettext("Say why the sponsorship ends.")}, code="required"
                )

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._ended_on_at_load = instance.__dict__.get("ended_on")
        return instance

    _ended_on_at_load: "datetime.date | None" = None

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class Channel(models.TextChoices):
    PHONE = "phone", _("phone call")
    EMAIL = "email", _("e-mail")
    MEETING = "meeting", _("meeting")
    VIDEO = "video", _("video call")
    MESSAGE = "message", _("text message")


class FollowUp(models.Model):
    laureate = models.ForeignKey(
        Laureate, verbose_name=_("laureate"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )

    history = HistoricalRecords(laureate=["laureate"])

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.date} · {self.get_channel_display()}"


class SearchKind(models.TextChoices):
    INTERNSHIP = "internship", _("internship")
    WORK_STUDY = "work_study", _("work-study contract")
    JOB = "job", _("job")


class SearchQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)

    def fresh(self, today: datetime.date | None = None):
        """Searches confirmed in the last SEARCH_FRESH_MONTHS months."""
        return self.filter(confirmed_on__gte=search_fresh_since(today))

    def shared_with_partners(self, today: datetime.date | None = None):
        """Open, fresh searches of the laureates ``Laureate.objects.visible_to_partners``
        returns; a search left unconfirmed for 6 months is kept but no longer shared."""
        valid = PartnerConsent.objects.valid(today).filter(laureate=OuterRef("laureate_id"))
        return (
            self.open()
            .fresh(today)
            .filter(laureate__status__in=SHOWN_TO_PARTNERS)
            .filter(Exists(valid))
        )


class Search(models.Model):
    """What a laureate is looking for now: an internship, a work-study contract or a job."""

    laureate = models.ForeignKey(
        Laureate, verbose_name=_("laureate"), on_delete=models.CASCADE, related_name="searches"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=SearchKind.choices)
    field = models.CharField(_("field"), max_length=200, blank=True)
    starts_on = models.DateField(_("available from"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), null=True, blank=True
    )
    place = models.CharField(_("where"), max_length=200, blank=True)
    pitch = models.TextField(_("pitch"), max_length=1000, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The last day the laureate said they are still looking (a report, a search page, the
    # alumni's yearly e-mail): a search not confirmed for 6 months leaves the dashboard.
    confirmed_on = models.DateField(_("last confirmed on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # field and place folded by search_fold(), which offers are matched on in the database.
    field_folded = models.CharField(max_length=200, blank=True, default="", editable=False)
    place_folded = models.CharField(max_length=200, blank=True, default="", editable=False)
    # The laureate's name, school, and this search's field, place and pitch, folded by
    # search_fold(): partners' text search reads this one column, the same way on every
    # database. Written by search_set() and search_text_refresh(), never by save().
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    objects = SearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("search")
        verbose_name_plural = _("searches")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["laureate"],
                condition=Q(closed_on__isnull=True),
                name="one_open_search_per_laureate",
                violation_error_message=_("This laureate already has an open search."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["kind", "confirmed_on"],
                condition=Q(closed_on__isnull=True),
                name="open_search_kind_confirmed",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} · {self.field}" if self.field else self.get_kind_display()
        )

    def is_stale(self, today: datetime.date | None = None) -> bool:
        """Not confirmed for SEARCH_FRESH_MONTHS months: partners no longer see it."""
        return self.confirmed_on < search_fresh_since(today)

    @property
    def stale_on(self) -> datetime.date:
        """The day it leaves the dashboard unless confirmed again."""
        return add_months(self.confirmed_on, SEARCH_FRESH_MONTHS)


#: A search not confirmed for this many months leaves the partners' dashboard.
SEARCH_FRESH_MONTHS = 6


def search_fresh_since(today: datetime.date | None = None) -> datetime.date:
    """The oldest confirmation day of a search still shown to partners."""
    return add_months(today or timezone.localdate(), -SEARCH_FRESH_MONTHS)


# Letters that Unicode does not split into a base letter and an accent.
_FOLDED_LETTERS = str.maketrans(
    {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "’": "'", "‘": "'"}
)


def search_fold(text: str) -> str:
    """Text without case or accents, as the partners' search compares it: "Santé" -> "sante"."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_FOLDED_LETTERS))
    return "".join(char for char in text if not unicodedata.combining(char))


def search_text_of(*, first_name: str, last_name: str, school: str, search: "Search") -> str:
    """The folded text a partner's search looks into; one line per value, so that a word
    never matches across two of them."""
    values = (first_name, last_name, school, search.field, search.place, search.pitch)
    return search_fold("\n".join(value for value in values if value))


def search_text_refresh(*, laureate_ids: Iterable[int]) -> int:
    """Rewrite the search text of these laureates' open searches, after their name or school
    changed; returns how many searches were rewritten."""
    searches = list(
        Search.objects.open()
        .filter(laureate_id__in=list(laureate_ids))
        .select_related("laureate__user")
        .only(
            "field",
            "place",
            "pitch",
            "search_text",
            "laureate__school",
            "laureate__user__first_name",
            "laureate__user__last_name",
        )
    )
    changed = []
    for search in searches:
        user = search.laureate.user
        text = search_text_of(
            first_name=user.first_name,
            last_name=user.last_name,
            school=search.laureate.school,
            search=search,
        )
        if text != search.search_text:
            search.search_text = text
            changed.append(search)
    Search.objects.bulk_update(changed, ["search_text"], batch_size=500)
    return len(changed)


def search_set(
    *,
    laureate: Laureate,
    kind: str | None,
    field: str = "",
    starts_on=None,
    duration_months: int | None = None,
    place: str = "",
    pitch: str = "",
) -> "Search | None":
    """Make ``kind`` the laureate's open search (or close it when ``kind`` is empty); saying
    what they look for confirms it for SEARCH_FRESH_MONTHS months."""
    current = laureate.searches.open().select_for_update().first()
    if not kind:
        if current is not None:
            current.closed_on = timezone.localdate()
            current.save(update_fields=["closed_on", "updated_at"])
        return None
    search = current or Search(laureate=laureate)
    search.kind = kind
    search.field = field
    search.starts_on = starts_on
    search.duration_months = duration_months
    search.place = place
    search.pitch = pitch
    # What offers are matched on, in the database (partners.offers).
    search.field_folded = search_fold(field)
    search.place_folded = search_fold(place)
    search.confirmed_on = timezone.localdate()
    search.search_text = search_text_of(
        first_name=laureate.user.first_name,
        last_name=laureate.user.last_name,
        school=laureate.school,
        search=search,
    )
    search.save()
    return search


def search_confirm(*, laureate: Laureate) -> "Search | None":
    """The laureate says they are still looking: their open search (if any) is dated today,
    and is back on the dashboard if it had left it."""
    search = laureate.searches.open().first()
    if search is not None:
        search.confirmed_on = timezone.localdate()
        search.save(update_fields=["confirmed_on"])
    return search


# Consent to partner sharing ---------------------------------------------------------

#: Bump the version whenever the text below changes: each consent records the one it saw.
CONSENT_VERSION = "2026-2"
CONSENT_TEXT = _(
    "I agree that the programme's partner companies may see, on their dashboard, my name, "
    "promotion, school, track, study year, my level of study (degree and its year), my "
    "situation (studying, in an internship, in a work-study contract, in work or looking for "
    "work), whether I am an alumnus of the programme, and what I am looking for (internship, "
    "work-study contract or job: field, from when, how long, where, and my pitch). They "
    "never see my e-mail address, my phone number, my activity reports or the programme "
    "team's notes. "
    "A company that wants to meet me asks the programme team, who ask me first. "
    "This consent lasts 12 months; I can withdraw it at any time."
)
CONSENT_MONTHS = 12
# From this many days before expiry, the laureate's page asks them to renew.
CONSENT_RENEW_PROMPT_DAYS = 30


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class PartnerConsentQuerySet(models.QuerySet):
    def open(self):
        """Neither withdrawn nor replaced by a renewal (it may have expired)."""
        return self.filter(withdrawn_at__isnull=True, replaced_at__isnull=True)

    def valid(self, today: datetime.date | None = None):
        return self.open().filter(expires_on__gt=today or timezone.localdate())


class PartnerConsent(models.Model):
    """A laureate's consent to be shown to partner companies: one row per decision.

    Giving it again (a renewal, or a new text version) replaces the open row; withdrawing
    it closes the open row. The history stays, for the record of who agreed to what, when.
    """

    laureate = models.ForeignKey(
        Laureate,
        verbose_name=_("laureate"),
        on_delete=models.CASCADE,
        related_name="partner_consents",
    )
    version = models.CharField(_("text version"), max_length=20)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    expires_on = models.DateField(_("expires on"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    replaced_at = models.DateTimeField(_("renewed at"), null=True, blank=True)

    objects = PartnerConsentQuerySet.as_manager()
    # Each decision's history says who and why: "by the laureate" on their own page.
    history = HistoricalRecords(laureate=["laureate"])

    class Meta:
        verbose_name = _("consent to partner sharing")
        verbose_name_plural = _("consents to partner sharing")
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["laureate"],
                condition=Q(withdrawn_at__isnull=True, replaced_at__isnull=True),
                name="one_open_partner_consent_per_laureate",
            ),
        ]
        indexes = [models.Index(fields=["laureate", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.laureate} · {self.version} · {self.given_at:%Y-%m-%d}"

    def is_valid(self, today: datetime.date | None = None) -> bool:
        open_ = self.withdrawn_at is None and self.replaced_at is None
        return open_ and self.expires_on > (today or timezone.localdate())


def consent_give(
    *, laureate: Laureate, version: str = CONSENT_VERSION, reason: str = ""
) -> PartnerConsent:
    """Record the laureate's consent to ``version`` of the text, valid 12 months from now.

    The history records ``reason``, "by the laureate" unless another is given.
    """
    if version != CONSENT_VERSION:
        raise ValidationError(_("The consent text has changed: please read it again."))
    now = timezone.now()
    reason = reason or stored_reason(BY_THE_LAUREATE)
    with transaction.atomic():
        # One row at most (a constraint): saved, so that the history keeps the renewal.
        for previous in laureate.partner_consents.open().select_for_update():
            previous.replaced_at = now
            previous._change_reason = reason
            previous.save(update_fields=["replaced_at"])
        consent = PartnerConsent(
            laureate=laureate,
            version=version,
            given_at=now,
            expires_on=add_months(timezone.localdate(now), CONSENT_MONTHS),
        )
        consent._change_reason = reason
        consent.save()
        return consent


def consent_withdraw(*, laureate: Laureate, reason: str = "") -> int:
    """Close the laureate's open consent: partners no longer see them from the next request.

    The history records ``reason``, "by the laureate" unless another is given.
    """
    reason = reason or stored_reason(BY_THE_LAUREATE)
    withdrawn = 0
    with transaction.atomic():
        for consent in laureate.partner_consents.open().select_for_update():
            consent.withdrawn_at = timezone.now()
            consent._change_reason = reason
            consent.save(update_fields=["withdrawn_at"])
            withdrawn += 1
    return withdrawn


# Placements -------------------------------------------------------------------------


class PlacementSource(models.TextChoices):
    STAFF = "staff", _("recorded by the programme team")
    LAUREATE = "laureate", _("declared by the laureate")
    INTRODUCTION = "introduction", _("from an introduction")
    REFERRAL = "referral", _("from a co-optation")


#: The situation a placement of each kind puts the laureate in.
SITUATION_OF_KIND = {
    SearchKind.INTERNSHIP: Situation.INTERNSHIP,
    SearchKind.WORK_STUDY: Situation.WORK_STUDY,
    SearchKind.JOB: Situation.IN_WORK,
}
#: A placement starting within this many days already changes the laureate's situation: the
#: contract is signed, staff and the co-optation page treat them as placed.
PLACEMENT_SITUATION_AHEAD_DAYS = 30
#: The longest duration a placement may have (months), as its constraint says.
PLACEMENT_MAX_MONTHS = 60


class PlacementQuerySet(models.QuerySet):
    def current(self, today: datetime.date | None = None, *, starting_within_days: int = 0):
        """Placements going on ``today``: started (or starting within ``starting_within_days``),
        not ended, and within their duration (a permanent job has none)."""
        today = today or timezone.localdate()
        within = Q(duration_months__isnull=True)
        # One range per possible duration: the same SQL on SQLite and PostgreSQL.
        for months in range(1, PLACEMENT_MAX_MONTHS + 1):
            within |= Q(duration_months=months, starts_on__gt=add_months(today, -months))
        return self.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=today),
            within,
            starts_on__lte=today + datetime.timedelta(days=starting_within_days),
        )


class Placement(models.Model):
    """An internship, work-study contract or job a laureate obtained."""

    laureate = models.ForeignKey(
        Laureate, verbose_name=_("laureate"), on_delete=models.CASCADE, related_name="placements"
    )
    company = models.ForeignKey(
        "partners.Company",
        verbose_name=_("partner company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        help_text=_("Leave empty for a company that is not a partner, and name it below."),
    )
    other_company = models.CharField(_("other company"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=SearchKind.choices)
    title = models.CharField(_("title"), max_length=200)
    department = models.CharField(_("department"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    starts_on = models.DateField(_("start date"))
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"),
        null=True,
        blank=True,
        help_text=_("Empty for a permanent job."),
    )
    # The day it stopped (the laureate said so in a report, or staff recorded it).
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=PlacementSource.choices, default=PlacementSource.STAFF
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = PlacementQuerySet.as_manager()
    history = HistoricalRecords(laureate=["laureate"])

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=False) | ~Q(other_company=""),
                name="placement_names_its_company",
                violation_error_message=_("Choose a partner company or name the company."),
            ),
            models.CheckConstraint(
                condition=Q(duration_months__isnull=True)
                | Q(duration_months__gte=1, duration_months__lte=60),
                name="placement_duration_1_to_60_months",
                violation_error_message=_("A duration is between 1 and 60 months."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("starts_on")),
                name="placement_ends_after_it_starts",
                violation_error_message=_("A placement cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.laureate} · {self.get_kind_display()} · {self.company_name}"

    @property
    def company_name(self) -> str:
        return self.company.name if self.company_id else self.other_company

    def is_over(self, today: datetime.date | None = None) -> bool:
        """Ended, or past its duration (as ``PlacementQuerySet.current`` counts it)."""
        today = today or timezone.localdate()
        if self.ended_on is not None and self.ended_on <= today:
            return True
        return (
            bool(self.duration_months) and add_months(self.starts_on, self.duration_months) <= today
        )


def placement_record(
    *,
    laureate: Laureate,
    kind: str,
    title: str,
    starts_on: datetime.date,
    company=None,
    other_company: str = "",
    department: str = "",
    city: str = "",
    duration_months: int | None = None,
    ended_on: datetime.date | None = None,
    source: str = PlacementSource.STAFF,
) -> Placement:
    """Record a placement: close the laureate's open search of the same kind, and put them
    in the placement's situation when it has started or starts within
    PLACEMENT_SITUATION_AHEAD_DAYS days. A placement already over (an old one recorded
    late) changes neither. The caller may link it (an introduction, a referral) in its own
    transaction."""
    placement = Placement(
        laureate=laureate,
        company=company,
        other_company=other_company,
        kind=kind,
        title=title,
        department=department,
        city=city,
        starts_on=starts_on,
        duration_months=duration_months,
        ended_on=ended_on,
        source=source,
    )
    placement.full_clean()
    today = timezone.localdate()
    with transaction.atomic():
        placement.save()
        if not placement.is_over(today):
            if laureate.searches.open().filter(kind=kind).exists():
                search_set(laureate=laureate, kind=None)
            situation_from_placements(laureate=laureate, today=today)
    return placement


def placement_end(*, placement: Placement, on: datetime.date | None = None) -> Placement:
    """The placement stopped ``on`` (today by default): the laureate's situation goes back
    to studying (an alumnus: looking for work), unless another placement goes on."""
    on = on or timezone.localdate()
    placement.ended_on = max(on, placement.starts_on)
    placement.full_clean()
    with transaction.atomic():
        placement.save(update_fields=["ended_on"])
        situation_from_placements(laureate=placement.laureate)
    return placement


def situation_from_placements(*, laureate: Laureate, today: datetime.date | None = None) -> str:
    """Put the laureate in the situation of their current placement (a job before a
    work-study contract before an internship); with none, a laureate whose situation came
    from a placement goes back to studying, an alumnus to looking for work. A situation
    staff set by hand without a placement (studying, looking for work) is kept."""
    kinds = set(
        laureate.placements.current(
            today, starting_within_days=PLACEMENT_SITUATION_AHEAD_DAYS
        ).values_list("kind", flat=True)
    )
    placed = [SITUATION_OF_KIND[kind] for kind in SearchKind.values[::-1] if kind in kinds]
    if placed:
        situation = placed[0]
    elif laureate.situation in SITUATION_OF_KIND.values():
        situation = Situation.SEEKING if laureate.status == Status.ALUMNI else Situation.STUDYING
    else:
        situation = laureate.situation
    if situation != laureate.situation:
        laureate.situation = situation
        laureate.save(update_fields=["situation"])
    return situation


# Meetings, fit answers: laureates/sponsor_models.py (imported here so that Django sees them).
from laureates.sponsor_models import SponsorMeeting, SponsorshipFit  # noqa: E402, F401
