"""Co-optation as the programme practises it: laureates in work and staff co-opt; staff
confirm a pledged bonus was received, which makes it a donation with a tax receipt numbered
without gaps per year, as a PDF for the donor and staff, e-mailed through the outbox."""

import datetime
import io
import re
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from emergence import roles
from emergence.models import OutboxEmail
from laureates.models import Placement, PlacementSource, Situation
from partners.donations import donation_confirm
from partners.models import (
    CoOpter,
    Donation,
    DonorKind,
    GiftForm,
    PaymentMeans,
    ReceiptCounter,
    Referral,
    ReferralStatus,
)
from partners.receipts import amount_in_french, number_in_french, receipt_html
from partners.services import coopter_register_staff, referral_update
from tests.factories import PartnerMembershipFactory, RoleStaffFactory
from tests.partner_factories import CoOpterFactory, ReferralFactory

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2026, 6, 10)


def hired(**fields):
    """A hired referral whose bonus is pledged to the programme."""
    return ReferralFactory(
        **{"status": ReferralStatus.HIRED, "bonus": 800, "pledged_to_programme": True, **fields}
    )


def confirm(referral, by, **fields):
    values = {
        "amount": Decimal(800),
        "received_on": datetime.date(2026, 6, 2),
        "donor_name": "Awa Diallo",
        "donor_address": "3 rue Haute",
        "donor_postcode": "69001",
        "donor_city": "Lyon",
        "today": JUNE,
        **fields,
    }
    return donation_confirm(referral=referral, by=by, **values)


def pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", text)


# Co-opters ---------------------------------------------------------------------------


def test_a_staff_member_co_opts_as_themselves(lead):
    coopter = coopter_register_staff(user=lead, platforms="Keycoopt")
    assert coopter.user == lead and coopter.laureate is None
    assert str(coopter) == str(lead)


def test_someone_who_is_not_staff_cannot_co_opt_from_the_console(laureate):
    with pytest.raises(ValidationError):
        coopter_register_staff(user=laureate.user)


def test_a_co_opter_is_a_laureate_or_a_staff_member_never_both_nor_neither(lead, laureate):
    with pytest.raises(IntegrityError), transaction.atomic():
        CoOpter.objects.create(laureate=laureate, staff_member=lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        CoOpter.objects.create()


def test_the_lead_registers_herself_as_a_co_opter_in_the_console(lead_client, lead):
    response = lead_client.post(
        "/admin/partners/coopter/add/", {"staff_member": lead.pk, "platforms": "Keycoopt"}
    )
    assert response.status_code == 302
    assert CoOpter.objects.get().staff_member == lead


def test_the_console_refuses_a_co_opter_that_is_neither(lead_client):
    response = lead_client.post("/admin/partners/coopter/add/", {"platforms": "Keycoopt"})
    assert response.status_code == 200
    assert not CoOpter.objects.exists()


# A candidate of the programme hired ---------------------------------------------------


def test_a_hired_candidate_laureate_gets_their_placement(laureate):
    referral = ReferralFactory(
        candidate_name="", candidate_laureate=laureate, job_title="Analyste crédit"
    )
    referral_update(referral=referral, status=ReferralStatus.HIRED, bonus=600)
    placement = Placement.objects.get(laureate=laureate)
    assert (placement.title, placement.source) == ("Analyste crédit", PlacementSource.REFERRAL)
    referral.refresh_from_db()
    assert referral.placement == placement
    laureate.refresh_from_db()
    assert laureate.situation == Situation.IN_WORK


def test_a_hired_candidate_who_is_not_a_laureate_gets_no_placement():
    referral = ReferralFactory()
    referral_update(referral=referral, status=ReferralStatus.HIRED)
    assert not Placement.objects.exists()


def test_staff_who_recognise_a_hired_candidate_as_a_laureate_go_on_to_their_placement(
    partnerships_client, laureate
):
    # The co-opter only typed a name; staff link the laureate once the hire is known.
    referral = ReferralFactory(candidate_name=str(laureate), status=ReferralStatus.HIRED)
    response = partnerships_client.post(
        reverse("admin:partners_referral_change", args=[referral.pk]),
        {
            "coopter": referral.coopter.pk,
            "candidate_laureate": laureate.pk,
            "candidate_name": "",
            "company": referral.company,
            "job_title": referral.job_title,
            "platform": referral.platform,
            "platform_reference": "",
            "referred_on": "2026-03-01",
            "status": ReferralStatus.HIRED,
            "bonus": "",
        },
    )
    url = reverse("admin:partners_referral_placement", args=[referral.pk])
    assert response.status_code == 302 and response["Location"] == url
    posted = {"kind": "job", "title": referral.job_title, "starts_on": "2026-11-16"}
    assert (
        partnerships_client.post(url, {**posted, "other_company": referral.company}).status_code
        == 302
    )
    referral.refresh_from_db()
    assert referral.placement.laureate == laureate


# Staff confirm the donation ------------------------------------------------------------


def test_staff_confirm_a_pledged_bonus_in_the_console(partnerships_client, time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 10, 10, tzinfo=datetime.UTC))
    referral = hired()
    url = f"/admin/partners/referral/{referral.pk}/donation/"
    page = partnerships_client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["amount"] == 800
    response = partnerships_client.post(
        url,
        {
            "amount": "800",
            "received_on": "2026-06-02",
            "means": "cheque",
            "gift_form": "manual_gift",
            "nature": "money",
            "donor_kind": "individual",
            "donor_name": "Awa Diallo",
            "donor_address": "3 rue Haute",
            "donor_postcode": "69001",
            "donor_city": "Lyon",
        },
    )
    donation = Donation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/partners/donation/{donation.pk}/change/"
    assert donation.receipt_label == "2026-0001"
    assert donation.confirmed_on == datetime.date(2026, 6, 10)
    assert donation.confirmed_by.email == "hugo.partnerships@example.org"
    assert donation.means == PaymentMeans.CHEQUE


def test_the_referral_page_offers_to_confirm_the_donation(partnerships_client):
    referral = hired()
    html = partnerships_client.get(f"/admin/partners/referral/{referral.pk}/change/").content
    assert f"/admin/partners/referral/{referral.pk}/donation/".encode() in html


@pytest.mark.parametrize(
    "fields",
    [
        {"pledged_to_programme": False},
        {"status": ReferralStatus.INTERVIEWING, "bonus": None},
    ],
)
def test_only_a_pledged_bonus_of_a_hire_can_be_confirmed(partnerships_staff, fields):
    with pytest.raises(ValidationError):
        confirm(hired(**fields), partnerships_staff)
    assert not Donation.objects.exists()


def test_a_donation_is_confirmed_once(partnerships_staff):
    referral = hired()
    confirm(referral, partnerships_staff)
    with pytest.raises(ValidationError):
        confirm(referral, partnerships_staff)
    assert Donation.objects.count() == 1


def test_a_donation_cannot_be_received_in_the_future(partnerships_staff):
    with pytest.raises(ValidationError):
        confirm(hired(), partnerships_staff, received_on=JUNE + datetime.timedelta(days=1))


def test_the_database_refuses_a_donation_of_nothing(partnerships_staff):
    donation = confirm(hired(), partnerships_staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Donation.objects.filter(pk=donation.pk).update(amount=0)


def test_the_database_refuses_two_receipts_with_one_number(partnerships_staff):
    first = confirm(hired(), partnerships_staff)
    second = confirm(hired(), partnerships_staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Donation.objects.filter(pk=second.pk).update(receipt_number=first.receipt_number)


def test_only_a_confirmed_donation_counts_in_the_yearly_totals(partnerships_staff):
    hired(referred_on=datetime.date(2026, 2, 1))
    confirm(hired(referred_on=datetime.date(2026, 3, 1)), partnerships_staff, amount=Decimal(750))
    totals = list(Referral.objects.totals_by_year())
    assert totals == [{"year": 2026, "count": 2, "hired": 2, "pledged": 1600, "received": 750}]


def test_once_confirmed_the_co_opter_cannot_change_the_bonus(partnerships_staff):
    referral = hired()
    confirm(referral, partnerships_staff)
    with pytest.raises(ValidationError):
        referral_update(referral=referral, status=ReferralStatus.HIRED, bonus=500)


# The laureate no longer records the donation -----------------------------------------


def test_the_laureate_can_no_longer_record_that_the_donation_was_received(
    laureate_client, laureate
):
    referral = hired(coopter=CoOpterFactory(laureate=laureate))
    url = f"/partners/cooptation/referrals/{referral.pk}/"
    assert b'name="donation_received_on"' not in laureate_client.get(url).content
    laureate_client.post(
        url,
        {
            "status": "hired",
            "bonus": "800",
            "pledged_to_programme": "on",
            "donation_received_on": "2026-06-01",
        },
    )
    referral.refresh_from_db()
    assert referral.donation_received_on is None
    assert not Donation.objects.exists()


def test_the_laureate_sees_the_donation_waiting_then_its_receipt(
    laureate_client, laureate, partnerships_staff
):
    referral = hired(coopter=CoOpterFactory(laureate=laureate))
    html = laureate_client.get("/partners/cooptation/").content.decode()
    assert "donation-waiting" in html and "receipt-pdf" not in html
    donation = confirm(referral, partnerships_staff)
    html = laureate_client.get("/partners/cooptation/").content.decode()
    assert f'href="/partners/cooptation/receipts/{donation.pk}.pdf"' in html
    assert "2026-0001" in html


# Numbering -------------------------------------------------------------------------------


def test_two_confirmations_in_a_row_get_consecutive_numbers(partnerships_staff):
    first = confirm(hired(), partnerships_staff)
    second = confirm(hired(), partnerships_staff)
    assert [first.receipt_label, second.receipt_label] == ["2026-0001", "2026-0002"]


def test_a_new_year_starts_again_at_0001(partnerships_staff):
    confirm(hired(), partnerships_staff, today=datetime.date(2026, 12, 30))
    confirm(hired(), partnerships_staff, today=datetime.date(2026, 12, 31))
    new_year = confirm(hired(), partnerships_staff, today=datetime.date(2027, 1, 2))
    assert new_year.receipt_label == "2027-0001"
    assert dict(ReceiptCounter.objects.values_list("year", "last_number")) == {2026: 2, 2027: 1}


def test_a_refused_confirmation_takes_no_number(partnerships_staff):
    with pytest.raises(ValidationError):
        confirm(hired(), partnerships_staff, amount=Decimal(0))
    assert confirm(hired(), partnerships_staff).receipt_label == "2026-0001"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_get_two_numbers_none_skipped():
    staff = RoleStaffFactory(role=roles.PARTNERSHIPS)
    referrals = [hired() for _ in range(4)]
    start = threading.Barrier(len(referrals))
    errors = []

    def run(referral):
        try:
            start.wait()
            confirm(referral, staff)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(referral,)) for referral in referrals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Donation.objects.values_list("receipt_number", flat=True))
    assert numbers == [1, 2, 3, 4]


# The receipt -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "zéro"),
        (1, "un"),
        (17, "dix-sept"),
        (21, "vingt et un"),
        (71, "soixante et onze"),
        (75, "soixante-quinze"),
        (80, "quatre-vingts"),
        (81, "quatre-vingt-un"),
        (91, "quatre-vingt-onze"),
        (100, "cent"),
        (200, "deux cents"),
        (201, "deux cent un"),
        (750, "sept cent cinquante"),
        (800, "huit cents"),
        (1000, "mille"),
        (1080, "mille quatre-vingts"),
        (2000, "deux mille"),
        (80_000, "quatre-vingt mille"),
        (200_000, "deux cent mille"),
        (1_000_000, "un million"),
        (2_300_000, "deux millions trois cent mille"),
        (3_000_000_000, "trois milliards"),
    ],
)
def test_numbers_in_french_words(number, words):
    assert number_in_french(number) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("800", "huit cents euros"),
        ("1", "un euro"),
        ("1000.50", "mille euros et cinquante centimes"),
        ("0.01", "un centime"),
        ("2000000", "deux millions d’euros"),
    ],
)
def test_amounts_in_french_words(amount, words):
    assert amount_in_french(Decimal(amount)) == words


def test_the_receipt_pdf_reads_back_with_its_number_and_the_amount_in_words(
    laureate_client, laureate, partnerships_staff
):
    donation = confirm(hired(coopter=CoOpterFactory(laureate=laureate)), partnerships_staff)
    response = laureate_client.get(f"/partners/cooptation/receipts/{donation.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "recu-fiscal-2026-0001.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "2026-0001" in text
    assert "huit cents euros" in text
    assert "Awa Diallo" in text and "69001 Lyon" in text
    assert "Association Emergence" in text  # the organisation's settings


def test_the_receipt_names_the_article_of_the_donor(partnerships_staff, settings):
    settings.DONATION_RECEIPT_ORGANISATION = {
        **settings.DONATION_RECEIPT_ORGANISATION,
        "name": "Fondation Essor",
    }
    company = confirm(hired(), partnerships_staff, donor_kind=DonorKind.COMPANY)
    person = confirm(hired(), partnerships_staff, gift_form=GiftForm.PRIVATE_DEED)
    assert "☒ 238 bis" in receipt_html(company) and "☐ 200" in receipt_html(company)
    assert "☒ 200" in receipt_html(person) and "☐ 238 bis" in receipt_html(person)
    assert "Fondation Essor" in receipt_html(person)


# Who downloads it --------------------------------------------------------------------------


@pytest.fixture
def laureate_donation(laureate, partnerships_staff):
    return confirm(hired(coopter=CoOpterFactory(laureate=laureate)), partnerships_staff)


def _receipt(client, donation):
    return client.get(f"/partners/cooptation/receipts/{donation.pk}.pdf")


def test_staff_download_every_receipt(partnerships_client, lead_client, laureate_donation):
    assert _receipt(partnerships_client, laureate_donation).status_code == 200
    assert _receipt(lead_client, laureate_donation).status_code == 200


def test_another_laureate_gets_404(client, other_laureate, laureate_donation):
    client.force_login(other_laureate.user)
    assert _receipt(client, laureate_donation).status_code == 404


def test_a_partner_gets_404(client, laureate_donation):
    client.force_login(PartnerMembershipFactory().user)
    assert _receipt(client, laureate_donation).status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, laureate_donation):
    response = _receipt(client, laureate_donation)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_staff_donor_downloads_their_own_receipt_only(client, partnerships_staff):
    donor = RoleStaffFactory(role=roles.REFERENT)  # no access to donations otherwise
    own = confirm(hired(coopter=coopter_register_staff(user=donor)), partnerships_staff)
    other = confirm(hired(), partnerships_staff)
    client.force_login(donor)
    assert _receipt(client, own).status_code == 200
    assert _receipt(client, other).status_code == 404


# The e-mail --------------------------------------------------------------------------------


def test_the_receipt_is_e_mailed_to_the_donor_through_the_outbox(
    laureate, partnerships_staff, django_capture_on_commit_callbacks, mailoutbox
):
    referral = hired(coopter=CoOpterFactory(laureate=laureate))
    with django_capture_on_commit_callbacks(execute=True):
        donation = confirm(referral, partnerships_staff)
    email = OutboxEmail.objects.get(key=f"donation-receipt:{donation.pk}")
    assert email.to == "ines.laureate@example.org"
    assert f"/partners/cooptation/receipts/{donation.pk}.pdf" in email.text
    assert "2026-0001" in email.subject
    assert [message.to for message in mailoutbox] == [["ines.laureate@example.org"]]


# The console: receipts per year, export, never changed ----------------------------------


def test_the_console_lists_a_years_receipts_and_exports_them(
    partnerships_client, partnerships_staff
):
    confirm(
        hired(),
        partnerships_staff,
        today=datetime.date(2025, 12, 1),
        received_on=datetime.date(2025, 11, 3),
    )
    confirm(hired(), partnerships_staff, donor_name="Awa Diallo")
    confirm(hired(), partnerships_staff, donor_name="=HYPERLINK(1)")
    page = partnerships_client.get("/admin/partners/donation/?receipt_year=2026")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026-0001" in html and "2026-0002" in html and "2025-0001" not in html
    assert 'href="/admin/partners/donation/export.xlsx?receipt_year=2026"' in html
    assert page.context_data["yearly_totals"] == [
        {"receipt_year": 2026, "count": 2, "amount": Decimal(1600)}
    ]
    export = partnerships_client.get("/admin/partners/donation/export.xlsx?receipt_year=2026")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == ["2026-0001", "2026-0002"]
    assert rows[1][3] == "'=HYPERLINK(1)"  # a formula is neutralised


def test_the_receipts_list_and_export_cost_the_same_queries_at_two_sizes(
    partnerships_client, partnerships_staff, django_assert_max_num_queries
):
    from django.test.utils import CaptureQueriesContext

    confirm(hired(), partnerships_staff)
    urls = ["/admin/partners/donation/", "/admin/partners/donation/export.xlsx"]
    small = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            partnerships_client.get(url)
        small[url] = len(queries)
    for _ in range(8):
        confirm(hired(), partnerships_staff)
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            partnerships_client.get(url)


def test_a_receipt_is_never_changed_nor_deleted_in_the_console(lead_client, laureate_donation):
    url = f"/admin/partners/donation/{laureate_donation.pk}"
    assert lead_client.post(f"{url}/change/", {"amount": "1"}).status_code == 403
    assert lead_client.post(f"{url}/delete/", {"post": "yes"}).status_code == 403
    laureate_donation.refresh_from_db()
    assert laureate_donation.amount == 800
    page = lead_client.get(f"{url}/change/").content.decode()
    assert f'href="/partners/cooptation/receipts/{laureate_donation.pk}.pdf"' in page


def test_only_staff_who_may_add_donations_confirm_one(client):
    referral = hired()
    client.force_login(RoleStaffFactory(role=roles.REFERENT))
    assert client.get(f"/admin/partners/referral/{referral.pk}/donation/").status_code == 403


# The demo ----------------------------------------------------------------------------------


def test_the_demo_lead_co_opts_and_downloads_her_receipt(settings, client):
    from django.core.management import call_command

    from laureates.demo import LEAD_EMAIL

    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    donation = Donation.objects.get(referral__coopter__staff_member__email=LEAD_EMAIL)
    assert donation.receipt_label == "2026-0001"
    assert Donation.objects.filter(referral__coopter__laureate__isnull=False).exists()
    # A pledged bonus still waits for staff to confirm it.
    waiting = Referral.objects.filter(
        status=ReferralStatus.HIRED, pledged_to_programme=True, donation__isnull=True
    )
    assert waiting.exists()
    client.force_login(donation.referral.coopter.staff_member)
    response = _receipt(client, donation)
    assert response.status_code == 200
    assert "2026-0001" in pdf_text(response.content)
    call_command("seed_demo", stdout=None)  # seeding again issues no second receipt
    assert Donation.objects.count() == 2


def test_the_donors_data_download_lists_their_receipts(laureate, partnerships_staff):
    from django.utils import translation

    from emergence.personal_data import personal_data_export

    confirm(hired(coopter=CoOpterFactory(laureate=laureate)), partnerships_staff)
    with translation.override("en"):
        sections = personal_data_export(user=laureate.user)
    assert [row["Receipt"] for row in sections["Donations"]] == ["2026-0001"]
    assert sections["Donations"][0]["Address on the receipt"] == "3 rue Haute, 69001 Lyon"
