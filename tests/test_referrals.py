"""Co-optation: laureates in work register as co-opters, record and follow their referrals;
the bonus stays between 500 and 1,000 €; staff see totals per year."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from laureates.models import Situation
from partners.donations import donation_confirm
from partners.models import CoOpter, Referral, ReferralStatus
from partners.services import coopter_register, referral_update
from tests.factories import LaureateFactory
from tests.partner_factories import CoOpterFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def working(laureate):
    laureate.situation = Situation.IN_WORK
    laureate.save()
    return laureate


def test_a_laureate_in_work_registers_as_a_co_opter(laureate_client, working):
    response = laureate_client.post(
        "/partners/cooptation/", {"register": "1", "register-platforms": "Keycoopt"}
    )
    assert response.status_code == 302
    assert CoOpter.objects.get().laureate == working


def test_a_student_cannot_register_as_a_co_opter(laureate_client, laureate):
    html = laureate_client.get("/partners/cooptation/", HTTP_ACCEPT_LANGUAGE="en").content
    assert b"open to laureates in work" in html
    laureate_client.post("/partners/cooptation/", {"register": "1", "register-platforms": ""})
    assert not CoOpter.objects.exists()
    with pytest.raises(ValidationError):
        coopter_register(laureate=laureate)


def test_my_page_links_to_my_referrals_only_when_i_am_in_work(laureate_client, laureate):
    assert b"/partners/cooptation/" not in laureate_client.get("/me/").content
    laureate.situation = Situation.IN_WORK
    laureate.save()
    assert b"/partners/cooptation/" in laureate_client.get("/me/").content


def test_a_co_opter_records_a_referral_and_sees_it(laureate_client, working):
    coopter_register(laureate=working)
    response = laureate_client.post(
        "/partners/cooptation/",
        {
            "referral": "1",
            "referral-candidate_name": "Camille Durand",
            "referral-company": "Cabinet Lumière",
            "referral-job_title": "Analyste financier",
            "referral-platform": "Keycoopt",
            "referral-platform_reference": "KC-2026-118",
            "referral-referred_on": "2026-03-02",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.REFERRED
    html = laureate_client.get("/partners/cooptation/").content.decode()
    assert "Camille Durand" in html and "KC-2026-118" in html


def test_a_laureate_sees_only_their_own_referrals(laureate_client, working):
    coopter_register(laureate=working)
    ReferralFactory(candidate_name="Quelqu'un d'autre")
    html = laureate_client.get("/partners/cooptation/").content.decode()
    assert "Quelqu’un d’autre" not in html


def test_another_laureates_referral_gives_404(laureate_client, working):
    coopter_register(laureate=working)
    other = ReferralFactory()
    assert laureate_client.get(f"/partners/cooptation/referrals/{other.pk}/").status_code == 404


def test_a_co_opter_moves_a_referral_on_and_pledges_the_bonus(laureate_client, working):
    referral = ReferralFactory(coopter=coopter_register(laureate=working))
    url = f"/partners/cooptation/referrals/{referral.pk}/"
    laureate_client.post(url, {"status": "interviewing"})
    response = laureate_client.post(
        url, {"status": "hired", "bonus": "800", "pledged_to_programme": "on"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.bonus, referral.pledged_to_programme) == ("hired", 800, True)


def test_a_referral_cannot_go_back_from_hired(laureate_client, working):
    referral = ReferralFactory(
        coopter=coopter_register(laureate=working), status=ReferralStatus.HIRED
    )
    response = laureate_client.post(
        f"/partners/cooptation/referrals/{referral.pk}/",
        {"status": "referred"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "cannot go from" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.HIRED


@pytest.mark.parametrize("bonus", [499, 1001])
def test_the_database_keeps_the_bonus_between_500_and_1000(bonus):
    with pytest.raises(IntegrityError):
        ReferralFactory(bonus=bonus)


def test_a_bonus_out_of_range_is_explained(working):
    referral = ReferralFactory(coopter=coopter_register(laureate=working))
    with pytest.raises(ValidationError, match="500"):
        referral_update(referral=referral, status="hired", bonus=1500)


def test_a_donation_declared_before_confirmations_still_needs_a_pledge():
    with pytest.raises(IntegrityError):
        ReferralFactory(donation_received_on=datetime.date(2026, 5, 1))


def test_a_referral_names_its_candidate():
    with pytest.raises(IntegrityError):
        ReferralFactory(candidate_name="", candidate_laureate=None)


def test_a_laureate_can_be_the_candidate():
    candidate = LaureateFactory()
    referral = ReferralFactory(candidate_name="", candidate_laureate=candidate)
    assert referral.candidate == str(candidate)


def test_staff_see_totals_per_year(partnerships_client, partnerships_staff):
    coopter = CoOpterFactory()
    ReferralFactory(coopter=coopter, referred_on=datetime.date(2025, 4, 1))
    confirmed = ReferralFactory(
        coopter=coopter,
        referred_on=datetime.date(2026, 2, 1),
        status=ReferralStatus.HIRED,
        bonus=1000,
        pledged_to_programme=True,
    )
    # Only what staff confirmed received counts as a donation.
    donation_confirm(
        referral=confirmed,
        by=partnerships_staff,
        amount=Decimal(1000),
        received_on=datetime.date(2026, 6, 1),
        donor_name="Awa Diallo",
        donor_address="3 rue Haute",
        donor_postcode="69001",
        donor_city="Lyon",
        today=datetime.date(2026, 6, 3),
    )
    ReferralFactory(
        coopter=coopter,
        referred_on=datetime.date(2026, 3, 1),
        status=ReferralStatus.HIRED,
        bonus=500,
        pledged_to_programme=True,
    )
    response = partnerships_client.get("/admin/partners/referral/")
    assert response.status_code == 200
    assert response.context_data["yearly_totals"] == [
        {"year": 2026, "count": 2, "hired": 2, "pledged": 1500, "received": 1000},
        {"year": 2025, "count": 1, "hired": 0, "pledged": 0, "received": 0},
    ]
    assert 'id="yearly-totals"' in response.content.decode()


def test_referral_admin_costs_the_same_queries_at_two_sizes(
    partnerships_client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ReferralFactory()
    with CaptureQueriesContext(connection) as small:
        partnerships_client.get("/admin/partners/referral/")
    for year in range(2015, 2027):
        ReferralFactory(referred_on=datetime.date(year, 1, 1), coopter=CoOpterFactory())
    with django_assert_max_num_queries(len(small)):
        partnerships_client.get("/admin/partners/referral/")


def test_staff_cannot_move_a_referral_backwards_in_the_admin(partnerships_client):
    referral = ReferralFactory(status=ReferralStatus.NOT_RETAINED)
    data = {
        "coopter": referral.coopter_id,
        "candidate_name": referral.candidate_name,
        "company": referral.company,
        "job_title": referral.job_title,
        "platform": referral.platform,
        "referred_on": "2026-03-01",
        "status": "interviewing",
    }
    response = partnerships_client.post(f"/admin/partners/referral/{referral.pk}/change/", data)
    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NOT_RETAINED


def test_a_bonus_out_of_range_on_the_update_page_shows_its_error_once_on_the_field(
    laureate_client, working
):
    referral = ReferralFactory(coopter=coopter_register(laureate=working))
    response = laureate_client.post(
        f"/partners/cooptation/referrals/{referral.pk}/",
        {"status": "hired", "bonus": "1500"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("The bonus is between 500 and 1,000") == 1
    bonus_input = re.search(r'<input[^>]*name="bonus"[^>]*>', html).group(0)
    assert "is-invalid" in bonus_input
    assert 'aria-invalid="true"' in bonus_input
    referral.refresh_from_db()
    assert referral.bonus is None


def test_the_referrals_are_cards_with_status_bonus_and_update_link(laureate_client, working):
    ReferralFactory(
        coopter=coopter_register(laureate=working),
        candidate_name="Camille Durand",
        status=ReferralStatus.HIRED,
        bonus=800,
    )
    html = laureate_client.get("/partners/cooptation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<table" not in html
    card = html[html.index('class="card h-100 referral"') :]
    assert "<dt>Status</dt>" in card and "<dt>Bonus</dt>" in card
    assert "800&nbsp;€" in card
    assert 'href="/partners/cooptation/referrals/' in card
