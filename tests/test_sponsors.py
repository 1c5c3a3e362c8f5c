"""Sponsors in the loop: sign-in by link, their page, meetings confirmed by the other side,
nudges after a long gap, the end of a sponsorship, the yearly fit question, the import and
the per-company figures."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from emergence import roles
from emergence.models import OutboxEmail
from emergence.spreadsheets import CSV, import_errors
from laureates.models import EndReason, Laureate, Side, SponsorMeeting, Sponsorship, SponsorshipFit
from laureates.resources import SponsorshipResource
from laureates.sponsors import (
    company_sponsor_figures,
    fit_answer,
    fit_due,
    meeting_confirm,
    meeting_log,
    sponsor_account_give,
    sponsor_nudges_send,
    sponsorship_end,
)
from reports.models import QuietPeriod
from reports.tasks import send_sponsor_nudges
from tests.factories import (
    CompanyFactory,
    LaureateFactory,
    RoleStaffFactory,
    SponsorFactory,
    SponsorshipFactory,
    UserFactory,
)

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def sponsorship(laureate):
    sponsor = SponsorFactory(
        first_name="Claire", last_name="Martin", email="claire.martin@example.com"
    )
    sponsor_account_give(sponsor=sponsor)
    return SponsorshipFactory(
        laureate=laureate, sponsor=sponsor, started_on=datetime.date(2026, 1, 15)
    )


@pytest.fixture
def sponsor_user(sponsorship):
    return sponsorship.sponsor.user


@pytest.fixture
def sponsor_client(client, sponsor_user):
    client.force_login(sponsor_user)
    return client


def _link_in_last_email() -> str:
    body = OutboxEmail.objects.filter(kind="sponsor_sign_in").latest("pk").text
    return re.search(r"https?://\S+/sponsor/sign-in/link/\?sesame=\S+", body).group(0)


def _path(url: str) -> tuple[str, str]:
    path, query = url.split("://", 1)[1].split("/", 1)[1].split("?", 1)
    return "/" + path, query.removeprefix("sesame=")


# Sign-in -----------------------------------------------------------------------------------------


def test_a_sponsor_signs_in_with_the_link_they_asked_for(client, sponsor_user):
    response = client.post(reverse("sponsor:sign_in"), {"email": "Claire.Martin@example.com"})
    assert response.status_code == 200
    path, token = _path(_link_in_last_email())

    opened = client.get(path, {"sesame": token})
    assert opened.status_code == 200  # a button: a mail scanner's visit does not use it
    signed_in = client.post(path, {"sesame": token})

    assert signed_in.status_code == 302 and signed_in.url == reverse("sponsor:home")
    assert client.get(reverse("home")).url == reverse("sponsor:home")


def test_the_sign_in_link_works_once(client, sponsor_user):
    client.post(reverse("sponsor:sign_in"), {"email": sponsor_user.email})
    path, token = _path(_link_in_last_email())
    assert client.post(path, {"sesame": token}).status_code == 302
    client.logout()

    again = client.post(path, {"sesame": token}, HTTP_ACCEPT_LANGUAGE="en")

    assert again.status_code == 400
    assert "This sign-in link no longer works" in again.content.decode()
    assert client.get(reverse("sponsor:home")).status_code == 302  # to the login page


def test_the_sign_in_link_no_longer_works_after_15_minutes(client, sponsor_user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.post(reverse("sponsor:sign_in"), {"email": sponsor_user.email})
        path, token = _path(_link_in_last_email())
        traveller.shift(datetime.timedelta(minutes=16))

        response = client.post(path, {"sesame": token})

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_tampered_sign_in_link_signs_nobody_in(client, sponsor_user):
    client.post(reverse("sponsor:sign_in"), {"email": sponsor_user.email})
    path, token = _path(_link_in_last_email())

    response = client.post(path, {"sesame": token[:-2] + ("AA" if token[-2:] != "AA" else "BB")})

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_staff_member_gets_no_sign_in_link_and_a_link_made_for_them_is_refused(client, lead):
    from sesame.utils import get_query_string

    from laureates.sponsors import SIGN_IN_SCOPE

    response = client.post(reverse("sponsor:sign_in"), {"email": lead.email})
    assert response.status_code == 200
    assert not OutboxEmail.objects.filter(to=lead.email).exists()

    token = get_query_string(lead, scope=SIGN_IN_SCOPE).removeprefix("?sesame=")
    refused = client.post(reverse("sponsor:sign_in_link"), {"sesame": token})

    assert refused.status_code == 400
    assert "_auth_user_id" not in client.session


def test_an_unknown_address_gets_the_same_answer_and_nothing_is_sent(client, sponsor_user):
    known = client.post(reverse("sponsor:sign_in"), {"email": sponsor_user.email})
    unknown = client.post(reverse("sponsor:sign_in"), {"email": "nobody@example.com"})

    def words(response):
        html = response.content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        return html.replace("nobody@example.com", "").replace(sponsor_user.email, "")

    assert words(known) == words(unknown)
    assert OutboxEmail.objects.filter(kind="sponsor_sign_in").count() == 1


def test_sign_in_links_are_limited_like_password_resets(client, sponsor_user, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = "2/h"
    for _ in range(4):
        client.post(reverse("sponsor:sign_in"), {"email": sponsor_user.email})

    assert OutboxEmail.objects.filter(kind="sponsor_sign_in").count() == 2


def test_a_sponsor_account_is_never_given_to_a_staff_or_laureate_account(laureate, lead):
    for email in (laureate.user.email, lead.email):
        sponsor = SponsorFactory(email=email)
        with pytest.raises(ValidationError):
            sponsor_account_give(sponsor=sponsor)
        sponsor.refresh_from_db()
        assert sponsor.user is None


def test_a_sponsor_account_cannot_become_a_laureate(sponsor_user):
    laureate = LaureateFactory.build(user=sponsor_user)
    with pytest.raises(ValidationError, match="claire.martin@example.com"):
        laureate.full_clean()


def test_a_sponsor_may_still_sign_in_with_a_password_they_set(client, sponsor_user):
    sponsor_user.set_password("un-mot-de-passe-2026")
    sponsor_user.save()

    response = client.post(
        reverse("login"), {"username": sponsor_user.email, "password": "un-mot-de-passe-2026"}
    )

    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("sponsor:home")


# What a sponsor sees -----------------------------------------------------------------------------


def test_a_sponsor_sees_their_laureates_studies_and_project_but_no_report_answers(
    sponsor_client, sponsorship
):
    from tests.report_factories import ActivityReportFactory

    laureate = sponsorship.laureate
    laureate.school = "Université de Lille"
    laureate.project_for_sponsor = "Devenir pharmacienne hospitalière."
    laureate.save()
    report = ActivityReportFactory(laureate=laureate)
    secret = "Mon stress est très élevé ce trimestre"
    type(report).objects.filter(pk=report.pk).update(wellbeing_note=secret)

    home = sponsor_client.get(reverse("sponsor:home")).content.decode()
    page = sponsor_client.get(reverse("sponsor:sponsorship", args=[sponsorship.pk]))
    content = page.content.decode()

    assert laureate.user.get_full_name() in home
    assert "Université de Lille" in content
    assert "Devenir pharmacienne hospitalière." in content
    assert secret not in content and secret not in home


def test_a_sponsor_gets_404_for_a_sponsorship_that_is_not_theirs(sponsor_client, other_laureate):
    other = SponsorshipFactory(laureate=other_laureate)

    assert sponsor_client.get(reverse("sponsor:sponsorship", args=[other.pk])).status_code == 404
    assert sponsor_client.get(reverse("sponsor:meeting_new", args=[other.pk])).status_code == 404


def test_a_sponsor_sees_a_past_sponsorship_but_cannot_log_a_meeting_in_it(
    sponsor_client, sponsorship
):
    sponsorship_end(
        sponsorship=sponsorship, reason=EndReason.GRADUATED, on=datetime.date(2026, 6, 30)
    )

    page = sponsor_client.get(reverse("sponsor:home")).content.decode()
    form = sponsor_client.post(
        reverse("sponsor:meeting_new", args=[sponsorship.pk]),
        {"date": "2026-06-01", "mode": "phone"},
    )

    assert sponsorship.laureate.user.get_full_name() in page
    assert not SponsorMeeting.objects.exists()
    assert form.status_code == 200


@pytest.mark.parametrize("who", ["laureate", "partner", "staff"])
def test_the_sponsor_pages_are_refused_to_other_accounts(client, sponsorship, who, request):
    user = {
        "laureate": lambda: sponsorship.laureate.user,
        "partner": lambda: request.getfixturevalue("partner_member").user,
        "staff": lambda: request.getfixturevalue("lead"),
    }[who]()
    client.force_login(user)

    assert client.get(reverse("sponsor:home")).status_code == 403


# Meetings ----------------------------------------------------------------------------------------


def test_a_meeting_the_sponsor_logs_is_confirmed_by_the_laureate(client, sponsor_user, sponsorship):
    client.force_login(sponsor_user)
    response = client.post(
        reverse("sponsor:meeting_new", args=[sponsorship.pk]),
        {
            "date": "2026-10-02",
            "mode": "video",
            "topics": ["studies", "work"],
            "note": "Préparer l'entretien de stage.",
            "private_note": "Elle semble fatiguée.",
        },
    )
    assert response.status_code == 302
    meeting = SponsorMeeting.objects.get()
    assert meeting.logged_by == Side.SPONSOR and meeting.topics == ["studies", "work"]

    client.force_login(sponsorship.laureate.user)
    page = client.get(reverse("laureates:sponsor")).content.decode()
    assert "Préparer l&#x27;entretien de stage." in page
    assert "Elle semble fatiguée." not in page
    client.post(reverse("laureates:sponsor_meeting_confirm", args=[meeting.pk]))

    meeting.refresh_from_db()
    assert meeting.is_confirmed


def test_a_meeting_the_laureate_logs_is_confirmed_by_the_sponsor_in_one_click(
    sponsor_client, sponsorship
):
    meeting = meeting_log(
        sponsorship=sponsorship, side=Side.LAUREATE, date=datetime.date(2026, 9, 1), mode="phone"
    )

    page = sponsor_client.get(
        reverse("sponsor:sponsorship", args=[sponsorship.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Confirm the meeting of" in page.content.decode()
    sponsor_client.post(reverse("sponsor:meeting_confirm", args=[meeting.pk]))
    first = SponsorMeeting.objects.get().confirmed_at
    sponsor_client.post(reverse("sponsor:meeting_confirm", args=[meeting.pk]))

    assert first is not None and SponsorMeeting.objects.get().confirmed_at == first


def test_the_side_that_logged_a_meeting_cannot_confirm_it(sponsorship):
    meeting = meeting_log(
        sponsorship=sponsorship, side=Side.SPONSOR, date=datetime.date(2026, 9, 1), mode="phone"
    )
    with pytest.raises(ValidationError):
        meeting_confirm(meeting=meeting, side=Side.SPONSOR)


def test_a_meeting_in_the_future_is_refused_and_the_form_keeps_every_answer(
    sponsor_client, sponsorship
):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = sponsor_client.post(
        reverse("sponsor:meeting_new", args=[sponsorship.pk]),
        {"date": tomorrow.isoformat(), "mode": "in_person", "topics": ["project"], "note": "Café"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "A meeting cannot be logged before it happens." in content
    assert re.search(r'value="project"[^>]*checked', content)
    assert re.search(r'value="in_person"[^>]*checked', content)
    assert "Café" in content and tomorrow.isoformat() in content
    assert not SponsorMeeting.objects.exists()


def test_a_sponsor_cannot_confirm_a_meeting_of_another_sponsorship(sponsor_client, other_laureate):
    other = SponsorshipFactory(laureate=other_laureate)
    meeting = meeting_log(
        sponsorship=other, side=Side.LAUREATE, date=datetime.date(2026, 9, 1), mode="phone"
    )

    response = sponsor_client.post(reverse("sponsor:meeting_confirm", args=[meeting.pk]))

    assert response.status_code == 404
    meeting.refresh_from_db()
    assert not meeting.is_confirmed


# Nudges ------------------------------------------------------------------------------------------


def _nudges():
    return OutboxEmail.objects.filter(kind="sponsor_nudge")


def test_after_60_days_without_a_meeting_both_sides_are_nudged_once(sponsorship):
    meeting_log(
        sponsorship=sponsorship,
        side=Side.LAUREATE,
        date=datetime.date(2026, 9, 1),
        mode="phone",
        today=TODAY,
    )

    assert sponsor_nudges_send(today=datetime.date(2026, 10, 30)) == 0
    assert sponsor_nudges_send(today=datetime.date(2026, 10, 31)) == 2
    assert sponsor_nudges_send(today=datetime.date(2026, 11, 15)) == 0

    recipients = set(_nudges().values_list("to", flat=True))
    assert recipients == {sponsorship.laureate.user.email, sponsorship.sponsor.email}


def test_a_new_meeting_starts_a_new_gap_that_is_nudged_again(sponsorship):
    meeting_log(
        sponsorship=sponsorship, side=Side.SPONSOR, date=datetime.date(2026, 5, 1), mode="phone"
    )
    sponsor_nudges_send(today=datetime.date(2026, 7, 1))
    meeting_log(
        sponsorship=sponsorship, side=Side.SPONSOR, date=datetime.date(2026, 7, 2), mode="phone"
    )

    assert sponsor_nudges_send(today=datetime.date(2026, 9, 1)) == 2
    assert _nudges().count() == 4


def test_no_nudge_on_a_quiet_day_nor_for_an_ended_sponsorship(sponsorship, other_laureate):
    ended = SponsorshipFactory(laureate=other_laureate, started_on=datetime.date(2025, 1, 1))
    sponsorship_end(sponsorship=ended, reason=EndReason.NO_TIME, on=datetime.date(2025, 6, 1))
    QuietPeriod.objects.create(
        name="Vacances", starts_on=datetime.date(2026, 12, 20), ends_on=datetime.date(2027, 1, 3)
    )

    assert send_sponsor_nudges(day="2026-12-24") == 0
    assert send_sponsor_nudges(day="2027-01-04") == 2
    assert not _nudges().filter(to=ended.sponsor.email).exists()


def test_nudges_cost_the_same_queries_whatever_the_number_of_sponsorships(
    db, django_assert_max_num_queries
):
    def run(n: int, day: datetime.date) -> None:
        for _ in range(n):
            sponsor = SponsorFactory()
            sponsor_account_give(sponsor=sponsor)
            SponsorshipFactory(sponsor=sponsor, started_on=datetime.date(2026, 1, 1))
        with django_assert_max_num_queries(9):
            sponsor_nudges_send(today=day)

    run(3, datetime.date(2026, 6, 1))
    run(30, datetime.date(2026, 6, 2))
    assert _nudges().count() == 66


# End, fit, figures -------------------------------------------------------------------------------


def test_ending_a_sponsorship_in_the_console_asks_for_a_reason(referent_client, sponsorship):
    url = reverse("admin:laureates_sponsorship_change", args=[sponsorship.pk])
    data = {
        "laureate": sponsorship.laureate.pk,
        "sponsor": sponsorship.sponsor.pk,
        "started_on": "15/01/2026",
        "ended_on": "30/11/2026",
        "end_reason": "",
    }

    refused = referent_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200
    assert "Say why the sponsorship ends." in refused.content.decode()
    sponsorship.refresh_from_db()
    assert sponsorship.ended_on is None

    referent_client.post(url, {**data, "end_reason": EndReason.MOVED})
    sponsorship.refresh_from_db()
    assert sponsorship.ended_on == datetime.date(2026, 11, 30)
    assert sponsorship.end_reason == EndReason.MOVED


def test_an_old_ended_sponsorship_without_a_reason_still_saves(sponsorship):
    Sponsorship.objects.filter(pk=sponsorship.pk).update(ended_on=datetime.date(2026, 3, 1))
    old = Sponsorship.objects.get(pk=sponsorship.pk)
    old.full_clean()  # no reason was asked when it ended


def test_the_fit_question_is_asked_once_a_year_to_each_side(sponsorship):
    day = datetime.date(2026, 6, 1)
    assert fit_due(sponsorship=sponsorship, side=Side.SPONSOR, today=day)

    fit_answer(sponsorship=sponsorship, side=Side.SPONSOR, score=4, comment="Bien", today=day)

    assert not fit_due(sponsorship=sponsorship, side=Side.SPONSOR, today=day)
    assert fit_due(sponsorship=sponsorship, side=Side.LAUREATE, today=day)
    with pytest.raises(ValidationError):
        fit_answer(sponsorship=sponsorship, side=Side.SPONSOR, score=2, today=day)
    assert fit_due(sponsorship=sponsorship, side=Side.SPONSOR, today=datetime.date(2027, 1, 2))


def test_the_laureate_answers_the_fit_question_on_their_page_and_never_sees_the_sponsors(
    client, sponsorship
):
    fit_answer(sponsorship=sponsorship, side=Side.SPONSOR, score=1, comment="Aucun contact")
    client.force_login(sponsorship.laureate.user)

    page = client.get(reverse("laureates:sponsor")).content.decode()
    client.post(reverse("laureates:sponsor_fit"), {"score": "5", "comment": ""})

    assert "Aucun contact" not in page
    assert SponsorshipFit.objects.get(side=Side.LAUREATE).score == 5


def test_the_per_company_figures_cost_the_same_queries_at_any_size(
    referent_client, django_assert_max_num_queries
):
    def add(n: int) -> None:
        company = CompanyFactory()
        for _ in range(n):
            sponsorship = SponsorshipFactory(sponsor__company=company)
            meeting_log(
                sponsorship=sponsorship,
                side=Side.SPONSOR,
                date=timezone.localdate() - datetime.timedelta(days=3),
                mode="phone",
            )

    url = reverse("admin:laureates_sponsor_figures")
    add(2)
    with django_assert_max_num_queries(12):
        small = referent_client.get(url)
    add(20)
    with django_assert_max_num_queries(12):
        large = referent_client.get(url)

    assert small.status_code == large.status_code == 200
    rows = {row["name"]: row for row in company_sponsor_figures()["rows"]}
    assert sorted(row["active_sponsors"] for row in rows.values()) == [2, 20]
    assert sum(cell["meetings"] for row in rows.values() for cell in row["quarters"]) == 22


# Import ------------------------------------------------------------------------------------------


def _import(text: str):
    dataset = CSV().create_dataset(text.encode("utf-8"))
    return SponsorshipResource().import_data(dataset, dry_run=False, raise_errors=False)


def test_the_sponsorship_history_imports_from_an_excel_france_csv(laureate, other_laureate):
    sponsor = SponsorFactory(email="paul@example.com")
    text = (
        "E-mail du lauréat;E-mail du parrain;Entreprise;Début;Fin;Motif de fin\r\n"
        f"{laureate.user.email};paul@example.com;{sponsor.company.name};01/09/2024;"
        "30/06/2025;diplômé\r\n"
        f"{other_laureate.user.email};PAUL@example.com;;01/09/2025;;\r\n"
    )

    result = _import(text)

    assert not result.has_errors() and not result.has_validation_errors()
    ended = Sponsorship.objects.get(laureate=laureate)
    assert ended.end_reason == EndReason.GRADUATED
    assert Sponsorship.objects.get(laureate=other_laureate).is_current


def test_the_sponsorship_import_is_all_or_nothing_and_names_the_row(laureate, other_laureate):
    SponsorFactory(email="paul@example.com")
    text = (
        "E-mail du lauréat;E-mail du parrain;Début;Fin;Motif de fin\r\n"
        f"{laureate.user.email};paul@example.com;01/09/2024;;\r\n"
        f"{other_laureate.user.email};paul@example.com;01/09/2024;30/06/2025;\r\n"
        "inconnu@example.org;paul@example.com;01/09/2024;;\r\n"
    )

    result = _import(text)

    assert not Sponsorship.objects.exists()
    errors = " ".join(import_errors(result))
    assert "Ligne 3" in errors and "Motif de fin" in errors
    assert "Ligne 4" in errors and "inconnu@example.org" in errors


def test_staff_export_the_sponsorships_with_the_company_and_the_reason(
    referent_client, sponsorship
):
    sponsorship_end(sponsorship=sponsorship, reason=EndReason.MISMATCH, on=TODAY)

    response = referent_client.post(
        reverse("admin:laureates_sponsorship_export"),
        {
            "format": "0",
            "resource": "0",
            **{
                f"sponsorshipresource_{k}": "on"
                for k in ("laureate", "sponsor", "company", "started_on", "ended_on", "end_reason")
            },
        },
    )

    content = response.content.decode("utf-8-sig")
    assert sponsorship.sponsor.company.name in content
    assert "Motif de fin" in content and "30/11/2026" in content


# Console -----------------------------------------------------------------------------------------


def test_staff_give_a_sponsor_access_and_the_sponsor_is_emailed(referent_client):
    sponsor = SponsorFactory(email="nouvelle@example.com")

    referent_client.post(
        reverse("admin:laureates_sponsor_changelist"),
        {"action": "give_access", "_selected_action": [sponsor.pk]},
    )

    sponsor.refresh_from_db()
    assert sponsor.user is not None and roles.is_sponsor(sponsor.user)
    assert not sponsor.user.has_usable_password()
    assert OutboxEmail.objects.filter(kind="sponsor_welcome", to="nouvelle@example.com").exists()


def test_a_staff_account_with_the_sponsors_address_is_not_given_access(referent_client):
    staff = RoleStaffFactory(role=roles.REFERENT, email="double@example.com")
    sponsor = SponsorFactory(email="double@example.com")

    response = referent_client.post(
        reverse("admin:laureates_sponsor_changelist"),
        {"action": "give_access", "_selected_action": [sponsor.pk]},
        follow=True,
    )

    sponsor.refresh_from_db()
    assert sponsor.user is None
    assert staff.email in " ".join(str(m) for m in response.context["messages"])


def test_demo_gives_the_demo_laureate_a_sponsor_who_signs_in(db, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=__import__("io").StringIO())
    user = UserFactory._meta.model.objects.get(email="sponsor@example.org")
    laureate = Laureate.objects.get(user__email="laureate@example.org")

    assert roles.is_sponsor(user)
    assert laureate.current_sponsorship.sponsor.user == user
    assert laureate.current_sponsorship.meetings.filter(
        logged_by=Side.LAUREATE, confirmed_at__isnull=True
    ).exists()


# « Mes données » ---------------------------------------------------------------------------------


def test_my_data_holds_the_meetings_and_erasure_empties_their_notes(sponsorship):
    from emergence.personal_data import person_anonymise, personal_data_export

    laureate = sponsorship.laureate
    Laureate.objects.filter(pk=laureate.pk).update(project_for_sponsor="Devenir sage-femme")
    meeting_log(
        sponsorship=sponsorship,
        side=Side.SPONSOR,
        date=datetime.date(2026, 9, 1),
        mode="phone",
        note="Révisions du partiel",
        private_note="Inquiète pour son logement",
    )
    fit_answer(sponsorship=sponsorship, side=Side.SPONSOR, score=3, comment="Peu disponible")

    laureate_data = str(personal_data_export(user=laureate.user))
    sponsor_data = str(personal_data_export(user=sponsorship.sponsor.user))
    assert "Devenir sage-femme" in laureate_data and "Révisions du partiel" in laureate_data
    assert "Inquiète pour son logement" not in laureate_data + sponsor_data
    assert "Peu disponible" in sponsor_data and "Peu disponible" not in laureate_data

    person_anonymise(user=sponsorship.sponsor.user)

    meeting = SponsorMeeting.objects.get()
    assert meeting.note == meeting.private_note == ""
    assert SponsorshipFit.objects.get().comment == ""
    sponsorship.sponsor.refresh_from_db()
    assert "claire" not in sponsorship.sponsor.email
