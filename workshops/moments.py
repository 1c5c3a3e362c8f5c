"""When workshop sessions fall: the key moments' windows, the French school holidays and public
holidays, the day a proposal picks, and the warnings a session's date raises.

School holidays come from the ``vacances-scolaires-france`` package (the Ministry's calendar per
zone A, B, C) and public holidays from ``holidays``: no date is typed in here. Upgrading those
two packages brings the calendars of later years.
"""

import datetime
import functools

import holidays
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from vacances_scolaires_france import SchoolHolidayDates, UnsupportedYearException

from laureates.models import Track
from workshops.models import SESSIONS_PER_YEAR, Session, WorkshopSeries, moment_window

Window = tuple[datetime.date, datetime.date]

SATURDAY, SUNDAY = 5, 6


@functools.cache
def _school_calendar() -> SchoolHolidayDates:
    return SchoolHolidayDates()  # reads the package's CSV once per process


@functools.cache
def _public_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.France(years=year))


def days_of(window: Window) -> list[datetime.date]:
    first, last = window
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def school_holidays(*, zone: str, window: Window) -> set[datetime.date]:
    """The days of ``window`` on school holiday in ``zone``; none for years the package does
    not cover yet."""
    calendar = _school_calendar()
    found = set()
    for day in days_of(window):
        try:
            if calendar.is_holiday_for_zone(day, zone):
                found.add(day)
        except UnsupportedYearException:
            continue
    return found


def public_holidays(*, window: Window) -> set[datetime.date]:
    """The French public holidays (jours fériés, national ones) within ``window``."""
    first, last = window
    return {
        day
        for year in range(first.year, last.year + 1)
        for day in _public_holidays(year)
        if first <= day <= last
    }


def exam_days(key_dates) -> set[datetime.date]:
    """Every day of the exams or concours of these key moments."""
    return {
        day
        for key in key_dates
        if key.exams_end is not None
        for day in days_of((key.date, key.exams_end))
    }


def proposed_day(
    *, window: Window, track: str, zone: str, avoid: set[datetime.date] = frozenset()
) -> datetime.date:
    """The day a proposed session falls on within ``window``: never a public holiday, its eve,
    nor a day in ``avoid`` (exams, another session of the track) when another day is free;
    for prépa a school-holiday day of ``zone`` (not a Sunday), else a Saturday; for the other
    tracks a Saturday, else a Sunday; the one nearest the middle of the window."""
    days = days_of(window)
    one_day = datetime.timedelta(days=1)
    closed = public_holidays(window=(window[0], window[1] + one_day))
    # Nor the eve of one: 24 and 31 December are family days, and a long weekend starts then.
    closed |= {holiday - one_day for holiday in closed}
    free = [d for d in days if d not in closed and d not in avoid]
    candidates = free or days
    on_holiday = school_holidays(zone=zone, window=window) if track == Track.PREPA else set()

    def tier(day: datetime.date) -> int:
        if day in on_holiday and day.weekday() != SUNDAY:
            return 0
        return {SATURDAY: 1, SUNDAY: 2}.get(day.weekday(), 3)

    middle = window[0] + (window[1] - window[0]) / 2
    return min(candidates, key=lambda d: (tier(d), abs((d - middle).days), d))


def busy_days(*, series: WorkshopSeries) -> set[datetime.date]:
    """Days a new session of the series should avoid: its track's exams that school year, the
    days of the track's other sessions (its own included) and of any session its staff lead or
    one of its animators is due at."""
    starts = (
        Session.objects.filter(
            Q(series__track=series.track, series__school_year=series.school_year)
            | Q(series__lead_id=series.lead_id)
            | Q(series__animators__in=series.animators.all())
        )
        .distinct()
        .values_list("starts_at", flat=True)
    )
    return exam_days(series.key_dates()) | {timezone.localdate(s) for s in starts}


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def session_window(session: Session) -> Window | None:
    """The window of the session's key moment (``session`` from ``with_key_date()``)."""
    if session.key_date is None:
        return None
    return moment_window(
        kind=session.moment,
        date=session.key_date,
        starts=session.key_window_starts,
        ends=session.key_window_ends,
    )


def window_warning(session: Session) -> str | None:
    """Why the session's day is outside its moment's window, in days, or None."""
    window = session_window(session)
    if window is None:
        return None
    day = timezone.localdate(session.starts_at)
    first, last = window
    values = {
        "label": session.key_date_label,
        "first": _date(first),
        "last": _date(last),
    }
    if day < first:
        days = (first - day).days
        return ngettext(
            "Outside its moment’s window: %(days)d day before it opens (%(label)s: "
            "%(first)s to %(last)s).",
            "Outside its moment’s window: %(days)d days before it opens (%(label)s: "
            "%(first)s to %(last)s).",
            days,
        ) % {**values, "days": days}
    if day > last:
        days = (day - last).days
        return ngettext(
            "Outside its moment’s window: %(days)d day after it closes (%(label)s: "
            "%(first)s to %(last)s).",
            "Outside its moment’s window: %(days)d days after it closes (%(label)s: "
            "%(first)s to %(last)s).",
            days,
        ) % {**values, "days": days}
    return None


def session_warnings(session: Session) -> list[str]:
    """What staff should know about a session's date: outside its moment's window, no key
    moment set, beyond the series' four sessions, a clash with another session of the track or
    of its lead or animators, during exams. A session from ``Session.objects.with_checks()``
    costs no query; any other is read again with them."""
    if not hasattr(session, "series_rank"):
        session = Session.objects.with_checks().select_related("series").get(pk=session.pk)
    warnings = []
    if session.key_date is None:
        warnings.append(
            _(
                "No key moment “%(moment)s” for %(track)s %(year)s yet: enter it in Key "
                "moments, so the session can be checked against its window."
            )
            % {
                "moment": session.get_moment_display(),
                "track": session.series.get_track_display(),
                "year": session.series.school_year,
            }
        )
    else:
        outside = window_warning(session)
        if outside:
            warnings.append(outside)
    if session.series_rank > SESSIONS_PER_YEAR:
        warnings.append(
            _("Session number %(rank)d of its series: a series plans %(planned)d per school year.")
            % {"rank": session.series_rank, "planned": SESSIONS_PER_YEAR}
        )
    if session.clash_theme:
        warnings.append(
            _("At the same time as “%(other)s”, a session of another %(track)s series.")
            % {"other": session.clash_theme, "track": session.series.get_track_display()}
        )
    if session.has_conflict:
        warnings.append(
            _("Its staff lead or one of its animators is due in another session at that time.")
        )
    if session.exams_label:
        warnings.append(_("During the exams: %(label)s.") % {"label": session.exams_label})
    return warnings


def key_moment_position(session: Session) -> str:
    """Where the session stands against its key date, for the admin: days before (or after)
    it, or the warning when it falls outside its moment's window."""
    if session.key_date is None:
        return _("no key date")
    outside = window_warning(session)
    if outside:
        return "⚠ " + outside
    days = (session.key_date - timezone.localdate(session.starts_at)).days
    values = {"label": session.key_date_label}
    if days < 0:  # a rentrée session, in the weeks after it
        return ngettext("%(days)d day after %(label)s", "%(days)d days after %(label)s", -days) % {
            **values,
            "days": -days,
        }
    if days == 0:
        return _("on the day of %(label)s") % values
    return ngettext("%(days)d day before %(label)s", "%(days)d days before %(label)s", days) % {
        **values,
        "days": days,
    }
