"""Factories and helpers for the partner dashboard, introductions, placements, co-optation."""

import datetime

import factory

from laureates.models import (
    PartnerConsent,
    Search,
    SearchKind,
    consent_give,
    search_fold,
    search_sharing_refresh,
    search_text_refresh,
)
from partners.models import OPEN_STATUSES, CoOpter, Introduction, IntroductionStatus, Referral
from tests.factories import LaureateFactory, PartnerMembershipFactory


class SearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Search
        skip_postgeneration_save = True

    laureate = factory.SubFactory(LaureateFactory)
    kind = SearchKind.INTERNSHIP
    field = "Conseil en stratégie"
    starts_on = datetime.date(2026, 9, 1)
    duration_months = 4
    place = "Lille"
    pitch = "Étudiante motivée, curieuse, à l'aise à l'oral."

    @factory.post_generation
    def search_text(search, create, extracted, **kwargs):
        # What search_set() writes, for searches made here without it.
        if create:
            search_text_refresh(laureate_ids=[search.laureate_id])
            search_sharing_refresh(laureate_ids=[search.laureate_id])
            Search.objects.filter(pk=search.pk).update(
                field_folded=search_fold(search.field), place_folded=search_fold(search.place)
            )
            search.refresh_from_db(
                fields=["search_text", "field_folded", "place_folded", "shared_consent_until"]
            )


def shared(laureate=None, **search):
    """A laureate who consented to partner sharing and has an open search."""
    laureate = laureate or LaureateFactory()
    consent_give(laureate=laureate)
    SearchFactory(laureate=laureate, **search)
    return laureate


def expired_consent(laureate) -> PartnerConsent:
    consent = consent_give(laureate=laureate)
    PartnerConsent.objects.filter(pk=consent.pk).update(
        given_at=consent.given_at - datetime.timedelta(days=400),
        expires_on=consent.expires_on - datetime.timedelta(days=400),
    )
    search_sharing_refresh(laureate_ids=[laureate.pk])  # as consent_give() would write it
    return consent


DECIDED_AT = datetime.datetime(2026, 1, 5, 10, 0, tzinfo=datetime.UTC)
_FORWARDED = {
    IntroductionStatus.FORWARDED,
    IntroductionStatus.ACCEPTED,
    IntroductionStatus.EXPIRED,
    IntroductionStatus.CLOSED,
}
_ANSWERED = {IntroductionStatus.ACCEPTED, IntroductionStatus.CLOSED}


class IntroductionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Introduction

    company = factory.LazyAttribute(lambda o: o.membership.company)
    requested_by = factory.LazyAttribute(lambda o: o.membership.user)
    laureate = factory.SubFactory(LaureateFactory)
    message = "Nous aimerions vous rencontrer."
    kind = SearchKind.INTERNSHIP
    title = "Stage de quatre mois"
    place = "Lille"
    status = IntroductionStatus.PENDING
    # The dates each state requires (a database constraint): all at ``decided_at``.
    decided_at = factory.LazyAttribute(
        lambda o: None if o.status == IntroductionStatus.PENDING else DECIDED_AT
    )
    forwarded_at = factory.LazyAttribute(
        lambda o: o.decided_at if o.status in _FORWARDED or o.laureate_answered else None
    )
    answered_at = factory.LazyAttribute(
        lambda o: o.decided_at if o.status in _ANSWERED or o.laureate_answered else None
    )
    closed_at = factory.LazyAttribute(lambda o: None if o.status in OPEN_STATUSES else o.decided_at)
    closed_reason = factory.LazyAttribute(
        lambda o: "consent_withdrawn" if o.status == IntroductionStatus.CLOSED else ""
    )

    class Params:
        membership = factory.SubFactory(PartnerMembershipFactory)
        # A declined request: by the laureate (True) rather than by the programme team.
        laureate_answered = False


class CoOpterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoOpter

    laureate = factory.SubFactory(LaureateFactory, situation="in_work", status="alumni")
    platforms = "Keycoopt"


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    coopter = factory.SubFactory(CoOpterFactory)
    candidate_name = "Camille Durand"
    company = "Cabinet Lumière"
    job_title = "Analyste"
    platform = "Keycoopt"
    referred_on = datetime.date(2026, 3, 1)
