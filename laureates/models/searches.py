"""What a laureate is looking for (an internship, a work-study contract, a job), and the
folded text partners' searches and offers are matched on."""

import datetime
import logging
import unicodedata
from collections.abc import Iterable

from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laureates.models.dates import add_months
from laureates.models.people import SHOWN_TO_PARTNERS, Laureate

logger = logging.getLogger(__name__)


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

    def shared_by_column(self, today: datetime.date | None = None):
        """Open, fresh searches whose maintained ``shared_consent_until`` is after today: what
        the partners' dashboard counts, from one partial index. The column is written by
        :func:`search_sharing_refresh`; rows shown to a partner also pass
        :meth:`shared_by_rule` (:meth:`shared_with_partners`)."""
        today = today or timezone.localdate()
        return self.open().fresh(today).filter(shared_consent_until__gt=today)

    def shared_by_rule(self, today: datetime.date | None = None):
        """Open, fresh searches of laureates and alumni with a valid consent, computed from
        the consents and statuses on each request (the maintained column is not read)."""
        return self.open().fresh(today)._consenting(today)

    def shared_with_partners(self, today: datetime.date | None = None):
        """Open, fresh searches of the laureates ``Laureate.objects.visible_to_partners``
        returns; a search left unconfirmed for 6 months is kept but no longer shared.

        Both the maintained column and the rule: a write path that forgot to refresh the
        column can hide a laureate from partners, never show one."""
        return self.shared_by_column(today)._consenting(today)

    def _consenting(self, today: datetime.date | None):
        from laureates.models.consent import PartnerConsent  # declared after this module

        valid = PartnerConsent.objects.valid(today).filter(laureate=OuterRef("laureate_id"))
        return self.filter(laureate__status__in=SHOWN_TO_PARTNERS).filter(Exists(valid))


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
    # The end of the laureate's open consent while their status lets partners see them
    # (SHOWN_TO_PARTNERS), else empty: "shared today" is open, fresh and this after today,
    # so the days pass by themselves. Written only by search_sharing_refresh(), which every
    # change of a consent, a status or a search calls; checked every night.
    shared_consent_until = models.DateField(
        _("shared with partners until"), null=True, blank=True, editable=False
    )

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
            ),
            # The partners' dashboard counts its rows, by kind and by field, from this one
            # (an index-only scan on PostgreSQL) instead of the searches' wide rows.
            models.Index(
                fields=["laureate", "confirmed_on"],
                include=["kind", "field"],
                condition=Q(closed_on__isnull=True),
                name="open_search_shared",
            ),
            # What the partners' dashboard counts (shared_by_column): an index-only scan of
            # the shared searches on PostgreSQL, whatever the number of laureates.
            models.Index(
                fields=["shared_consent_until", "confirmed_on"],
                include=["kind", "field"],
                condition=Q(closed_on__isnull=True, shared_consent_until__isnull=False),
                name="search_shared_until",
            ),
            # The offers' match counts group the open searches by what an offer is matched
            # on: an index-only scan (partners.offers.offers_count_matches).
            models.Index(
                fields=["kind", "field_folded", "place_folded", "starts_on"],
                include=["laureate"],
                condition=Q(closed_on__isnull=True),
                name="open_search_match",
            ),
            # The same for a company's offer list, which counts among the shared searches:
            # read in the groups' order, the groups are counted as they come (24 -> 9 ms at
            # 100,000 laureates), not hashed. With the laureate, the page of one offer finds
            # its matches in this index alone too (13 -> 6 ms).
            models.Index(
                fields=["kind", "field_folded", "place_folded", "starts_on"],
                include=["confirmed_on", "shared_consent_until", "laureate"],
                condition=Q(closed_on__isnull=True, shared_consent_until__isnull=False),
                name="shared_search_match",
            ),
            # The dashboard sorted by availability: its page read in this order (either
            # way; the tie-breaker follows the sort), not every shared search sorted.
            models.Index(
                fields=["starts_on", "id"],
                condition=Q(closed_on__isnull=True, shared_consent_until__isnull=False),
                name="search_shared_starts",
            ),
            # The same within one kind, the filter partners use most: internships start in
            # spring and summer, jobs in the autumn, so the latest starts of all kinds may
            # hold none of the kind asked for. Read in the kind's own order instead (in the
            # bench at 100,000 laureates, 13,000 rows were skipped first: 6 -> 0.6 ms).
            models.Index(
                fields=["kind", "starts_on", "id"],
                condition=Q(closed_on__isnull=True, shared_consent_until__isnull=False),
                name="search_shared_kind_starts",
            ),
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


#: Laureates whose searches one UPDATE rewrites (SQLite's limit on a statement's values).
SHARING_REFRESH_BATCH = 2000


def _shared_consent_until():
    """The expiry of the open consent of the search's laureate, when their status lets
    partners see them; else NULL."""
    from laureates.models.consent import PartnerConsent  # declared after this module

    return Subquery(
        PartnerConsent.objects.open()
        .filter(laureate_id=OuterRef("laureate_id"), laureate__status__in=SHOWN_TO_PARTNERS)
        .values("expires_on")[:1]
    )


def search_sharing_refresh(*, laureate_ids: Iterable[int] | None = None) -> int:
    """Rewrite ``Search.shared_consent_until`` for these laureates' searches (everyone's
    with None), in one UPDATE per SHARING_REFRESH_BATCH laureates; returns the rows written.

    Called, in the same transaction, by whatever gives, renews or withdraws a consent,
    changes a laureate's status or creates a search; the daily :func:`search_sharing_check`
    catches a forgotten one. The laureates' rows are locked first, so that two changes of
    the same laureate at once (a withdrawal, a status) write in turn, the second seeing the
    first."""
    if laureate_ids is None:
        return Search.objects.update(shared_consent_until=_shared_consent_until())
    ids = sorted(set(laureate_ids))
    written = 0
    # The caller's transaction when there is one (no savepoint), else one of its own.
    with transaction.atomic(savepoint=False):
        for low in range(0, len(ids), SHARING_REFRESH_BATCH):
            batch = ids[low : low + SHARING_REFRESH_BATCH]
            locked = Laureate.objects.select_for_update().filter(pk__in=batch).order_by("pk")
            list(locked.values_list("pk", flat=True))
            written += Search.objects.filter(laureate_id__in=batch).update(
                shared_consent_until=_shared_consent_until()
            )
    return written


def search_sharing_wrong():
    """The searches whose ``shared_consent_until`` differs from what their laureate's
    consent and status say now."""
    rows = Search.objects.annotate(expected=_shared_consent_until())
    return rows.filter(
        Q(shared_consent_until__isnull=True, expected__isnull=False)
        | Q(shared_consent_until__isnull=False, expected__isnull=True)
        | Q(shared_consent_until__lt=F("expected"))
        | Q(shared_consent_until__gt=F("expected"))
    )


def search_sharing_check() -> int:
    """Recompute ``shared_consent_until`` for everyone, fix the rows that differ and log a
    warning naming how many (a write path that forgot :func:`search_sharing_refresh`);
    returns that number. Safe to run at any time and twice."""
    wrong = list(search_sharing_wrong().values_list("pk", "laureate_id"))
    if not wrong:
        return 0
    logger.warning(
        "search_sharing_check: %d searches had a wrong shared_consent_until (laureates %s); fixed",
        len(wrong),
        ", ".join(str(pk) for pk in sorted({laureate for _pk, laureate in wrong})[:20]),
    )
    search_sharing_refresh(laureate_ids={laureate for _pk, laureate in wrong})
    return len(wrong)


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
    # A new search starts shared (or not) as the laureate's consent and status say.
    search_sharing_refresh(laureate_ids=[laureate.pk])
    return search


def search_confirm(*, laureate: Laureate) -> "Search | None":
    """The laureate says they are still looking: their open search (if any) is dated today,
    and is back on the dashboard if it had left it."""
    search = laureate.searches.open().first()
    if search is not None:
        search.confirmed_on = timezone.localdate()
        search.save(update_fields=["confirmed_on"])
    return search
