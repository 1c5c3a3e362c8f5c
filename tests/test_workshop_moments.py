"""Workshop dates at the right moments: key moments' windows, proposals in school holidays
(prépa) or on weekends (médecine) and never on a public holiday, and the warnings a session's
date raises, when saving and on the list. Holiday dates are read from the packages, not typed."""

import datetime

import holidays
import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from vacances_scolaires_france import SchoolHolidayDates

from laureates.models import Track
from tests.workshops_factories import (
    PARIS,
    KeyDateFactory,
    SeriesFactory,
    SessionFactory,
    paris,
)
from workshops.models import KeyDate, Moment, Session
from workshops.moments import key_moment_position, session_warnings
from workshops.services import series_propose_sessions

LIST = reverse("admin:workshops_session_changelist")
CHRISTMAS = "Vacances de Noël"


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def zone_holidays(zone: str, *years: int) -> set[datetime.date]:
    calendar = SchoolHolidayDates()
    return {day for year in years for day in calendar.holidays_for_year_and_zone(year, zone)}


def public_holidays(*years: int) -> set[datetime.date]:
    return set(holidays.France(years=years))


def day_of(session: Session) -> datetime.date:
    return session.starts_at.astimezone(PARIS).date()


def by_moment(sessions) -> dict[str, Session]:
    return {session.moment: session for session in sessions}


def warnings_of(session: Session) -> list[str]:
    with translation.override("en"):
        return session_warnings(session)


# The proposal ------------------------------------------------------------------------------


def test_prepa_sessions_are_proposed_in_the_school_holidays_of_the_series_zone_in_each_window(
    workshops_staff,
):
    series = SeriesFactory(lead=workshops_staff, track=Track.PREPA, school_zone="C")
    prepa = {"track": Track.PREPA, "school_year": "2026-2027"}
    # A rentrée window stretched to the Toussaint, concours blancs after Christmas, mock exams
    # after the winter holidays and the written concours after the spring ones.
    KeyDateFactory(
        **prepa,
        kind=Moment.START_OF_YEAR,
        label="Rentrée",
        date=datetime.date(2026, 9, 1),
        window_ends=datetime.date(2026, 10, 31),
    )
    KeyDateFactory(
        **prepa,
        kind=Moment.MIDTERM_EXAMS,
        label="Concours blancs",
        date=datetime.date(2027, 1, 11),
        window_starts=datetime.date(2026, 12, 1),
        window_ends=datetime.date(2027, 1, 10),
    )
    KeyDateFactory(**prepa, kind=Moment.MOCK_EXAMS, date=datetime.date(2027, 3, 1))
    KeyDateFactory(**prepa, kind=Moment.COMPETITIVE_EXAMS, date=datetime.date(2027, 4, 26))

    created, missing = series_propose_sessions(series=series)

    assert missing == []
    on_holiday = zone_holidays("C", 2026, 2027)
    closed = public_holidays(2026, 2027)
    for key in KeyDate.objects.filter(**prepa):
        day = day_of(by_moment(created)[key.kind])
        first, last = key.window
        assert first <= day <= last
        assert day in on_holiday
        assert day not in closed
        assert day + datetime.timedelta(days=1) not in closed  # nor the eve of one
        assert day.weekday() != 6
    # The concours blancs' session falls in zone C's Christmas holidays, as the package says.
    calendar = SchoolHolidayDates()
    christmas = set(calendar.holidays_for_year_zone_and_name(2026, "C", CHRISTMAS)) | set(
        calendar.holidays_for_year_zone_and_name(2027, "C", CHRISTMAS)
    )
    assert day_of(by_moment(created)[Moment.MIDTERM_EXAMS]) in christmas
    assert all(warnings_of(session) == [] for session in created)


def test_a_prepa_session_around_christmas_is_neither_on_christmas_nor_on_its_eve(
    workshops_staff,
):
    KeyDateFactory(
        track=Track.PREPA,
        kind=Moment.MIDTERM_EXAMS,
        date=datetime.date(2027, 1, 11),
        window_starts=datetime.date(2026, 12, 23),
        window_ends=datetime.date(2026, 12, 27),
    )
    series = SeriesFactory(lead=workshops_staff, track=Track.PREPA, school_zone="C")

    day = day_of(series_propose_sessions(series=series)[0][0])

    christmas = next(d for d in public_holidays(2026) if (d.month, d.day) == (12, 25))
    assert day in zone_holidays("C", 2026)
    assert day not in {christmas, christmas - datetime.timedelta(days=1)}
    assert day == datetime.date(2026, 12, 26)


def test_the_series_zone_decides_which_holidays_a_prepa_session_falls_in(workshops_staff):
    # 22 February to 7 March 2027: zone B is on holiday, zone C is back at school.
    window = {"window_starts": datetime.date(2027, 2, 22), "window_ends": datetime.date(2027, 3, 7)}
    KeyDateFactory(
        track=Track.PREPA, kind=Moment.MOCK_EXAMS, date=datetime.date(2027, 3, 8), **window
    )
    zone_b = SeriesFactory(lead=workshops_staff, track=Track.PREPA, school_zone="B")
    zone_c = SeriesFactory(lead=workshops_staff, track=Track.PREPA, school_zone="C")

    in_b = day_of(series_propose_sessions(series=zone_b)[0][0])
    in_c = day_of(series_propose_sessions(series=zone_c)[0][0])

    assert in_b in zone_holidays("B", 2027)
    assert in_c not in zone_holidays("C", 2027)
    assert in_c.weekday() == 5  # no holidays in its window: a Saturday


def test_medicine_sessions_are_proposed_on_saturdays_and_never_on_a_public_holiday(
    workshops_staff,
):
    # 1 to 15 May 2027: two of its three Saturdays are public holidays (1 and 8 May).
    KeyDateFactory(
        kind=Moment.COMPETITIVE_EXAMS,
        date=datetime.date(2027, 5, 18),
        window_starts=datetime.date(2027, 5, 1),
        window_ends=datetime.date(2027, 5, 15),
    )
    KeyDateFactory(kind=Moment.MIDTERM_EXAMS, date=datetime.date(2027, 1, 12))
    series = SeriesFactory(lead=workshops_staff)

    created, _missing = series_propose_sessions(series=series)

    closed = public_holidays(2026, 2027)
    assert {d for d in closed if d.weekday() == 5 and d.month == 5} >= {
        datetime.date(2027, 5, 1),
        datetime.date(2027, 5, 8),
    }
    assert all(day_of(s).weekday() == 5 and day_of(s) not in closed for s in created)
    assert day_of(by_moment(created)[Moment.COMPETITIVE_EXAMS]) == datetime.date(2027, 5, 15)


def test_the_proposal_avoids_exams_and_days_taken_by_the_track_or_by_its_staff_lead(
    workshops_staff,
):
    # A window of three Saturdays: the first is an exam day, the second has another series'
    # session, the third one of the staff lead's; the Sunday before it is left.
    KeyDateFactory(
        kind=Moment.MOCK_EXAMS,
        date=datetime.date(2027, 3, 20),
        window_starts=datetime.date(2027, 3, 6),
        window_ends=datetime.date(2027, 3, 20),
    )
    KeyDateFactory(
        kind=Moment.MIDTERM_EXAMS,
        date=datetime.date(2027, 3, 6),
        exams_end=datetime.date(2027, 3, 6),
    )
    SessionFactory(starts_at=paris(2027, 3, 13, 10))
    series = SeriesFactory(lead=workshops_staff)
    # Its staff lead is due at a prépa session on the last Saturday: the Sunday is left.
    SessionFactory(
        series__lead=workshops_staff, series__track=Track.PREPA, starts_at=paris(2027, 3, 20, 9)
    )

    created, _missing = series_propose_sessions(series=series)

    assert day_of(by_moment(created)[Moment.MOCK_EXAMS]) == datetime.date(2027, 3, 14)


# Warnings ----------------------------------------------------------------------------------


def test_a_january_session_set_to_rentree_warns_and_never_shows_negative_days(workshops_staff):
    KeyDateFactory(kind=Moment.START_OF_YEAR, label="Rentrée", date=datetime.date(2026, 9, 1))
    session = SessionFactory(
        series__lead=workshops_staff,
        moment=Moment.START_OF_YEAR,
        starts_at=paris(2027, 1, 16, 14),
    )

    warnings = warnings_of(session)
    with translation.override("en"):
        position = key_moment_position(Session.objects.with_checks().get(pk=session.pk))

    # The usual rentrée window is its four weeks: 1 to 28 September.
    assert warnings == [
        "Outside its moment’s window: 110 days after it closes (Rentrée: 01/09/2026 to 28/09/2026)."
    ]
    assert position.startswith("⚠ Outside its moment’s window")
    assert "-" not in position.split("(")[0]


def test_saving_a_january_rentree_session_in_the_admin_goes_through_with_a_warning(
    workshops_client, english
):
    KeyDateFactory(kind=Moment.START_OF_YEAR, label="Rentrée", date=datetime.date(2026, 9, 1))
    session = SessionFactory(moment=Moment.MIDTERM_EXAMS, starts_at=paris(2027, 1, 16, 14))
    data = {
        "series": session.series.pk,
        "moment": Moment.START_OF_YEAR,
        "theme": session.theme,
        "starts_at_0": "2027-01-16",
        "starts_at_1": "14:00",
        "ends_at_0": "2027-01-16",
        "ends_at_1": "17:00",
        "place": session.place,
        "video_url": "",
        "capacity": "20",
        "animator_note": "",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
        "registrations-MIN_NUM_FORMS": "0",
        "registrations-MAX_NUM_FORMS": "1000",
    }

    response = workshops_client.post(
        reverse("admin:workshops_session_change", args=[session.pk]), data
    )

    assert response.status_code == 302, response.context["errors"]
    session.refresh_from_db()
    assert session.moment == Moment.START_OF_YEAR
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Outside its moment’s window: 110 days after it closes" in t for t in texts)


def test_a_fifth_session_in_a_series_is_warned_and_the_first_four_are_not(workshops_staff):
    series = SeriesFactory(lead=workshops_staff)
    sessions = [
        SessionFactory(series=series, starts_at=paris(2026, 12, 1 + 7 * n, 14)) for n in range(5)
    ]

    fifth = [w for w in warnings_of(sessions[4]) if "Session number" in w]

    assert fifth == ["Session number 5 of its series: a series plans 4 per school year."]
    assert not any("Session number" in w for s in sessions[:4] for w in warnings_of(s))


def test_a_session_at_the_same_time_as_another_series_of_the_track_is_warned(workshops_staff):
    session = SessionFactory(series__lead=workshops_staff, starts_at=paris(2026, 12, 12, 14))
    other = SessionFactory(theme="Gérer son stress", starts_at=paris(2026, 12, 12, 16))
    prepa = SessionFactory(series__track=Track.PREPA, starts_at=paris(2026, 12, 12, 14))

    assert "At the same time as “Gérer son stress”, a session of another Medicine series." in (
        warnings_of(session)
    )
    assert not any("At the same time" in w for w in warnings_of(prepa))
    assert any("At the same time" in w for w in warnings_of(other))


def test_a_session_during_the_exams_is_warned(workshops_staff):
    KeyDateFactory(
        label="Partiels du premier semestre",
        date=datetime.date(2027, 1, 11),
        exams_end=datetime.date(2027, 1, 15),
    )
    during = SessionFactory(series__lead=workshops_staff, starts_at=paris(2027, 1, 13, 14))
    before = SessionFactory(series=during.series, starts_at=paris(2026, 12, 19, 14))

    assert "During the exams: Partiels du premier semestre." in warnings_of(during)
    assert not any("During the exams" in w for w in warnings_of(before))


def test_the_session_list_shows_each_warning_in_a_column(workshops_client, english):
    KeyDateFactory(kind=Moment.START_OF_YEAR, label="Rentrée", date=datetime.date(2026, 9, 1))
    SessionFactory(moment=Moment.START_OF_YEAR, starts_at=paris(2027, 1, 16, 14))

    page = workshops_client.get(LIST).content.decode()

    assert "⚠ Outside its moment’s window: 110 days after it closes" in page
    assert "-110" not in page


def test_the_session_list_costs_the_same_queries_at_two_sizes(
    workshops_client, workshops_staff, django_assert_max_num_queries
):
    series = SeriesFactory(lead=workshops_staff)
    KeyDateFactory(date=datetime.date(2027, 1, 11), exams_end=datetime.date(2027, 1, 15))

    def build(count):
        for n in range(count):
            SessionFactory(
                series=series, starts_at=paris(2026, 11, 1, 9) + datetime.timedelta(days=n)
            )

    build(2)
    with django_assert_max_num_queries(12) as small:
        assert workshops_client.get(LIST).status_code == 200
    build(20)
    with django_assert_max_num_queries(len(small)):
        response = workshops_client.get(LIST)
    assert response.context["cl"].result_count == 22


def test_proposing_from_the_admin_shows_each_new_sessions_warnings(
    workshops_client, workshops_staff, english
):
    # The whole window is exams: the proposal has no other day, and says so.
    KeyDateFactory(
        label="Partiels",
        date=datetime.date(2027, 1, 4),
        exams_end=datetime.date(2027, 1, 15),
        window_starts=datetime.date(2027, 1, 9),
        window_ends=datetime.date(2027, 1, 10),
    )
    series = SeriesFactory(lead=workshops_staff)

    response = workshops_client.post(
        reverse("admin:workshops_workshopseries_changelist"),
        {"action": "propose_sessions", "_selected_action": [series.pk]},
    )

    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert series.sessions.count() == 1
    assert any("During the exams: Partiels." in t for t in texts)


def test_the_series_and_session_pages_show_the_warnings_where_staff_adjust_dates(
    workshops_client, english
):
    KeyDateFactory(kind=Moment.START_OF_YEAR, label="Rentrée", date=datetime.date(2026, 9, 1))
    session = SessionFactory(moment=Moment.START_OF_YEAR, starts_at=paris(2027, 1, 16, 14))

    pages = [
        workshops_client.get(reverse(name, args=[pk])).content.decode()
        for name, pk in [
            ("admin:workshops_workshopseries_change", session.series.pk),
            ("admin:workshops_session_change", session.pk),
        ]
    ]
    add_page = workshops_client.get(reverse("admin:workshops_session_add"))

    assert all("⚠ Outside its moment’s window: 110 days after it closes" in p for p in pages)
    assert add_page.status_code == 200
