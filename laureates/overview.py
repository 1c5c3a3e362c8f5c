"""This app's part of the staff overview (emergence/overview.py): sponsorships and the
headline numbers on laureates; and what every part narrows its figures by.

The apps above (reports, workshops, partners) filter their rows through
:func:`laureate_q` and link to the admin lists with :func:`laureate_params`, so that the
school year, promotion, track and referent mean the same in every panel.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext

from emergence.overview import (
    Chart,
    Headline,
    OverviewFilters,
    OverviewPart,
    Panel,
    Table,
    overview_link,
)
from laureates.models import Laureate, Promotion, SponsorMeeting, Sponsorship, Status, Track

#: Without a school year, time-bound figures cover this many days back from today.
WINDOW_DAYS = 2 * 365


def overview_window(
    filters: OverviewFilters, *, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The days a time-bound figure covers: the school year chosen, else the last two years."""
    if filters.school_year_bounds is not None:
        return filters.school_year_bounds
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=WINDOW_DAYS), today


def laureate_q(filters: OverviewFilters, prefix: str = "") -> Q:
    """The laureates the filters keep (promotion, track, referent), through ``prefix``
    (``"laureate__"`` from a report)."""
    query = Q()
    if filters.promotion_id is not None:
        query &= Q(**{f"{prefix}promotion_id": filters.promotion_id})
    if filters.track:
        query &= Q(**{f"{prefix}track": filters.track})
    if filters.referent_id is not None:
        query &= Q(**{f"{prefix}referent_id": filters.referent_id})
    return query


def laureate_params(filters: OverviewFilters, prefix: str = "") -> dict:
    """The filters as an admin list's query parameters, for the laureate list and the lists
    that filter by the laureate's promotion, track and referent (the report list); the admin
    refuses a lookup through a relation that is not among a list's filters, so the other
    lists' links carry their own filters only."""
    params: dict = {}
    if filters.promotion_id is not None:
        params[f"{prefix}promotion__id__exact"] = filters.promotion_id
    if filters.track:
        params[f"{prefix}track__exact"] = filters.track
    if filters.referent_id is not None:
        params[f"{prefix}referent__id__exact"] = filters.referent_id
    return params


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}-q{quarter}"


def active_laureates(filters: OverviewFilters):
    """The laureates active today, joined by the end of the school year chosen: whose
    sponsorship the panel counts."""
    laureates = Laureate.objects.active().filter(laureate_q(filters))
    if filters.school_year_bounds is not None:
        laureates = laureates.filter(joined_on__lte=filters.school_year_bounds[1])
    return laureates


def followed(filters: OverviewFilters):
    """The laureates followed: during the school year chosen
    (``Laureate.objects.followed_in_school_year``, which also counts those who have left or
    graduated since), else those active today."""
    if filters.school_year is None:
        return Laureate.objects.active().filter(laureate_q(filters))
    return Laureate.objects.followed_in_school_year(filters.school_year).filter(laureate_q(filters))


LAUREATES_LIST = "admin:laureates_laureate_changelist"


def sponsorship_panel(filters: OverviewFilters) -> Panel:
    current = Sponsorship.objects.current().filter(laureate=OuterRef("pk"))
    counts = active_laureates(filters).aggregate(
        with_sponsor=Count("pk", filter=Q(Exists(current))),
        without_sponsor=Count("pk", filter=~Q(Exists(current))),
    )
    params = {"status__exact": Status.ACTIVE, **laureate_params(filters)}
    sponsors = Table(
        key="sponsorships",
        title=gettext("Laureates with and without a current sponsor"),
        summary=gettext("%(with)d active laureates have a current sponsor, %(without)d have none.")
        % {"with": counts["with_sponsor"], "without": counts["without_sponsor"]},
        columns=[gettext("Sponsor"), gettext("Laureates")],
        rows=[
            [gettext("with a current sponsor"), counts["with_sponsor"]],
            [gettext("without a sponsor"), counts["without_sponsor"]],
        ],
        links=[
            [None, overview_link(LAUREATES_LIST, current_sponsor="yes", **params)],
            [None, overview_link(LAUREATES_LIST, current_sponsor="none", **params)],
        ],
        chart=Chart(kind="bar", series=[1]),
    )
    start, end = overview_window(filters)
    meetings = (
        SponsorMeeting.objects.filter(
            laureate_q(filters, "sponsorship__laureate__"), date__gte=start, date__lte=end
        )
        .annotate(year=ExtractYear("date"), quarter=ExtractQuarter("date"))
        .values("year", "quarter")
        .annotate(count=Count("pk"), confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)))
        .order_by("year", "quarter")
    )
    rows, links = [], []
    for line in meetings:
        first = datetime.date(line["year"], 3 * line["quarter"] - 2, 1)
        last = (
            datetime.date(line["year"] + 1, 1, 1)
            if line["quarter"] == 4
            else datetime.date(line["year"], 3 * line["quarter"] + 1, 1)
        )
        link = overview_link(
            "admin:laureates_sponsormeeting_changelist",
            date__gte=max(first, start).isoformat(),
            date__lt=min(last, end + datetime.timedelta(days=1)).isoformat(),
        )
        rows.append(
            [quarter_label(line["year"], line["quarter"]), line["count"], line["confirmed"]]
        )
        links.append([None, link, None])
    total = sum(row[1] for row in rows)
    meetings_table = Table(
        key="sponsor_meetings",
        title=gettext("Sponsor meetings reported per quarter"),
        summary=gettext(
            "%(total)d meetings with a sponsor reported from %(start)s to %(end)s, "
            "by the quarter they took place in."
        )
        % {"total": total, "start": start.isoformat(), "end": end.isoformat()},
        columns=[gettext("Quarter"), gettext("Meetings"), gettext("Confirmed by the other side")],
        rows=rows,
        links=links,
        chart=Chart(kind="bar", series=[1, 2]),
    )
    return Panel(
        key="sponsorships", title=gettext("Sponsorships"), tables=[sponsors, meetings_table]
    )


def panels(filters: OverviewFilters) -> list[Panel]:
    if not filters.allows("laureates.view_laureate", "laureates.view_sponsorship"):
        return []
    return [sponsorship_panel(filters)]


def headline(filters: OverviewFilters) -> list[Headline]:
    counts = followed(filters).aggregate(
        laureates=Count("pk"), promotions=Count("promotion", distinct=True)
    )
    return [
        Headline("laureates_followed", gettext("Laureates followed"), counts["laureates"]),
        Headline("promotions", gettext("Promotions"), counts["promotions"]),
    ]


def staff_who_refer(user_ids: list[int]) -> set[int]:
    """Those of ``user_ids`` who refer at least one laureate, in one query: one test a
    member, their key written in, so that PostgreSQL reads its statistics for that key and
    looks a member who refers nobody up in the referent index. Tested for each member as a
    subquery of the staff, the key unknown, it assumed every laureate might be theirs and
    read the laureate table through for each member who refers nobody (12 -> 0.1 ms for
    three staff members at 100,000 laureates)."""
    users = get_user_model().objects.order_by()
    tests = [
        users.filter(Exists(Laureate.objects.filter(referent_id=user_id)), pk=user_id).values_list(
            "pk", flat=True
        )
        for user_id in user_ids
    ]
    if not tests:
        return set()
    return set(tests[0].union(*tests[1:], all=True))


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    staff = list(
        get_user_model()
        .objects.filter(is_staff=True)
        .order_by("last_name", "first_name", "email")
        .only("pk", "first_name", "last_name", "email")
    )
    referring = staff_who_refer([user.pk for user in staff])
    referents = [user for user in staff if user.pk in referring]
    return {
        "promotion_id": [(str(p.pk), str(p.year)) for p in Promotion.objects.order_by("-year")],
        "track": [(value, str(label)) for value, label in Track.choices],
        "referent_id": [(str(user.pk), user.get_full_name() or user.email) for user in referents],
    }


PART = OverviewPart(
    app="laureates",
    order=40,
    panels=panels,
    headline=headline,
    filter_choices=filter_choices,
)
