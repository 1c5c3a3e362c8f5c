"""The sponsors' quarterly question (reports/checkins.py): one e-mail a week before the due
date, three signed links that record the answer without signing in, a note for the team,
the triage reasons it brings, and both answers side by side on the report's review page.

Period 2026-q4: opens 2026-12-01, due 2027-01-15 (question on 2027-01-08); the job creates
2027-q1, which opens 2027-03-01: the links work until 2027-02-28.
"""

import datetime
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail, signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy

from emergence.models import OutboxEmail
from emergence.personal_data import person_anonymise, personal_data_export
from laureates.models import Laureate, SponsorMeeting, Status
from reports.checkins import SALT, checkin_token
from reports.models import QuietPeriod, SponsorCheckin, Triage, TriageEvent, TriageState
from reports.tasks import run_daily_reminders
from reports.triage import REASONS, triage_close, triage_reasons, triage_rules, with_triage
from tests.factories import LaureateFactory, SponsorshipFactory, UserFactory
from tests.report_factories import ActivityReportFactory, ReportPeriodFactory

pytestmark = pytest.mark.django_db

ASKED = datetime.date(2027, 1, 8)
DUE = datetime.date(2027, 1, 15)
LINKS = re.compile(r"https?://\S+/reports/sponsor-checkin/\S+/")


def fr(text) -> str:
    """A source string as French speakers read it (once the catalogue has it)."""
    with translation.override("fr"):
        return str(gettext_lazy(text) if isinstance(text, str) else text)


INVALID = fr("This link is no longer valid")


@pytest.fixture(autouse=True)
def now(time_machine):
    """The day the question goes out, at noon: staff sign in then."""
    time_machine.move_to(datetime.datetime(2027, 1, 8, 12, tzinfo=datetime.UTC), tick=False)
    return time_machine


@pytest.fixture
def period():
    return ReportPeriodFactory(year=2026, quarter=4)


@pytest.fixture
def sponsorship(laureate):
    return SponsorshipFactory(
        laureate=laureate, sponsor__first_name="Marc", sponsor__email="marc@parrain.example.com"
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """The daily job at 7:00 on a day; returns the e-mails it sent."""

    def run_on(day: datetime.date) -> list:
        before = len(mail.outbox)
        with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 7), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                run_daily_reminders()
        return mail.outbox[before:]

    return run_on


def checkins(messages) -> list:
    return [m for m in messages if m.to and m.to[0].endswith("parrain.example.com")]


def links_of(message) -> dict[str, str]:
    """The e-mail's three links, by answer (yes, not yet, lost contact, in that order)."""
    met, not_yet, lost = LINKS.findall(message.body)
    return {"met": met, "not_yet": not_yet, "lost_contact": lost}


def path(url: str) -> str:
    return urlsplit(url).path


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 12), tick=False)


# The e-mail -------------------------------------------------------------------------------


def test_each_current_sponsor_is_asked_once_a_week_before_the_due_date(
    period, sponsorship, other_laureate, run
):
    SponsorshipFactory(laureate=other_laureate, sponsor__email="lea@parrain.example.com")
    assert checkins(run(ASKED - datetime.timedelta(days=1))) == []

    sent = checkins(run(ASKED))

    assert sorted(m.to[0] for m in sent) == ["lea@parrain.example.com", "marc@parrain.example.com"]
    (marc,) = [m for m in sent if m.to == ["marc@parrain.example.com"]]
    with translation.override("fr"):
        question = translation.gettext("Have you met %(name)s this quarter?") % {"name": "Inès"}
    assert marc.subject == question
    assert "Marc" in marc.body
    assert len(links_of(marc)) == 3
    assert OutboxEmail.objects.filter(
        key=f"sponsor-checkin:2026-q4:sponsorship-{sponsorship.pk}"
    ).exists()


def test_running_the_job_twice_or_the_days_after_asks_nothing_twice(period, sponsorship, run):
    assert len(checkins(run(ASKED))) == 1
    assert checkins(run(ASKED)) == []
    assert checkins(run(ASKED + datetime.timedelta(days=1))) == []

    assert OutboxEmail.objects.filter(kind="sponsor-checkin").count() == 1


def test_ended_sponsorships_laureates_who_left_or_joined_late_are_not_asked(
    period, laureate, other_laureate, run
):
    SponsorshipFactory(
        laureate=laureate,
        sponsor__email="old@parrain.example.com",
        ended_on=datetime.date(2026, 6, 30),
    )
    SponsorshipFactory(laureate=other_laureate, sponsor__email="left@parrain.example.com")
    Laureate.objects.filter(pk=other_laureate.pk).update(status=Status.LEFT)
    newcomer = LaureateFactory(joined_on=datetime.date(2026, 12, 1))
    SponsorshipFactory(laureate=newcomer, sponsor__email="new@parrain.example.com")

    assert checkins(run(ASKED)) == []


def test_nothing_goes_in_a_quiet_period_and_it_is_asked_the_day_after(period, sponsorship, run):
    QuietPeriod.objects.create(
        name="Partiels", starts_on=datetime.date(2027, 1, 6), ends_on=datetime.date(2027, 1, 10)
    )
    for day in range(6, 11):
        assert checkins(run(datetime.date(2027, 1, day))) == []

    assert len(checkins(run(datetime.date(2027, 1, 11)))) == 1


def test_a_question_pushed_past_the_due_date_by_a_quiet_period_is_not_sent(
    period, sponsorship, run
):
    QuietPeriod.objects.create(name="Partiels", starts_on=datetime.date(2027, 1, 6), ends_on=DUE)
    assert checkins(run(DUE + datetime.timedelta(days=1))) == []


# The links --------------------------------------------------------------------------------


@pytest.fixture
def email(period, sponsorship, run):
    (message,) = checkins(run(ASKED))
    return message


def test_the_yes_link_records_the_answer_without_signing_in(client, email, sponsorship, period):
    with at(ASKED):
        response = client.get(path(links_of(email)["met"]))

    assert response.status_code == 200
    content = response.content.decode()
    assert escape(fr("Thank you: your answer is recorded")) in content
    assert 'data-answer="met"' in content
    checkin = SponsorCheckin.objects.get()
    assert (checkin.sponsorship, checkin.period, checkin.answer) == (sponsorship, period, "met")
    assert "_auth_user_id" not in client.session


def test_a_second_click_of_the_same_answer_changes_nothing(client, email):
    with at(ASKED):
        client.get(path(links_of(email)["met"]))
    first = SponsorCheckin.objects.get().answered_at
    with at(ASKED + datetime.timedelta(days=2)):
        response = client.get(path(links_of(email)["met"]))

    assert response.status_code == 200
    assert SponsorCheckin.objects.get().answered_at == first


def test_another_answer_of_the_same_email_replaces_it_with_its_time(client, email):
    with at(ASKED):
        client.get(path(links_of(email)["met"]))
    with at(ASKED + datetime.timedelta(days=3)):
        client.get(path(links_of(email)["lost_contact"]))

    checkin = SponsorCheckin.objects.get()
    assert checkin.answer == "lost_contact"
    assert checkin.answered_at.date() == ASKED + datetime.timedelta(days=3)


def test_a_link_works_until_the_next_quarter_opens_then_is_refused(client, email):
    with at(datetime.date(2027, 2, 28)):
        assert client.get(path(links_of(email)["not_yet"])).status_code == 200
    SponsorCheckin.objects.all().delete()

    with at(datetime.date(2027, 3, 1)):
        response = client.get(path(links_of(email)["met"]))

    assert response.status_code == 400
    assert escape(INVALID) in response.content.decode()
    assert not SponsorCheckin.objects.exists()


def test_a_tampered_link_is_refused_and_records_nothing(client, email, sponsorship, period):
    url = path(links_of(email)["met"])
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = signing.dumps(
        {"s": sponsorship.sponsor_id, "p": sponsorship.pk, "q": period.pk, "a": "met"},
        salt="another-salt",
        compress=True,
    )
    with at(ASKED):
        for bad in (token[:-3] + "abc", forged, "x", token.replace(":", "")):
            response = client.get(reverse("reports:checkin", args=[bad]))
            assert response.status_code == 400
            assert escape(INVALID) in response.content.decode()

    assert not SponsorCheckin.objects.exists()


def test_another_sponsors_or_an_ended_sponsorships_link_is_refused(
    client, email, sponsorship, period, other_laureate
):
    other = SponsorshipFactory(laureate=other_laureate)
    # A link naming this sponsorship but another sponsor: refused.
    mixed = signing.dumps(
        {"s": other.sponsor_id, "p": sponsorship.pk, "q": period.pk, "a": "met"},
        salt=SALT,
        compress=True,
    )
    unknown = signing.dumps(
        {"s": sponsorship.sponsor_id, "p": 999999, "q": period.pk, "a": "met"},
        salt=SALT,
        compress=True,
    )
    with at(ASKED):
        assert client.get(reverse("reports:checkin", args=[mixed])).status_code == 400
        assert client.get(reverse("reports:checkin", args=[unknown])).status_code == 404
        sponsorship.ended_on = ASKED
        sponsorship.save()
        response = client.get(path(links_of(email)["met"]))

    assert response.status_code == 400
    assert not SponsorCheckin.objects.exists()


def test_the_sponsor_adds_a_note_that_staff_read(client, email, referent_client, laureate, period):
    report = ActivityReportFactory(laureate=laureate, period=period, sponsor_met=True)
    url = path(links_of(email)["not_yet"])
    with at(ASKED):
        client.get(url)
        response = client.post(url, {"note": "  Rendez-vous prévu en février.  "})
        too_long = client.post(url, {"note": "x" * 2001})

    assert response.status_code == 200
    assert escape(fr("Your note is saved. Thank you!")) in response.content.decode()
    assert too_long.status_code == 400
    assert SponsorCheckin.objects.get().note == "Rendez-vous prévu en février."
    page = referent_client.get(reverse("admin:reports_activityreport_change", args=[report.pk]))
    assert "Rendez-vous prévu en février." in page.content.decode()


def test_the_laureate_never_sees_their_sponsors_answer(client, email, laureate, period):
    ActivityReportFactory(laureate=laureate, period=period)
    with at(ASKED):
        client.post(path(links_of(email)["lost_contact"]), {"note": "Plus de nouvelles"})
        client.force_login(laureate.user)
        pages = [
            client.get(reverse("reports:list")),
            client.get(reverse("reports:edit", args=[period.slug])),
        ]

    for response in pages:
        assert response.status_code == 200
        assert "Plus de nouvelles" not in response.content.decode()
        assert escape(fr("we have lost contact")) not in response.content.decode()


# Triage -----------------------------------------------------------------------------------


def answer(sponsorship, period, value: str, note: str = "") -> SponsorCheckin:
    return SponsorCheckin.objects.create(
        sponsorship=sponsorship, period=period, answer=value, note=note
    )


def triaged(laureate, today=ASKED):
    return with_triage(Laureate.objects.filter(pk=laureate.pk), today=today).get()


def test_a_sponsor_who_has_not_met_the_laureate_is_a_triage_reason(period, sponsorship, laureate):
    answer(sponsorship, period, "not_yet")

    row = triaged(laureate)

    assert triage_rules(row) == ["sponsor_not_yet"]
    assert triage_reasons(row, show_confidential=False) == [str(REASONS["sponsor_not_yet"])]


def test_a_lost_contact_weighs_more_than_a_quarter_without_meeting(
    period, sponsorship, laureate, other_laureate
):
    answer(sponsorship, period, "lost_contact")
    other = SponsorshipFactory(laureate=other_laureate)
    answer(other, period, "not_yet")

    assert triage_rules(triaged(laureate)) == ["sponsor_lost"]
    assert triaged(laureate).triage_score > triaged(other_laureate).triage_score
    assert triage_reasons(triaged(laureate), show_confidential=True) == [
        str(REASONS["sponsor_lost"])
    ]


def test_answers_that_differ_from_the_laureates_report_are_a_reason(
    period, sponsorship, laureate, other_laureate
):
    ActivityReportFactory(laureate=laureate, period=period, sponsor_met=True)
    answer(sponsorship, period, "not_yet")
    # The other way round: the sponsor says they met, the laureate says no.
    other = SponsorshipFactory(laureate=other_laureate)
    ActivityReportFactory(laureate=other_laureate, period=period, sponsor_met=False)
    answer(other, period, "met")

    assert set(triage_rules(triaged(laureate))) == {"sponsor_not_yet", "sponsor_mismatch"}
    assert str(REASONS["sponsor_mismatch"]) in triage_reasons(
        triaged(laureate), show_confidential=False
    )
    assert "sponsor_mismatch" in triage_rules(triaged(other_laureate))


def test_answers_that_agree_bring_no_reason(period, sponsorship, laureate):
    ActivityReportFactory(laureate=laureate, period=period, sponsor_met=True)
    answer(sponsorship, period, "met")

    assert triage_rules(triaged(laureate)) == []


def test_a_sponsor_answer_that_brings_a_reason_reopens_a_closed_triage(
    client, email, laureate, referent
):
    triage_close(laureate=laureate, by=referent)
    with at(ASKED):
        client.get(path(links_of(email)["met"]))  # no reason: stays closed
        assert Triage.objects.get(laureate=laureate).state == TriageState.CLOSED
        client.get(path(links_of(email)["lost_contact"]))
        client.get(path(links_of(email)["lost_contact"]))  # the same click: nothing more

    triage = Triage.objects.get(laureate=laureate)
    assert (triage.state, triage.cycle) == (TriageState.NEW, 2)
    opened = TriageEvent.objects.filter(laureate=laureate, kind="opened").order_by("-cycle")
    assert opened.first().reasons == ["sponsor_lost"]


def test_the_triage_list_costs_the_same_queries_with_more_sponsor_answers(
    referent_client, referent, period, django_assert_num_queries
):
    def fill(count):
        for n in range(count):
            someone = LaureateFactory(referent=referent)
            ActivityReportFactory(laureate=someone, period=period, sponsor_met=bool(n % 2))
            sponsorship = SponsorshipFactory(laureate=someone)
            answer(sponsorship, period, ["met", "not_yet", "lost_contact"][n % 3], note="Vu")

    def pages():
        with at(ASKED):
            for query in ({}, {"queue": "mine"}):
                response = referent_client.get(
                    reverse("admin:laureates_laureate_changelist"), query
                )
                assert response.status_code == 200

    fill(3)
    with CaptureQueriesContext(connection) as small:
        pages()
    fill(30)

    with django_assert_num_queries(len(small)):
        pages()
    content = referent_client.get(reverse("admin:laureates_laureate_changelist")).content.decode()
    assert escape(fr(REASONS["sponsor_lost"])) in content


# The report's review page -----------------------------------------------------------------


def test_the_report_page_shows_both_answers_side_by_side_with_the_mismatch(
    referent_client, period, sponsorship, laureate
):
    report = ActivityReportFactory(laureate=laureate, period=period, sponsor_met=True)
    answer(sponsorship, period, "not_yet", note="Pas encore trouvé de date")
    # The laureate logged two meetings this quarter; the sponsor confirmed none.
    for day in (datetime.date(2026, 10, 6), datetime.date(2026, 12, 2)):
        SponsorMeeting.objects.create(
            sponsorship=sponsorship, date=day, mode="video", logged_by="laureate"
        )
    SponsorMeeting.objects.create(  # another quarter's, confirmed
        sponsorship=sponsorship,
        date=datetime.date(2026, 9, 20),
        mode="phone",
        logged_by="sponsor",
        confirmed_at=timezone.now(),
    )

    response = referent_client.get(reverse("admin:reports_activityreport_change", args=[report.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    block = content[content.index('class="sponsor-answers') :]
    assert "Avez-vous rencontré votre parrain" in block
    assert escape(fr("not yet")) in block and escape(fr("Yes")) in block
    assert "sponsor-answers-differ" in block
    assert "Pas encore trouvé de date" in block
    with translation.override("fr"):
        meetings = translation.gettext(
            "Meetings logged this quarter: %(logged)d (%(confirmed)d confirmed)"
        ) % {"logged": 2, "confirmed": 0}
    assert escape(meetings) in block


def test_the_report_page_says_when_the_sponsor_has_not_answered(
    referent_client, period, sponsorship, laureate
):
    report = ActivityReportFactory(laureate=laureate, period=period, sponsor_met=True)

    response = referent_client.get(reverse("admin:reports_activityreport_change", args=[report.pk]))

    content = response.content.decode()
    assert escape(fr("The sponsor has not answered.")) in content
    assert "sponsor-answers-differ" not in content


def test_a_link_token_names_its_sponsor_sponsorship_period_and_answer(sponsorship, period):
    token = checkin_token(sponsorship=sponsorship, period=period, answer="met")

    assert signing.loads(token, salt=SALT) == {
        "s": sponsorship.sponsor_id,
        "p": sponsorship.pk,
        "q": period.pk,
        "a": "met",
    }


# Personal data ----------------------------------------------------------------------------


def test_erasing_the_laureate_or_the_sponsor_empties_the_sponsors_notes(
    period, sponsorship, laureate, other_laureate
):
    answer(sponsorship, period, "not_yet", note="Inès ne répond plus")
    sponsor_user = UserFactory(email=sponsorship.sponsor.email)
    other = SponsorshipFactory(laureate=other_laureate, sponsor=sponsorship.sponsor)
    answer(other, period, "met", note="Très bon échange avec Yanis")

    export = personal_data_export(user=sponsor_user)
    assert [row["Note"] for rows in export.values() for row in rows if "Note" in row] == [
        "Inès ne répond plus",
        "Très bon échange avec Yanis",
    ]
    person_anonymise(user=laureate.user)
    assert SponsorCheckin.objects.get(sponsorship=sponsorship).note == ""
    assert SponsorCheckin.objects.get(sponsorship=other).note == "Très bon échange avec Yanis"
    person_anonymise(user=sponsor_user)
    assert set(SponsorCheckin.objects.values_list("note", flat=True)) == {""}
    assert SponsorCheckin.objects.count() == 2  # the answers stay, for the counts


def test_nobody_reads_the_questions_links_in_the_outbox(email, lead_client):
    row = OutboxEmail.objects.get(kind="sponsor-checkin")

    page = lead_client.get(reverse("admin:emergence_outboxemail_change", args=[row.pk]))

    assert page.status_code == 200
    assert "sponsor-checkin/" not in page.content.decode()
