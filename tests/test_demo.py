import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from emergence import roles
from laureates.demo import (
    LAUREATE_EMAIL,
    LEAD_EMAIL,
    PARTNER_EMAIL,
    PARTNERSHIPS_EMAIL,
    PASSWORD,
    REFERENT_EMAIL,
    STAFF_EMAIL,
    WORKSHOPS_EMAIL,
)
from laureates.models import FollowUp, Laureate, Promotion, Sponsor, Sponsorship, Status, Track
from partners.models import Company, PartnerMembership

DEMO_MODELS = [
    get_user_model(),
    Promotion,
    Laureate,
    Sponsor,
    Sponsorship,
    FollowUp,
    Company,
    PartnerMembership,
]


def snapshot() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in DEMO_MODELS}


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


@pytest.mark.django_db
def test_seed_demo_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_data(debug_on):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first


@pytest.mark.django_db
def test_demo_is_a_believable_programme(debug_on):
    call_command("seed_demo")
    years = set(Promotion.objects.values_list("year", flat=True))
    assert years == set(range(2009, 2027))
    assert 50 <= Laureate.objects.count() <= 70
    assert set(Laureate.objects.values_list("track", flat=True)) >= {
        Track.MEDICINE,
        Track.PREPA,
        Track.ENGINEERING,
        Track.BUSINESS,
        Track.UNIVERSITY,
        Track.IUT_BTS,
    }
    assert set(Laureate.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Company.objects.values_list("name", flat=True)) == {
        "Conseil Horizon",
        "Banque Solidaire",
    }
    assert Sponsorship.objects.current().exists()
    assert Sponsorship.objects.filter(ended_on__isnull=False).exists()
    assert Laureate.objects.active().without_current_sponsor().exists()
    assert FollowUp.objects.exists()


@pytest.mark.django_db
def test_every_demo_login_lands_on_its_page(debug_on, client):
    call_command("seed_demo")
    for email, landing in [
        (STAFF_EMAIL, "/admin/"),
        (LEAD_EMAIL, "/admin/"),
        (REFERENT_EMAIL, "/admin/"),
        (WORKSHOPS_EMAIL, "/admin/"),
        (PARTNERSHIPS_EMAIL, "/admin/"),
        (LAUREATE_EMAIL, "/me/"),
        (PARTNER_EMAIL, "/partners/"),
    ]:
        assert client.login(username=email, password=PASSWORD), email
        assert client.get("/").url == landing
        assert client.get(landing).status_code == 200
        client.logout()


@pytest.mark.django_db
def test_demo_laureate_has_a_sponsor_and_a_referent(debug_on):
    call_command("seed_demo")
    laureate = Laureate.objects.get(user__email=LAUREATE_EMAIL)
    assert laureate.current_sponsorship is not None
    assert laureate.referent.email == REFERENT_EMAIL
    staff = get_user_model().objects.get(email=STAFF_EMAIL)
    assert staff.is_staff and staff.is_superuser
    assert PartnerMembership.objects.get(user__email=PARTNER_EMAIL).company.name == (
        "Conseil Horizon"
    )


@pytest.mark.django_db
def test_daily_work_in_the_demo_needs_no_superuser(debug_on):
    call_command("seed_demo")
    users = get_user_model().objects
    assert list(users.filter(is_superuser=True).values_list("email", flat=True)) == [STAFF_EMAIL]
    for email, role in [
        (LEAD_EMAIL, roles.LEAD),
        (REFERENT_EMAIL, roles.REFERENT),
        (WORKSHOPS_EMAIL, roles.WORKSHOPS),
        (PARTNERSHIPS_EMAIL, roles.PARTNERSHIPS),
    ]:
        assert list(users.get(email=email).groups.values_list("name", flat=True)) == [role]
    followed = Laureate.objects.filter(referent__email=REFERENT_EMAIL).count()
    assert Laureate.objects.active().count() / 4 < followed
