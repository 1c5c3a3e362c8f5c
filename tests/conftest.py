"""Named people: the staff by role (and a superuser), two laureates, a partner member, an
outsider."""

import pytest
from django.conf import settings
from django.utils import translation

from emergence import roles
from tests.factories import (
    PASSWORD,
    LaureateFactory,
    PartnerMembershipFactory,
    RoleStaffFactory,
    StaffFactory,
    UserFactory,
)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def staff(db):
    return StaffFactory(email="camille.staff@example.org", first_name="Camille", last_name="Martin")


@pytest.fixture
def lead(db):
    """The programme lead (Direction du programme): everything, confidential answers included."""
    return RoleStaffFactory(
        email="claire.lead@example.org", first_name="Claire", last_name="Durand", role=roles.LEAD
    )


@pytest.fixture
def referent(db):
    """A referent (Référent·e): reads the confidential answers of the laureates they follow."""
    return RoleStaffFactory(
        email="paul.referent@example.org",
        first_name="Paul",
        last_name="Lefèvre",
        role=roles.REFERENT,
    )


@pytest.fixture
def workshops_staff(db):
    return RoleStaffFactory(
        email="lea.workshops@example.org",
        first_name="Léa",
        last_name="Moreau",
        role=roles.WORKSHOPS,
    )


@pytest.fixture
def partnerships_staff(db):
    return RoleStaffFactory(
        email="hugo.partnerships@example.org",
        first_name="Hugo",
        last_name="Garnier",
        role=roles.PARTNERSHIPS,
    )


@pytest.fixture
def laureate(db):
    return LaureateFactory(
        user__email="ines.laureate@example.org", user__first_name="Inès", user__last_name="Benali"
    )


@pytest.fixture
def other_laureate(db):
    return LaureateFactory(
        user__email="yanis.laureate@example.org", user__first_name="Yanis", user__last_name="Robert"
    )


@pytest.fixture
def partner_member(db):
    return PartnerMembershipFactory(
        user__email="hr@conseil.example.com",
        user__first_name="Claire",
        user__last_name="Dumont",
        company__name="Conseil & Associés",
    )


@pytest.fixture
def outsider(db):
    return UserFactory(email="nobody@example.org")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


@pytest.fixture
def referent_client(client, referent):
    client.force_login(referent)
    return client


@pytest.fixture
def workshops_client(client, workshops_staff):
    client.force_login(workshops_staff)
    return client


@pytest.fixture
def partnerships_client(client, partnerships_staff):
    client.force_login(partnerships_staff)
    return client


@pytest.fixture
def laureate_client(client, laureate):
    client.force_login(laureate.user)
    return client


@pytest.fixture
def partner_client(client, partner_member):
    client.force_login(partner_member.user)
    return client


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language, French, whatever ran before it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits (password reset, CSP reports) count in the cache: each test starts at zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
