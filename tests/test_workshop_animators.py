"""Workshops run by their animators: publishing needs a lead and an animator, animators stay
for the school year (a change says why and the registered laureates hear of it), their
e-mails, their pages (own sessions only), attendance and the session note, ratings per
session, and what attendance tells the team (triage, the report review page)."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from emergence.models import OutboxEmail
from laureates.models import Laureate, Track
from reports.triage import triage_reasons, with_triage
from tests.report_factories import ActivityReportFactory, ReportPeriodFactory
from tests.workshops_factories import (
    MedicineLaureateFactory,
    RegistrationFactory,
    SeriesFactory,
    SessionFactory,
    paris,
)
from workshops.animators import animator_reminders_send
from workshops.models import AnimatorChange, Feedback, Moment, Session
from workshops.moments import school_holidays, session_warnings
from workshops.services import (
    attendance_record,
    feedback_give,
    series_feedback_request,
    session_publish,
)
from workshops.tasks import send_session_reminders

pytestmark = pytest.mark.django_db

MY_SESSIONS = reverse("workshops:animator_sessions")


@pytest.fixture(autouse=True)
def a_november_morning():
    with time_machine.travel(paris(2026, 11, 20, 10, 0)):
        yield


@pytest.fixture
def animator():
    return MedicineLaureateFactory(study_year=5, school="Faculté de médecine de Lille")


@pytest.fixture
def series(workshops_staff, animator):
    return SeriesFactory(lead=workshops_staff, animators=[animator])


@pytest.fixture
def session(series):
    return SessionFactory(series=series, capacity=10)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def sent_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def series_change_form(series, **data) -> dict:
    """The series' admin form as saved, with ``data`` changed."""
    return {
        "school_year": series.school_year,
        "track": series.track,
        "lead": series.lead_id,
        "audience_from_year": series.audience_from_year,
        "audience_to_year": series.audience_to_year,
        "school_zone": series.school_zone,
        "animators": [a.pk for a in series.animators.all()],
        "change_reason": "",
        "sessions-TOTAL_FORMS": 0,
        "sessions-INITIAL_FORMS": 0,
        "sessions-MIN_NUM_FORMS": 0,
        "sessions-MAX_NUM_FORMS": 1000,
        **data,
    }


# Publishing ---------------------------------------------------------------------------------


def test_a_session_of_a_series_without_animator_cannot_be_published(workshops_staff):
    session = SessionFactory(series__lead=workshops_staff, series__animators=[], published_at=None)

    with translation.override("en"), pytest.raises(ValidationError) as error:
        session_publish(session=session)

    session.refresh_from_db()
    assert not session.is_published
    assert any("has no animator" in message for message in error.value.messages)


def test_a_session_whose_staff_lead_left_cannot_be_published(workshops_staff):
    session = SessionFactory(series__lead=workshops_staff, published_at=None)
    workshops_staff.is_active = False
    workshops_staff.save()

    with pytest.raises(ValidationError):
        session_publish(session=session)


def test_the_admin_refuses_to_publish_without_animator_and_says_why(
    workshops_client, english, workshops_staff
):
    session = SessionFactory(series__lead=workshops_staff, series__animators=[], published_at=None)

    response = workshops_client.post(
        reverse("admin:workshops_session_changelist"),
        {"action": "publish", "_selected_action": [session.pk], "confirm_emails": "yes"},
        follow=True,
    )

    session.refresh_from_db()
    assert not session.is_published
    assert "has no animator" in response.content.decode()
    assert not mail.outbox


# Animators stay for the school year -------------------------------------------------------


def test_changing_an_animator_after_publication_asks_for_a_reason(
    workshops_client, english, series, session
):
    newcomer = MedicineLaureateFactory(study_year=6)
    url = reverse("admin:workshops_workshopseries_change", args=[series.pk])

    response = workshops_client.post(
        url,
        series_change_form(
            series, animators=[a.pk for a in series.animators.all()] + [newcomer.pk]
        ),
    )

    assert response.status_code == 200  # the form again, with the error
    assert "say why they change" in response.content.decode()
    assert newcomer not in series.animators.all()
    assert not AnimatorChange.objects.exists()


def test_a_change_of_animators_with_its_reason_is_recorded_and_tells_the_registered_laureates(
    workshops_client, workshops_staff, series, session, animator, django_capture_on_commit_callbacks
):
    registered = RegistrationFactory(session=session).laureate
    newcomer = MedicineLaureateFactory(study_year=6)
    url = reverse("admin:workshops_workshopseries_change", args=[series.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = workshops_client.post(
            url,
            series_change_form(
                series, animators=[newcomer.pk], change_reason="Stage à l'étranger au printemps"
            ),
        )

    assert response.status_code == 302
    assert list(series.animators.all()) == [newcomer]
    changes = {(c.laureate, c.kind, c.reason, c.by) for c in AnimatorChange.objects.all()}
    assert changes == {
        (newcomer, "added", "Stage à l'étranger au printemps", workshops_staff),
        (animator, "removed", "Stage à l'étranger au printemps", workshops_staff),
    }
    (told,) = sent_to(registered.user)
    assert str(newcomer) in told.body
    assert sent_to(newcomer.user)  # named


def test_animators_chosen_before_any_publication_need_no_reason(
    workshops_client, workshops_staff, animator
):
    series = SeriesFactory(lead=workshops_staff, animators=[animator])
    SessionFactory(series=series, published_at=None)
    newcomer = MedicineLaureateFactory(study_year=6)

    response = workshops_client.post(
        reverse("admin:workshops_workshopseries_change", args=[series.pk]),
        series_change_form(series, animators=[animator.pk, newcomer.pk]),
    )

    assert response.status_code == 302
    assert set(series.animators.all()) == {animator, newcomer}
    assert not AnimatorChange.objects.exists()


# The animators' e-mails -------------------------------------------------------------------


def test_an_animator_is_told_when_named(
    workshops_client, workshops_staff, django_capture_on_commit_callbacks
):
    animator = MedicineLaureateFactory(study_year=5)
    series = SeriesFactory(lead=workshops_staff, animators=[])

    with django_capture_on_commit_callbacks(execute=True):
        workshops_client.post(
            reverse("admin:workshops_workshopseries_change", args=[series.pk]),
            series_change_form(series, animators=[animator.pk]),
        )

    (named,) = sent_to(animator.user)
    assert reverse("workshops:animator_sessions") in named.body


def test_animators_are_told_when_a_session_is_published_once(
    series, animator, django_capture_on_commit_callbacks
):
    session = SessionFactory(series=series, published_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        session_publish(session=session)
        session_publish(session=session)

    (told,) = sent_to(animator.user)
    assert reverse("workshops:animator_session", args=[session.pk]) in told.body


def test_animators_are_told_when_a_published_session_moves(
    workshops_client, session, animator, django_capture_on_commit_callbacks
):
    url = reverse("admin:workshops_session_change", args=[session.pk])
    page = workshops_client.get(url)
    data = {key: value for key, value in page.context["adminform"].form.initial.items() if value}
    data.update(
        {
            "series": session.series_id,
            "moment": session.moment,
            "theme": session.theme,
            "starts_at_0": "19/12/2026",
            "starts_at_1": "14:00",
            "ends_at_0": "19/12/2026",
            "ends_at_1": "17:00",
            "place": session.place,
            "video_url": "",
            "capacity": session.capacity,
            "animator_note": "",
            "registrations-TOTAL_FORMS": 0,
            "registrations-INITIAL_FORMS": 0,
            "registrations-MIN_NUM_FORMS": 0,
            "registrations-MAX_NUM_FORMS": 1000,
        }
    )
    data.pop("starts_at", None), data.pop("ends_at", None)

    with django_capture_on_commit_callbacks(execute=True):
        response = workshops_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    session.refresh_from_db()
    assert session.starts_at == paris(2026, 12, 19, 14)
    (moved,) = sent_to(animator.user)
    assert "19" in moved.subject


def test_animators_are_told_when_a_published_session_moves_on_its_series_page(
    workshops_client, series, session, animator, django_capture_on_commit_callbacks
):
    data = series_change_form(
        series,
        **{
            "sessions-TOTAL_FORMS": 1,
            "sessions-INITIAL_FORMS": 1,
            "sessions-0-id": session.pk,
            "sessions-0-series": series.pk,
            "sessions-0-moment": session.moment,
            "sessions-0-theme": session.theme,
            "sessions-0-starts_at_0": "19/12/2026",
            "sessions-0-starts_at_1": "14:00",
            "sessions-0-ends_at_0": "19/12/2026",
            "sessions-0-ends_at_1": "17:00",
            "sessions-0-place": session.place,
            "sessions-0-video_url": "",
            "sessions-0-capacity": session.capacity,
        },
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = workshops_client.post(
            reverse("admin:workshops_workshopseries_change", args=[series.pk]), data
        )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == paris(2026, 12, 19, 14)
    (moved,) = sent_to(animator.user)
    assert "19" in moved.subject


def test_animators_are_reminded_two_days_before_each_session_once(
    session, animator, django_capture_on_commit_callbacks
):
    RegistrationFactory(session=session)
    counts = []
    for day in [8, 9, 10, 10, 11]:
        with django_capture_on_commit_callbacks(execute=True):
            animator_reminders_send(day=datetime.date(2026, 12, day))
        counts.append(len(sent_to(animator.user)))

    assert counts == [0, 0, 1, 1, 1]
    assert OutboxEmail.objects.filter(kind="workshop-animator-reminder").count() == 1


# The animators' pages ---------------------------------------------------------------------


def test_an_animator_sees_their_sessions_upcoming_first_with_who_registered(
    client, session, animator
):
    other = SessionFactory(series=session.series, starts_at=paris(2027, 3, 6, 14), theme="Mars")
    registration = RegistrationFactory(
        session=session, laureate__school="Faculté de santé de Créteil", laureate__study_year=2
    )
    client.force_login(animator.user)

    listing = client.get(MY_SESSIONS).content.decode()
    page = client.get(reverse("workshops:animator_session", args=[session.pk])).content.decode()

    assert listing.index(session.theme.replace("'", "&#x27;")) < listing.index(other.theme)
    user = registration.laureate.user
    assert user.last_name.upper() in page
    assert "Faculté de santé de Créteil" in page
    assert f'data-registration="{registration.pk}"' in page


def test_another_laureate_gets_404_on_an_animators_session(client, session, other_laureate):
    client.force_login(other_laureate.user)
    assert client.get(reverse("workshops:animator_session", args=[session.pk])).status_code == 404


def test_the_animator_of_another_series_gets_404(client, session, workshops_staff):
    someone_else = MedicineLaureateFactory(study_year=6)
    SeriesFactory(lead=workshops_staff, animators=[someone_else])
    client.force_login(someone_else.user)

    response = client.get(reverse("workshops:animator_session", args=[session.pk]))

    assert response.status_code == 404
    assert session.theme not in client.get(MY_SESSIONS).content.decode()


def test_the_animator_records_attendance_and_a_note_on_the_day(client, session, animator):
    came, missed = RegistrationFactory.create_batch(2, session=session)
    url = reverse("workshops:animator_session", args=[session.pk])
    client.force_login(animator.user)

    too_early = client.post(url, {"attended": [came.pk], "note": "Trop tôt"})
    assert session.registrations.filter(attended__isnull=False).count() == 0
    with time_machine.travel(paris(2026, 12, 12, 15, 30)):
        client.force_login(animator.user)  # three weeks later: signed in again
        response = client.post(url, {"attended": [came.pk], "note": "Questions sur le sommeil."})

    assert too_early.status_code == 302
    assert response.status_code == 302
    assert dict(session.registrations.values_list("pk", "attended")) == {
        came.pk: True,
        missed.pk: False,
    }
    session.refresh_from_db()
    assert session.animator_note == "Questions sur le sommeil."


def test_the_staff_see_the_animators_attendance_and_note_in_the_admin(
    workshops_client, session, animator
):
    came = RegistrationFactory(session=session)
    with time_machine.travel(paris(2026, 12, 12, 15, 30)):
        animator_client = Client()
        animator_client.force_login(animator.user)
        animator_client.post(
            reverse("workshops:animator_session", args=[session.pk]),
            {"attended": [came.pk], "note": "Bonne séance."},
        )
        workshops_client.force_login(session.series.lead)
        page = workshops_client.get(
            reverse("admin:workshops_session_change", args=[session.pk])
        ).content.decode()

    assert "Bonne séance." in page
    assert 'name="registrations-0-attended"' in page


@pytest.mark.parametrize("size", [2, 12])
def test_the_animators_pages_cost_the_same_queries_at_two_sizes(
    client, series, animator, size, django_assert_max_num_queries
):
    for n in range(size):
        session = SessionFactory(series=series, starts_at=paris(2026, 12, 1 + n, 14))
        RegistrationFactory.create_batch(2, session=session)
    client.force_login(animator.user)

    with django_assert_max_num_queries(8):
        assert client.get(MY_SESSIONS).status_code == 200
    with django_assert_max_num_queries(12):
        assert (
            client.get(reverse("workshops:animator_session", args=[session.pk])).status_code == 200
        )


def test_me_links_an_animator_to_their_sessions(client, session, animator):
    client.force_login(animator.user)
    assert MY_SESSIONS in client.get("/me/").content.decode()


# Ratings per session ------------------------------------------------------------------------


def test_attendees_rate_each_session_and_say_what_helped(
    client, session, django_capture_on_commit_callbacks
):
    attendee = RegistrationFactory(session=session, attended=True).laureate
    with time_machine.travel(paris(2026, 12, 13, 8)):
        with django_capture_on_commit_callbacks(execute=True):
            assert series_feedback_request() == 1
        client.force_login(attendee.user)
        response = client.post(
            reverse("workshops:feedback", args=[session.pk]),
            {"rating": 5, "helped": "Les méthodes de révision des anciens", "comment": ""},
        )

    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.session, feedback.series, feedback.rating) == (session, session.series, 5)
    assert feedback.helped == "Les méthodes de révision des anciens"


def test_the_average_rating_per_session_shows_to_staff_and_animators(
    workshops_client, client, session, animator
):
    later = SessionFactory(series=session.series, starts_at=paris(2027, 3, 6, 14))
    for rating in (5, 4, 4):
        attendee = RegistrationFactory(session=session, attended=True).laureate
        Feedback.objects.create(
            series=session.series, session=session, laureate=attendee, rating=rating
        )
    RegistrationFactory(session=session, attended=False)

    rows = {s.pk: s for s in Session.objects.with_attendance()}
    series_page = workshops_client.get(
        reverse("admin:workshops_workshopseries_change", args=[session.series_id])
    ).content.decode()
    client.force_login(animator.user)
    animator_page = client.get(MY_SESSIONS).content.decode()

    assert round(rows[session.pk].average_rating, 2) == 4.33
    assert rows[later.pk].average_rating is None
    assert rows[session.pk].attendance_rate == 0.75
    assert "4.3 / 5" in series_page or "4,3 / 5" in series_page
    assert "3 / 4 (75" in series_page
    assert "4,3 / 5" in animator_page or "4.3 / 5" in animator_page


def test_older_feedback_on_a_whole_series_is_kept_and_a_session_is_rated_once(session, animator):
    attendee = RegistrationFactory(session=session, attended=True).laureate
    Feedback.objects.create(series=session.series, laureate=attendee, rating=3)  # before
    with time_machine.travel(paris(2026, 12, 13, 8)):
        feedback_give(session=session, laureate=attendee, rating=5)
        with pytest.raises(ValidationError):
            feedback_give(session=session, laureate=attendee, rating=1)

    assert sorted(Feedback.objects.values_list("rating", flat=True)) == [3, 5]


# What attendance tells the team ---------------------------------------------------------


def absent_twice(laureate, series) -> None:
    for day in (5, 12):
        session = SessionFactory(series=series, starts_at=paris(2026, 12, day, 14))
        RegistrationFactory(session=session, laureate=laureate)
        attendance_record(session=session, attended=set())


def test_a_laureate_registered_and_absent_twice_is_a_triage_reason(series):
    laureate = MedicineLaureateFactory()

    absent_twice(laureate, series)

    laureate.refresh_from_db()
    assert laureate.workshop_absences == 2
    row = with_triage(Laureate.objects.filter(pk=laureate.pk)).get()
    assert row.triage_workshops
    assert row.triage_score >= 15
    with translation.override("en"):
        assert "absent from workshops" in triage_reasons(row, show_confidential=True)


def test_absent_once_then_present_is_no_triage_reason(series):
    laureate = MedicineLaureateFactory()
    session = SessionFactory(series=series)
    registration = RegistrationFactory(session=session, laureate=laureate)
    attendance_record(session=session, attended=set())
    attendance_record(session=session, attended={registration.pk})  # corrected

    laureate.refresh_from_db()
    assert laureate.workshop_absences == 0
    assert not with_triage(Laureate.objects.filter(pk=laureate.pk)).get().triage_workshops


def session_change_form(session, attendance) -> dict:
    """The session's admin form as saved, with the attendance ticked on its registrations
    (``attendance``: registration -> True, False or None)."""
    starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    data = {
        "series": session.series_id,
        "moment": session.moment,
        "theme": session.theme,
        "starts_at_0": f"{starts:%d/%m/%Y}",
        "starts_at_1": f"{starts:%H:%M}",
        "ends_at_0": f"{ends:%d/%m/%Y}",
        "ends_at_1": f"{ends:%H:%M}",
        "place": session.place,
        "video_url": "",
        "capacity": session.capacity,
        "animator_note": "",
        "registrations-TOTAL_FORMS": len(attendance),
        "registrations-INITIAL_FORMS": len(attendance),
        "registrations-MIN_NUM_FORMS": 0,
        "registrations-MAX_NUM_FORMS": 1000,
    }
    for n, (registration, attended) in enumerate(attendance.items()):
        data[f"registrations-{n}-id"] = registration.pk
        data[f"registrations-{n}-session"] = session.pk
        data[f"registrations-{n}-attended"] = {True: "true", False: "false"}.get(
            attended, "unknown"
        )
    return data


def test_absences_ticked_by_staff_on_the_session_page_are_a_triage_reason(
    workshops_client, workshops_staff, series
):
    laureate = MedicineLaureateFactory()
    sessions = [SessionFactory(series=series, starts_at=paris(2026, 12, d, 14)) for d in (5, 12)]
    registrations = [RegistrationFactory(session=s, laureate=laureate) for s in sessions]

    with time_machine.travel(paris(2026, 12, 14, 9)):
        workshops_client.force_login(workshops_staff)
        for session, registration in zip(sessions, registrations, strict=True):
            response = workshops_client.post(
                reverse("admin:workshops_session_change", args=[session.pk]),
                session_change_form(session, {registration: False}),
            )
            assert response.status_code == 302

    laureate.refresh_from_db()
    assert [r.attended for r in laureate.workshop_registrations.all()] == [False, False]
    assert laureate.workshop_absences == 2
    assert with_triage(Laureate.objects.filter(pk=laureate.pk)).get().triage_workshops


def test_an_absence_corrected_by_staff_in_the_registrations_list_is_no_longer_counted(
    workshops_client, workshops_staff, series
):
    laureate = MedicineLaureateFactory()
    absent_twice(laureate, series)
    first, second = laureate.workshop_registrations.order_by("session__starts_at")

    with time_machine.travel(paris(2026, 12, 14, 9)):
        workshops_client.force_login(workshops_staff)
        response = workshops_client.post(
            reverse("admin:workshops_registration_changelist"),
            {
                "form-TOTAL_FORMS": 2,
                "form-INITIAL_FORMS": 2,
                "form-MIN_NUM_FORMS": 0,
                "form-MAX_NUM_FORMS": 1000,
                "form-0-id": first.pk,
                "form-0-attended": "true",  # she came: the animator ticked the wrong line
                "form-1-id": second.pk,
                "form-1-attended": "false",
                "_save": "Enregistrer",
            },
        )

    assert response.status_code == 302
    laureate.refresh_from_db()
    assert laureate.workshop_absences == 1
    assert not with_triage(Laureate.objects.filter(pk=laureate.pk)).get().triage_workshops


def test_a_registration_deleted_in_the_console_no_longer_counts_as_an_absence(
    workshops_client, series
):
    laureate = MedicineLaureateFactory()
    absent_twice(laureate, series)
    mistaken = laureate.workshop_registrations.order_by("session__starts_at").first()

    response = workshops_client.post(
        reverse("admin:workshops_registration_changelist"),
        {"action": "delete_selected", "_selected_action": [mistaken.pk], "post": "yes"},
    )

    assert response.status_code == 302
    laureate.refresh_from_db()
    assert laureate.workshop_absences == 1


def test_a_new_school_year_starts_the_absences_from_zero(series):
    laureate = MedicineLaureateFactory()
    absent_twice(laureate, series)

    with time_machine.travel(paris(2027, 9, 2, 8)):
        send_session_reminders()

    laureate.refresh_from_db()
    assert laureate.workshop_absences == 0


def test_the_report_review_page_lists_the_workshops_attended_that_quarter(
    workshops_staff, referent_client, referent
):
    laureate = MedicineLaureateFactory(referent=referent)
    series = SeriesFactory(lead=workshops_staff)
    december = SessionFactory(series=series, theme="Séance de décembre")
    march = SessionFactory(series=series, theme="Séance de mars", starts_at=paris(2027, 3, 6, 14))
    RegistrationFactory(session=december, laureate=laureate, attended=True)
    RegistrationFactory(session=march, laureate=laureate, attended=True)
    report = ActivityReportFactory(
        laureate=laureate, period=ReportPeriodFactory(year=2026, quarter=4)
    )

    page = referent_client.get(
        reverse("admin:reports_activityreport_change", args=[report.pk])
    ).content.decode()

    assert 'class="attended-this-quarter"' in page
    assert "Séance de décembre" in page
    assert "Séance de mars" not in page


def test_the_laureates_console_page_lists_the_workshops_attended_this_quarter(
    workshops_staff, client, referent
):
    laureate = MedicineLaureateFactory(referent=referent)
    session = SessionFactory(series=SeriesFactory(lead=workshops_staff), theme="Séance utile")
    RegistrationFactory(session=session, laureate=laureate, attended=True)

    with time_machine.travel(paris(2026, 12, 20, 10)):
        client.force_login(referent)
        page = client.get(
            reverse("admin:laureates_laureate_change", args=[laureate.pk])
        ).content.decode()

    assert 'class="attended-this-quarter"' in page
    assert "Séance utile" in page


def test_the_demo_has_a_prepa_series_animated_by_the_demo_animator(settings, client):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    animator = Laureate.objects.get(user__email="animator@example.org")
    series = animator.animated_workshop_series.get(track=Track.PREPA)

    assert series.sessions.count() == 4
    assert series.sessions.filter(published_at__isnull=False).count() == 4
    # Each in its moment's window, clear of exams and clashes; after the rentrée, in the
    # school holidays of the series' zone and before the concours blancs or the concours.
    for session in series.sessions.with_checks().select_related("series"):
        assert session_warnings(session) == []
        if session.moment != Moment.START_OF_YEAR:
            day = timezone.localdate(session.starts_at)
            assert day < session.key_date
            assert school_holidays(zone=series.school_zone, window=(day, day)) == {day}
    held = series.sessions.filter(registrations__attended=True).distinct()
    assert held.count() == 1
    assert Feedback.objects.filter(session__in=held).exists()
    assert client.login(username="animator@example.org", password="demo-emergence-2026")
    assert client.get(MY_SESSIONS).status_code == 200
