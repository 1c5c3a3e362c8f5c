"""iCalendar files of workshop sessions, in Europe/Paris time with its VTIMEZONE."""

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from workshops.models import Session

PARIS = ZoneInfo("Europe/Paris")


def sessions_calendar(sessions: Iterable[Session], *, name: str) -> bytes:
    """One VEVENT per session, times with TZID=Europe/Paris so a calendar shows the local
    hour on either side of a daylight-saving change."""
    calendar = Calendar()
    calendar.add("prodid", "-//Emergence//Workshops//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    stamp = timezone.now().astimezone(datetime.UTC)
    sessions = list(sessions)
    for session in sessions:
        calendar.add_component(_event(session, stamp))
    # The VTIMEZONE covers the sessions' years only, not 1970 to 2038.
    years = [session.starts_at.year for session in sessions] or [stamp.year]
    calendar.add_missing_timezones(
        first_date=datetime.date(min(years) - 1, 1, 1),
        last_date=datetime.date(max(years) + 2, 1, 1),
    )
    return calendar.to_ical()


def _event(session: Session, stamp: datetime.datetime) -> Event:
    event = Event()
    host = settings.SITE_URL.split("://", 1)[-1]
    event.add("uid", f"workshop-session-{session.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(PARIS))
    event.add("dtend", session.ends_at.astimezone(PARIS))
    event.add("summary", session.theme)
    location = ", ".join(part for part in (session.place, session.video_url) if part)
    if location:
        event.add("location", location)
    event.add("description", f"{session.series} · {session.get_moment_display()}")
    event.add("url", settings.SITE_URL + reverse("workshops:list"))
    return event
