"""Introductions: a partner member asks; the programme team declines or passes the request on
to the laureate, who accepts or declines on their own pages; only their yes sends each side
the other's contact, and no answer in 14 days expires the request. A company sees its own
requests only; a laureate only the requests about them."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from emergence.models import OutboxEmail
from laureates.models import SearchKind, consent_withdraw
from partners.models import (
    INTRODUCTION_ANSWER_DAYS,
    Introduction,
    IntroductionClosedReason,
    IntroductionStatus,
)
from partners.services import (
    introduction_answer,
    introduction_decline,
    introduction_forward,
    introduction_request,
)
from partners.tasks import expire_introductions
from tests.factories import CompanyFactory, PartnerMembershipFactory, UserFactory
from tests.partner_factories import IntroductionFactory, shared
from tests.test_pages import PageAudit

pytestmark = pytest.mark.django_db

REQUEST = {
    "kind": SearchKind.INTERNSHIP,
    "title": "Stage de quatre mois, bureau de Lille",
    "starts_on": "2026-09-01",
    "ends_on": "2026-12-31",
    "place": "Lille",
    "message": "Notre équipe conseil recherche une stagiaire.",
}
PHONE = "06 11 22 33 44"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def followed(laureate, referent):
    """The laureate, followed by the referent, with a phone, sharing their profile."""
    laureate.referent = referent
    laureate.phone = PHONE
    laureate.save()
    shared(laureate)
    return laureate


@pytest.fixture
def job_title(partner_member):
    partner_member.job_title = "Responsable RSE"
    partner_member.save()
    return partner_member.job_title


@pytest.fixture
def waiting(partner_member, followed, partnerships_staff):
    """A request the programme team passed on to the laureate: waiting for their answer."""
    introduction = IntroductionFactory(membership=partner_member, laureate=followed)
    return introduction_forward(introduction=introduction, by=partnerships_staff)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def laureate_client_for(laureate) -> Client:
    return client_for(laureate.user)


def outbox() -> dict[str, str]:
    """Every e-mail written so far, sent or not: recipient -> subject, text and HTML."""
    return {
        email.to: f"{email.subject}\n{email.text}\n{email.html}"
        for email in OutboxEmail.objects.order_by("pk")
    }


def ask(client, laureate, headers=None, **changes):
    return client.post(
        f"/partners/laureates/{laureate.pk}/",
        {**REQUEST, **changes},
        headers=headers,
    )


def answer(client, introduction, decision, message="", **extra):
    return client.post(
        f"/me/introductions/{introduction.pk}/answer/",
        {"decision": decision, "message": message},
        **extra,
    )


# A partner asks; the programme team is told


def test_a_partner_asks_for_an_introduction_and_the_referent_is_told(
    partner_client, partner_member, followed, referent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(partner_client, followed)
    assert response.status_code == 302
    assert response.url == "/partners/introductions/"
    introduction = Introduction.objects.get()
    assert (introduction.company, introduction.requested_by) == (
        partner_member.company,
        partner_member.user,
    )
    assert introduction.status == IntroductionStatus.PENDING
    assert [message.to for message in mail.outbox] == [[referent.email]]
    assert "Stage de quatre mois" in mail.outbox[0].body
    assert f"/admin/partners/introduction/{introduction.pk}/change/" in mail.outbox[0].body


def test_without_a_referent_everyone_who_handles_introductions_is_told(
    partner_client, laureate, partnerships_staff, lead, workshops_staff
):
    shared(laureate)
    ask(partner_client, laureate)
    assert set(outbox()) == {partnerships_staff.email, lead.email}


def test_an_invalid_request_keeps_what_was_typed(partner_client, followed):
    response = ask(partner_client, followed, title="", ends_on="2026-08-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Notre équipe conseil recherche une stagiaire." in html
    assert "error-summary" in html
    assert not Introduction.objects.exists()


def test_after_an_invalid_request_each_error_shows_once(partner_client, followed):
    response = ask(partner_client, followed, title="", ends_on="2026-08-01")
    html = response.content.decode()
    errors = [escape(e) for messages in response.context["form"].errors.values() for e in messages]
    assert len(errors) >= 2
    for error in errors:
        assert html.count(error) == 1, error


def test_a_refused_request_shows_its_reason_once(partner_client, partner_member, followed):
    ask(partner_client, followed)
    response = ask(partner_client, followed, title="Autre stage")
    [error] = response.context["form"].non_field_errors()
    assert response.content.decode().count(escape(error)) == 1


def test_the_page_of_an_invalid_request_answers_a_reload(partner_client, followed):
    url = f"/partners/laureates/{followed.pk}/"
    response = ask(partner_client, followed, title="")
    assert f'action="{url}"' in response.content.decode()
    assert partner_client.get(url).status_code == 200


def test_the_forms_former_address_still_takes_a_request_and_opens_the_page(
    partner_client, followed
):
    old = f"/partners/laureates/{followed.pk}/introduction/"
    response = partner_client.get(old)
    assert (response.status_code, response.url) == (302, f"/partners/laureates/{followed.pk}/")
    assert partner_client.post(old, REQUEST).status_code == 302
    assert Introduction.objects.count() == 1


def test_a_second_open_request_for_the_same_laureate_is_refused(
    partner_client, partner_member, followed, partnerships_staff
):
    ask(partner_client, followed)
    assert ask(partner_client, followed, title="Autre stage").status_code == 200
    introduction_forward(introduction=Introduction.objects.get(), by=partnerships_staff)
    response = ask(
        partner_client, followed, title="Encore un autre stage", headers={"accept-language": "en"}
    )
    assert "already has an open request" in response.content.decode()
    assert Introduction.objects.count() == 1


def test_a_company_may_ask_again_once_the_first_request_is_closed(
    partner_client, partner_member, followed
):
    IntroductionFactory(
        membership=partner_member, laureate=followed, status=IntroductionStatus.EXPIRED
    )
    assert ask(partner_client, followed).status_code == 302
    assert Introduction.objects.count() == 2


def test_no_introduction_for_a_laureate_who_does_not_share(partner_client, other_laureate):
    assert ask(partner_client, other_laureate).status_code == 404
    assert not Introduction.objects.exists()


def test_a_request_for_a_laureate_who_does_not_share_is_refused(partner_member, other_laureate):
    with pytest.raises(ValidationError):
        introduction_request(
            membership=partner_member,
            laureate=other_laureate,
            message="Bonjour",
            kind=SearchKind.JOB,
            title="Poste",
        )


# The programme team passes it on or declines it


def test_staff_pass_a_request_on_and_the_laureate_is_told_without_any_contact(
    partnerships_client, partnerships_staff, partner_member, followed
):
    introduction = IntroductionFactory(membership=partner_member, laureate=followed)
    response = partnerships_client.post(
        "/admin/partners/introduction/",
        {"action": "forward", "_selected_action": [introduction.pk]},
        follow=True,
    )
    assert response.status_code == 200
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.FORWARDED
    assert introduction.decided_by == partnerships_staff
    assert introduction.forwarded_at is not None
    sent = outbox()
    assert set(sent) == {followed.user.email}
    told = sent[followed.user.email]
    assert partner_member.company.name in told and "Stage de quatre mois" in told
    assert f"/me/introductions/{introduction.pk}/" in told
    assert partner_member.user.email not in told


def test_staff_pass_a_request_on_with_the_button_of_its_page(
    partnerships_client, partner_member, followed
):
    introduction = IntroductionFactory(membership=partner_member, laureate=followed)
    url = f"/admin/partners/introduction/{introduction.pk}/change/"
    page = partnerships_client.get(url).content.decode()
    assert 'name="_forward"' in page and 'name="_decline"' in page
    response = partnerships_client.post(url, {"placement": "", "_forward": "1"})
    assert response.status_code == 302
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.FORWARDED
    assert 'name="_forward"' not in partnerships_client.get(url).content.decode()


def test_staff_decline_tells_the_company_politely_and_the_laureate_nothing(
    partnerships_client, partner_member, followed, django_capture_on_commit_callbacks
):
    introduction = IntroductionFactory(membership=partner_member, laureate=followed)
    with django_capture_on_commit_callbacks(execute=True):
        partnerships_client.post(
            "/admin/partners/introduction/",
            {"action": "decline", "_selected_action": [introduction.pk]},
        )
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.DECLINED
    assert [m.to for m in mail.outbox] == [[partner_member.user.email]]
    assert followed.user.email not in mail.outbox[0].body
    assert PHONE not in mail.outbox[0].body
    detail = laureate_client_for(followed).get(f"/me/introductions/{introduction.pk}/")
    assert detail.status_code == 404


def test_staff_who_may_only_read_introductions_are_not_offered_the_decisions(
    client, partner_member, followed
):
    reader = UserFactory(is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_introduction"))
    client.force_login(reader)
    introduction = IntroductionFactory(membership=partner_member, laureate=followed)
    changelist = client.get("/admin/partners/introduction/").content.decode()
    assert 'value="forward"' not in changelist and 'value="decline"' not in changelist
    page = client.get(f"/admin/partners/introduction/{introduction.pk}/change/")
    assert page.status_code == 200
    assert 'name="_forward"' not in page.content.decode()
    client.post(
        "/admin/partners/introduction/",
        {"action": "forward", "_selected_action": [introduction.pk]},
    )
    forced = client.post(
        f"/admin/partners/introduction/{introduction.pk}/change/", {"_forward": "1"}
    )
    assert forced.status_code == 403
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.PENDING
    assert not OutboxEmail.objects.exists()


def test_a_request_cannot_be_passed_on_once_the_laureate_stopped_sharing(
    partnerships_client, partner_member, followed
):
    introduction = IntroductionFactory(membership=partner_member, laureate=followed)
    consent_withdraw(laureate=followed)
    response = partnerships_client.post(
        "/admin/partners/introduction/",
        {"action": "forward", "_selected_action": [introduction.pk]},
        follow=True,
        **EN,
    )
    assert "no longer shares their profile" in response.content.decode()
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.PENDING
    assert not OutboxEmail.objects.exists()


def test_two_staff_members_deciding_at_once_decide_once(
    partner_member, followed, partnerships_staff, referent
):
    introduction = IntroductionFactory(membership=partner_member, laureate=followed)
    introduction_forward(introduction=introduction, by=partnerships_staff)
    with pytest.raises(ValidationError):
        introduction_decline(introduction=introduction, by=referent)
    with pytest.raises(ValidationError):
        introduction_forward(introduction=introduction, by=referent)
    introduction.refresh_from_db()
    assert (introduction.status, introduction.decided_by) == (
        IntroductionStatus.FORWARDED,
        partnerships_staff,
    )
    assert OutboxEmail.objects.count() == 1


def test_staff_cannot_add_an_introduction_by_hand(partnerships_client):
    assert partnerships_client.get("/admin/partners/introduction/add/").status_code == 403


# The laureate sees the request and answers


def test_the_laureate_finds_the_request_on_their_page_and_reads_it(waiting, followed):
    client = laureate_client_for(followed)
    home = client.get("/me/", **EN).content.decode()
    assert "A company would like to meet you" in home
    assert f'href="/me/introductions/{waiting.pk}/"' in home
    page = client.get("/me/introductions/", **EN).content.decode()
    for text in (
        "Conseil &amp; Associés",
        "Stage de quatre mois",
        "Nous aimerions vous rencontrer.",
        "Lille",
        "Waiting for your answer",
        'value="accept"',
        'value="decline"',
    ):
        assert text in page
    detail = client.get(f"/me/introductions/{waiting.pk}/", **EN).content.decode()
    assert "Stage de quatre mois" in detail and 'value="accept"' in detail


def test_the_laureates_card_reads_in_french(waiting, followed):
    home = laureate_client_for(followed).get("/me/").content.decode()
    assert "Une entreprise aimerait vous rencontrer" in home


def test_a_request_the_team_has_not_passed_on_stays_with_the_team(
    laureate_client, partner_member, followed
):
    introduction = IntroductionFactory(membership=partner_member, laureate=followed)
    assert laureate_client.get(f"/me/introductions/{introduction.pk}/").status_code == 404
    assert "Stage de quatre mois" not in laureate_client.get("/me/introductions/").content.decode()
    assert "introductions-panel" not in laureate_client.get("/me/").content.decode()


def test_no_contact_detail_leaves_before_the_laureate_accepts(
    partner_client, partner_member, job_title, followed, partnerships_staff
):
    ask(partner_client, followed)
    introduction = Introduction.objects.get()
    introduction_forward(introduction=introduction, by=partnerships_staff)
    for to, email in outbox().items():
        assert PHONE not in email
        assert partner_member.user.email not in email
        assert job_title not in email
        if to != followed.user.email:
            assert followed.user.email not in email
    assert partner_member.user.email not in outbox()

    answer(laureate_client_for(followed), introduction, "accept")
    sent = outbox()
    assert followed.user.email in sent[partner_member.user.email]
    assert PHONE in sent[partner_member.user.email]
    assert partner_member.user.email in sent[followed.user.email]


def test_the_laureates_yes_sends_each_side_the_others_contact(
    waiting, followed, partner_member, job_title, django_capture_on_commit_callbacks
):
    client = laureate_client_for(followed)
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(client, waiting, "accept", "Je suis disponible le mardi.", **EN)
    assert response.status_code == 302
    assert response.url == f"/me/introductions/{waiting.pk}/"
    waiting.refresh_from_db()
    assert waiting.status == IntroductionStatus.ACCEPTED
    assert waiting.answered_at is not None
    sent = {message.to[0]: message.body for message in mail.outbox}
    assert set(sent) >= {followed.user.email, partner_member.user.email}
    assert partner_member.user.email in sent[followed.user.email]
    assert job_title in sent[followed.user.email]
    assert followed.user.email in sent[partner_member.user.email]
    assert PHONE in sent[partner_member.user.email]
    assert "Je suis disponible le mardi." in sent[partner_member.user.email]
    page = client.get(response.url, **EN).content.decode()
    assert "received each other's contact details" in page


def test_the_laureates_no_tells_the_company_without_their_message(
    waiting, followed, partner_member
):
    answer(laureate_client_for(followed), waiting, "decline", "J'ai déjà trouvé un stage.")
    waiting.refresh_from_db()
    assert waiting.status == IntroductionStatus.DECLINED
    assert waiting.laureate_message == "J'ai déjà trouvé un stage."
    told = outbox()[partner_member.user.email]
    assert "Cette mise en relation n’aura pas lieu" in told
    assert "trouvé un stage" not in told
    assert followed.user.email not in told and PHONE not in told
    detail = client_for(partner_member.user).get(f"/partners/introductions/{waiting.pk}/")
    assert "trouvé un stage" not in detail.content.decode()


def close_because(change: str, partner_member, followed) -> None:
    if change == "company_inactive":
        partner_member.company.active = False
        partner_member.company.save()
    elif change == "requester_left":
        partner_member.company = CompanyFactory(name="Autre Entreprise")
        partner_member.save()
    else:
        consent_withdraw(laureate=followed)


@pytest.mark.parametrize(
    "change, explanation",
    [
        ("company_inactive", "is no longer a partner of the programme"),
        ("requester_left", "The person who asked no longer works at"),
        ("consent_withdrawn", "You no longer share your profile"),
    ],
)
def test_a_yes_sends_nothing_once_the_company_or_the_sharing_changed(
    change, explanation, waiting, followed, partner_member
):
    before = set(outbox())
    close_because(change, partner_member, followed)
    client = laureate_client_for(followed)
    response = answer(client, waiting, "accept", "Bonjour !", follow=True, **EN)
    html = response.content.decode()
    assert explanation in html
    assert "Your contact details were not sent" in html
    waiting.refresh_from_db()
    assert waiting.status == IntroductionStatus.CLOSED
    assert waiting.closed_reason == IntroductionClosedReason(change)
    for email in [email for to, email in outbox().items() if to not in before]:
        assert followed.user.email not in email and PHONE not in email
        assert "Bonjour !" not in email
    assert followed.user.email not in outbox().get(partner_member.user.email, "")


def test_another_laureate_gets_404_on_someone_elses_request(waiting, other_laureate):
    client = client_for(other_laureate.user)
    assert client.get(f"/me/introductions/{waiting.pk}/").status_code == 404
    assert answer(client, waiting, "accept").status_code == 404
    assert "Stage de quatre mois" not in client.get("/me/introductions/").content.decode()
    waiting.refresh_from_db()
    assert waiting.status == IntroductionStatus.FORWARDED


def test_a_partner_cannot_answer_for_the_laureate(waiting, partner_client):
    assert answer(partner_client, waiting, "accept").status_code == 403
    assert partner_client.get("/me/introductions/").status_code == 403


def test_an_answer_is_sent_by_post_only(waiting, followed):
    client = laureate_client_for(followed)
    assert client.get(f"/me/introductions/{waiting.pk}/answer/").status_code == 405


def test_an_answer_without_a_choice_keeps_the_message(waiting, followed):
    client = laureate_client_for(followed)
    response = client.post(
        f"/me/introductions/{waiting.pk}/answer/", {"message": "Mon message"}, **EN
    )
    assert response.status_code == 200
    assert "Choose to accept or to decline." in response.content.decode()
    assert "Mon message" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == IntroductionStatus.FORWARDED


def test_a_double_click_answers_once(waiting, followed, partner_member):
    client = laureate_client_for(followed)
    answer(client, waiting, "accept")
    second = answer(client, waiting, "decline", follow=True, **EN)
    assert "already answered" in second.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == IntroductionStatus.ACCEPTED
    assert OutboxEmail.objects.filter(key__startswith="introduction_accepted").count() == 2
    assert not OutboxEmail.objects.filter(key__startswith="introduction_declined").exists()
    with pytest.raises(ValidationError):
        introduction_answer(introduction=waiting, accept=True)


# No answer in 14 days


def test_a_request_unanswered_for_14_days_expires_and_the_company_is_told(
    partner_member, followed, partnerships_staff
):
    assert INTRODUCTION_ANSWER_DAYS == 14
    introduction = IntroductionFactory(membership=partner_member, laureate=followed)
    start = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        introduction_forward(introduction=introduction, by=partnerships_staff)
    with time_machine.travel(start + datetime.timedelta(days=13, hours=23), tick=False):
        assert expire_introductions() == 0
    assert partner_member.user.email not in outbox()
    with time_machine.travel(start + datetime.timedelta(days=14, hours=1), tick=False):
        assert expire_introductions() == 1
        assert expire_introductions() == 0  # a second run, the same day, changes nothing
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.EXPIRED
    assert introduction.answered_at is None
    told = outbox()[partner_member.user.email]
    assert "14" in told
    assert followed.user.email not in told and PHONE not in told
    assert OutboxEmail.objects.filter(to=partner_member.user.email).count() == 1


def test_an_expired_request_can_no_longer_be_accepted(waiting, followed, partner_member):
    with time_machine.travel(datetime.timedelta(days=15)):
        expire_introductions()
    response = answer(laureate_client_for(followed), waiting, "accept", follow=True, **EN)
    assert "already answered" in response.content.decode()
    assert "expired without an answer" in response.content.decode()
    assert not OutboxEmail.objects.filter(key__startswith="introduction_accepted").exists()


# What the partner sees


def test_the_partners_list_shows_each_state(partner_client, partner_member):
    for number, (status, by_laureate) in enumerate(
        [
            (IntroductionStatus.PENDING, False),
            (IntroductionStatus.FORWARDED, False),
            (IntroductionStatus.ACCEPTED, False),
            (IntroductionStatus.DECLINED, True),
            (IntroductionStatus.EXPIRED, False),
        ]
    ):
        IntroductionFactory(
            membership=partner_member,
            status=status,
            laureate_answered=by_laureate,
            title=f"Demande {number}",
        )
    html = partner_client.get("/partners/introductions/", **EN).content.decode()
    for label in (
        "Waiting for the programme team",
        "Waiting for the laureate",
        "Accepted",
        "Declined",
        "Expired",
    ):
        assert f">{label}</span>" in html, label


def test_a_partner_sees_the_status_of_their_companys_requests(partner_client, partner_member):
    colleague = PartnerMembershipFactory(company=partner_member.company)
    mine = IntroductionFactory(membership=colleague, title="Demande de ma collègue")
    other = IntroductionFactory(title="Demande d'une autre entreprise")
    html = partner_client.get("/partners/introductions/").content.decode()
    assert "Demande de ma collègue" in html
    assert "Demande d’une autre entreprise" not in html
    assert partner_client.get(f"/partners/introductions/{mine.pk}/").status_code == 200
    assert partner_client.get(f"/partners/introductions/{other.pk}/").status_code == 404


def test_a_member_of_company_a_never_sees_company_b_requests(client, laureate):
    shared(laureate)
    company_a, company_b = PartnerMembershipFactory(), PartnerMembershipFactory()
    request_b = IntroductionFactory(membership=company_b, laureate=laureate, title="Offre de B")
    client.force_login(company_a.user)
    assert client.get(f"/partners/introductions/{request_b.pk}/").status_code == 404
    assert "Offre de B" not in client.get("/partners/introductions/").content.decode()
    assert "Offre de B" not in client.get(f"/partners/laureates/{laureate.pk}/").content.decode()
    member_b = Client()
    member_b.force_login(company_b.user)
    assert member_b.get(f"/partners/introductions/{request_b.pk}/").status_code == 200


# The database keeps the states honest


def test_the_database_refuses_a_request_waiting_for_the_laureate_without_its_date(
    partner_member,
):
    with pytest.raises(IntegrityError), transaction.atomic():
        IntroductionFactory(
            membership=partner_member, status=IntroductionStatus.FORWARDED, forwarded_at=None
        )


def test_the_database_refuses_a_second_open_request_while_the_first_waits_for_the_laureate(
    partner_member, laureate
):
    IntroductionFactory(
        membership=partner_member, laureate=laureate, status=IntroductionStatus.FORWARDED
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Introduction.objects.bulk_create(
            [IntroductionFactory.build(membership=partner_member, laureate=laureate)]
        )


# Pages: the same cost at any size, and no inline script


def test_introduction_list_costs_the_same_queries_at_two_sizes(
    partner_client, partner_member, django_assert_max_num_queries
):
    IntroductionFactory(membership=partner_member)
    with CaptureQueriesContext(connection) as small:
        partner_client.get("/partners/introductions/")
    for _ in range(15):
        IntroductionFactory(
            membership=PartnerMembershipFactory(company=partner_member.company),
            status=IntroductionStatus.DECLINED,
        )
    with django_assert_max_num_queries(len(small)):
        assert partner_client.get("/partners/introductions/").status_code == 200


def test_the_laureates_requests_page_costs_the_same_queries_at_two_sizes(
    followed, partner_member, django_assert_max_num_queries
):
    client = laureate_client_for(followed)
    IntroductionFactory(
        membership=partner_member, laureate=followed, status=IntroductionStatus.FORWARDED
    )
    with CaptureQueriesContext(connection) as small:
        assert client.get("/me/introductions/").status_code == 200
    for status in [IntroductionStatus.ACCEPTED, IntroductionStatus.EXPIRED] * 6:
        IntroductionFactory(membership=PartnerMembershipFactory(), laureate=followed, status=status)
    with django_assert_max_num_queries(len(small)):
        assert client.get("/me/introductions/").status_code == 200
    assert len(small) <= 6


def test_my_page_shows_the_requests_card_for_one_more_query(
    followed, partner_member, django_assert_max_num_queries
):
    client = laureate_client_for(followed)
    for _ in range(8):
        IntroductionFactory(
            membership=PartnerMembershipFactory(),
            laureate=followed,
            status=IntroductionStatus.FORWARDED,
        )
    # /me/ without requests costs 9 (tests/test_pages.py); the card adds its one query.
    with django_assert_max_num_queries(10):
        html = client.get("/me/", **EN).content.decode()
    assert "Companies would like to meet you" in html
    assert "See all the requests" in html


@pytest.mark.parametrize("url", ["/me/", "/me/introductions/", "/me/introductions/{pk}/"])
def test_the_laureates_request_pages_have_no_inline_script_or_style(url, waiting, followed):
    response = laureate_client_for(followed).get(url.format(pk=waiting.pk))
    assert response.status_code == 200
    page = PageAudit(response.content.decode())
    assert all(script.get("src") for script in page.all("script"))
    assert page.script_bodies == []
    for tag, attrs in page.elements:
        assert "style" not in attrs, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
    assert len(page.all("h1")) == 1
    if url != "/me/":  # one form, two submit buttons
        buttons = [b for b in page.all("button") if b.get("name") == "decision"]
        assert [(b["type"], b["value"]) for b in buttons] == [
            ("submit", "accept"),
            ("submit", "decline"),
        ]
