from django.urls import path, register_converter

from reports import checkin_views, views


class PeriodConverter:
    """A period's name, like ``2026-q4``; the view looks it up with ``by_slug``."""

    regex = r"[0-9]{4}-q[1-4]"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return getattr(value, "slug", value)


register_converter(PeriodConverter, "period")

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("<period:period>/", views.report_edit, name="edit"),
    # The sponsors' quarterly question: a signed link, no sign-in (reports/checkins.py).
    path("sponsor-checkin/<str:token>/", checkin_views.checkin, name="checkin"),
]
