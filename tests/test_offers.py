"""Partner offers: a company posts them, sees the laureates whose search fits, and asks to meet
them; a laureate sees the open offers that fit their search and says « I am interested »; the
programme team passes that on (contacts at once) or proposes a laureate for an offer."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from laureates.models import Search, SearchKind, search_set
from partners.models import Introduction, IntroductionOrigin, IntroductionStatus, Offer
from partners.offers import (
    offer_close,
    offer_interest,
    offer_post,
    offer_propose,
    offers_count_matches,
    offers_matching,
    searches_matching,
    staff_searches,
)
from partners.services import introduction_answer, introduction_forward
from tests.factories import LaureateFactory, PartnerMembershipFactory
from tests.partner_factories import SearchFactory, shared

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
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
    counted = {
        offer.pk: offer.match_count
        for offer in offers_count_matches(Offer.objects.order_by("pk"), staff_searches())
    }
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


# The partner's pages ----------------------------------------------------------------------


def test_partner_posts_an_offer_and_sees_two_matching_laureates(partner_client, partner_member):
    seeker("Ines")
    seeker("Jade", field="Conseil en organisation")
    stale = seeker("Karim")
    Search.objects.filter(laureate=stale).update(confirmed_on=datetime.date(2025, 11, 1))
    not_consenting = LaureateFactory(user__first_name="Lina")
    SearchFactory(laureate=not_consenting)
    shared(LaureateFactory(user__first_name="Marc", status="left"))
    seeker("Nora", kind=SearchKind.JOB)
    form = {key: value or "" for key, value in OFFER.items()}
    response = partner_client.post(reverse("partners:offer_new"), form)
    offer = Offer.objects.get()
    assert response.url == reverse("partners:offer", args=[offer.pk])
    assert (offer.company, offer.posted_by) == (partner_member.company, partner_member.user)
    page = partner_client.get(response.url, **EN).content.decode()
    assert "2 laureates fit this offer" in page
    for shown in ("Ines", "Jade"):
        assert shown in page
    # The page's own content: the header shows the signed-in member's (random) name.
    main = page.split("<main", 1)[-1]
    for hidden in ("Karim", "Lina", "Marc", "Nora"):
        assert hidden not in main
    # Only the shared columns: never a contact detail.
    assert "@example" not in main
    # The list counts the same two: not the stale search, nor the laureate without consent,
    # nor the one who left.
    listed = partner_client.get(reverse("partners:offers")).context["page"].object_list
    assert [offer.match_count for offer in listed] == [2]


def test_partner_asks_to_meet_a_matching_laureate_about_the_offer(partner_client, partner_member):
    offer = post(partner_member)
    laureate = seeker("Ines")
    url = reverse("partners:offer_introduce", args=[offer.pk, laureate.pk])
    page = partner_client.get(url).content.decode()
    assert 'value="Stage conseil en stratégie"' in page
    response = partner_client.post(
        url,
        {
            "kind": "internship",
            "title": offer.title,
            "starts_on": "2026-09-01",
            "place": "Lille",
            "message": "Votre profil nous intéresse.",
        },
    )
    assert response.status_code == 302
    introduction = Introduction.objects.get()
    assert (introduction.offer, introduction.origin) == (offer, IntroductionOrigin.PARTNER)
    assert introduction.status == IntroductionStatus.PENDING


def test_another_companys_offer_is_404(partner_client, partner_member):
    other = post(PartnerMembershipFactory())
    for name in ("partners:offer", "partners:offer_edit"):
        assert partner_client.get(reverse(name, args=[other.pk])).status_code == 404
    assert partner_client.post(reverse("partners:offer_close", args=[other.pk])).status_code == 404
    laureate = seeker("Ines")
    url = reverse("partners:offer_introduce", args=[other.pk, laureate.pk])
    assert partner_client.get(url).status_code == 404


def test_partner_edits_and_closes_an_offer_which_moves_to_the_end_of_the_list(
    partner_client, partner_member
):
    first = post(partner_member, title="Stage A", closes_on=datetime.date(2026, 7, 1))
    second = post(partner_member, title="Stage B", closes_on=datetime.date(2026, 8, 1))
    form = {key: value or "" for key, value in (OFFER | {"title": "Stage A bis"}).items()}
    form["closes_on"] = "2026-07-01"
    partner_client.post(reverse("partners:offer_edit", args=[first.pk]), form)
    first.refresh_from_db()
    assert first.title == "Stage A bis"
    partner_client.post(reverse("partners:offer_close", args=[first.pk]))
    page = partner_client.get(reverse("partners:offers")).content.decode()
    assert page.index("Stage B") < page.index("Stage A bis")
    only_open = partner_client.get(reverse("partners:offers"), {"state": "open"})
    assert list(only_open.context["page"].object_list) == [second]
    closed = partner_client.get(reverse("partners:offers"), {"state": "closed", "kind": "job"})
    assert list(closed.context["page"].object_list) == []


def test_an_offer_with_a_past_closing_date_is_refused_and_nothing_typed_is_lost(partner_client):
    form = {key: value or "" for key, value in OFFER.items()}
    form["closes_on"] = "2026-01-01"
    response = partner_client.post(reverse("partners:offer_new"), form)
    assert response.status_code == 200
    assert not Offer.objects.exists()
    page = response.content.decode()
    assert "Six mois au sein" in page
    assert "error-summary" in page


# The laureate's pages ---------------------------------------------------------------------


def test_laureate_sees_fitting_offers_only(laureate_client, laureate, partner_member):
    shared(laureate)
    post(partner_member, title="Stage qui correspond")
    post(partner_member, title="Emploi en finance", kind=SearchKind.JOB)
    post(partner_member, title="Stage à Marseille", place="Marseille")
    page = laureate_client.get(reverse("offers:list")).content.decode()
    assert "Stage qui correspond" in page
    assert "Emploi en finance" not in page
    assert "Stage à Marseille" not in page
    searched = laureate_client.get(reverse("offers:list"), {"q": "finance"})
    assert list(searched.context["page"].object_list) == []


def test_laureate_without_consent_still_sees_the_offers_that_fit(
    laureate_client, laureate, partner_member
):
    SearchFactory(laureate=laureate)
    post(partner_member, title="Stage qui correspond")
    assert "Stage qui correspond" in laureate_client.get(reverse("offers:list")).content.decode()


def test_laureate_without_a_search_is_asked_what_they_are_looking_for(
    laureate_client, partner_member
):
    post(partner_member)
    response = laureate_client.get(reverse("offers:list"))
    assert reverse("laureates:edit") in response.content.decode()
    assert list(response.context["page"].object_list) == []


def test_offer_past_closing_date_disappears_from_laureates_lists(
    laureate_client, laureate, partner_member
):
    shared(laureate)
    offer = post(partner_member, closes_on=TODAY)
    assert offer.title in laureate_client.get(reverse("offers:list")).content.decode()
    assert offer.title in laureate_client.get(reverse("laureates:home")).content.decode()
    with time_machine.travel(datetime.datetime(2026, 6, 16, 10, tzinfo=datetime.UTC)):
        assert offer.title not in laureate_client.get(reverse("offers:list")).content.decode()
        assert offer.title not in laureate_client.get(reverse("laureates:home")).content.decode()
        detail = laureate_client.get(reverse("offers:detail", args=[offer.pk]))
        assert detail.status_code == 404


def test_the_laureates_home_shows_the_first_offers_that_fit(
    laureate_client, laureate, partner_member
):
    shared(laureate)
    for n in range(5):
        post(partner_member, title=f"Stage numéro {n}")
    page = laureate_client.get(reverse("laureates:home")).content.decode()
    assert "Stage numéro 0" in page and "Stage numéro 2" in page
    assert "Stage numéro 3" not in page
    assert reverse("offers:list") in page


# « Je suis intéressé·e » -------------------------------------------------------------------


def test_interested_starts_the_flow_and_the_team_passing_it_on_sends_both_contacts(
    laureate_client,
    laureate,
    partner_member,
    partnerships_staff,
    referent,
    django_capture_on_commit_callbacks,
):
    laureate.referent = referent
    laureate.save()
    SearchFactory(laureate=laureate)  # no consent: their yes is enough
    offer = post(partner_member)
    url = reverse("offers:detail", args=[offer.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = laureate_client.post(url, {"message": "Ce stage me plaît beaucoup."})
    assert response.url == url
    introduction = Introduction.objects.get()
    assert introduction.offer == offer
    assert introduction.origin == IntroductionOrigin.LAUREATE
    assert introduction.status == IntroductionStatus.PENDING
    assert introduction.requested_by == partner_member.user
    assert introduction.message == "Ce stage me plaît beaucoup."
    assert [message.to for message in mail.outbox] == [[referent.email]]
    assert laureate.user.get_full_name() in mail.outbox[0].subject

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        introduction = introduction_forward(introduction=introduction, by=partnerships_staff)
    assert introduction.status == IntroductionStatus.ACCEPTED
    assert introduction.decided_by == partnerships_staff
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [laureate.user.email, partner_member.user.email]
    )
    to_company = next(m for m in mail.outbox if m.to == [partner_member.user.email])
    assert laureate.user.email in to_company.body


def test_interested_twice_in_the_same_offer_gives_a_message_and_no_second_request(
    laureate_client, laureate, partner_member
):
    shared(laureate)
    offer = post(partner_member)
    url = reverse("offers:detail", args=[offer.pk])
    laureate_client.post(url, {"message": ""})
    response = laureate_client.post(url, {"message": ""}, follow=True, **EN)
    assert Introduction.objects.count() == 1
    assert "A request about this offer already exists" in response.content.decode()


def test_interest_goes_to_another_member_when_the_poster_left_and_is_refused_without_one(
    laureate, partner_member
):
    shared(laureate)
    offer = post(partner_member)
    colleague = PartnerMembershipFactory(company=partner_member.company)
    partner_member.delete()
    assert offer_interest(offer=offer, laureate=laureate).requested_by == colleague.user
    Introduction.objects.all().delete()
    colleague.delete()
    with pytest.raises(ValidationError, match="Personne chez"):
        offer_interest(offer=offer, laureate=laureate)
    assert not Introduction.objects.exists()


# Staff -----------------------------------------------------------------------------------


def test_staff_proposal_then_the_laureates_yes_sends_contacts(
    partnerships_client,
    partnerships_staff,
    laureate,
    partner_member,
    django_capture_on_commit_callbacks,
):
    SearchFactory(laureate=laureate)
    offer = offer_post(company=partner_member.company, by=partnerships_staff, **OFFER)
    url = reverse("admin:partners_offer_matches", args=[offer.pk])
    page = partnerships_client.get(url).content.decode()
    assert str(laureate) in page
    with django_capture_on_commit_callbacks(execute=True):
        partnerships_client.post(url, {"laureate": laureate.pk})
    introduction = Introduction.objects.get()
    assert introduction.origin == IntroductionOrigin.STAFF
    assert introduction.status == IntroductionStatus.FORWARDED
    assert (introduction.offer, introduction.decided_by) == (offer, partnerships_staff)
    # Posted by staff: the company's member receives the laureate.
    assert introduction.requested_by == partner_member.user
    assert [message.to for message in mail.outbox] == [[laureate.user.email]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        introduction = introduction_answer(introduction=introduction, accept=True)
    assert introduction.status == IntroductionStatus.ACCEPTED
    assert len(mail.outbox) == 2


def test_staff_post_an_offer_for_a_company_in_the_console(partnerships_client, partner_member):
    form = {key: value or "" for key, value in OFFER.items()}
    form["company"] = partner_member.company.pk
    response = partnerships_client.post(reverse("admin:partners_offer_add"), form)
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert (offer.company, offer.field_folded) == (partner_member.company, "conseil")
    seeker("Ines")
    page = partnerships_client.get(reverse("admin:partners_offer_changelist"), **EN)
    assert "1 laureate" in page.content.decode()


def test_a_referent_cannot_open_the_offers_console(referent_client, partner_member):
    offer = post(partner_member)
    url = reverse("admin:partners_offer_matches", args=[offer.pk])
    assert referent_client.get(url).status_code == 403


# Query counts ----------------------------------------------------------------------------


def grow(partner_member, n: int) -> None:
    for i in range(n):
        seeker(f"Lauréat{i}")
        post(partner_member, title=f"Stage {i}")


@pytest.mark.parametrize("n", [2, 12])
def test_query_counts_are_flat_on_the_offer_pages(
    n, partner_member, laureate, django_assert_max_num_queries, client
):
    shared(laureate)
    grow(partner_member, n)
    offer = Offer.objects.first()
    partner = client_for(partner_member.user)
    with django_assert_max_num_queries(12):
        assert partner.get(reverse("partners:offers")).status_code == 200
    with django_assert_max_num_queries(12):
        assert partner.get(reverse("partners:offer", args=[offer.pk])).status_code == 200
    own = client_for(laureate.user)
    with django_assert_max_num_queries(12):
        response = own.get(reverse("offers:list"))
    assert len(response.context["page"].object_list) == n


@pytest.mark.parametrize("n", [2, 12])
def test_query_counts_are_flat_on_the_console_offer_pages(
    n, partner_member, partnerships_staff, django_assert_max_num_queries
):
    grow(partner_member, n)
    staff = client_for(partnerships_staff)
    offer = Offer.objects.first()
    with django_assert_max_num_queries(14):
        assert staff.get(reverse("admin:partners_offer_changelist")).status_code == 200
    with django_assert_max_num_queries(14):
        url = reverse("admin:partners_offer_matches", args=[offer.pk])
        assert staff.get(url).status_code == 200


def offer_pages(partner_member) -> list[str]:
    """The offer lists and matches pages, on the second page where there is one."""
    offer = Offer.objects.order_by("pk").first()
    return [
        reverse("partners:offers"),
        reverse("partners:offers") + "?page=2",
        reverse("partners:offer", args=[offer.pk]),
        reverse("admin:partners_offer_changelist"),
        reverse("admin:partners_offer_changelist") + "?p=2",
        reverse("admin:partners_offer_changelist") + "?kind__exact=internship",
        reverse("admin:partners_offer_matches", args=[offer.pk]),
        reverse("admin:partners_offer_matches", args=[offer.pk]) + "?page=2",
        reverse("admin:partners_offer_change", args=[offer.pk]),
    ]


def queries_of(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_offer_pages_make_as_many_queries_for_many_offers_and_laureates_as_for_one(
    partner_member, partnerships_staff, django_assert_num_queries, monkeypatch
):
    # Pages of a few rows, so that both sizes below fill more than one page.
    monkeypatch.setattr("partners.admin_offers.MATCHES_PER_PAGE", 2)
    monkeypatch.setattr("partners.admin_offers.OfferAdmin.list_per_page", 2)
    monkeypatch.setattr("partners.views_offers.PER_PAGE", 2)
    clients = {"partner": client_for(partner_member.user), "staff": client_for(partnerships_staff)}
    grow(partner_member, 3)
    urls = [(url, clients["staff" if "admin" in url else "partner"]) for url in offer_pages(None)]
    for url, client in urls:
        queries_of(client, url)  # the caches a first visit fills
    few = [queries_of(client, url) for url, client in urls]
    grow(partner_member, 9)
    post(partner_member, title="Tout profil", field="", place="", starts_on=None)
    for (url, client), expected in zip(urls, few, strict=True):
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200


def test_each_row_of_an_offer_list_page_shows_its_own_count_of_matches(
    partner_member, partnerships_client
):
    post(partner_member, title="Finance", field="Finance")
    post(partner_member, title="Emploi", kind=SearchKind.JOB, place="")
    post(partner_member, title="Tout profil", field="", place="", starts_on=None)
    post(partner_member, title="Dernier jour", closes_on=TODAY)
    seeker("Ines")
    seeker("Jade", field="Finance d'entreprise")
    seeker("Karim", kind=SearchKind.JOB, place="Lyon")
    LaureateFactory()  # no search at all
    expected = {
        offer.pk: searches_matching(offer, staff_searches()).count()
        for offer in Offer.objects.all()
    }
    assert sorted(expected.values()) == [1, 1, 1, 2]
    url = reverse("admin:partners_offer_changelist")
    shown = {}
    for page in (0, 1):
        response = partnerships_client.get(url, {"p": page} if page else {})
        shown |= {offer.pk: offer.match_count for offer in response.context["cl"].result_list}
    assert shown == expected
    # The change form counts its one offer.
    finance = Offer.objects.get(title="Finance")
    response = partnerships_client.get(
        reverse("admin:partners_offer_change", args=[finance.pk]), **EN
    )
    assert "1 laureate</a>" in response.content.decode()


def test_the_matches_page_lists_every_match_once_in_name_order_over_its_pages(
    partner_member, partnerships_client, monkeypatch
):
    monkeypatch.setattr("partners.admin_offers.MATCHES_PER_PAGE", 2)
    offer = post(partner_member)
    for first_name, last_name in [("Ines", "Bernard"), ("Jade", "Aubert"), ("Karim", "Dupont")]:
        shared(LaureateFactory(user__first_name=first_name, user__last_name=last_name))
    SearchFactory(laureate=LaureateFactory(user__last_name="Caron"))  # no consent: listed too
    seeker("Nora", field="Finance")  # does not fit
    url = reverse("admin:partners_offer_matches", args=[offer.pk])
    pages = [partnerships_client.get(url, {"page": number}).context["page"] for number in (1, 2)]
    assert pages[0].paginator.count == 4
    names = [search.laureate.user.last_name for page in pages for search in page.object_list]
    assert names == ["Aubert", "Bernard", "Caron", "Dupont"]
    assert [search.shares for page in pages for search in page.object_list] == [
        True,
        True,
        False,
        True,
    ]


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_a_partner_members_data_lists_their_offers_and_erasure_keeps_the_offers_without_them(
    partner_member,
):
    from django.utils import translation

    from partners.personal_data import PART

    offer = post(partner_member)
    with translation.override("en"):
        [row] = PART.export(partner_member.user)["Offers you posted"]
    assert offer.title in row.values()
    PART.anonymise(partner_member.user)
    offer.refresh_from_db()
    assert offer.posted_by is None


def test_the_company_hears_nothing_of_an_interest_the_team_declined_or_a_proposal_declined(
    laureate, partner_member, partnerships_staff, django_capture_on_commit_callbacks
):
    from partners.services import introduction_decline

    shared(laureate)
    interest = offer_interest(offer=post(partner_member), laureate=laureate)
    proposal = offer_propose(
        offer=post(partner_member, title="Autre stage"), laureate=other(), by=partnerships_staff
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        introduction_decline(introduction=interest, by=partnerships_staff)
        introduction_answer(introduction=proposal, accept=False)
    assert partner_member.user.email not in {message.to[0] for message in mail.outbox}
    assert Introduction.objects.filter(status=IntroductionStatus.DECLINED).count() == 2


def other():
    return seeker("Jade")


def test_staff_see_that_a_laureate_is_interested_and_that_passing_it_on_puts_them_in_touch(
    partnerships_client, laureate, partner_member
):
    shared(laureate)
    interest = offer_interest(offer=post(partner_member), laureate=laureate)
    url = reverse("admin:partners_introduction_change", args=[interest.pk])
    page = partnerships_client.get(url, **EN).content.decode()
    assert "has already said yes" in page
    assert "Pass on to the company" in page
    listed = partnerships_client.get(
        reverse("admin:partners_introduction_changelist"), {"origin__exact": "laureate"}
    )
    assert list(listed.context["cl"].result_list) == [interest]


def test_on_postgresql_staff_matching_leaves_out_those_who_left_through_their_index():
    from django.db import connection

    from tests.test_partner_sharing_column import plan

    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN's index scans are PostgreSQL's")
    SearchFactory(laureate=LaureateFactory(status="left"))
    SearchFactory()

    # At 100,000 laureates the anti-join reads the 10,000 who left from this index rather
    # than the whole laureate table: the console's offer list's count, 10 -> 3 ms of it.
    assert "laureate_outside_programme" in plan(staff_searches().values("pk"))
    assert staff_searches().count() == 1


def test_on_postgresql_the_match_counts_read_the_covering_index_alone():
    from django.db import connection

    from partners.offers import search_groups
    from partners.sharing import counted_searches
    from tests.test_partner_sharing_column import only_index, plan

    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN's index scans are PostgreSQL's")
    shared(kind=SearchKind.INTERNSHIP, field="Conseil")

    staff = search_groups(Search.objects.open(), kinds={SearchKind.INTERNSHIP})
    company = search_groups(counted_searches(), kinds={SearchKind.INTERNSHIP})

    with only_index("open_search_match"):
        assert "Index Only Scan using open_search_match" in plan(staff, "bitmapscan")
    # A company's list counts among the shared searches, read in the groups' order.
    with only_index("shared_search_match"):
        assert "Index Only Scan using shared_search_match" in plan(company, "hashagg", "bitmapscan")
    assert list(staff.values_list("field_folded", "group_size")) == [("conseil", 1)]
    assert list(company.values_list("field_folded", "group_size")) == [("conseil", 1)]


def explained_queries(client, url: str) -> list[tuple[str, str]]:
    """Each query of the page that matches searches to an offer, with its EXPLAIN
    (sequential and bitmap scans off, see test_partner_sharing_column.only_index)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for query in queries.captured_queries:
            if 'FROM "laureates_search"' in query["sql"] and "STRPOS" in query["sql"]:
                cursor.execute("EXPLAIN " + query["sql"])
                found.append((query["sql"], "\n".join(row[0] for row in cursor.fetchall())))
    return found


def test_on_postgresql_the_matches_pages_find_their_laureates_in_the_covering_indexes(
    partner_member, partnerships_client
):
    from django.db import connection

    from tests.test_partner_sharing_column import only_index

    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN's index scans are PostgreSQL's")
    offer = post(partner_member)
    seeker("Ines")
    partner = client_for(partner_member.user)

    # The staff's page: the laureates who fit, from open_search_match alone, then their
    # searches sorted by name (at 100,000 laureates 17 -> 5 ms).
    with only_index("open_search_match"):
        staff = explained_queries(
            partnerships_client, reverse("admin:partners_offer_matches", args=[offer.pk])
        )
    # The company's page counts its matches among the shared searches: shared_search_match
    # holds every column the rule and the joins read (13 -> 6 ms).
    with only_index("shared_search_match"):
        company = explained_queries(partner, reverse("partners:offer", args=[offer.pk]))

    assert [sql.split(" FROM ")[0] for sql, _plan in staff] == [
        'SELECT "laureates_search"."laureate_id" AS "laureate_id"'
    ]
    assert "Index Only Scan using open_search_match" in staff[0][1], staff[0][1]
    counts = [explained for sql, explained in company if "COUNT(*)" in sql]
    assert len(counts) == 1
    assert "Index Only Scan using shared_search_match" in counts[0], counts[0]
