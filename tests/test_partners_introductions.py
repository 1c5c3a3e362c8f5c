"""Introductions: a partner member asks, staff are told and decide in the admin, both sides
get each other's contact on acceptance; a company sees its own requests only."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from laureates.models import SearchKind, consent_withdraw
from partners.models import Introduction, IntroductionStatus
from partners.services import introduction_accept, introduction_decline, introduction_request
from tests.factories import PartnerMembershipFactory, StaffFactory
from tests.partner_factories import IntroductionFactory, shared

pytestmark = pytest.mark.django_db

REQUEST = {
    "kind": SearchKind.INTERNSHIP,
    "title": "Stage de quatre mois, bureau de Lille",
    "starts_on": "2026-09-01",
    "ends_on": "2026-12-31",
    "place": "Lille",
    "message": "Notre équipe conseil recherche une stagiaire.",
}


@pytest.fixture
def referent(laureate):
    referent = StaffFactory(email="sarah.referent@example.org", first_name="Sarah")
    laureate.referent = referent
    laureate.phone = "06 11 22 33 44"
    laureate.save()
    shared(laureate)
    return referent


def ask(client, laureate, **changes):
    return client.post(f"/partners/laureates/{laureate.pk}/introduction/", {**REQUEST, **changes})


def test_a_partner_asks_for_an_introduction_and_the_referent_is_told(
    partner_client, partner_member, laureate, referent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(partner_client, laureate)
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


def test_without_a_referent_every_staff_member_is_told(
    partner_client, laureate, django_capture_on_commit_callbacks
):
    shared(laureate)
    staff = [StaffFactory(), StaffFactory()]
    with django_capture_on_commit_callbacks(execute=True):
        ask(partner_client, laureate)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in staff)


def test_an_invalid_request_keeps_what_was_typed(partner_client, laureate, referent):
    response = ask(partner_client, laureate, title="", ends_on="2026-08-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Notre équipe conseil recherche une stagiaire." in html
    assert "error-summary" in html
    assert not Introduction.objects.exists()


def test_a_second_pending_request_for_the_same_laureate_is_refused(
    partner_client, laureate, referent
):
    ask(partner_client, laureate)
    response = ask(partner_client, laureate, title="Autre stage")
    assert response.status_code == 200
    assert Introduction.objects.count() == 1


def test_no_introduction_for_a_laureate_who_does_not_share(partner_client, other_laureate):
    assert ask(partner_client, other_laureate).status_code == 404
    assert not Introduction.objects.exists()


def test_accepting_sends_each_side_the_others_contact(
    partner_member, laureate, referent, django_capture_on_commit_callbacks
):
    partner_member.job_title = "Responsable RSE"
    partner_member.save()
    introduction = IntroductionFactory(membership=partner_member, laureate=laureate)
    with django_capture_on_commit_callbacks(execute=True):
        introduction_accept(introduction=introduction, by=referent)
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.ACCEPTED
    assert introduction.decided_by == referent
    sent = {message.to[0]: message.body for message in mail.outbox}
    assert set(sent) == {laureate.user.email, partner_member.user.email}
    assert partner_member.user.email in sent[laureate.user.email]
    assert "Responsable RSE" in sent[laureate.user.email]
    assert laureate.user.email in sent[partner_member.user.email]
    assert "06 11 22 33 44" in sent[partner_member.user.email]


def test_declining_tells_the_partner_without_any_contact(
    partner_member, laureate, referent, django_capture_on_commit_callbacks
):
    introduction = IntroductionFactory(membership=partner_member, laureate=laureate)
    with django_capture_on_commit_callbacks(execute=True):
        introduction_decline(introduction=introduction, by=referent)
    assert [m.to for m in mail.outbox] == [[partner_member.user.email]]
    assert laureate.user.email not in mail.outbox[0].body
    assert "06 11 22 33 44" not in mail.outbox[0].body


def test_a_request_is_decided_once(partner_member, laureate, referent):
    introduction = IntroductionFactory(membership=partner_member, laureate=laureate)
    introduction_accept(introduction=introduction, by=referent)
    with pytest.raises(ValidationError):
        introduction_decline(introduction=introduction, by=referent)
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.ACCEPTED


def test_no_contact_is_passed_on_once_the_laureate_withdrew_consent(
    partner_member, laureate, referent
):
    introduction = IntroductionFactory(membership=partner_member, laureate=laureate)
    consent_withdraw(laureate=laureate)
    with pytest.raises(ValidationError):
        introduction_accept(introduction=introduction, by=referent)
    assert not mail.outbox


def test_a_request_for_a_laureate_who_does_not_share_is_refused(partner_member, other_laureate):
    with pytest.raises(ValidationError):
        introduction_request(
            membership=partner_member,
            laureate=other_laureate,
            message="Bonjour",
            kind=SearchKind.JOB,
            title="Poste",
        )


# Staff decide in the admin


def test_staff_accept_requests_with_the_admin_action(
    staff_client, staff, partner_member, laureate, referent, django_capture_on_commit_callbacks
):
    introduction = IntroductionFactory(membership=partner_member, laureate=laureate)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/partners/introduction/",
            {"action": "accept", "_selected_action": [introduction.pk]},
            follow=True,
        )
    assert response.status_code == 200
    introduction.refresh_from_db()
    assert (introduction.status, introduction.decided_by) == (IntroductionStatus.ACCEPTED, staff)
    assert len(mail.outbox) == 2


def test_the_admin_action_reports_a_request_that_cannot_be_accepted(
    staff_client, partner_member, laureate, referent
):
    introduction = IntroductionFactory(membership=partner_member, laureate=laureate)
    consent_withdraw(laureate=laureate)
    response = staff_client.post(
        "/admin/partners/introduction/",
        {"action": "accept", "_selected_action": [introduction.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "no longer shares" in response.content.decode()
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.PENDING


def test_staff_cannot_add_an_introduction_by_hand(staff_client):
    assert staff_client.get("/admin/partners/introduction/add/").status_code == 403


# Each company sees its own requests


def test_a_partner_sees_the_status_of_their_companys_requests(partner_client, partner_member):
    colleague = PartnerMembershipFactory(company=partner_member.company)
    mine = IntroductionFactory(membership=colleague, title="Demande de ma collègue")
    other = IntroductionFactory(title="Demande d'une autre entreprise")
    html = partner_client.get("/partners/introductions/").content.decode()
    assert "Demande de ma collègue" in html
    assert "Demande d&#x27;une autre entreprise" not in html
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


def test_introduction_list_costs_the_same_queries_at_two_sizes(
    partner_client, partner_member, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    IntroductionFactory(membership=partner_member)
    with CaptureQueriesContext(connection) as small:
        partner_client.get("/partners/introductions/")
    for _ in range(15):
        IntroductionFactory(
            membership=PartnerMembershipFactory(company=partner_member.company),
            status=IntroductionStatus.DECLINED,
            decided_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
        )
    with django_assert_max_num_queries(len(small)):
        assert partner_client.get("/partners/introductions/").status_code == 200
