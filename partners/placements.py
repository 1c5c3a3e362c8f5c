"""Placements that come from partners' work: an accepted introduction, a hired referral;
and the yearly placement figures per company and kind.

laureates.models.placement_record does the recording (closes the search, sets the
situation); these functions pre-fill it from the introduction or the referral and link
the placement to it, in one transaction. The console's actions call them.
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from laureates.models import (
    PLACEMENT_MAX_MONTHS,
    Placement,
    PlacementSource,
    SearchKind,
    placement_record,
)
from partners.models import (
    Company,
    Introduction,
    IntroductionStatus,
    PartnerViewLog,
    Referral,
    ReferralStatus,
)

#: What the recording form lets staff adjust before the placement is recorded.
PLACEMENT_FIELDS = (
    "kind",
    "title",
    "company",
    "other_company",
    "department",
    "city",
    "starts_on",
    "duration_months",
)


def company_match(name: str) -> Company | None:
    """The partner company of this name, whatever its case (« acme » is « ACME »), if any."""
    name = name.strip()
    if not name:
        return None
    return Company.objects.filter(name__iexact=name).order_by("pk").first()


def _months_between(starts_on: datetime.date | None, ends_on: datetime.date | None) -> int | None:
    if starts_on is None or ends_on is None:
        return None
    months = round((ends_on - starts_on).days / 30.44)
    return min(max(months, 1), PLACEMENT_MAX_MONTHS)


# From an accepted introduction ------------------------------------------------------


def introduction_placement_blocker(introduction: Introduction) -> str:
    """Why no placement can be recorded from this introduction ("" when one can)."""
    if introduction.placement_id is not None:
        return _("A placement is already recorded for this introduction.")
    if introduction.status != IntroductionStatus.ACCEPTED:
        return _("Only an introduction the laureate accepted can lead to a placement.")
    return ""


def introduction_placement_initial(introduction: Introduction) -> dict:
    """The placement as the introduction describes it: the company, kind, title, place and
    dates; staff check and complete it before recording."""
    return {
        "kind": introduction.kind,
        "title": introduction.title,
        "company": introduction.company,
        "other_company": "",
        "city": introduction.place[:100],
        "starts_on": introduction.starts_on or timezone.localdate(),
        "duration_months": _months_between(introduction.starts_on, introduction.ends_on),
    }


def placement_from_introduction(*, introduction: Introduction, **fields) -> Placement:
    """Record the placement an accepted introduction led to, once: it closes the laureate's
    search of that kind, sets their situation and is linked to the introduction."""
    with transaction.atomic():
        locked = (
            Introduction.objects.select_for_update()
            .select_related("laureate__user", "company")
            .get(pk=introduction.pk)
        )
        blocker = introduction_placement_blocker(locked)
        if blocker:
            raise ValidationError(blocker, code="placement_refused")
        values = {**introduction_placement_initial(locked), **fields}
        placement = placement_record(
            laureate=locked.laureate, source=PlacementSource.INTRODUCTION, **values
        )
        locked.placement = placement
        locked.save(update_fields=["placement"])
    introduction.placement = placement
    return placement


# From a hired referral -------------------------------------------------------------


def referral_placement_blocker(referral: Referral) -> str:
    """Why no placement can be recorded from this referral ("" when one can)."""
    if referral.placement_id is not None:
        return _("A placement is already recorded for this referral.")
    if referral.candidate_laureate_id is None:
        return _("The candidate is not a laureate: there is no placement to record.")
    if referral.status != ReferralStatus.HIRED:
        return _("Only a referral whose candidate was hired can lead to a placement.")
    return ""


def referral_placement_initial(referral: Referral) -> dict:
    """The job as the referral names it; the company is the partner company of that name
    (case aside), otherwise it is named as another company."""
    company = company_match(referral.company)
    return {
        "kind": SearchKind.JOB,
        "title": referral.job_title,
        "company": company,
        "other_company": "" if company else referral.company,
        "starts_on": timezone.localdate(),
        "duration_months": None,
    }


def placement_from_referral(*, referral: Referral, **fields) -> Placement:
    """Record the hired candidate laureate's placement, once, linked to the referral."""
    with transaction.atomic():
        locked = (
            # Locks the referral only: the candidate is on the nullable side of a join.
            Referral.objects.select_for_update(of=("self",))
            .select_related("candidate_laureate__user")
            .get(pk=referral.pk)
        )
        blocker = referral_placement_blocker(locked)
        if blocker:
            raise ValidationError(blocker, code="placement_refused")
        values = {**referral_placement_initial(locked), **fields}
        placement = placement_record(
            laureate=locked.candidate_laureate, source=PlacementSource.REFERRAL, **values
        )
        locked.placement = placement
        locked.save(update_fields=["placement"])
    referral.placement = placement
    return placement


# Yearly figures ---------------------------------------------------------------------

#: The most placements whose delays are read for the medians (all of a programme's years
#: are a few thousand; the page stays bounded whatever happens).
FIGURES_MAX_ROWS = 20_000


@dataclass
class FiguresRow:
    """One line of the figures: a year, a company (None: the other companies), a kind."""

    year: int
    company_id: int | None
    company_name: str
    kind: str
    count: int = 0
    delays: list[int] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return SearchKind(self.kind).label

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.delays) if self.delays else None


def placement_figures(*, year: int | None = None) -> list[FiguresRow]:
    """Per year of start, company and kind: how many placements, and the median number of
    days from the company's first contact with the laureate (its first view of them, or
    its first introduction, whichever came first) to the placement's start.

    Two queries whatever the number of placements: the counts, grouped in the database; and
    the partner companies' placements with their first contact, from which the medians are
    computed here (the same on SQLite and PostgreSQL). A contact after the start does not
    count (the company saw someone already placed).
    """
    placements = Placement.objects.order_by()
    if year is not None:
        placements = placements.filter(starts_on__year=year)
    rows: dict[tuple, FiguresRow] = {}
    counts = (
        placements.annotate(year=ExtractYear("starts_on"))
        .values("year", "company_id", "company__name", "kind")
        .annotate(count=Count("pk"))
    )
    for count in counts:
        key = (count["year"], count["company_id"], count["kind"])
        rows[key] = FiguresRow(
            year=count["year"],
            company_id=count["company_id"],
            company_name=count["company__name"] or "",
            kind=count["kind"],
            count=count["count"],
        )
    first_view = (
        PartnerViewLog.objects.filter(company=OuterRef("company"), laureate=OuterRef("laureate"))
        .order_by("viewed_at")
        .values("viewed_at")[:1]
    )
    first_introduction = (
        Introduction.objects.filter(company=OuterRef("company"), laureate=OuterRef("laureate"))
        .order_by("created_at")
        .values("created_at")[:1]
    )
    contacts = (
        placements.filter(company__isnull=False)
        .annotate(
            year=ExtractYear("starts_on"),
            first_view=Subquery(first_view),
            first_introduction=Subquery(first_introduction),
        )
        .values_list("year", "company_id", "kind", "starts_on", "first_view", "first_introduction")[
            :FIGURES_MAX_ROWS
        ]
    )
    for row_year, company_id, kind, starts_on, view, introduction in contacts:
        known = [timezone.localdate(moment) for moment in (view, introduction) if moment]
        if not known:
            continue
        days = (starts_on - min(known)).days
        row = rows.get((row_year, company_id, kind))
        if row is not None and days >= 0:
            row.delays.append(days)
    # Newest year first; in a year, partner companies by name, then the others.
    return sorted(
        rows.values(),
        key=lambda row: (
            -row.year,
            row.company_id is None,
            row.company_name.casefold(),
            SearchKind.values.index(row.kind),
        ),
    )
