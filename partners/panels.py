"""The card partners adds to the laureate's page /me/ (see laureates.panels)."""

from partners.models import Introduction, IntroductionStatus

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
