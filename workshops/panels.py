"""The card workshops adds to the laureate's page /me/ (see laureates.panels)."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from workshops.models import Registration, RegistrationStatus, Session, WorkshopSeries

#: How many sessions the card names; /workshops/ lists them all.
PANEL_ROWS = 3


def workshops_panel(laureate) -> dict | None:
    """The upcoming sessions the laureate animates (with the way to their animator pages),
    registered for, then the next ones open to them; one query. None when there is none."""
    registered = Registration.objects.filter(
        session=OuterRef("pk"),
        laureate=laureate,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING],
    )
    audience = Q(
        series__track=laureate.track,
        series__audience_from_year__lte=laureate.study_year,
        series__audience_to_year__gte=laureate.study_year,
    )
    animated = WorkshopSeries.animators.through.objects.filter(
        workshopseries_id=OuterRef("series_id"), laureate_id=laureate.pk
    )
    sessions = list(
        Session.objects.published()
        .upcoming(timezone.now())
        .annotate(is_mine=Exists(registered), is_animated=Exists(animated))
        .filter(audience | Q(is_mine=True) | Q(is_animated=True))
        .with_registration_of(laureate)
        .select_related("series")
        # The ones they animate, then their own, however many open sessions come before.
        .order_by("-is_animated", "-is_mine", "starts_at")[: PANEL_ROWS * 3]
    )
    if not sessions:
        return None
    animating = [s for s in sessions if s.is_animated][:PANEL_ROWS]
    mine = [s for s in sessions if s.is_mine and not s.is_animated][:PANEL_ROWS]
    others = [s for s in sessions if not s.is_mine and not s.is_animated]
    return {
        "template": "workshops/_home_panel.html",
        "context": {
            "animating": animating,
            "mine": mine,
            "open": others[: max(PANEL_ROWS - len(mine), 1)],
        },
    }
