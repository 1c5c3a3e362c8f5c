"""The cards partners adds to the laureate's page /me/ (see laureates.panels): their
introduction requests, and the offers that fit their search."""

from partners.models import Introduction, IntroductionStatus
from partners.offers import offers_fitting_laureate

#: How many requests the card names; the page /me/introductions/ lists them all.
PANEL_ROWS = 3


def introductions_panel(laureate) -> dict | None:
    """The requests waiting for the laureate's answer, or a link to the past ones; one query."""
    recent = list(
        Introduction.objects.seen_by_laureate(laureate.user_id).only(
            "status", "title", "kind", "forwarded_at", "company__name"
        )[: PANEL_ROWS + 1]
    )
    if not recent:
        return None
    waiting = [i for i in recent if i.status == IntroductionStatus.FORWARDED]
    return {
        "template": "partners/_home_panel.html",
        "context": {"waiting": waiting[:PANEL_ROWS], "more": len(waiting) > PANEL_ROWS},
    }


#: How many offers the card names; /offers/ lists them all.
OFFER_PANEL_ROWS = 3


def offers_panel(laureate) -> dict | None:
    """The first open offers that fit the laureate's open search; one query, none when no
    offer fits (or they are not looking)."""
    offers = list(
        offers_fitting_laureate(laureate.pk)
        .select_related("company")
        .only("title", "kind", "closes_on", "company__name")
        .order_by("closes_on", "pk")[: OFFER_PANEL_ROWS + 1]
    )
    if not offers:
        return None
    return {
        "template": "partners/_offers_panel.html",
        "context": {"offers": offers[:OFFER_PANEL_ROWS], "more": len(offers) > OFFER_PANEL_ROWS},
    }
