"""The card workshops adds to the laureate's page /me/ (see laureates.panels)."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from workshops.models import Registration, RegistrationStatus, Session

#: How many sessions the card names; /workshops/ lists them all.
PANEL_ROWS = 3


def workshops_panel(laureate) -> dict | None:
    """The upcoming sessions the laureate registered for, then the next ones open to them;
    one query. None when there is none."""
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
    sessions = list(
        Session.objects.published()
        .upcoming(timezone.now())
        .annotate(is_mine=Exists(registered))
        .filter(audience | Q(is_mine=True))
        .with_registration_of(laureate)
        .select_related("series")
        # Their own first, however many open sessions come before them.
        .order_by("-is_mine", "starts_at")[: PANEL_ROWS * 2]
    )
    if not sessions:
        return None
    mine = [s for s in sessions if s.is_mine][:PANEL_ROWS]
    others = [s for s in sessions if not s.is_mine]
    return {
        "template": "workshops/_home_panel.html",
        "context": {"mine": mine, "open": others[: max(PANEL_ROWS - len(mine), 1)]},
    }
