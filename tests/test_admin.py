"""The staff console: lists, filters, inlines, the sponsorship rule and invitations."""

import datetime
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from emergence import roles
from laureates.models import FollowUp, Laureate, Promotion, Sponsorship, Track
from reports.triage import triage_refresh
from tests.console_forms import laureate_form
from tests.factories import (
    CompanyFactory,
    FollowUpFactory,
    LaureateFactory,
    PartnerMembershipFactory,
    PromotionFactory,
    RoleStaffFactory,
    SponsorFactory,
    SponsorshipFactory,
    UserFactory,
)

User = get_user_model()
LAUREATES = reverse("admin:laureates_laureate_changelist")
NEW_PASSWORD = "a-brand-new-passphrase-42"


def laureate_list(client, **params):
    response = client.get(LAUREATES, params)
    assert response.status_code == 200
    return response


def listed(response) -> set[Laureate]:
    return set(response.context["cl"].result_list)


# The laureate list ---------------------------------------------------------------------


def test_laureate_list_shows_promotion_track_referent_and_current_sponsor(
    referent_client, referent
):
    laureate = LaureateFactory(referent=referent, promotion=PromotionFactory(year=2019))
    SponsorshipFactory(laureate=laureate, sponsor__first_name="Paul", sponsor__last_name="Durand")
    SponsorshipFactory(
        laureate=laureate,
        sponsor__first_name="Old",
        sponsor__last_name="Sponsor",
        ended_on=datetime.date(2024, 12, 31),
    )

    content = laureate_list(referent_client).content.decode()

    assert laureate.user.email in content
    assert "2019" in content
    assert escape(str(Track(laureate.track).label)) in content
    assert "Paul Lefèvre" in content
    assert "Paul Durand" in content
    assert "Old Sponsor" not in content


def test_laureate_list_searches_by_name_email_and_school(referent_client, laureate, other_laureate):
    other_laureate.school = "Lycée Henri-IV"
    other_laureate.save()

    assert listed(laureate_list(referent_client, q="Benali")) == {laureate}
    assert listed(laureate_list(referent_client, q="yanis.laureate")) == {other_laureate}
    assert listed(laureate_list(referent_client, q="Henri-IV")) == {other_laureate}


def test_laureate_list_filters_by_promotion_track_status_and_referent(referent_client, referent):
    match = LaureateFactory(
        promotion=PromotionFactory(year=2020), track=Track.MEDICINE, referent=referent
    )
    LaureateFactory(promotion=PromotionFactory(year=2020), track=Track.PREPA, referent=referent)
    LaureateFactory(promotion=PromotionFactory(year=2021), track=Track.MEDICINE)

    response = laureate_list(
        referent_client,
        promotion__id__exact=match.promotion_id,
        track__exact=Track.MEDICINE,
        status__exact="active",
        referent__id__exact=referent.pk,
    )

    assert listed(response) == {match}


def test_no_current_sponsor_filter_lists_only_laureates_without_one(referent_client):
    sponsored = SponsorshipFactory().laureate
    ended = SponsorshipFactory(ended_on=datetime.date(2025, 1, 31)).laureate
    never = LaureateFactory()

    assert listed(laureate_list(referent_client, current_sponsor="none")) == {ended, never}
    assert listed(laureate_list(referent_client, current_sponsor="yes")) == {sponsored}


def test_referent_filter_offers_staff_members_only(referent_client, referent, outsider):
    response = laureate_list(referent_client)

    referent_filter = next(
        spec for spec in response.context["cl"].filter_specs if spec.field_path == "referent"
    )
    names = {label for _pk, label in referent_filter.lookup_choices}
    assert str(referent) in names
    assert str(outsider) not in names


def fill_laureate_list(size: int, referent) -> None:
    promotion = PromotionFactory(year=2022)
    for _ in range(size):
        laureate = LaureateFactory(promotion=promotion, referent=referent)
        SponsorshipFactory(laureate=laureate)
    triage_refresh()  # scored, as after the daily refresh


@pytest.mark.parametrize(
    "filters",
    [{}, {"current_sponsor": "yes", "track__exact": Track.ENGINEERING, "q": "example"}],
    ids=["unfiltered", "filtered"],
)
def test_laureate_list_costs_the_same_queries_for_5_and_50_laureates(
    referent_client, referent, django_assert_num_queries, filters
):
    fill_laureate_list(5, referent)
    with CaptureQueriesContext(connection) as small:
        assert len(listed(laureate_list(referent_client, **filters))) == 5
    fill_laureate_list(45, referent)

    with django_assert_num_queries(len(small)):
        assert len(listed(laureate_list(referent_client, **filters))) == 50


def test_laureate_list_does_not_count_the_whole_table(referent_client, laureate):
    response = laureate_list(referent_client, q="Benali")

    assert response.context["cl"].show_full_result_count is False


# The sponsorship rule in the inline ----------------------------------------------------


def change_data(laureate, sponsorships=(), follow_ups=()) -> dict:
    """The laureate change form as the browser posts it, with the given inline rows."""
    data = laureate_form(laureate)
    for prefix, rows in (("sponsorships", sponsorships), ("follow_ups", follow_ups)):
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = sum(1 for row in rows if row.get("id"))
        data[f"{prefix}-MIN_NUM_FORMS"] = 0
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = value
            data[f"{prefix}-{i}-laureate"] = laureate.pk or ""
    return data


def existing(sponsorship, **changes) -> dict:
    row = {
        "id": sponsorship.pk,
        "sponsor": sponsorship.sponsor_id,
        "started_on": sponsorship.started_on.isoformat(),
        "ended_on": sponsorship.ended_on.isoformat() if sponsorship.ended_on else "",
    }
    return {**row, **changes}


def new(sponsor, started_on="2025-09-01", ended_on="") -> dict:
    return {"id": "", "sponsor": sponsor.pk, "started_on": started_on, "ended_on": ended_on}


def change_laureate(client, laureate, **rows):
    url = reverse("admin:laureates_laureate_change", args=[laureate.pk])
    return client.post(url, change_data(laureate, **rows))


# The staff console speaks French: the rule is shown as the staff read it.
ONE_CURRENT = "Ce lauréat a déjà un parrainage en cours."


def test_a_second_current_sponsorship_in_the_inline_shows_an_error(referent_client, laureate):
    current = SponsorshipFactory(laureate=laureate)

    response = change_laureate(
        referent_client, laureate, sponsorships=[existing(current), new(SponsorFactory())]
    )

    assert response.status_code == 200
    assert ONE_CURRENT in response.content.decode()
    assert laureate.sponsorships.count() == 1


def test_two_new_current_sponsorships_in_one_submit_show_an_error(referent_client, laureate):
    response = change_laureate(
        referent_client, laureate, sponsorships=[new(SponsorFactory()), new(SponsorFactory())]
    )

    assert response.status_code == 200
    assert ONE_CURRENT in response.content.decode()
    assert not laureate.sponsorships.exists()


def test_ending_a_sponsorship_and_starting_the_next_in_one_submit_is_accepted(
    referent_client, laureate
):
    previous = SponsorshipFactory(laureate=laureate)
    successor = SponsorFactory()

    response = change_laureate(
        referent_client,
        laureate,
        sponsorships=[
            existing(previous, ended_on="2025-08-31", end_reason="no_time"),
            new(successor),
        ],
    )

    assert response.status_code == 302
    assert Sponsorship.objects.current().get(laureate=laureate).sponsor == successor


def test_the_sponsorship_page_shows_the_one_current_sponsorship_rule(referent_client, laureate):
    SponsorshipFactory(laureate=laureate)

    response = referent_client.post(
        reverse("admin:laureates_sponsorship_add"),
        {"laureate": laureate.pk, "sponsor": SponsorFactory().pk, "started_on": "2025-09-01"},
    )

    assert response.status_code == 200
    assert ONE_CURRENT in response.content.decode()


def test_a_follow_up_added_in_the_inline_is_signed_by_the_staff_member(
    referent_client, referent, laureate
):
    response = change_laureate(
        referent_client,
        laureate,
        follow_ups=[{"id": "", "date": "2025-10-02", "channel": "phone", "note": "Point"}],
    )

    assert response.status_code == 302
    follow_up = FollowUp.objects.get(laureate=laureate)
    assert (follow_up.by, follow_up.note) == (referent, "Point")


def test_an_existing_follow_up_keeps_its_author_when_another_staff_member_edits_it(
    client, laureate
):
    author = FollowUpFactory(laureate=laureate, by=RoleStaffFactory(role=roles.REFERENT)).by
    editor = RoleStaffFactory(role=roles.REFERENT)
    client.force_login(editor)
    follow_up = laureate.follow_ups.get()

    client.post(
        reverse("admin:laureates_laureate_change", args=[laureate.pk]),
        change_data(
            laureate,
            follow_ups=[
                {
                    "id": follow_up.pk,
                    "date": "2025-10-02",
                    "channel": "meeting",
                    "note": "Edited",
                }
            ],
        ),
    )

    follow_up.refresh_from_db()
    assert (follow_up.note, follow_up.by) == ("Edited", author)


def test_the_laureate_change_page_loads_with_its_sponsorships_and_follow_ups(
    referent_client, referent, laureate
):
    SponsorshipFactory(laureate=laureate)
    FollowUpFactory(laureate=laureate, note="Bilan de rentrée", by=referent)

    response = referent_client.get(reverse("admin:laureates_laureate_change", args=[laureate.pk]))

    assert response.status_code == 200
    assert "Bilan de rentrée" in response.content.decode()


# Invitations ---------------------------------------------------------------------------


def link_in(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", body)
    assert match, body
    return match.group(1)


def test_inviting_laureates_emails_a_link_to_choose_a_password_and_log_in(
    referent_client, client, laureate, other_laureate, django_capture_on_commit_callbacks
):
    laureate.user.set_unusable_password()
    laureate.user.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = referent_client.post(
            LAUREATES,
            {
                "action": "send_invitation",
                "_selected_action": [laureate.pk, other_laureate.pk],
                "confirm_emails": "yes",
            },
            follow=True,
        )

    assert "2 invitations vont être envoyées" in response.content.decode()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "ines.laureate@example.org",
        "yanis.laureate@example.org",
    ]
    message = next(m for m in mail.outbox if m.to == ["ines.laureate@example.org"])
    referent_client.logout()
    response = client.get(link_in(message.body))
    response = client.post(
        response.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.login(username="ines.laureate@example.org", password=NEW_PASSWORD)


def test_inviting_users_names_how_many_and_skips_inactive_ones(
    partnerships_client, django_capture_on_commit_callbacks
):
    active = UserFactory()
    inactive = UserFactory(is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = partnerships_client.post(
            reverse("admin:emergence_user_changelist"),
            {
                "action": "send_invitation",
                "_selected_action": [active.pk, inactive.pk],
                "confirm_emails": "yes",
            },
            follow=True,
        )

    content = html.unescape(response.content.decode())
    assert "1 invitation va être envoyée" in content
    assert "1 utilisateur inactif n’a pas été invité" in content
    assert [message.to for message in mail.outbox] == [[active.email]]


def test_inviting_partner_members_sends_them_the_email(
    partnerships_client, partner_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        partnerships_client.post(
            reverse("admin:partners_partnermembership_changelist"),
            {
                "action": "send_invitation",
                "_selected_action": [partner_member.pk],
                "confirm_emails": "yes",
            },
        )

    assert [message.to for message in mail.outbox] == [["hr@conseil.example.com"]]


def test_inviting_asks_first_and_lists_who_will_be_e_mailed(partnerships_client):
    active = UserFactory(first_name="Ana", last_name="Active")
    inactive = UserFactory(is_active=False)
    selected = {"action": "send_invitation", "_selected_action": [active.pk, inactive.pk]}

    response = partnerships_client.post(reverse("admin:emergence_user_changelist"), selected)

    assert not mail.outbox
    content = html.unescape(response.content.decode())
    assert "1 personne va recevoir un e-mail." in content
    assert f"Ana Active <{active.email}>" in content
    assert inactive.email not in content
    assert 'name="confirm_emails"' in content


# Users ---------------------------------------------------------------------------------


def test_staff_creates_a_user_by_email_without_a_password_to_invite_them(partnerships_client):
    response = partnerships_client.post(
        reverse("admin:emergence_user_add"),
        {
            "email": "New.Person@Example.org",
            "first_name": "New",
            "last_name": "Person",
            "language": "en",
            "usable_password": "false",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert (user.language, user.has_usable_password()) == ("en", False)


def test_a_second_user_with_the_same_email_in_another_case_is_refused(
    partnerships_client, laureate
):
    response = partnerships_client.post(
        reverse("admin:emergence_user_add"),
        {"email": "INES.laureate@example.org", "language": "fr", "usable_password": "false"},
    )

    assert response.status_code == 200
    assert User.objects.filter(email__iexact="ines.laureate@example.org").count() == 1


def test_user_list_searches_by_email_and_filters_by_language(
    partnerships_client, laureate, outsider
):
    outsider.language = "en"
    outsider.save()

    response = partnerships_client.get(
        reverse("admin:emergence_user_changelist"), {"q": "example.org", "language__exact": "en"}
    )

    assert list(response.context["cl"].result_list) == [outsider]


# Every other page of the console -------------------------------------------------------


def test_promotion_list_counts_laureates(referent_client):
    promotion = PromotionFactory(year=2016)
    LaureateFactory.create_batch(2, promotion=promotion)

    response = referent_client.get(reverse("admin:laureates_promotion_changelist"))

    assert {p.year: p.laureate_count for p in response.context["cl"].result_list}[2016] == 2


# Who uses each page in their work: the client fixture of that role.
USED_BY = {
    "admin:laureates_promotion_changelist": "referent_client",
    "admin:laureates_sponsor_changelist": "referent_client",
    "admin:laureates_sponsorship_changelist": "referent_client",
    "admin:laureates_followup_changelist": "referent_client",
    "admin:partners_company_changelist": "partnerships_client",
    "admin:partners_partnermembership_changelist": "partnerships_client",
    "admin:emergence_user_changelist": "partnerships_client",
    "admin:laureates_laureate_import": "lead_client",
    "admin:laureates_laureate_export": "referent_client",
    "admin:laureates_sponsor_import": "referent_client",
    "admin:partners_company_import": "partnerships_client",
    "admin:laureates_laureate_add": "lead_client",
    "admin:laureates_followup_add": "referent_client",
    "admin:partners_company_add": "partnerships_client",
}


@pytest.mark.parametrize("url_name", USED_BY)
def test_console_pages_load_with_some_data_for_the_role_that_uses_them(request, referent, url_name):
    client = request.getfixturevalue(USED_BY[url_name])
    company = CompanyFactory()
    SponsorshipFactory(sponsor__company=company)
    FollowUpFactory(by=referent)
    PartnerMembershipFactory(company=company)

    response = client.get(reverse(url_name), {"q": "a"} if "changelist" in url_name else {})

    assert response.status_code == 200


LIST_FILLERS = {
    "admin:laureates_promotion_changelist": lambda: LaureateFactory(
        promotion=PromotionFactory(year=1990 + Promotion.objects.count())
    ),
    "admin:laureates_sponsor_changelist": lambda: SponsorFactory(),
    "admin:laureates_sponsorship_changelist": lambda: SponsorshipFactory(),
    "admin:laureates_followup_changelist": lambda: FollowUpFactory(
        by=RoleStaffFactory(role=roles.REFERENT)
    ),
    "admin:partners_company_changelist": lambda: CompanyFactory(),
    "admin:partners_partnermembership_changelist": lambda: PartnerMembershipFactory(),
    "admin:emergence_user_changelist": lambda: UserFactory(),
}


@pytest.mark.parametrize("url_name", LIST_FILLERS)
def test_console_lists_cost_the_same_queries_for_5_and_50_rows(
    request, django_assert_num_queries, url_name
):
    client = request.getfixturevalue(USED_BY[url_name])
    url = reverse(url_name)
    for _ in range(5):
        LIST_FILLERS[url_name]()
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _ in range(45):
        LIST_FILLERS[url_name]()

    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200


def test_follow_up_list_filters_by_channel_and_author(referent_client, referent):
    mine = FollowUpFactory(by=referent, channel="meeting")
    FollowUpFactory(channel="meeting", by=RoleStaffFactory(role=roles.REFERENT))
    FollowUpFactory(by=referent, channel="phone")

    response = referent_client.get(
        reverse("admin:laureates_followup_changelist"),
        {"channel__exact": "meeting", "by__id__exact": referent.pk},
    )

    assert list(response.context["cl"].result_list) == [mine]


def test_company_page_lists_its_partner_members(partnerships_client, partner_member):
    url = reverse("admin:partners_company_change", args=[partner_member.company_id])

    response = partnerships_client.get(url)

    assert str(partner_member.user) in response.content.decode()


def test_non_staff_users_are_sent_to_the_admin_login(laureate_client):
    response = laureate_client.get(LAUREATES)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_new_laureate_with_two_current_sponsorships_shows_an_error(lead_client, outsider):
    laureate = Laureate(
        user=outsider, promotion=PromotionFactory(), track=Track.OTHER, study_year=1
    )
    laureate.joined_on = datetime.date(2025, 9, 1)
    data = change_data(laureate, sponsorships=[new(SponsorFactory()), new(SponsorFactory())])

    response = lead_client.post(reverse("admin:laureates_laureate_add"), data)

    assert response.status_code == 200
    assert ONE_CURRENT in response.content.decode()
    assert not Laureate.objects.exists()


# The console in French, and in English on request -----------------------------------------


def test_console_titles_read_as_french(lead_client, partner_member):
    company = partner_member.company

    change = lead_client.get(reverse("admin:partners_company_change", args=[company.pk]))
    add = lead_client.get(reverse("admin:emergence_user_add"))
    companies = lead_client.get(reverse("admin:partners_company_changelist"))
    sessions = lead_client.get(reverse("admin:workshops_session_changelist"))

    assert "<h1>Fiche entreprise</h1>" in change.content.decode()
    assert "<h1>Nouvelle fiche utilisateur</h1>" in add.content.decode()
    assert "Choisissez la fiche entreprise à modifier" in html.unescape(companies.content.decode())
    content = html.unescape(sessions.content.decode())
    assert "Supprimer la sélection (séances d'atelier)" in content.replace("’", "'")
    for wrong in ("Modification de ", "Ajout de ", "l’objet", "sélectionnés"):
        assert wrong not in html.unescape(change.content.decode() + add.content.decode())


def test_packages_console_words_read_as_french():
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("fr"):
        assert gettext("periodic tasks") == "tâches périodiques"
        assert gettext("intervals") == "intervalles"
        assert gettext("Import finished: {} new, {} updated, {} deleted and {} skipped {}.") == (
            "Importation terminée\u00a0: {} ajout(s), {} mise(s) à jour, {} suppression(s) et "
            "{} ligne(s) ignorée(s) — {}."
        )
        assert gettext("Add another %(verbose_name)s") == "Ajouter une ligne %(verbose_name)s"


def test_the_outbox_names_each_kind_of_e_mail(lead_client):
    from emergence.models import OutboxEmail

    OutboxEmail.objects.create(
        key="k:1", kind="workshop-invitation", to="a@example.org", language="fr", subject="S"
    )

    response = lead_client.get(reverse("admin:emergence_outboxemail_changelist"))

    content = html.unescape(response.content.decode())
    assert "invitation à un atelier" in content
    assert ">workshop-invitation<" not in content


def test_the_export_page_names_the_columns_as_in_the_file(referent_client):
    response = referent_client.get(reverse("admin:laureates_laureate_export"))

    content = html.unescape(response.content.decode())
    assert "Année d'études" in content and "Prénom" in content
    assert "First Name" not in content and "Study Year" not in content


def test_staff_switch_the_console_to_english(lead_client, lead):
    response = lead_client.get(reverse("admin:index"))
    assert 'action="/i18n/setlang/"' in response.content.decode()

    response = lead_client.post(
        reverse("set_language"), {"language": "en", "next": "/admin/"}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/admin/"
    assert '<html lang="en"' in response.content.decode()
    lead.refresh_from_db()
    assert lead.language == "en"
