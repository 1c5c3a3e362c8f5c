"""Console forms as the browser posts them, for tests that change a record through its page."""


def laureate_form(laureate, **changes) -> dict:
    """The console's laureate form as the browser posts it, without inline rows."""
    data = {
        "user": laureate.user_id,
        "promotion": laureate.promotion_id,
        "status": laureate.status,
        "situation": laureate.situation,
        "referent": laureate.referent_id or "",
        "track": laureate.track,
        "study_year": laureate.study_year,
        "school": laureate.school,
        "city": laureate.city,
        "phone": laureate.phone,
        "joined_on": laureate.joined_on.isoformat(),
    }
    for prefix in ("sponsorships", "follow_ups", "registrations"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return {**data, **changes}
