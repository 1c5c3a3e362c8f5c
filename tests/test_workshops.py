"""Workshops: the planning rules, invitations, registration and the waiting list, reminders,
attendance, feedback, ownership and the list's query count."""

import datetime
import html
import io

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from emergence.models import OutboxEmail
from laureates.models import Laureate, Status, Track
from tests.workshops_factories import (
    PARIS,
    KeyDateFactory,
    MedicineLaureateFactory,
    RegistrationFactory,
    SeriesFactory,
    SessionFactory,
    paris,
)
from workshops.admin import WorkshopSeriesForm
from workshops.models import Feedback, Moment, Registration, Session
from workshops.services import (
    registration_cancel,
    series_feedback_request,
    series_propose_sessions,
    session_publish,
    workshop_register,
)

pytestmark = pytest.mark.django_db

LIST = reverse("workshops:list")


@pytest.fixture(autouse=True)
def a_november_morning():
    with time_machine.travel(paris(2026, 11, 20, 10, 0)):
        yield


@pytest.fixture
def student(laureate):
    """The named laureate, in their first year of medicine: the workshops' audience."""
    laureate.track, laureate.study_year = Track.MEDICINE, 1
    laureate.save()
    return laureate


@pytest.fixture
def session(workshops_staff):
    return SessionFactory(series__lead=workshops_staff, capacity=2)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def invitations() -> list:
    """The e-mails sent to laureates, not to the series' animators (who hear of it too)."""
    animators = set(
        Laureate.objects.filter(animated_workshop_series__isnull=False).values_list(
            "user__email", flat=True
        )
    )
    return [m for m in mail.outbox if m.to[0] not in animators]


def series_form(**data):
    series = SeriesFactory.build()
    return WorkshopSeriesForm(
        data={
            "school_year": "2026-2027",
            "track": Track.MEDICINE,
            "lead": data.pop("lead"),
            "audience_from_year": 1,
            "audience_to_year": 2,
            **data,
        },
        instance=series,
    )


# Planning rules -------------------------------------------------------------------------


def test_an_animator_of_another_track_is_refused_with_a_clear_message(workshops_staff):
    engineer = MedicineLaureateFactory(track=Track.ENGINEERING, study_year=5)

    form = series_form(lead=workshops_staff.pk, animators=[engineer.pk])

    assert not form.is_valid()
    (message,) = form.errors["animators"]
    assert str(engineer) in message
    assert "pas dans celle de la série" in message


def test_an_animator_no_further_in_studies_than_the_audience_is_refused(workshops_staff):
    second_year = MedicineLaureateFactory(study_year=2)

    form = series_form(lead=workshops_staff.pk, animators=[second_year.pk])

    assert not form.is_valid()
    assert "plus avancés dans leurs études" in form.errors["animators"][0]


def test_senior_animators_of_the_same_track_are_accepted(workshops_staff):
    seniors = [MedicineLaureateFactory(study_year=4), MedicineLaureateFactory(study_year=6)]

    form = series_form(lead=workshops_staff.pk, animators=[s.pk for s in seniors])

    assert form.is_valid(), form.errors
    series = form.save()
    assert set(series.animators.all()) == set(seniors)


@pytest.mark.parametrize("school_year", ["2026", "2026-2028", "26-27", "2026/2027"])
def test_a_school_year_must_be_two_following_years(workshops_staff, school_year):
    series = SeriesFactory.build(lead=workshops_staff, school_year=school_year)
    with pytest.raises(ValidationError) as error:
        series.full_clean()
    assert "2026-2027" in str(error.value)


def test_the_database_refuses_an_audience_ending_before_it_starts(workshops_staff):
    with pytest.raises(IntegrityError), transaction.atomic():
        SeriesFactory(lead=workshops_staff, audience_from_year=3, audience_to_year=2)


def test_the_database_refuses_a_session_ending_before_it_starts(workshops_staff):
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(
            series__lead=workshops_staff,
            starts_at=paris(2026, 12, 12, 14),
            ends_at=paris(2026, 12, 12, 13),
        )


def test_the_database_refuses_a_session_with_neither_place_nor_video_link(workshops_staff):
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(series__lead=workshops_staff, place="", video_url="")


def test_the_admin_warns_when_a_series_does_not_plan_four_sessions(
    workshops_client, english, session
):
    response = workshops_client.get(
        reverse("admin:workshops_workshopseries_change", args=[session.series.pk])
    )

    assert "This series has 1 session; a series plans 4 per school year." in (
        response.content.decode()
    )


def test_proposing_sessions_places_one_in_each_key_moments_window_on_a_saturday(
    workshops_staff,
):
    series = SeriesFactory(lead=workshops_staff)
    KeyDateFactory(kind=Moment.START_OF_YEAR, label="Rentrée", date=datetime.date(2026, 9, 1))
    KeyDateFactory(kind=Moment.MIDTERM_EXAMS, date=datetime.date(2027, 1, 12))
    KeyDateFactory(kind=Moment.MOCK_EXAMS, label="Concours blanc", date=datetime.date(2027, 3, 20))

    created, missing = series_propose_sessions(series=series)

    assert [s.moment for s in created] == [
        Moment.START_OF_YEAR,
        Moment.MIDTERM_EXAMS,
        Moment.MOCK_EXAMS,
    ]
    assert missing == [Moment.COMPETITIVE_EXAMS.label]
    assert all(s.starts_at.astimezone(paris(2026, 1, 1).tzinfo).weekday() == 5 for s in created)
    for key in series.key_dates():
        first, last = key.window
        session = next(s for s in created if s.moment == key.kind)
        assert first <= session.starts_at.astimezone(PARIS).date() <= last
    midterm = Session.objects.with_key_date().get(moment=Moment.MIDTERM_EXAMS)
    assert 1 <= midterm.days_before(midterm.key_date) <= 35
    assert not any(s.is_published for s in created)
    # Proposing again adds nothing: each moment has its session.
    assert series_propose_sessions(series=series)[0] == []


def test_the_admin_session_list_shows_the_days_before_the_key_date(
    workshops_client, english, session
):
    KeyDateFactory(date=datetime.date(2027, 1, 12))

    response = workshops_client.get(reverse("admin:workshops_session_changelist"))

    assert "31 days before Partiels PASS du premier semestre" in response.content.decode()


def test_a_staff_lead_in_two_overlapping_sessions_is_flagged_as_a_conflict(
    workshops_client, english, session
):
    other = SessionFactory(
        series__lead=session.series.lead,
        series__track=Track.PREPA,
        starts_at=session.starts_at + datetime.timedelta(hours=1),
    )
    apart = SessionFactory(series=session.series, starts_at=paris(2027, 3, 6, 14))

    flagged = dict(Session.objects.with_conflict().values_list("pk", "has_conflict"))
    response = workshops_client.get(reverse("admin:workshops_session_change", args=[session.pk]))

    assert flagged == {session.pk: True, other.pk: True, apart.pk: False}
    assert "Conflict: “Réviser sans s&#x27;épuiser" in response.content.decode()


def test_an_animator_in_two_overlapping_sessions_is_flagged_as_a_conflict(session, workshops_staff):
    animator = MedicineLaureateFactory(study_year=5)
    session.series.animators.add(animator)
    other = SessionFactory(series__track=Track.MEDICINE, starts_at=session.starts_at)
    other.series.animators.add(animator)
    unrelated = SessionFactory(starts_at=session.starts_at)

    flagged = dict(Session.objects.with_conflict().values_list("pk", "has_conflict"))

    assert flagged == {session.pk: True, other.pk: True, unrelated.pk: False}
    assert session.conflicts() == [other]


# Invitations ----------------------------------------------------------------------------


def test_publishing_invites_the_active_laureates_of_the_track_and_audience_years_only(
    workshops_staff, django_capture_on_commit_callbacks
):
    session = SessionFactory(series__lead=workshops_staff, published_at=None)
    first = MedicineLaureateFactory(study_year=1, user__email="first@example.org")
    second = MedicineLaureateFactory(study_year=2, user__email="second@example.org")
    MedicineLaureateFactory(study_year=3)  # past the audience
    MedicineLaureateFactory(study_year=1, track=Track.PREPA)  # another track
    MedicineLaureateFactory(study_year=1, status=Status.LEFT)  # no longer in the programme
    MedicineLaureateFactory(study_year=1, user__is_active=False)  # account closed

    with django_capture_on_commit_callbacks(execute=True):
        invited = session_publish(session=session)

    assert invited == 2
    assert sorted(m.to[0] for m in invitations()) == [first.user.email, second.user.email]
    assert session.is_published
    assert "Réviser sans s'épuiser" in invitations()[0].subject
    assert "samedi 12 décembre 2026, 14:00–17:00" in invitations()[0].body


def test_publishing_twice_invites_nobody_twice(
    workshops_staff, student, django_capture_on_commit_callbacks
):
    session = SessionFactory(series__lead=workshops_staff, published_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        session_publish(session=session)
        session_publish(session=session)

    assert len(invitations()) == 1
    assert OutboxEmail.objects.filter(kind="workshop-invitation").count() == 1


def test_staff_publish_from_the_admin_and_the_laureates_are_invited(
    workshops_client, english, student, django_capture_on_commit_callbacks
):
    session = SessionFactory(published_at=None)
    selected = {"action": "publish", "_selected_action": [session.pk]}

    with django_capture_on_commit_callbacks(execute=True):
        asked = workshops_client.post(reverse("admin:workshops_session_changelist"), selected)
        response = workshops_client.post(
            reverse("admin:workshops_session_changelist"),
            {**selected, "confirm_emails": "yes"},
            follow=True,
        )

    assert "is published: 1 laureate invited" in response.content.decode()
    assert [m.to for m in invitations()] == [[student.user.email]]
    # The first post only asked: who will be e-mailed, how many, for which session.
    page = html.unescape(asked.content.decode())
    assert "1 person will receive an e-mail." in page
    assert str(session) in page and student.user.email in page


def test_publishing_asks_before_e_mailing_anyone(workshops_client, student):
    session = SessionFactory(published_at=None)

    response = workshops_client.post(
        reverse("admin:workshops_session_changelist"),
        {"action": "publish", "_selected_action": [session.pk]},
    )

    assert response.status_code == 200
    assert response.templates[0].name == "admin/confirm_emails.html"
    session.refresh_from_db()
    assert not session.is_published
    assert not mail.outbox


# Registration and the waiting list --------------------------------------------------------


def test_a_laureate_registers_and_sees_it_in_their_list(client, student, session):
    client.force_login(student.user)

    response = client.post(reverse("workshops:register", args=[session.pk]), follow=True)

    assert Registration.objects.get(laureate=student).status == "confirmed"
    assert response.context["sessions"][0].my_status == "confirmed"
    assert "registration-status" in response.content.decode()


def test_a_full_session_puts_the_next_laureate_on_the_waiting_list(session):
    first, second, third = MedicineLaureateFactory.create_batch(3)

    statuses = [
        workshop_register(session=session, laureate=laureate).status
        for laureate in (first, second, third)
    ]

    assert statuses == ["confirmed", "confirmed", "waiting"]
    assert session.registrations.confirmed().count() == session.capacity


def test_registering_twice_keeps_one_registration(session, student):
    workshop_register(session=session, laureate=student)
    workshop_register(session=session, laureate=student)

    assert session.registrations.count() == 1


def test_cancelling_moves_the_first_of_the_waiting_list_up_and_emails_them(
    session, django_capture_on_commit_callbacks
):
    first, second, third, fourth = MedicineLaureateFactory.create_batch(4)
    for laureate in (first, second, third, fourth):
        workshop_register(session=session, laureate=laureate)

    with django_capture_on_commit_callbacks(execute=True):
        promoted = registration_cancel(registration=first.workshop_registrations.get())

    assert [r.laureate for r in promoted] == [third]
    assert dict(session.registrations.values_list("laureate", "status")) == {
        first.pk: "cancelled",
        second.pk: "confirmed",
        third.pk: "confirmed",
        fourth.pk: "waiting",
    }
    assert [m.to for m in mail.outbox] == [[third.user.email]]
    assert "Réviser sans s'épuiser" in mail.outbox[0].subject


def test_a_laureate_who_cancelled_can_register_again_at_the_end_of_the_queue(session):
    first, second, third = MedicineLaureateFactory.create_batch(3)
    for laureate in (first, second, third):
        workshop_register(session=session, laureate=laureate)
    registration_cancel(registration=first.workshop_registrations.get())

    again = workshop_register(session=session, laureate=first)

    assert again.status == "waiting"


def test_raising_the_capacity_in_the_admin_moves_the_waiting_list_up(
    workshops_client, session, django_capture_on_commit_callbacks
):
    laureates = MedicineLaureateFactory.create_batch(3)
    for laureate in laureates:
        workshop_register(session=session, laureate=laureate)
    url = reverse("admin:workshops_session_change", args=[session.pk])
    data = {
        "series": session.series.pk,
        "moment": session.moment,
        "theme": session.theme,
        "starts_at_0": "12/12/2026",
        "starts_at_1": "14:00",
        "ends_at_0": "12/12/2026",
        "ends_at_1": "17:00",
        "place": session.place,
        "video_url": "",
        "capacity": 3,
        "registrations-TOTAL_FORMS": 3,
        "registrations-INITIAL_FORMS": 3,
        **{f"registrations-{i}-id": r.pk for i, r in enumerate(session.registrations.all())},
        **{f"registrations-{i}-session": session.pk for i in range(3)},
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = workshops_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert session.registrations.confirmed().count() == 3
    assert [m.to for m in mail.outbox] == [[laureates[2].user.email]]


def test_a_laureate_outside_the_audience_cannot_register(client, laureate, session):
    client.force_login(laureate.user)  # an engineering student

    response = client.post(reverse("workshops:register", args=[session.pk]))

    assert response.status_code == 404
    assert not Registration.objects.exists()


def test_registration_closes_when_the_session_starts(session, student):
    with time_machine.travel(session.starts_at):
        with pytest.raises(ValidationError, match="inscriptions à cette séance sont closes"):
            workshop_register(session=session, laureate=student)


# Reminders --------------------------------------------------------------------------------


def test_the_reminder_goes_two_days_before_and_only_once(
    session, student, django_capture_on_commit_callbacks
):
    student.user.language = "en"
    student.user.save()
    RegistrationFactory(session=session, laureate=student)
    RegistrationFactory(session=session, status="waiting")
    RegistrationFactory(session=session, status="cancelled")

    sent = []
    for day in ["2026-12-08", "2026-12-09", "2026-12-10", "2026-12-10", "2026-12-11"]:
        with time_machine.travel(f"{day} 07:00 +0100"):
            with django_capture_on_commit_callbacks(execute=True):
                call_command("send_session_reminders", stdout=io.StringIO())
        sent.append(len(invitations()))

    assert sent == [0, 0, 1, 1, 1]
    (message,) = invitations()
    assert message.to == [student.user.email]
    assert message.subject == (
        "Reminder: workshop “Réviser sans s'épuiser” on Saturday 12 December at 14:00"
    )


def test_the_reminder_command_takes_a_date(session, student, django_capture_on_commit_callbacks):
    RegistrationFactory(session=session, laureate=student)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_session_reminders", "--date", "2026-12-10", stdout=io.StringIO())

    assert [m.to for m in invitations()] == [[student.user.email]]


def test_the_reminder_task_runs_daily_with_celery_beat():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "workshops.tasks.send_session_reminders",
        "workshops.tasks.request_series_feedback",
    } <= tasks


# Attendance and feedback ------------------------------------------------------------------


def test_staff_take_attendance_from_the_printable_list(workshops_client, session):
    came, missed = RegistrationFactory.create_batch(2, session=session)
    url = reverse("workshops:attendance", args=[session.pk])

    page = workshops_client.get(url)
    response = workshops_client.post(url, {"attended": [came.pk]})

    assert page.status_code == 200
    assert came.laureate.user.last_name.upper() in page.content.decode()
    assert response.status_code == 302
    assert dict(session.registrations.values_list("pk", "attended")) == {
        came.pk: True,
        missed.pk: False,
    }


def test_the_attendance_list_is_for_staff_only(client, student, session):
    client.force_login(student.user)
    assert client.get(reverse("workshops:attendance", args=[session.pk])).status_code == 403


def test_a_laureates_attendance_shows_on_their_admin_page(
    workshops_client, english, student, session
):
    RegistrationFactory(session=session, laureate=student, attended=True)

    response = workshops_client.get(reverse("admin:laureates_laureate_change", args=[student.pk]))

    content = response.content.decode()
    assert "Réviser sans s&#x27;épuiser" in content
    assert "Workshops" in content


def test_attendees_are_asked_for_feedback_once_after_each_session(
    session, student, other_laureate, django_capture_on_commit_callbacks
):
    RegistrationFactory(session=session, laureate=student, attended=True)
    RegistrationFactory(session=session, laureate=other_laureate, attended=False)
    SessionFactory(series=session.series, starts_at=paris(2027, 3, 6, 14))

    with time_machine.travel(paris(2026, 12, 12, 15)):  # the session is not over yet
        assert series_feedback_request() == 0
    with time_machine.travel(paris(2026, 12, 13, 8)):
        with django_capture_on_commit_callbacks(execute=True):
            series_feedback_request()
            series_feedback_request()

    assert [m.to for m in mail.outbox] == [[student.user.email]]
    assert reverse("workshops:feedback", args=[session.pk]) in mail.outbox[0].body


def test_a_laureate_gives_feedback_once(client, student, session):
    RegistrationFactory(session=session, laureate=student, attended=True)
    url = reverse("workshops:feedback", args=[session.pk])

    with time_machine.travel(paris(2026, 12, 13, 8)):
        client.force_login(student.user)
        assert client.get(url).status_code == 200
        response = client.post(url, {"rating": 4, "comment": "Très utile avant les partiels."})
        again = client.get(url)

    assert response.status_code == 302
    assert Feedback.objects.get().rating == 4
    assert again.status_code == 404


def test_the_database_keeps_one_feedback_per_laureate_and_a_rating_from_1_to_5(student, session):
    Feedback.objects.create(series=session.series, laureate=student, rating=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(series=session.series, laureate=student, rating=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(
            series=SeriesFactory(lead=session.series.lead), laureate=student, rating=6
        )


# Ownership ------------------------------------------------------------------------------


def test_cancelling_another_laureates_registration_gives_404(
    client, student, other_laureate, session
):
    theirs = RegistrationFactory(session=session, laureate=other_laureate)
    client.force_login(student.user)

    response = client.post(reverse("workshops:cancel", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_another_laureates_feedback_form_gives_404(client, student, other_laureate, session):
    RegistrationFactory(session=session, laureate=other_laureate, attended=True)
    with time_machine.travel(paris(2026, 12, 13, 8)):
        client.force_login(student.user)
        response = client.get(reverse("workshops:feedback", args=[session.pk]))

    assert response.status_code == 404


def test_a_partner_member_gets_403_on_workshops(partner_client):
    assert partner_client.get(LIST).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_list_shows_only_upcoming_published_sessions_for_the_laureates_track_and_year(
    client, student, session
):
    SessionFactory(theme="Pas encore publiée", published_at=None)
    SessionFactory(theme="Déjà passée", starts_at=paris(2026, 10, 3, 14))
    SessionFactory(theme="Pour la prépa", series__track=Track.PREPA)
    SessionFactory(
        theme="Pour les 3e année", series__audience_from_year=3, series__audience_to_year=3
    )
    client.force_login(student.user)

    response = client.get(LIST)

    assert [s.theme for s in response.context["sessions"]] == [session.theme]


def test_the_workshop_list_costs_the_same_queries_at_two_sizes(
    client, student, django_assert_max_num_queries
):
    def build(count):
        for i in range(count):
            s = SessionFactory(starts_at=paris(2026, 12, 1 + i, 14), capacity=3)
            RegistrationFactory.create_batch(2, session=s)
            if i % 2:
                RegistrationFactory(session=s, laureate=student, status="waiting")

    client.force_login(student.user)
    build(2)
    with django_assert_max_num_queries(10) as small:
        assert client.get(LIST).status_code == 200
    build(10)
    with django_assert_max_num_queries(len(small)):
        response = client.get(LIST)
    assert len(response.context["sessions"]) == 12


# Cancelling asks first ------------------------------------------------------------------


def test_cancel_my_registration_shows_a_confirmation_page_and_only_a_post_cancels(
    client, english, student, session
):
    registration = RegistrationFactory(session=session, laureate=student)
    client.force_login(student.user)
    url = reverse("workshops:cancel", args=[registration.pk])
    listing = client.get(reverse("workshops:list")).content.decode()
    assert f'href="{url}"' in listing

    page = client.get(url)
    assert page.status_code == 200
    confirm = page.content.decode()
    assert "Cancel my registration?" in confirm
    assert session.theme in html.unescape(confirm)
    assert f'<form method="post" action="{url}"' in confirm
    registration.refresh_from_db()
    assert registration.status == "confirmed"

    response = client.post(url)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert client.get(url).status_code == 302  # nothing left to confirm


def test_the_cancel_confirmation_of_another_laureate_gives_404(
    client, student, other_laureate, session
):
    theirs = RegistrationFactory(session=session, laureate=other_laureate)
    client.force_login(student.user)
    assert client.get(reverse("workshops:cancel", args=[theirs.pk])).status_code == 404


def test_a_session_long_after_its_key_date_is_flagged_outside_its_window_never_negative_days(
    workshops_client, english, session
):
    KeyDateFactory(date=session.starts_at.date() - datetime.timedelta(days=137))

    response = workshops_client.get(reverse("admin:workshops_session_changelist"))

    assert "Outside its moment’s window: 138 days after it closes" in response.content.decode()
    assert "-137" not in response.content.decode()


def test_the_registrations_list_offers_the_sessions_of_the_weeks_around_today_to_filter_by(
    workshops_client, student
):
    series = SeriesFactory()
    soon = SessionFactory(series=series, theme="Fiches de révision")  # 12 December
    held = SessionFactory(series=series, theme="Gérer le stress", starts_at=paris(2026, 11, 7, 14))
    old = SessionFactory(series=series, theme="Rentrée 2025", starts_at=paris(2025, 9, 6, 14))
    for each in (soon, held, old):
        RegistrationFactory(session=each, laureate=student)
    registrations = reverse("admin:workshops_registration_changelist")

    sidebar = workshops_client.get(registrations).content.decode()
    chosen = workshops_client.get(registrations, {"session__id__exact": old.pk})

    assert "Fiches de révision" in sidebar and "Gérer le stress" in sidebar
    assert f"?session__id__exact={old.pk}" not in sidebar
    assert [row.session for row in chosen.context["cl"].result_list] == [old]
    assert f"?session__id__exact={old.pk}" in chosen.content.decode()  # still offered


def test_the_registrations_list_shows_fifty_rows_to_tick_a_page(workshops_client):
    RegistrationFactory.create_batch(51)

    response = workshops_client.get(reverse("admin:workshops_registration_changelist"))

    assert response.content.decode().count('name="_selected_action"') == 50
