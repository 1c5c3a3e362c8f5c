"""Factories where variety matters; named people live in conftest.py."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from emergence.roles import roles_sync
from laureates.models import FollowUp, Laureate, Promotion, Sponsor, Sponsorship, Track
from partners.models import Company, PartnerMembership

PASSWORD = "test-password-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)


class StaffFactory(UserFactory):
    """The technical administrator: a superuser. Daily work uses RoleStaffFactory."""

    is_staff = True
    is_superuser = True


class RoleStaffFactory(UserFactory):
    """A staff member with one role (a group of emergence.roles.STAFF_ROLES), no superuser."""

    class Meta:
        skip_postgeneration_save = True

    is_staff = True
    is_superuser = False

    @factory.post_generation
    def role(self, create, name, **kwargs):
        if create and name:
            self.groups.add(role_group(name))


def role_group(name: str):
    """The role's group. A transactional test flushes the groups the migration made: make
    them again then."""
    group = Group.objects.filter(name=name).first()
    if group is None:
        roles_sync()
        group = Group.objects.get(name=name)
    return group


class PromotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promotion
        django_get_or_create = ["year"]

    year = 2024


class LaureateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Laureate

    user = factory.SubFactory(UserFactory)
    promotion = factory.SubFactory(PromotionFactory)
    track = Track.ENGINEERING
    study_year = 2
    school = "École Centrale de Lille"
    city = "Lille"
    joined_on = datetime.date(2024, 9, 1)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Entreprise {n}")
    sector = "Conseil"
    city = "Paris"


class PartnerMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerMembership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)


class SponsorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sponsor

    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"sponsor{n}@example.com")
    company = factory.SubFactory(CompanyFactory)


class SponsorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sponsorship

    laureate = factory.SubFactory(LaureateFactory)
    sponsor = factory.SubFactory(SponsorFactory)
    started_on = datetime.date(2024, 10, 1)


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    laureate = factory.SubFactory(LaureateFactory)
    channel = "phone"
    note = "Point d'étape"
    by = factory.SubFactory(StaffFactory)
