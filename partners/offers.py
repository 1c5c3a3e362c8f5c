"""Partner offers: posting, editing and closing them, matching them to laureates' searches
in the database, and the two flows an offer starts (a laureate is interested; the programme
team proposes a laureate).

How an offer fits a search (the same rule everywhere: the partner's and the staff's lists of
matching laureates, the count on each offer list, the laureate's /offers/ and their card):

- the same kind (internship, work-study contract, job);
- the field: either is empty, or one contains the other, without case or accents —
  « Data » fits « Data science » and « data », « Conseil en stratégie » fits a search for
  « conseil », « Santé » fits « santé publique »; « Marketing digital » does not fit
  « Digital marketing », nor « Droit » « Finance »;
- the place, the same way: « Lille » fits « Lille » and « Lille ou Paris »; « Paris » does not
  fit « Île-de-France »; an empty place (anywhere) fits every place;
- the dates: either start is empty, or the laureate's start is at most START_WINDOW_DAYS
  (about three months) before or after the offer's.

Every function matches a whole page in one query: the rule is one SQL condition, between
an offer's or a search's values and the other side's columns (or between two columns, for
the laureate's card). The counts on a page of offers check it once per offer and group of
searches that read the same (kind, field, place, start), not once per offer and search.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast
from django.db.models.lookups import (
    Exact,
    GreaterThanOrEqual,
    IsNull,
    LessThanOrEqual,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from emergence.outbox import outbox_enqueue
from laureates.models import Laureate, Search, Status, add_months, search_fold
from partners.models import (
    INTRODUCTION_ANSWER_DAYS,
    OPEN_STATUSES,
    Company,
    Introduction,
    IntroductionOrigin,
    IntroductionStatus,
    Offer,
    PartnerMembership,
)
from partners.services import introduction_tell_the_team

#: A laureate available this many days before or after an offer's start still fits it.
START_WINDOW_DAYS = 92

#: The fields of an offer that people write (the rest is the company, who posted, dates).
OFFER_FIELDS = (
    "kind",
    "title",
    "field",
    "place",
    "starts_on",
    "duration_months",
    "description",
    "closes_on",
    "how_to_apply",
)

#: Whose searches the programme team sees as matches: everyone still in the programme or an
#: alumnus (never those who left), with or without consent (the laureate decides on a proposal).
STAFF_STATUSES = (Status.ACTIVE, Status.ALUMNI)


# Posting ----------------------------------------------------------------------------------


def offer_post(*, company: Company, by, **fields) -> Offer:
    """A partner member (or staff) posts an offer for ``company``."""
    offer = Offer(company=company, posted_by=by)
    return offer_save(offer=offer, **fields)


def offer_save(*, offer: Offer, **fields) -> Offer:
    """Save an offer's fields (all of OFFER_FIELDS that are given), with its field and place
    folded for matching. Raises ValidationError, nothing saved, when a value is wrong."""
    for name, value in fields.items():
        if name not in OFFER_FIELDS:
            raise TypeError(f"offer_save() got an unexpected field {name!r}")
        setattr(offer, name, value)
    offer.field_folded = search_fold(offer.field)
    offer.place_folded = search_fold(offer.place)
    offer.full_clean()
    offer.save()
    return offer


def offer_close(*, offer: Offer) -> Offer:
    """Close an offer before its closing date: it leaves every list and every match."""
    if offer.closed_at is None:
        offer.closed_at = timezone.now()
        offer.save(update_fields=["closed_at", "updated_at"])
    return offer


def offer_is_open(offer: Offer, today: datetime.date | None = None) -> bool:
    return (
        offer.closed_at is None
        and offer.closes_on >= (today or timezone.localdate())
        and offer.company.active
    )


# Matching ---------------------------------------------------------------------------------


def _window(start) -> tuple:
    """The first and last days a start may be on to fit ``start`` (a date or a column)."""
    if isinstance(start, datetime.date):
        delta = datetime.timedelta(days=START_WINDOW_DAYS)
        return start - delta, start + delta
    return tuple(
        Cast(
            ExpressionWrapper(start + datetime.timedelta(days=days), output_field=DateTimeField()),
            DateField(),
        )
        for days in (-START_WINDOW_DAYS, START_WINDOW_DAYS)
    )


class _EitherContains(Func):
    """One folded text contains the other (an empty one is in every text): STRPOS / INSTR
    rather than LIKE, no pattern to escape and compile for each row when both sides are
    columns. One expression rather than four: a page of offers builds the rule for each, and
    Django's work to build and compile it grows with its parts."""

    arity = 2
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        function = "STRPOS" if connection.vendor == "postgresql" else "INSTR"
        (one, one_params), (other, other_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        sql = f"({function}({one}, {other}) > 0 OR {function}({other}, {one}) > 0)"
        return sql, (*one_params, *other_params, *other_params, *one_params)


def _both_ways(one, other) -> Q:
    """One folded text contains the other."""
    return Q(_EitherContains(one, other))


def _fits(*, kind, field, place, start_fits: Q) -> Q:
    """The rule of the module's docstring, as one condition on the rows queried: ``kind``,
    ``field``, ``place`` are (column, other side) pairs; ``start_fits`` the dates' part."""
    return Q(Exact(*kind)) & _both_ways(*field) & _both_ways(*place) & start_fits


def _start_fits(start) -> Q:
    """On the rows queried (their ``starts_on``): no start, or a start in ``start``'s window;
    ``start`` a date (None fits every row) or the outer query's column."""
    if start is None:
        return Q()
    first, last = _window(start)
    condition = Q(starts_on__isnull=True) | Q(
        GreaterThanOrEqual(F("starts_on"), first), LessThanOrEqual(F("starts_on"), last)
    )
    if not isinstance(start, datetime.date):
        condition |= Q(IsNull(start, True))
    return condition


def _fits_row(row, *, outer: bool = False) -> Q:
    """The rows queried (searches or offers) that fit ``row`` (an offer or a search), or the
    outer query's row when ``outer``."""
    if outer:
        other = {name: OuterRef(name) for name in ("kind", "field_folded", "place_folded")}
        start = OuterRef("starts_on")
    else:
        other = {
            name: Value(getattr(row, name)) for name in ("kind", "field_folded", "place_folded")
        }
        start = row.starts_on
    return _fits(
        kind=(F("kind"), other["kind"]),
        field=(F("field_folded"), other["field_folded"]),
        place=(F("place_folded"), other["place_folded"]),
        start_fits=_start_fits(start),
    )


def searches_matching(offer: Offer, searches: QuerySet | None = None) -> QuerySet:
    """The searches (of ``searches``: by default, the ones staff match) that fit ``offer``."""
    if searches is None:
        searches = staff_searches()
    return searches.filter(_fits_row(offer))


def offers_matching(search: Search, offers: QuerySet | None = None) -> QuerySet:
    """The offers (of ``offers``: by default, the open ones) that fit ``search``."""
    if offers is None:
        offers = Offer.objects.open()
    return offers.filter(_fits_row(search))


def search_groups(searches: QuerySet, *, kinds) -> QuerySet:
    """``searches`` of ``kinds`` grouped by what the matching rule reads, with each group's
    size: COUNT(*), not of a column, so that PostgreSQL reads the covering index
    ``open_search_match`` alone (at 100,000 laureates, 59 -> 28 ms for the console's page)."""
    return (
        searches.filter(kind__in=sorted(kinds))
        .order_by()
        .values("kind", "field_folded", "place_folded", "starts_on")
        .annotate(group_size=Count("*"))
    )


def offers_count_matches(offers: Iterable[Offer], searches: QuerySet) -> list[Offer]:
    """Set ``match_count`` on each of ``offers`` (a page of them): how many of ``searches``
    fit it, in one query whatever the page's length. The searches of the page's kinds are
    grouped by what the rule reads (kind, field, place, start) and each offer sums the groups
    that fit it: one pass over the searches for the page, where a correlated subquery read
    the ~17,000 searches of an offer's kind again for each row at 100,000 laureates (about
    20 ms a row).

    Each offer's sum is ``SUM(group_size) FILTER (WHERE <its rule>)`` over the groups, which
    are named as the searches' table so that the rule, compiled as a filter of searches,
    reads their columns (a rule that read another column would fail loudly, not count
    wrong). Written so rather than with ``aggregate()``, which hashes every offer's rule
    again while building the query: 40 -> 17 ms of Python for a page of 25."""
    offers = list(offers)
    if not offers:
        return offers
    groups = search_groups(searches, kinds={offer.kind for offer in offers})
    connection = connections[groups.db]
    sums, params = [], []
    for offer in offers:
        rule = Search.objects.filter(_fits_row(offer)).query
        where, where_params = rule.get_compiler(connection=connection).compile(rule.where)
        sums.append(f"COALESCE(SUM(group_size) FILTER (WHERE {where}), 0)")
        params += where_params
    groups_sql, groups_params = groups.query.sql_with_params()
    table = connection.ops.quote_name(Search._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(sums)} FROM ({groups_sql}) AS {table}", [*params, *groups_params]
        )
        counts = cursor.fetchone()
    for offer, count in zip(offers, counts, strict=True):
        offer.match_count = int(count)
    return offers


def offers_fitting_laureate(laureate_id: int, offers: QuerySet | None = None) -> QuerySet:
    """The offers (by default the open ones) that fit the laureate's open search, in one
    query, without reading the search first (the card on their home page)."""
    if offers is None:
        offers = Offer.objects.open()
    their_search = Search.objects.open().filter(laureate_id=laureate_id)
    return offers.filter(Exists(their_search.filter(_fits_row(None, outer=True))))


def staff_searches() -> QuerySet:
    """The open searches the programme team matches offers against: those of laureates who
    have not left. Written as « no laureate outside STAFF_STATUSES », an anti-join with the
    few who left rather than a join with everyone else (the console's offer list counts its
    matches over every open search: 60 -> 22 ms at 100,000 laureates, with the covering
    index ``open_search_match``)."""
    outside = Laureate.objects.filter(pk=OuterRef("laureate_id")).exclude(status__in=STAFF_STATUSES)
    return Search.objects.open().exclude(Exists(outside))


# The flows an offer starts ----------------------------------------------------------------


def offer_contact(offer: Offer):
    """The partner member who receives the laureates for this offer: whoever posted it while
    they are an active member of its company, else its longest-standing active member; None
    when the company has none."""
    members = PartnerMembership.objects.filter(
        company_id=offer.company_id, user__is_active=True
    ).select_related("user")
    poster = members.filter(user_id=offer.posted_by_id).first() if offer.posted_by_id else None
    membership = poster or members.order_by("pk").first()
    return membership.user if membership else None


def _introduction_for(offer: Offer, laureate: Laureate, **fields) -> Introduction:
    """A new request about ``offer`` for ``laureate``, refused (ValidationError) when the offer
    is closed, the laureate already has a request about it or one open with the company, or
    the company has nobody to receive it."""
    if not offer_is_open(offer):
        raise ValidationError(_("This offer is closed."))
    if laureate.status not in STAFF_STATUSES:
        raise ValidationError(_("Only laureates and alumni can answer an offer."))
    earlier = Introduction.objects.filter(laureate=laureate, company_id=offer.company_id)
    if earlier.filter(offer=offer).exists():
        raise ValidationError(_("A request about this offer already exists for this laureate."))
    if earlier.filter(status__in=OPEN_STATUSES).exists():
        raise ValidationError(
            _("A request between %(company)s and this laureate is already under way.")
            % {"company": offer.company.name}
        )
    contact = offer_contact(offer)
    if contact is None:
        raise ValidationError(
            _("Nobody at %(company)s can receive answers to this offer at the moment.")
            % {"company": offer.company.name}
        )
    introduction = Introduction(
        company_id=offer.company_id,
        requested_by=contact,
        laureate=laureate,
        kind=offer.kind,
        title=offer.title[:200],
        starts_on=offer.starts_on,
        ends_on=(
            add_months(offer.starts_on, offer.duration_months) - datetime.timedelta(days=1)
            if offer.starts_on and offer.duration_months
            else None
        ),
        place=offer.place,
        offer=offer,
        **fields,
    )
    introduction.full_clean()
    return introduction


def offer_interest(*, offer: Offer, laureate: Laureate, message: str = "") -> Introduction:
    """The laureate says « I am interested »: a request to the programme team, who pass it on
    to the company (``introduction_forward``: the laureate has already said yes, so the
    contacts leave at once) or decline it."""
    with transaction.atomic():
        introduction = _introduction_for(
            offer,
            laureate,
            origin=IntroductionOrigin.LAUREATE,
            message=message.strip()
            or _("I am interested in your offer “%(title)s”.") % {"title": offer.title},
        )
        introduction.save()
        introduction_tell_the_team(introduction, key="offer-interest", template="offer_interest")
    return introduction


def offer_propose(*, offer: Offer, laureate: Laureate, by, message: str = "") -> Introduction:
    """The programme team proposes a laureate for an offer: the request goes straight to the
    laureate, who accepts or declines on their page (their yes sends both contacts)."""
    now = timezone.now()
    with transaction.atomic():
        introduction = _introduction_for(
            offer,
            laureate,
            origin=IntroductionOrigin.STAFF,
            message=message.strip() or _("The programme team thinks this offer is for you."),
            status=IntroductionStatus.FORWARDED,
            decided_at=now,
            decided_by=by,
            forwarded_at=now,
        )
        introduction.save()
        laureate_user = laureate.user
        outbox_enqueue(
            key=f"offer_proposed:{introduction.pk}",
            kind="introduction",
            template="offer_proposed",
            context={
                "introduction": introduction,
                "first_name": laureate_user.first_name,
                "url": settings.SITE_URL
                + reverse("my_introductions:detail", args=[introduction.pk]),
                "answer_days": INTRODUCTION_ANSWER_DAYS,
            },
            user=laureate_user,
        )
    return introduction
