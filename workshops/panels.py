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
        .filter(audience | Exists(registered))
        .with_registration_of(laureate)
        .select_related("series")
        .order_by("starts_at")[:20]
    )
    if not sessions:
        return None
    mine = [s for s in sessions if s.my_status in RegistrationStatus.values[:2]]
    others = [s for s in sessions if s not in mine]
    return {
        "template": "workshops/_home_panel.html",
        "context": {
            "mine": mine[:PANEL_ROWS],
            "open": others[: max(PANEL_ROWS - len(mine[:PANEL_ROWS]), 1)],
        },
    }
