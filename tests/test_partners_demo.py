"""The demo programme holds what the partner pages need: laureates who share their profile,
introductions in every state (one waiting for laureate@example.org's answer), placements, a
co-opter with referrals; seeding twice changes nothing."""

import pytest
from django.core.management import call_command

from laureates.demo import LAUREATE_EMAIL, PARTNER_EMAIL
from laureates.models import Laureate, PartnerConsent, Placement, Search
from partners.models import CoOpter, Introduction, IntroductionStatus, Referral

pytestmark = pytest.mark.django_db

MODELS = [PartnerConsent, Search, Placement, Introduction, CoOpter, Referral]


def snapshot() -> dict:
    # A search's "updated at" is when the seed last wrote it: the rest must not change.
    return {
        model.__name__: [
            {key: value for key, value in row.items() if key != "updated_at"}
            for row in model.objects.order_by("pk").values()
        ]
        for model in MODELS
    }


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)


def test_the_demo_partner_sees_laureates_and_their_companys_requests(demo, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(email=PARTNER_EMAIL))
    assert len(client.get("/partners/").context["page"].object_list) >= 8
    assert Laureate.objects.visible_to_partners().count() >= 8
    statuses = set(Introduction.objects.values_list("status", flat=True))
    assert statuses == {
        IntroductionStatus.PENDING,
        IntroductionStatus.FORWARDED,
        IntroductionStatus.ACCEPTED,
        IntroductionStatus.DECLINED,
        IntroductionStatus.EXPIRED,
    }
    html = client.get("/partners/introductions/").content.decode()
    assert "Stage data, équipe Lille" in html
    assert Placement.objects.filter(company__name="Conseil Horizon").exists()
    assert Referral.objects.filter(status="hired", pledged_to_programme=True).exists()


def test_seeding_the_partner_demo_twice_leaves_the_same_rows(demo):
    first = snapshot()
    call_command("seed_demo", stdout=None)
    assert snapshot() == first


def test_the_demo_laureate_has_a_request_waiting_for_their_answer(demo, client):
    from django.contrib.auth import get_user_model

    waiting = Introduction.objects.get(status=IntroductionStatus.FORWARDED)
    assert waiting.laureate.user.email == LAUREATE_EMAIL
    assert waiting.decided_by.email == "partnerships@example.org"
    assert Laureate.objects.visible_to_partners().filter(pk=waiting.laureate_id).exists()
    client.force_login(get_user_model().objects.get(email=LAUREATE_EMAIL))
    assert f"/me/introductions/{waiting.pk}/" in client.get("/me/").content.decode()
    assert 'value="accept"' in client.get("/me/introductions/").content.decode()
