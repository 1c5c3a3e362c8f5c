"""This app's part of the staff overview (emergence/overview.py): what partner companies see
and what comes of it — consent, open searches, views, introductions, placements, the time
from a request to a placement — and the co-optation (referrals, bonuses pledged and
received per year)."""

import datetime
import statistics
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q
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
from laureates.models import (
    SHOWN_TO_PARTNERS,
    Laureate,
    PartnerConsent,
    Placement,
    Search,
    SearchKind,
)
from laureates.overview import laureate_q, overview_window
from partners.models import (
    Introduction,
    IntroductionStatus,
    PartnerViewKind,
    PartnerViewLog,
    Referral,
    ReferralStatus,
)

INTRODUCTIONS_LIST = "admin:partners_introduction_changelist"
PLACEMENTS_LIST = "admin:laureates_placement_changelist"
#: The most introductions whose delay to a placement is read for the medians.
DELAYS_MAX_ROWS = 20_000


def _days(field: str, start: datetime.date, end: datetime.date) -> dict:
    """Admin list parameters for a date (or the day of a date and time) between two days,
    both included."""
    return {f"{field}__gte": start.isoformat(), f"{field}__lte": end.isoformat()}


def sharing_table(filters: OverviewFilters, today: datetime.date) -> Table:
    valid = PartnerConsent.objects.valid(today).filter(laureate=OuterRef("pk"))
    searches = Search.objects.open().filter(laureate=OuterRef("pk"))
    counts = Laureate.objects.filter(laureate_q(filters), status__in=SHOWN_TO_PARTNERS).aggregate(
        consenting=Count("pk", filter=Q(Exists(valid))),
        **{
            kind: Count("pk", filter=Q(Exists(searches.filter(kind=kind))))
            for kind in SearchKind.values
        },
    )
    rows = [[gettext("laureates sharing their profile"), counts["consenting"]]]
    rows += [
        [gettext("open searches: %(kind)s") % {"kind": label}, counts[kind]]
        for kind, label in SearchKind.choices
    ]
    return Table(
        key="partner_sharing",
        title=gettext("Consent and open searches"),
        summary=gettext(
            "%(count)d laureates and alumni share their profile with partner companies today."
        )
        % {"count": counts["consenting"]},
        columns=[gettext("What"), gettext("Laureates")],
        rows=rows,
        chart=Chart(kind="bar", series=[1]),
    )


def views_table(filters: OverviewFilters, start, end) -> Table:
    views = PartnerViewLog.objects.filter(
        viewed_at__date__gte=start, viewed_at__date__lte=end
    ).order_by()
    if laureate_q(filters):
        # A laureate's page was viewed; the dashboard and exports name no laureate.
        views = views.filter(laureate_q(filters, "laureate__"))
    grouped = {
        line["kind"]: line
        for line in views.values("kind").annotate(
            count=Count("pk"), companies=Count("company", distinct=True)
        )
    }
    rows, links = [], []
    for kind, label in PartnerViewKind.choices:
        line = grouped.get(kind, {"count": 0, "companies": 0})
        rows.append([str(label), line["count"], line["companies"]])
        links.append(
            [
                None,
                overview_link(
                    "admin:partners_partnerviewlog_changelist",
                    kind__exact=kind,
                    **_days("viewed_at__date", start, end),
                ),
                None,
            ]
        )
    return Table(
        key="partner_views",
        title=gettext("Partner views"),
        summary=gettext("%(count)d pages viewed by partner companies from %(start)s to %(end)s.")
        % {"count": sum(row[1] for row in rows), "start": start, "end": end},
        columns=[gettext("Page"), gettext("Views"), gettext("Companies")],
        rows=rows,
        links=links,
        chart=Chart(kind="bar", series=[1]),
    )


def introductions_table(filters: OverviewFilters, start, end) -> Table:
    grouped = dict(
        Introduction.objects.filter(
            laureate_q(filters, "laureate__"),
            created_at__date__gte=start,
            created_at__date__lte=end,
        )
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    period = _days("created_at__date", start, end)
    rows = [[str(label), grouped.get(status, 0)] for status, label in IntroductionStatus.choices]
    return Table(
        key="introductions",
        title=gettext("Introductions by state"),
        summary=gettext("%(count)d introductions asked from %(start)s to %(end)s.")
        % {"count": sum(grouped.values()), "start": start, "end": end},
        columns=[gettext("State"), gettext("Introductions")],
        rows=rows,
        links=[
            [None, overview_link(INTRODUCTIONS_LIST, status__exact=status, **period)]
            for status in IntroductionStatus.values
        ],
        chart=Chart(kind="bar", series=[1]),
    )


def placements_table(filters: OverviewFilters, start, end) -> Table:
    grouped = (
        Placement.objects.filter(
            laureate_q(filters, "laureate__"), starts_on__gte=start, starts_on__lte=end
        )
        .values("company_id", "company__name", "kind")
        .annotate(count=Count("pk"))
        .order_by()
    )
    kinds = SearchKind.values
    companies: dict = defaultdict(lambda: dict.fromkeys(kinds, 0))
    names = {}
    for line in grouped:
        companies[line["company_id"]][line["kind"]] += line["count"]
        names[line["company_id"]] = line["company__name"] or gettext("other companies")
    order = sorted(companies, key=lambda pk: (pk is None, names[pk].casefold()))
    dates = _days("starts_on", start, end)
    rows, links = [], []
    for pk in order:
        counts = companies[pk]
        rows.append([names[pk], *[counts[kind] for kind in kinds], sum(counts.values())])
        company = {"company__id__exact": pk} if pk is not None else {"company__isnull": "True"}
        links.append(
            [
                None,
                *[
                    overview_link(PLACEMENTS_LIST, kind__exact=kind, **company, **dates)
                    for kind in kinds
                ],
                overview_link(PLACEMENTS_LIST, **company, **dates),
            ]
        )
    total = sum(row[-1] for row in rows)
    return Table(
        key="placements",
        title=gettext("Placements per company and kind"),
        summary=gettext(
            "%(count)d placements starting from %(start)s to %(end)s, at %(companies)d "
            "partner companies and others."
        )
        % {
            "count": total,
            "start": start,
            "end": end,
            "companies": len([pk for pk in order if pk is not None]),
        },
        columns=[
            gettext("Company"),
            *[str(label) for _kind, label in SearchKind.choices],
            gettext("Total"),
        ],
        rows=rows,
        links=links,
        chart=Chart(kind="stacked", series=list(range(1, len(kinds) + 1))),
    )


def delays_table(filters: OverviewFilters, start, end) -> Table:
    """Days from a company's request (the introduction) to the start of the placement it
    led to, median per kind; the placements of the window."""
    pairs = Introduction.objects.filter(
        laureate_q(filters, "laureate__"),
        placement__isnull=False,
        placement__starts_on__gte=start,
        placement__starts_on__lte=end,
    ).values_list("placement__kind", "created_at", "placement__starts_on")[:DELAYS_MAX_ROWS]
    delays: dict = defaultdict(list)
    for kind, asked_at, starts_on in pairs:
        delays[kind].append(max((starts_on - timezone.localdate(asked_at)).days, 0))
    rows = [
        [
            str(label),
            len(delays[kind]),
            statistics.median(delays[kind]) if delays[kind] else None,
        ]
        for kind, label in SearchKind.choices
    ]
    return Table(
        key="time_to_placement",
        title=gettext("Time from request to placement"),
        summary=gettext(
            "The median number of days from a company's introduction request to the start "
            "of the placement it led to, per kind."
        ),
        columns=[
            gettext("Kind"),
            gettext("Placements from an introduction"),
            gettext("Median days"),
        ],
        rows=rows,
        chart=Chart(kind="bar", series=[2]),
    )


def _referrals(filters: OverviewFilters):
    referrals = Referral.objects.filter(laureate_q(filters, "coopter__laureate__"))
    if filters.school_year_bounds is not None:
        first, last = filters.school_year_bounds
        referrals = referrals.filter(referred_on__gte=first, referred_on__lte=last)
    # Referral.totals_by_year says what "received" is (a donation staff confirmed).
    return list(
        referrals.totals_by_year().annotate(
            **{
                f"status_{status}": Count("pk", filter=Q(status=status))
                for status in ReferralStatus.values
            }
        )
    )


def referrals_table(filters: OverviewFilters) -> Table:
    years = sorted(_referrals(filters), key=lambda line: line["year"])
    rows, links = [], []
    for line in years:
        dates = {
            "referred_on__gte": f"{line['year']}-01-01",
            "referred_on__lte": f"{line['year']}-12-31",
        }
        rows.append(
            [
                line["year"],
                line["count"],
                *[line[f"status_{status}"] for status in ReferralStatus.values],
                line["pledged"],
                float(line["received"]),
            ]
        )
        links.append(
            [
                None,
                overview_link("admin:partners_referral_changelist", **dates),
                *[
                    overview_link(
                        "admin:partners_referral_changelist", status__exact=status, **dates
                    )
                    for status in ReferralStatus.values
                ],
                overview_link(
                    "admin:partners_referral_changelist", pledged_to_programme__exact=1, **dates
                ),
                None,
            ]
        )
    return Table(
        key="referrals",
        title=gettext("Co-optation per year"),
        summary=gettext(
            "%(count)d referrals; %(pledged)d € of bonuses pledged to the programme, "
            "%(received)d € received."
        )
        % {
            "count": sum(row[1] for row in rows),
            "pledged": sum(row[-2] for row in rows),
            "received": sum(row[-1] for row in rows),
        },
        columns=[
            gettext("Year"),
            gettext("Referrals"),
            *[str(label) for _status, label in ReferralStatus.choices],
            gettext("Bonuses pledged (€)"),
            gettext("Bonuses received (€)"),
        ],
        rows=rows,
        links=links,
        chart=Chart(kind="bar", series=[len(rows[0]) - 2, len(rows[0]) - 1] if rows else [1]),
    )


def panels(filters: OverviewFilters) -> list[Panel]:
    today = timezone.localdate()
    start, end = overview_window(filters, today=today)
    found = []
    if filters.allows("partners.view_introduction", "laureates.view_placement"):
        tables = [
            sharing_table(filters, today),
            *(
                [views_table(filters, start, end)]
                if filters.allows("partners.view_partnerviewlog")
                else []
            ),
            introductions_table(filters, start, end),
            placements_table(filters, start, end),
            delays_table(filters, start, end),
        ]
        found.append(Panel(key="partners", title=gettext("Partner companies"), tables=tables))
    if filters.allows("partners.view_referral"):
        found.append(
            Panel(key="cooptation", title=gettext("Co-optation"), tables=[referrals_table(filters)])
        )
    return found


def headline(filters: OverviewFilters) -> list[Headline]:
    start, end = overview_window(filters)
    introductions = Introduction.objects.filter(
        laureate_q(filters, "laureate__"), created_at__date__gte=start, created_at__date__lte=end
    ).count()
    placements = Placement.objects.filter(
        laureate_q(filters, "laureate__"), starts_on__gte=start, starts_on__lte=end
    ).count()
    donations = sum(line["received"] for line in _referrals(filters))
    return [
        Headline("introductions", gettext("Introductions"), introductions),
        Headline("placements", gettext("Placements"), placements),
        Headline("donations", gettext("Donations received (€)"), float(donations)),
    ]


PART = OverviewPart(app="partners", order=60, panels=panels, headline=headline)
