"""Partner offers: a company posts them, sees the laureates whose search fits, and asks to meet
them; a laureate sees the open offers that fit their search and says « I am interested »; the
programme team passes that on (contacts at once) or proposes a laureate for an offer."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from laureates.models import PartnerConsent, Search, SearchKind, search_set
from partners.models import Introduction, IntroductionOrigin, IntroductionStatus, Offer
from partners.offers import (
    offer_close,
    offer_interest,
    offer_post,
    offer_propose,
    offers_matching,
    offers_with_match_count,
    searches_matching,
    staff_searches,
)
from partners.services import introduction_answer, introduction_forward
from tests.factories import CompanyFactory, LaureateFactory, PartnerMembershipFactory
from tests.partner_factories import shared

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
OFFER = {
    "kind": SearchKind.INTERNSHIP,
    "title": "Stage conseil en stratégie",
    "field": "Conseil",
    "place": "Lille",
    "starts_on": datetime.date(2026, 9, 1),
    "duration_months": 6,
    "description": "Six mois au sein de l'équipe stratégie.",
    "closes_on": datetime.date(2026, 7, 31),
    "how_to_apply": "Dites-le nous ici.",
}


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC)):
        yield


def post(membership, **changes):
    return offer_post(company=membership.company, by=membership.user, **(OFFER | changes))


def seeker(name: str, **search):
    """A consenting laureate with an open search (« Conseil en stratégie », Lille, 1/9/2026)."""
    laureate = LaureateFactory(user__first_name=name, user__last_name="Testeur")
    return shared(laureate, **search)


def matched_names(offer, searches=None) -> set[str]:
    return set(
        searches_matching(offer, searches).values_list("laureate__user__first_name", flat=True)
    )


# Matching ---------------------------------------------------------------------------------


def test_an_offer_fits_searches_by_kind_field_place_and_dates(partner_member):
    offer = post(partner_member, field="Conseil", place="Lille")
    seeker("Ines")  # « Conseil en stratégie » contains « conseil »
    seeker("Jade", field="CONSEIL", place="lille", starts_on=datetime.date(2026, 11, 20))
    seeker("Karim", field="", place="")  # says nothing: fits every field and place
    seeker("Lina", starts_on=None)
    seeker("Marc", kind=SearchKind.JOB)
    seeker("Nora", field="Finance")
    seeker("Omar", place="Marseille")
    seeker("Paul", starts_on=datetime.date(2027, 1, 15))  # more than three months later
    assert matched_names(offer) == {"Ines", "Jade", "Karim", "Lina"}


def test_a_broad_search_fits_a_narrower_offer_and_accents_do_not_matter(partner_member):
    offer = post(partner_member, field="Santé publique", place="Lille ou Paris")
    seeker("Ines", field="sante", place="Paris")
    seeker("Jade", field="Santé publique et prévention", place="")
    seeker("Karim", field="Droit de la santé", place="Paris")
    assert matched_names(offer) == {"Ines", "Jade"}


def test_an_offer_without_a_start_or_a_place_fits_any_start_and_place(partner_member):
    offer = post(partner_member, starts_on=None, place="", field="")
    seeker("Ines", starts_on=datetime.date(2030, 1, 1), place="Brest", field="Finance")
    assert matched_names(offer) == {"Ines"}


def test_the_counts_on_a_list_are_the_matches_of_each_offer(partner_member):
    offers = [
        post(partner_member),
        post(partner_member, field="", place="", starts_on=None),
        post(partner_member, kind=SearchKind.JOB),
        post(partner_member, field="Finance"),
    ]
    seeker("Ines")
    seeker("Jade", starts_on=None, field="")
    seeker("Karim", field="Finance de marché", starts_on=datetime.date(2026, 6, 5))
    seeker("Lina", kind=SearchKind.JOB, place="")
    counted = dict(
        offers_with_match_count(Offer.objects.all(), staff_searches()).values_list(
            "pk", "match_count"
        )
    )
    assert counted == {offer.pk: searches_matching(offer).count() for offer in offers}
    assert list(counted.values()) == [2, 3, 1, 2]


def test_a_laureates_search_fits_the_same_offers_the_other_way_round(partner_member):
    fitting = post(partner_member)
    post(partner_member, field="Finance")
    post(partner_member, kind=SearchKind.JOB)
    laureate = seeker("Ines")
    search = laureate.searches.get()
    assert list(offers_matching(search)) == [fitting]


def test_search_set_folds_the_field_and_place_it_is_matched_on(laureate, partner_member):
    search_set(laureate=laureate, kind=SearchKind.INTERNSHIP, field="Santé", place="Évry")
    search = Search.objects.get(laureate=laureate)
    assert (search.field_folded, search.place_folded) == ("sante", "evry")
    offer = post(partner_member, field="santé publique", place="EVRY", starts_on=None)
    assert offer.field_folded == "sante publique"
    assert list(searches_matching(offer)) == [search]


def test_an_offer_past_its_closing_date_leaves_the_matching(partner_member):
    offer = post(partner_member, closes_on=TODAY)
    laureate = seeker("Ines")
    assert list(offers_matching(laureate.searches.get())) == [offer]
    with time_machine.travel(datetime.datetime(2026, 6, 16, 10, tzinfo=datetime.UTC)):
        assert list(offers_matching(laureate.searches.get())) == []
        assert not Offer.objects.open().exists()


def test_an_offer_closed_early_leaves_the_matching(partner_member):
    offer = post(partner_member)
    laureate = seeker("Ines")
    offer_close(offer=offer)
    assert list(offers_matching(laureate.searches.get())) == []
