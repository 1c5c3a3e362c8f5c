"""Named people: a staff member, two laureates, a partner member, an outsider."""

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import (
    PASSWORD,
    LaureateFactory,
    PartnerMembershipFactory,
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
        user__email="hr@conseil.example.com", company__name="Conseil & Associés"
    )


@pytest.fixture
def outsider(db):
    return UserFactory(email="nobody@example.org")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
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
