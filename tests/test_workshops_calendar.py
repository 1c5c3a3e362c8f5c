"""The personal iCal feed and the per-session .ics: parsed back, local times across a DST change."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from laureates.models import Track
from tests.workshops_factories import (
    PARIS,
    MedicineLaureateFactory,
    RegistrationFactory,
    SessionFactory,
    paris,
)
from workshops.services import calendar_feed_reset

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def an_october_morning():
    with time_machine.travel(paris(2026, 10, 1, 10, 0)):
        yield


@pytest.fixture
def student(laureate):
    laureate.track, laureate.study_year = Track.MEDICINE, 1
    laureate.save()
    return laureate


def events(content: bytes) -> list:
    return sorted(Calendar.from_ical(content).walk("VEVENT"), key=lambda e: e.decoded("dtstart"))


def test_the_feed_keeps_local_times_across_the_daylight_saving_change(client, student):
    # Summer time ends in France on Sunday 25 October 2026.
    before = SessionFactory(theme="Avant", starts_at=paris(2026, 10, 24, 14, 0))
    after = SessionFactory(theme="Après", starts_at=paris(2026, 10, 31, 14, 0))
    for session in (before, after):
        RegistrationFactory(session=session, laureate=student)
    feed = calendar_feed_reset(laureate=student)

    response = client.get(reverse("workshops:feed", args=[feed.token]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    first, second = events(response.content)
    starts = [first.decoded("dtstart"), second.decoded("dtstart")]
    assert [(s.hour, s.minute) for s in starts] == [(14, 0), (14, 0)]
    assert [s.utcoffset() for s in starts] == [
        datetime.timedelta(hours=2),
        datetime.timedelta(hours=1),
    ]
    assert starts == [before.starts_at, after.starts_at]
    assert first.decoded("dtend") == paris(2026, 10, 24, 17, 0)
    assert "TZID=Europe/Paris" in response.content.decode()
    assert [str(e["summary"]) for e in (first, second)] == ["Avant", "Après"]


def test_the_feed_lists_only_the_laureates_confirmed_sessions_and_those_they_animate(
    client, student
):
    mine = SessionFactory(theme="Inscrite")
    SessionFactory(theme="Liste d'attente")
    waiting = RegistrationFactory(laureate=student, status="waiting").session
    RegistrationFactory(laureate=student, status="cancelled")
    RegistrationFactory(session=SessionFactory(theme="Quelqu'un d'autre"))
    RegistrationFactory(session=mine, laureate=student)
    senior = MedicineLaureateFactory(study_year=5)
    mine.series.animators.add(senior)
    feed = calendar_feed_reset(laureate=student)

    response = client.get(reverse("workshops:feed", args=[feed.token]))

    assert [str(e["summary"]) for e in events(response.content)] == ["Inscrite"]
    assert waiting.theme not in response.content.decode()
    senior_feed = calendar_feed_reset(laureate=senior)
    animated = client.get(reverse("workshops:feed", args=[senior_feed.token]))
    assert [str(e["summary"]) for e in events(animated.content)] == ["Inscrite"]


def test_a_wrong_token_gives_404(client, student):
    calendar_feed_reset(laureate=student)
    assert client.get(reverse("workshops:feed", args=["not-the-token"])).status_code == 404


def test_the_feed_of_a_deactivated_login_answers_404(client, student):
    RegistrationFactory(laureate=student)
    token = calendar_feed_reset(laureate=student).token
    student.user.is_active = False
    student.user.save()

    assert client.get(reverse("workshops:feed", args=[token])).status_code == 404


def test_resetting_the_address_makes_the_old_one_answer_404(client, student):
    old = calendar_feed_reset(laureate=student).token
    client.force_login(student.user)

    response = client.post(reverse("workshops:feed_reset"))
    client.logout()

    assert response.status_code == 302
    new = student.workshop_calendar.__class__.objects.get(laureate=student).token
    assert new != old
    assert client.get(reverse("workshops:feed", args=[old])).status_code == 404
    assert client.get(reverse("workshops:feed", args=[new])).status_code == 200


def test_the_list_shows_the_calendar_address_once_created(client, student):
    client.force_login(student.user)
    assert client.get(reverse("workshops:list")).context["feed_url"] is None

    client.post(reverse("workshops:feed_reset"))

    feed_url = client.get(reverse("workshops:list")).context["feed_url"]
    assert feed_url.endswith(f"/workshops/calendar/{student.workshop_calendar.token}.ics")


def test_a_session_downloads_as_an_ics_file(client, student):
    session = SessionFactory(
        starts_at=paris(2026, 12, 12, 14, 0), video_url="https://visio.example.org/a"
    )
    client.force_login(student.user)

    response = client.get(reverse("workshops:session_ics", args=[session.pk]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    (event,) = events(response.content)
    assert event.decoded("dtstart") == datetime.datetime(2026, 12, 12, 14, 0, tzinfo=PARIS)
    assert "https://visio.example.org/a" in str(event["location"])


def test_another_tracks_session_ics_gives_404(client, student):
    session = SessionFactory(series__track=Track.PREPA)
    client.force_login(student.user)

    assert client.get(reverse("workshops:session_ics", args=[session.pk])).status_code == 404


def test_the_first_calendar_address_does_not_say_the_previous_one_changed(client, student):
    client.force_login(student.user)
    client.cookies["django_language"] = "en"
    page = client.post(reverse("workshops:feed_reset"), follow=True).content.decode()
    assert "Your calendar address is ready" in page
    assert "previous one no longer works" not in page

    again = client.post(reverse("workshops:feed_reset"), follow=True).content.decode()
    assert "the previous one no longer works" in again


def test_the_calendar_address_is_in_a_read_only_box_with_copy_and_subscribe(client, student):
    feed = calendar_feed_reset(laureate=student)
    client.force_login(student.user)
    html = client.get(reverse("workshops:list")).content.decode()
    address = f"http://testserver/workshops/calendar/{feed.token}.ics"
    assert f'id="feed-url" value="{address}" readonly' in html
    assert '<label class="form-label" for="feed-url">' in html
    assert 'data-copy-target="feed-url"' in html
    assert "js/copy_field.js" in html
    assert f'href="webcal://testserver/workshops/calendar/{feed.token}.ics"' in html
