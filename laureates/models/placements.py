"""Placements: the internships, work-study contracts and jobs laureates obtained, and the
situation they put a laureate in."""

import datetime

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emergence.history import HistoricalRecords
from laureates.models.dates import add_months
from laureates.models.people import Laureate, Situation, Status
from laureates.models.searches import SearchKind, search_set


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
        # The console's list: its order.
        indexes = [models.Index(fields=["starts_on", "id"], name="placement_starts_id")]
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
