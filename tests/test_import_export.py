"""Spreadsheet import and export: all-or-nothing, French headers, Excel in France, no formulas."""

import csv
import datetime
import html
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from emergence import roles
from emergence.spreadsheets import CSV, XLSX, import_errors
from laureates.models import Laureate, Promotion, Situation, Sponsor, Status, Track
from laureates.resources import LaureateResource, SponsorResource
from partners.models import Company
from partners.resources import CompanyResource
from tests.factories import (
    CompanyFactory,
    LaureateFactory,
    PromotionFactory,
    RoleStaffFactory,
    SponsorFactory,
    SponsorshipFactory,
)

User = get_user_model()

ENGLISH_CSV = (
    "email,first_name,last_name,promotion,track,study_year,school,city,phone,status,"
    "situation,referent,joined_on\n"
    "Lina.Haddad@Example.org,Lina,Haddad,2017,medecine,3,Université de Lille,Lille,"
    "+33 6 12 34 56 78,active,studying,paul.referent@example.org,2017-09-01\n"
    "noah.petit@example.org,Noah,Petit,2018,Engineering school,1,INSA Lyon,Lyon,,"
    "alumni,in work,,2018-09-03\n"
)

EXCEL_FRANCE_CSV = (
    "E-MAIL;Prénom;NOM;Promotion;filiere;Année d’études;Ecole;Ville;Téléphone;Statut;"
    "Situation;Référent;Entrée le\r\n"
    "lina.haddad@example.org;Lina;Haddad;2017;médecine;3;Université de Lille;Lille;"
    "06 12 34 56 78;actif;en études;paul.referent@example.org;01/09/2017\r\n"
    "sacha.moreau@example.org;Sacha;Moreau;2019;prépa;2;Lycée du Parc;Lyon;;Actif;"
    "en recherche;;15/09/2019\r\n"
    "elise.garnier@example.org;Élise;Garnier;2015;école d'ingénieurs;5;Centrale Lille;"
    "Lille;;ancienne;en emploi;;2015-09-01\r\n"
    ";;;;;;;;;;;;\r\n"
)


def import_csv(resource, text: str, *, encoding: str = "utf-8", **kwargs):
    dataset = CSV().create_dataset(text.encode(encoding))
    return resource.import_data(dataset, dry_run=False, raise_errors=False, **kwargs)


def xlsx_bytes(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def read_csv_export(data: str) -> list[list[str]]:
    assert data.startswith("\ufeff")
    return list(csv.reader(io.StringIO(data.removeprefix("\ufeff")), delimiter=";"))


def read_xlsx_export(data: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [[cell.value for cell in row] for row in book.active.iter_rows()]


# Import --------------------------------------------------------------------------------


def test_csv_with_english_headers_creates_laureates_their_accounts_and_promotions(referent):
    result = import_csv(LaureateResource(), ENGLISH_CSV)

    assert import_errors(result) == []
    lina = Laureate.objects.select_related("user", "promotion").get(
        user__email="lina.haddad@example.org"
    )
    assert (lina.user.first_name, lina.user.last_name) == ("Lina", "Haddad")
    assert not lina.user.has_usable_password()
    assert lina.promotion.year == 2017
    assert lina.track == Track.MEDICINE
    assert lina.study_year == 3
    assert lina.phone == "+33 6 12 34 56 78"
    assert lina.referent == referent
    assert lina.joined_on == datetime.date(2017, 9, 1)
    noah = Laureate.objects.get(user__email="noah.petit@example.org")
    assert (noah.track, noah.status, noah.situation) == (
        Track.ENGINEERING,
        Status.ALUMNI,
        Situation.IN_WORK,
    )
    assert noah.referent is None
    assert set(Promotion.objects.values_list("year", flat=True)) >= {2017, 2018}


def test_csv_saved_by_excel_in_france_imports(referent):
    text = "\ufeff" + EXCEL_FRANCE_CSV

    result = import_csv(LaureateResource(), text)

    assert import_errors(result) == []
    assert Laureate.objects.count() == 3
    lina = Laureate.objects.get(user__email="lina.haddad@example.org")
    assert (lina.track, lina.study_year, lina.school) == (Track.MEDICINE, 3, "Université de Lille")
    assert lina.joined_on == datetime.date(2017, 9, 1)
    assert lina.referent == referent
    sacha = Laureate.objects.get(user__email="sacha.moreau@example.org")
    assert (sacha.track, sacha.status, sacha.situation) == (
        Track.PREPA,
        Status.ACTIVE,
        Situation.SEEKING,
    )
    assert sacha.joined_on == datetime.date(2019, 9, 15)
    elise = Laureate.objects.get(user__email="elise.garnier@example.org")
    assert elise.user.first_name == "Élise"
    assert (elise.track, elise.status) == (Track.ENGINEERING, Status.ALUMNI)
    assert elise.joined_on == datetime.date(2015, 9, 1)


def test_csv_from_an_older_excel_in_windows_1252_imports(referent):
    result = import_csv(LaureateResource(), EXCEL_FRANCE_CSV, encoding="cp1252")

    assert import_errors(result) == []
    assert Laureate.objects.get(user__email="elise.garnier@example.org").user.first_name == "Élise"


def test_xlsx_imports_with_spreadsheet_dates_and_numbers(referent):
    data = xlsx_bytes(
        [
            ["E-mail", "Prénom", "Nom", "Promotion", "Filière", "Année d'études", "Entrée le"],
            ["ines.k@example.org", "Inès", "Kaci", 2020, "Prépa", 2, datetime.datetime(2020, 9, 1)],
            ["tom.r@example.org", "Tom", "Roux", 2021.0, "IUT/BTS", "1", "01/09/2021"],
        ]
    )
    dataset = XLSX().create_dataset(data)

    result = LaureateResource().import_data(dataset, dry_run=False)

    assert import_errors(result) == []
    ines = Laureate.objects.get(user__email="ines.k@example.org")
    assert (ines.promotion.year, ines.track, ines.joined_on) == (
        2020,
        Track.PREPA,
        datetime.date(2020, 9, 1),
    )
    tom = Laureate.objects.get(user__email="tom.r@example.org")
    assert (tom.promotion.year, tom.track, tom.study_year) == (2021, Track.IUT_BTS, 1)


def test_import_updates_the_laureate_with_the_same_email_whatever_its_case(laureate):
    text = "E-mail;Prénom;Nom;Année d'études\nINES.LAUREATE@example.org;Inès;Benali-Roy;4\n"

    result = import_csv(LaureateResource(), text)

    assert import_errors(result) == []
    assert Laureate.objects.count() == 1
    laureate.refresh_from_db()
    laureate.user.refresh_from_db()
    assert laureate.study_year == 4
    assert laureate.user.last_name == "Benali-Roy"


def test_import_gives_a_laureate_profile_to_an_existing_account(outsider):
    text = "email,first_name,last_name,promotion,track\nNobody@example.org,Zoé,Blanc,2024,autre\n"

    result = import_csv(LaureateResource(), text)

    assert import_errors(result) == []
    assert Laureate.objects.get(user=outsider).track == Track.OTHER
    assert User.objects.filter(email__iexact="nobody@example.org").count() == 1


def test_import_never_turns_a_staff_or_partner_account_into_a_laureate(referent, partner_member):
    partner = partner_member.user
    names = (referent.first_name, partner.first_name)
    text = (
        "email,first_name,last_name,promotion,track\n"
        f"{referent.email},Zoé,Blanc,2024,autre\n"
        f"{partner.email},Léo,Noir,2024,autre\n"
        "new.one@example.org,Ana,Neuve,2024,autre\n"
    )

    result = import_csv(LaureateResource(), text)

    assert Laureate.objects.count() == 0
    errors = import_errors(result)
    assert any(
        line.startswith("Ligne 2") and referent.email in line and "membre de l’équipe" in line
        for line in errors
    ), errors
    assert any(
        line.startswith("Ligne 3") and partner.email in line and "entreprise partenaire" in line
        for line in errors
    ), errors
    referent.refresh_from_db()
    partner.refresh_from_db()
    assert (referent.first_name, partner.first_name) == names


def test_import_with_one_bad_row_imports_nothing_and_names_the_row(referent, outsider):
    counts = (Laureate.objects.count(), User.objects.count(), Promotion.objects.count())
    text = (
        "E-mail;Prénom;Nom;Promotion;Filière;Année d'études;Référent;Entrée le\n"
        "a.good@example.org;Ana;Good;2030;médecine;1;paul.referent@example.org;01/09/2030\n"
        "b.bad@example.org;Ben;Bad;2031;astrologie;1;;01/09/2031\n"
        "c.good@example.org;Cal;Good;2032;prépa;2;;01/09/2032\n"
        "d.bad@example.org;Dan;Bad;2033;prépa;15;nobody@example.org;31/02/2033\n"
    )

    result = import_csv(LaureateResource(), text)

    assert (Laureate.objects.count(), User.objects.count(), Promotion.objects.count()) == counts
    errors = import_errors(result)
    assert [line.split(":")[0].strip() for line in errors] == [
        "Ligne 3",
        "Ligne 5",
        "Ligne 5",
        "Ligne 5",
    ]
    assert "astrologie" in errors[0] and "Filière" in errors[0]
    row_4 = " ".join(errors[1:])
    assert "15 n’est pas compris entre 1 et 12" in row_4
    assert "Aucun membre de l’équipe n’a l’adresse e-mail nobody@example.org" in row_4
    assert "31/02/2033" in row_4


def test_a_referent_who_is_not_staff_is_a_row_error(outsider):
    text = (
        "email,first_name,last_name,promotion,track,referent\n"
        "x@example.org,X,Y,2024,autre,nobody@example.org\n"
    )

    result = import_csv(LaureateResource(), text)

    assert not Laureate.objects.exists()
    assert import_errors(result) == [
        "Ligne 2\u00a0: referent\u00a0: "
        "Aucun membre de l’équipe n’a l’adresse e-mail nobody@example.org."
    ]


def test_a_new_laureate_without_promotion_or_name_is_a_row_error(db):
    text = "email,first_name,last_name,promotion,track\nx@example.org,,Y,,autre\n"

    result = import_csv(LaureateResource(), text)

    assert not Laureate.objects.exists()
    errors = import_errors(result)
    assert any(line.startswith("Ligne 2\u00a0: first_name\u00a0:") for line in errors)
    assert any(line.startswith("Ligne 2\u00a0: promotion\u00a0:") for line in errors)


def test_the_same_email_twice_in_a_file_is_an_error(db):
    text = (
        "email,first_name,last_name,promotion,track\n"
        "twice@example.org,A,B,2024,autre\n"
        "TWICE@example.org,C,D,2024,autre\n"
    )

    result = import_csv(LaureateResource(), text)

    assert not Laureate.objects.exists()
    assert import_errors(result) == ["Ligne 3\u00a0: email\u00a0: Même valeur qu’à la ligne 2."]


def test_a_file_without_an_email_column_imports_nothing_and_says_why(db):
    text = "Prénom;Nom\nA;B\n"

    with translation.override("fr"):
        result = import_csv(LaureateResource(), text)

    assert not Laureate.objects.exists()
    assert result.has_errors()
    assert "E-mail" in " ".join(import_errors(result))


def test_import_is_all_or_nothing_even_when_the_caller_asks_for_no_transaction(db):
    text = (
        "email,first_name,last_name,promotion,track\n"
        "ok@example.org,A,B,2024,autre\n"
        "ko@example.org,C,D,2024,unknown\n"
    )

    import_csv(LaureateResource(), text, use_transactions=False)

    assert not User.objects.filter(email="ok@example.org").exists()


def test_sponsors_import_with_french_headers_and_a_known_company(db):
    CompanyFactory(name="Conseil & Associés")
    text = (
        "\ufeffPrénom;Nom;E-mail;Téléphone;Entreprise\n"
        "Paul;Durand;Paul.Durand@Conseil.example.com;01 23 45 67 89;conseil & associés\n"
    )

    result = import_csv(SponsorResource(), text)

    assert import_errors(result) == []
    sponsor = Sponsor.objects.get()
    assert sponsor.email == "paul.durand@conseil.example.com"
    assert sponsor.company.name == "Conseil & Associés"


def test_a_sponsor_of_an_unknown_company_is_a_row_error(db):
    text = "first_name,last_name,email,company\nPaul,Durand,p@example.com,Nowhere Inc\n"

    result = import_csv(SponsorResource(), text)

    assert not Sponsor.objects.exists()
    assert import_errors(result) == [
        "Ligne 2\u00a0: company\u00a0: Aucune entreprise ne s’appelle «\u00a0Nowhere Inc\u00a0»"
        "\u00a0: importez d’abord les entreprises."
    ]


def test_companies_import_with_french_headers_and_update_by_name(db):
    CompanyFactory(name="Banque Solidaire", city="Paris")
    text = (
        "Nom;Secteur;Ville;Contact;E-mail du contact;Téléphone du contact;Active\n"
        "banque solidaire;Banque;Lyon;Marie Curie;MARIE@banque.example.com;;non\n"
        "Énergies Nouvelles;Énergie;Grenoble;;;;oui\n"
    )

    result = import_csv(CompanyResource(), text)

    assert import_errors(result) == []
    bank = Company.objects.get(name__iexact="Banque Solidaire")
    assert (bank.city, bank.contact_email, bank.active) == (
        "Lyon",
        "marie@banque.example.com",
        False,
    )
    assert bank.name == "banque solidaire"  # the file's spelling wins
    assert Company.objects.get(name="Énergies Nouvelles").active is True


# Export --------------------------------------------------------------------------------


def laureate_snapshot():
    return sorted(
        (
            laureate.user.email,
            laureate.user.first_name,
            laureate.user.last_name,
            laureate.promotion.year,
            laureate.track,
            laureate.study_year,
            laureate.school,
            laureate.city,
            laureate.phone,
            laureate.status,
            laureate.situation,
            laureate.referent.email if laureate.referent else None,
            laureate.joined_on,
        )
        for laureate in Laureate.objects.select_related("user", "promotion", "referent")
    )


@pytest.fixture
def varied_laureates(referent):
    first = LaureateFactory(
        track=Track.MEDICINE,
        status=Status.ALUMNI,
        situation=Situation.IN_WORK,
        referent=referent,
        phone="+33 6 00 00 00 00",
        school='=HYPERLINK("http://evil.example","clic")',
        promotion=PromotionFactory(year=2012),
        joined_on=datetime.date(2012, 9, 3),
    )
    SponsorshipFactory(laureate=first)
    LaureateFactory(track=Track.PREPA, city="-2+3", school="@SUM(A1)")
    LaureateFactory(track=Track.BUSINESS, city="\tTab", school="+Plus")
    return first


@pytest.mark.parametrize("file_format", [CSV, XLSX], ids=["csv", "xlsx"])
def test_an_export_imports_back_to_the_same_laureates(varied_laureates, file_format):
    before = laureate_snapshot()
    with translation.override("fr"):
        data = file_format().export_data(LaureateResource().export())
    Laureate.objects.all().delete()
    User.objects.filter(is_staff=False).delete()

    with translation.override("fr"):
        dataset = file_format().create_dataset(data.encode() if isinstance(data, str) else data)
        result = LaureateResource().import_data(dataset)

    assert import_errors(result) == []
    assert laureate_snapshot() == before


def test_exports_use_french_headers_and_labels_by_default(varied_laureates):
    data = CSV().export_data(LaureateResource().export())

    rows = read_csv_export(data)
    assert rows[0] == [
        "E-mail",
        "Prénom",
        "Nom",
        "Promotion",
        "Filière",
        "Année d'études",
        "École",
        "Diplôme",
        "Année du diplôme",
        "Ville",
        "Téléphone",
        "Statut",
        "Situation",
        "Référent",
        "Entrée le",
        "Parrain ou marraine",
    ]
    first = next(row for row in rows if row[0] == varied_laureates.user.email)
    with translation.override("fr"):
        assert first[4] == str(Track.MEDICINE.label)
        assert first[11] == str(Status.ALUMNI.label)
    assert first[3] == "2012"
    assert first[13] == "paul.referent@example.org"
    assert first[14] == "03/09/2012"
    sponsor = varied_laureates.sponsorships.get().sponsor
    assert first[15] == f"{sponsor.first_name} {sponsor.last_name}"


def test_exports_in_english_use_english_headers(varied_laureates):
    with translation.override("en"):
        data = CSV().export_data(LaureateResource().export())

    header = next(csv.reader(io.StringIO(data.removeprefix("\ufeff"))))
    assert header[:3] == ["Email", "First name", "Last name"]


def test_csv_export_neutralises_cells_a_spreadsheet_would_run(varied_laureates):
    LaureateFactory(school="\rReturn")
    rows = read_csv_export(CSV().export_data(LaureateResource().export()))

    cells = {cell for row in rows[1:] for cell in row}
    assert '\'=HYPERLINK("http://evil.example","clic")' in cells
    assert {"'@SUM(A1)", "'-2+3", "'\tTab", "'\rReturn", "'+33 6 00 00 00 00"} <= cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_xlsx_export_neutralises_cells_a_spreadsheet_would_run(varied_laureates):
    data = XLSX().export_data(LaureateResource().export(force_native_type=True))

    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [cell for row in book.active.iter_rows(min_row=2) for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f"]
    values = {cell.value for cell in cells}
    assert '\'=HYPERLINK("http://evil.example","clic")' in values
    assert {"'@SUM(A1)", "'-2+3", "'+33 6 00 00 00 00"} <= values


def test_xlsx_export_reads_like_a_spreadsheet(varied_laureates):
    with translation.override("fr"):
        data = XLSX().export_data(LaureateResource().export(force_native_type=True))

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Lauréats"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:P{Laureate.objects.count() + 1}"
    assert all(cell.font.bold for cell in sheet[1])
    email = varied_laureates.user.email
    row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == email)
    promotion, track, joined_on = row[3], row[4], row[14]
    assert (promotion.data_type, promotion.value) == ("n", 2012)
    assert track.value == str(Track.MEDICINE.label)
    assert joined_on.is_date and joined_on.number_format == "dd/mm/yyyy"
    assert joined_on.value == datetime.datetime(2012, 9, 3)


def test_an_xlsx_export_in_english_names_its_sheet_in_english(varied_laureates):
    with translation.override("en"):
        data = XLSX().export_data(LaureateResource().export(force_native_type=True))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Laureates"
    assert [cell.value for cell in sheet[1]][:3] == ["Email", "First name", "Last name"]


def export_queries(resource_class) -> int:
    with CaptureQueriesContext(connection) as queries:
        CSV().export_data(resource_class().export())
    return len(queries)


def test_laureate_export_costs_the_same_queries_for_3_and_30_laureates(referent):
    for _ in range(3):
        SponsorshipFactory(laureate=LaureateFactory(referent=referent))
    small = export_queries(LaureateResource)
    for _ in range(27):
        SponsorshipFactory(laureate=LaureateFactory(referent=referent))

    assert export_queries(LaureateResource) == small


def test_sponsor_export_costs_the_same_queries_for_3_and_30_sponsors(db):
    SponsorFactory.create_batch(3)
    small = export_queries(SponsorResource)
    SponsorFactory.create_batch(27)

    assert export_queries(SponsorResource) == small


def test_company_export_costs_the_same_queries_for_3_and_30_companies(db):
    CompanyFactory.create_batch(3)
    small = export_queries(CompanyResource)
    CompanyFactory.create_batch(27)

    assert export_queries(CompanyResource) == small


def test_company_export_round_trips(db):
    CompanyFactory(name="=Bad Idea", active=False, contact_email="x@example.com")
    data = CSV().export_data(CompanyResource().export())
    Company.objects.all().delete()

    result = CompanyResource().import_data(CSV().create_dataset(data.encode()))

    assert import_errors(result) == []
    company = Company.objects.get()
    assert (company.name, company.active, company.contact_email) == (
        "=Bad Idea",
        False,
        "x@example.com",
    )


# In the admin --------------------------------------------------------------------------


def admin_import(client, model: str, name: str, content: bytes, file_format: int = 0):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(
        reverse(f"admin:{model}_import"),
        {"resource": "0", "format": str(file_format), "import_file": upload},
    )


def test_admin_import_page_lists_the_columns_with_their_french_headers(lead_client):
    response = lead_client.get(reverse("admin:laureates_laureate_import"))

    content = response.content.decode()
    assert "Année d&#x27;études" in content or "Année d'études" in content
    assert "Référent" in content


def test_admin_imports_an_excel_france_csv_after_a_preview(lead_client, referent):
    content = ("\ufeff" + EXCEL_FRANCE_CSV).encode()

    preview = admin_import(lead_client, "laureates_laureate", "lauréats.csv", content)

    assert preview.status_code == 200
    assert not Laureate.objects.exists()
    confirm = preview.context["confirm_form"]
    response = lead_client.post(reverse("admin:laureates_laureate_process_import"), confirm.initial)
    assert response.status_code == 302
    assert Laureate.objects.count() == 3


def test_admin_imports_an_xlsx_file(partnerships_client):
    content = xlsx_bytes(
        [["Nom", "Secteur", "Active"], ["Banque Solidaire", "Banque", "oui"]],
    )

    preview = admin_import(partnerships_client, "partners_company", "entreprises.xlsx", content, 1)
    partnerships_client.post(
        reverse("admin:partners_company_process_import"), preview.context["confirm_form"].initial
    )

    assert Company.objects.get().sector == "Banque"


def test_admin_preview_lists_bad_rows_and_offers_no_confirmation(lead_client):
    content = b"email,first_name,last_name,promotion,track\nx@example.org,A,B,2024,astrologie\n"

    response = admin_import(lead_client, "laureates_laureate", "bad.csv", content)

    assert "confirm_form" not in response.context
    assert response.context["result"].invalid_rows[0].number == 1
    assert "astrologie" in response.content.decode()
    assert not Laureate.objects.exists()


def test_admin_confirm_writes_nothing_if_a_row_became_invalid_since_the_preview(lead_client):
    referent = RoleStaffFactory(role=roles.REFERENT, email="referent@example.org")
    content = (
        b"email,first_name,last_name,promotion,track,referent\n"
        b"a@example.org,A,B,2024,autre,\n"
        b"b@example.org,C,D,2024,autre,referent@example.org\n"
    )
    preview = admin_import(lead_client, "laureates_laureate", "file.csv", content)
    referent.is_staff = False
    referent.save()

    response = lead_client.post(
        reverse("admin:laureates_laureate_process_import"),
        preview.context["confirm_form"].initial,
        follow=True,
    )

    assert not Laureate.objects.exists()
    message = " ".join(str(m) for m in response.context["messages"])
    assert "Ligne 3" in message and "referent@example.org" in message


def test_admin_exports_laureates_as_xlsx_with_the_changelist_filters(referent_client):
    LaureateFactory(track=Track.MEDICINE, user__email="med@example.org")
    LaureateFactory(track=Track.PREPA, user__email="prepa@example.org")

    response = referent_client.post(
        reverse("admin:laureates_laureate_export") + "?track__exact=medecine",
        {"resource": "0", "format": "1", **{f"laureateresource_{f}": "on" for f in ("email",)}},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx_export(response.content)
    assert [row[0] for row in rows[1:]] == ["med@example.org"]


@pytest.mark.parametrize(
    "url",
    [
        "admin:laureates_laureate_import",
        "admin:laureates_laureate_export",
        "admin:laureates_sponsor_import",
        "admin:partners_company_export",
    ],
)
def test_non_staff_users_are_sent_to_the_admin_login_from_import_and_export_pages(
    laureate_client, url
):
    response = laureate_client.get(reverse(url))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_preview_of_a_file_without_an_email_column_says_so(lead_client):
    response = admin_import(
        lead_client, "laureates_laureate", "f.csv", "Prénom;Nom\nA;B\n".encode()
    )

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    # The staff console speaks French.
    assert "Le fichier n’a pas de colonne «\u00a0E-mail\u00a0»." in html.unescape(
        response.content.decode()
    )


# Imports that read like the spreadsheet -----------------------------------------------


def test_a_texte_unicode_file_saved_by_excel_imports(lead_client):
    text = (
        "E-mail\tPrénom\tNom\tPromotion\tFilière\r\nines.k@example.org\tInès\tKaci\t2020\tprépa\r\n"
    )
    # Excel's « Texte Unicode »: UTF-16 little-endian with its BOM, tab-separated.
    content = text.encode("utf-16")

    preview = admin_import(lead_client, "laureates_laureate", "lauréats.txt", content)

    assert "confirm_form" in preview.context, preview.context.get("import_problems")
    lead_client.post(
        reverse("admin:laureates_laureate_process_import"), preview.context["confirm_form"].initial
    )
    assert Laureate.objects.get().user.first_name == "Inès"


def test_a_phone_number_stored_as_a_number_keeps_its_leading_zero(db):
    data = xlsx_bytes(
        [
            ["E-mail", "Prénom", "Nom", "Promotion", "Filière", "Téléphone"],
            ["a@example.org", "Ana", "Petit", 2020, "prépa", 612345678],
            ["b@example.org", "Ben", "Roux", 2020, "prépa", "+33 6 12 34 56 78"],
        ]
    )

    result = LaureateResource().import_data(XLSX().create_dataset(data), dry_run=False)

    assert import_errors(result) == []
    phones = dict(Laureate.objects.values_list("user__email", "phone"))
    assert phones == {"a@example.org": "0612345678", "b@example.org": "+33 6 12 34 56 78"}


def test_import_problems_name_the_spreadsheet_line_and_the_column_as_in_the_file(lead_client):
    content = (
        "Adresse e-mail;Prénom;Nom;Promo;Parcours\n"
        "a@example.org;Ana;Good;2024;prépa\n"
        "b@example.org;Ben;Bad;2024;astrologie\n"
    ).encode()

    response = admin_import(lead_client, "laureates_laureate", "f.csv", content)

    assert "confirm_form" not in response.context
    assert response.context["import_problems"] == [
        {
            "line": 3,
            "column": "Parcours",
            "message": response.context["import_problems"][0]["message"],
        }
    ]
    page = html.unescape(response.content.decode())
    assert '<th scope="col">Ligne</th>' in page and "Parcours" in page
    assert "astrologie" in page
    assert "Traceback" not in page and "FIRST_NAME" not in page


def test_a_new_promotion_is_listed_on_the_preview_before_it_is_created(lead_client):
    PromotionFactory(year=2024)
    content = (
        b"email,first_name,last_name,promotion,track\n"
        b"a@example.org,Ana,Neuve,2024,autre\n"
        b"b@example.org,Ben,Vieux,1999,autre\n"
    )

    preview = admin_import(lead_client, "laureates_laureate", "f.csv", content)

    assert not Promotion.objects.filter(year=1999).exists()
    assert "1999" in " ".join(preview.context["import_notices"])
    page = html.unescape(preview.content.decode())
    assert "Nouvelle promotion, créée à la confirmation\u00a0: 1999" in page
    # The confirmation needs no new upload: the file was kept on the server.
    assert 'type="file"' not in page
    lead_client.post(
        reverse("admin:laureates_laureate_process_import"), preview.context["confirm_form"].initial
    )
    assert Promotion.objects.filter(year=1999).exists()


def test_an_unexpected_error_during_an_import_is_told_without_a_traceback(lead_client, monkeypatch):
    def fail(self, instance, row, **kwargs):
        raise RuntimeError("database is on fire")

    monkeypatch.setattr(LaureateResource, "before_save_instance", fail)
    content = b"email,first_name,last_name,promotion,track\na@example.org,Ana,B,2024,autre\n"

    response = admin_import(lead_client, "laureates_laureate", "f.csv", content)

    page = html.unescape(response.content.decode())
    assert "Traceback" not in page and "database is on fire" not in page
    assert "erreur inattendue" in page
    assert not Laureate.objects.exists()


def test_a_file_that_is_not_in_the_chosen_format_is_told_plainly(lead_client):
    response = admin_import(lead_client, "laureates_laureate", "f.xlsx", b"not a workbook", 1)

    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "n’a pas pu être lu" in page
    assert "BadZipFile" not in page and "Traceback" not in page
