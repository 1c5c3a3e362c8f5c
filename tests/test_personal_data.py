"""« Mes données »: the person's download, their erasure (approved or refused by the programme
lead), and retention. The erasure is proved by a dump of every table of the database."""

import datetime
import io
import json
import unicodedata

import openpyxl
import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from emergence import roles
from emergence.accounts import user_invite
from emergence.data_rights import data_export_request, erasure_approve, erasure_refuse
from emergence.models import (
    BackgroundJob,
    DataExport,
    ErasureRequest,
    ErasureStatus,
    OutboxEmail,
    OutboxStatus,
)
from emergence.personal_data import person_anonymise, personal_data_parts, retention_apply
from laureates.models import (
    CONSENT_VERSION,
    Channel,
    FollowUp,
    Laureate,
    Placement,
    SearchKind,
    Status,
    consent_give,
)
from partners.models import PartnerViewKind, PartnerViewLog
from partners.services import introduction_answer, introduction_forward, partner_view_log
from reports.models import ActivityReport, QuestionKind, ReadWhat, ReportRead
from tests.factories import (
    PASSWORD,
    FollowUpFactory,
    LaureateFactory,
    PartnerMembershipFactory,
    SponsorshipFactory,
)
from tests.partner_factories import (
    CoOpterFactory,
    IntroductionFactory,
    ReferralFactory,
    SearchFactory,
)
from tests.report_factories import (
    ActivityReportFactory,
    QuestionFactory,
    QuestionnaireFactory,
    ReportPeriodFactory,
)
from tests.workshops_factories import RegistrationFactory, SessionFactory, paris
from workshops.models import CalendarFeed, Feedback

PAGE = reverse("personal_data")
PREPARE = reverse("personal_data_prepare")
ERASE = reverse("personal_data_erase")

# The person whose data is erased: names, e-mail, phone, and sentences of their own.
FIRST, LAST = "Zéphyrine", "Vantorre"
EMAIL, PHONE = "zephyrine.vantorre@example.org", "06 71 42 93 58"
SENTENCES = {
    "studies": "Je révise la nuit au foyer de Roubaix",
    "wellbeing": "Mon colocataire m'empêche de dormir",
    "extra": "Je vis chez ma tante à Tourcoing depuis janvier",
    "comment": "Merci pour la bourse de cette année",
    "pitch": "Passionnée de cartographie fluviale et de données ouvertes",
    "partner message": "Votre projet de cartographie nous intéresse beaucoup",
    "laureate message": "Je serais ravie d'en parler avec votre équipe",
    "follow-up note": "Appel : inquiète pour son logement étudiant",
    "feedback": "Atelier très utile pour préparer les partiels",
    "review": "Rapport sérieux, à encourager vivement",
    "erasure reason": "Je pars étudier au Québec et préfère tout effacer",
}


def fold(text: str) -> str:
    """Case and accents dropped, as the partners' search text stores names."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("œ", "oe"))
    return "".join(char for char in text if not unicodedata.combining(char))


def database_dump() -> str:
    """Every value of every column of every table, as text, read with raw SQL: what an
    attacker with a copy of the database would read."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        value = bytes(value).decode(errors="ignore")
                    elif isinstance(value, str) and value[:1] in ("{", "["):
                        value = _json_as_written(value)  # "\u00e0" in a JSON column is "à"
                    elif isinstance(value, (dict, list)):
                        value = json.dumps(value, ensure_ascii=False)
                    if isinstance(value, str):
                        values.append(value)
    return fold("\n".join(sorted(values)))  # in any order: PostgreSQL moves updated rows


def _json_as_written(text: str) -> str:
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what waits for the transaction's commit (the tasks, the e-mails): each test runs in
    a transaction that never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def person(db):
    """A laureate with something in every app: reports (a confidential answer, an extra text
    answer), a search, a sponsorship, follow-ups, a consent, a placement, workshops, partner
    views, an accepted introduction (its e-mails hold the phone), co-optation."""
    laureate = LaureateFactory(
        user__email=EMAIL,
        user__first_name=FIRST,
        user__last_name=LAST,
        phone=PHONE,
        school="Université de Lille",
        city="Roubaix",
    )
    laureate.user.set_password(PASSWORD)
    laureate.user.save()
    return laureate


@pytest.fixture
def full_history(person, lead, referent):
    user = person.user
    Laureate.objects.filter(pk=person.pk).update(referent=referent)
    SponsorshipFactory(laureate=person)
    FollowUpFactory(
        laureate=person, by=referent, channel=Channel.PHONE, note=SENTENCES["follow-up note"]
    )
    consent_give(laureate=person)
    SearchFactory(laureate=person, pitch=SENTENCES["pitch"], place="Roubaix")
    Placement.objects.create(
        laureate=person,
        kind=SearchKind.INTERNSHIP,
        title="Stage en cartographie",
        other_company="Bureau d'études Nord",
        department="Hydrologie",
        city="Douai",
        starts_on=datetime.date(2026, 6, 1),
    )
    questionnaire = QuestionnaireFactory()
    housing = QuestionFactory(
        questionnaire=questionnaire, key="housing-text", kind=QuestionKind.LONG_TEXT
    )
    mood = QuestionFactory(questionnaire=questionnaire, key="mood", kind=QuestionKind.SCALE)
    period = ReportPeriodFactory(year=2026, quarter=1, questionnaire=questionnaire)
    report = ActivityReportFactory(
        laureate=person,
        period=period,
        studies_comment=SENTENCES["studies"],
        wellbeing_note=SENTENCES["wellbeing"],
        stress=4,
        comment=SENTENCES["comment"],
        review_comment=SENTENCES["review"],
        extra_answers={housing.key: SENTENCES["extra"], mood.key: 3},
    )
    ReportRead.objects.create(
        user=referent,
        user_email=referent.email,
        laureate=person,
        report=report,
        period=period.slug,
        what=ReadWhat.REPORT_CONFIDENTIAL,
    )
    session = SessionFactory(starts_at=paris(2026, 3, 14, 14, 0))
    registration = RegistrationFactory(session=session, laureate=person, attended=True)
    Feedback.objects.create(
        series=session.series, laureate=person, rating=5, comment=SENTENCES["feedback"]
    )
    CalendarFeed.objects.create(laureate=person)
    # A company looks at them, searches them by name, asks to meet them; they say yes.
    membership = PartnerMembershipFactory(user__first_name="Hélène", user__last_name="Marchal")
    partner_view_log(membership=membership, kind=PartnerViewKind.LAUREATE, laureate_id=person.pk)
    partner_view_log(membership=membership, kind=PartnerViewKind.DASHBOARD, query=f"q={LAST}")
    introduction = IntroductionFactory(
        laureate=person, membership=membership, message=SENTENCES["partner message"]
    )
    introduction = introduction_forward(introduction=introduction, by=referent)
    introduction_answer(
        introduction=introduction, accept=True, message=SENTENCES["laureate message"]
    )
    coopter = CoOpterFactory(laureate=person)
    ReferralFactory(coopter=coopter, platform_reference="KC-778812")
    # The console's log of a change, an invitation e-mail, a failed sign-in.
    LogEntry.objects.log_actions(
        user_id=lead.pk, queryset=[person], action_flag=CHANGE, single_object=True
    )
    user_invite(user=user)
    return {
        "report": report,
        "registration": registration,
        "membership": membership,
        "introduction": introduction,
    }


def straight(text: str) -> str:
    """French apostrophes as this file writes them (the catalogue uses curly ones)."""
    return text.replace("\u2019", "'")


def document(export: DataExport) -> dict:
    return json.loads(straight(bytes(export.json_file).decode()))


def prepare_download(client, commit) -> DataExport:
    with commit():
        response = client.post(PREPARE)
    assert response.status_code == 302
    return DataExport.objects.order_by("-pk").first()


# The interface ---------------------------------------------------------------------------------


def test_every_app_registers_its_part():
    assert [part.app for part in personal_data_parts()] == [
        "emergence",
        "laureates",
        "reports",
        "workshops",
        "partners",
    ]


# The download ---------------------------------------------------------------------------------


def test_a_laureate_finds_my_data_from_their_page_and_the_menu(laureate_client):
    html = laureate_client.get(reverse("laureates:home")).content.decode()

    assert html.count(f'href="{PAGE}"') == 2  # the menu and the page


def test_partner_members_and_staff_find_it_on_their_account_page(client, partner_member, lead):
    for user in (partner_member.user, lead):
        client.force_login(user)
        assert f'href="{PAGE}"' in client.get(reverse("account")).content.decode()
        assert client.get(PAGE).status_code == 200


def test_the_page_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_download_is_prepared_in_the_background_and_the_link_e_mailed(
    client, person, full_history, django_capture_on_commit_callbacks, commit
):
    client.force_login(person.user)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(PREPARE)
    assert response.status_code == 302
    export = DataExport.objects.get(owner=person.user)
    assert not export.is_ready  # the page answered before the files were written
    assert "being prepared" in client.get(PAGE).content.decode() or "en préparation" in (
        client.get(PAGE).content.decode()
    )
    mail.outbox.clear()

    with commit():  # the task runs, and queues its e-mail
        for callback in queued:
            callback()

    export.refresh_from_db()
    assert export.is_ready
    assert export.expires_at - export.ready_at == datetime.timedelta(days=7)
    [message] = [m for m in mail.outbox if m.to == [EMAIL]]
    xlsx_url = reverse("personal_data_file", args=[export.token, "xlsx"])
    assert xlsx_url in message.body
    assert "données" in message.subject
    assert xlsx_url in client.get(PAGE).content.decode()


def test_a_second_click_while_it_is_prepared_prepares_one(
    client, person, django_capture_on_commit_callbacks
):
    client.force_login(person.user)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(PREPARE)
        client.post(PREPARE)

    assert DataExport.objects.filter(owner=person.user).count() == 1


def test_the_json_holds_everything_the_programme_holds_about_the_laureate(
    client, person, full_history, commit
):
    client.force_login(person.user)
    export = prepare_download(client, commit)

    response = client.get(reverse("personal_data_file", args=[export.token, "json"]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    sections = json.loads(straight(response.content.decode()))["sections"]
    assert list(sections) == [
        "Compte",
        "E-mails reçus",
        "Profil",
        "Parrainages",
        "Suivis",
        "Recherches",
        "Consentements",
        "Postes obtenus",
        "Rapports d'activité",
        "Ateliers",
        "Avis sur les ateliers",
        "Adresse d'agenda",
        "Entreprises qui ont consulté votre profil",
        "Mises en relation",
        "Cooptation",
    ]
    assert sections["Compte"] == [
        {
            "Adresse e-mail": EMAIL,
            "Prénom": FIRST,
            "Nom": LAST,
            "Langue": "Français",
            "Compte créé le": sections["Compte"][0]["Compte créé le"],
            "Dernière connexion": sections["Compte"][0]["Dernière connexion"],
            "Compte actif": True,
        }
    ]
    assert sections["Profil"][0]["Téléphone"] == PHONE
    answers = {row["Question"]: row["Réponse"] for row in sections["Rapports d'activité"]}
    # Their own confidential answers are theirs; the extra text answer too.
    assert answers["Ce que vous souhaitez dire à l'équipe"] == SENTENCES["wellbeing"]
    assert SENTENCES["extra"] in answers.values()
    assert answers["Votre niveau de stress"] == 4
    # Follow-ups: date and channel, never the team's note; nor the review comment.
    assert sections["Suivis"] == [
        {"Date": sections["Suivis"][0]["Date"], "Canal": "appel téléphonique"}
    ]
    text = straight(response.content.decode())
    assert SENTENCES["follow-up note"] not in text
    assert SENTENCES["review"] not in text
    views = sections["Entreprises qui ont consulté votre profil"]
    company = full_history["membership"].company.name
    assert [(row["Entreprise"], row["Page"]) for row in views] == [(company, "page d'un lauréat")]
    [introduction] = sections["Mises en relation"]
    assert introduction["Message"] == SENTENCES["partner message"]
    assert introduction["Votre message"] == SENTENCES["laureate message"]
    assert [row["Statut"] for row in sections["Ateliers"]] == ["inscrit·e"]
    assert sections["Ateliers"][0]["Présent·e"] is True
    assert sections["Consentements"][0]["Version du texte"] == CONSENT_VERSION


def test_the_xlsx_has_one_sheet_per_topic_with_french_headers(client, person, full_history, commit):
    client.force_login(person.user)
    export = prepare_download(client, commit)

    response = client.get(reverse("personal_data_file", args=[export.token, "xlsx"]))

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:3] == ["Compte", "E-mails reçus", "Profil"]
    sheets = {straight(name): name for name in workbook.sheetnames}
    sheet = workbook[sheets["Rapports d'activité"]]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Période", "Statut", "Remis le", "Question", "Réponse")
    assert ("2026-q1", "remis") == rows[1][:2]
    assert SENTENCES["wellbeing"] in [row[4] for row in rows]
    account = list(workbook["Compte"].iter_rows(values_only=True))
    assert account[1][account[0].index("Compte actif")] == "oui"


def test_the_files_speak_the_persons_language(client, person, full_history, commit):
    person.user.language = "en"
    person.user.save()
    client.force_login(person.user)
    export = prepare_download(client, commit)

    sections = document(export)["sections"]

    assert "Activity reports" in sections
    assert sections["Account"][0]["E-mail address"] == EMAIL


def test_someone_else_gets_404_on_a_download_link(client, person, other_laureate, lead, commit):
    client.force_login(person.user)
    export = prepare_download(client, commit)
    url = reverse("personal_data_file", args=[export.token, "json"])

    for intruder in (other_laureate.user, lead):
        client.force_login(intruder)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_an_expired_link_answers_404_and_retention_deletes_the_files(
    client, person, time_machine, commit
):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC), tick=False)
    client.force_login(person.user)
    export = prepare_download(client, commit)
    url = reverse("personal_data_file", args=[export.token, "xlsx"])
    assert client.get(url).status_code == 200

    time_machine.move_to(datetime.datetime(2026, 12, 8, 10, 1, tzinfo=datetime.UTC), tick=False)
    client.force_login(person.user)

    assert client.get(url).status_code == 404
    assert retention_apply(only={"data_exports"}) == {"data_exports": 1}
    assert not DataExport.objects.exists()


def test_a_wrong_kind_or_token_answers_404(client, person, commit):
    client.force_login(person.user)
    export = prepare_download(client, commit)

    assert client.get(reverse("personal_data_file", args=[export.token, "csv"])).status_code == 404
    assert client.get(reverse("personal_data_file", args=["x" * 43, "json"])).status_code == 404


def test_a_partner_member_downloads_their_account_and_requests(client, partner_member, commit):
    IntroductionFactory(membership=partner_member, message="Nous recrutons des stagiaires")
    partner_view_log(membership=partner_member, kind=PartnerViewKind.DASHBOARD, query="kind=job")
    client.force_login(partner_member.user)
    export = prepare_download(client, commit)

    sections = document(export)["sections"]

    assert list(sections) == [
        "Compte",
        "E-mails reçus",
        "Entreprise partenaire",
        "Mises en relation que vous avez demandées",
        "Pages consultées",
    ]
    assert sections["Entreprise partenaire"][0]["Entreprise"] == "Conseil & Associés"
    [asked] = sections["Mises en relation que vous avez demandées"]
    assert asked["Message"] == "Nous recrutons des stagiaires"
    assert sections["Pages consultées"][0]["Filtres"] == "kind=job"


def test_a_staff_member_downloads_their_account_and_roles(client, referent, commit):
    client.force_login(referent)
    export = prepare_download(client, commit)

    sections = document(export)["sections"]

    assert sections["Compte"][0]["Rôles dans l'équipe"] == roles.REFERENT


@pytest.mark.parametrize("downloads", [1, 4])
def test_the_page_costs_the_same_queries_with_more_downloads(
    client, person, downloads, django_assert_max_num_queries
):
    for _n in range(downloads):
        export = data_export_request(user=person.user)
        DataExport.objects.filter(pk=export.pk).update(ready_at=timezone.now())
    client.force_login(person.user)

    with django_assert_max_num_queries(8):
        assert client.get(PAGE).status_code == 200


# Erasure --------------------------------------------------------------------------------------


def ask_erasure(client, commit, user, reason: str = ""):
    client.force_login(user)
    with commit():
        return client.post(ERASE, {"reason": reason, "confirm": "on"})


def test_a_laureate_asks_for_erasure_and_the_programme_lead_is_told(client, person, lead, commit):
    mail.outbox.clear()
    response = ask_erasure(client, commit, person.user, SENTENCES["erasure reason"])

    assert response.status_code == 302
    erasure = ErasureRequest.objects.get(user=person.user)
    assert erasure.status == ErasureStatus.PENDING
    assert erasure.reason == SENTENCES["erasure reason"]
    [message] = mail.outbox
    assert message.to == [lead.email]
    assert reverse("admin:emergence_erasurerequest_change", args=[erasure.pk]) in message.body
    assert LAST not in message.body  # the e-mail does not name them
    html = client.get(PAGE).content.decode()
    assert "attend la réponse" in html
    assert 'name="confirm"' not in html  # one request at a time


def test_asking_without_ticking_the_box_sends_nothing(client, person):
    client.force_login(person.user)

    response = client.post(ERASE, {"reason": "plus tard"})

    assert response.status_code == 400
    assert "Cochez" in response.content.decode() or "obligatoire" in response.content.decode()
    assert not ErasureRequest.objects.exists()


def test_erasure_leaves_no_name_e_mail_phone_or_sentence_in_any_table(
    client, person, full_history, lead, commit
):
    """The dump test: after the erasure is approved, no column of any table holds the
    person's names, e-mail, phone, or a sentence they (or others about them) wrote."""
    client.force_login(person.user)
    prepare_download(client, commit)  # their download holds everything: it goes too
    client.post(reverse("login"), {"username": EMAIL, "password": "wrong"})  # a failed sign-in
    ask_erasure(client, commit, person.user, SENTENCES["erasure reason"])
    erasure = ErasureRequest.objects.get(user=person.user)
    before = database_dump()
    searched = {
        "first name": FIRST,
        "last name": LAST,
        "e-mail": EMAIL,
        "phone": PHONE,
        **SENTENCES,
    }
    unseen = [name for name, text in searched.items() if fold(text) not in before]
    assert unseen == []  # the test sees each of them before

    lead_client = client.__class__()
    lead_client.force_login(lead)
    response = lead_client.post(
        reverse("admin:emergence_erasurerequest_change", args=[erasure.pk]),
        {"refusal_reason": "", "confirm": "on", "_approve": "1"},
    )

    assert response.status_code == 302
    after = database_dump()
    left = [name for name, text in searched.items() if fold(text) in after]
    assert left == [], f"still in the database: {left}"


def test_after_erasure_the_account_is_closed_and_the_counts_remain(
    client, person, full_history, lead, commit
):
    client.force_login(person.user)
    ask_erasure(client, commit, person.user)
    erasure = ErasureRequest.objects.get()
    views = PartnerViewLog.objects.count()
    reports = ActivityReport.objects.count()

    erasure_approve(erasure=erasure, by=lead)

    user = person.user
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert user.email == f"erased-{user.pk}@invalid" and user.erased_at is not None
    # Their open session has ended, and they cannot sign in again.
    response = client.get(reverse("laureates:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not client.login(username=EMAIL, password=PASSWORD)
    # The partner views log keeps its rows and counts, without them.
    assert PartnerViewLog.objects.count() == views
    assert not PartnerViewLog.objects.filter(laureate__isnull=False).exists()
    assert PartnerViewLog.objects.filter(company=full_history["membership"].company).count() == 2
    # The report stays for the statistics: ratings per period, no words.
    report = ActivityReport.objects.get(pk=full_history["report"].pk)
    assert ActivityReport.objects.count() == reports
    assert (report.studies_rating, report.stress) == (4, 4)
    assert report.extra_answers == {"mood": 3}
    assert report.studies_comment == report.wellbeing_note == ""
    laureate = Laureate.objects.get(pk=person.pk)
    assert (laureate.status, laureate.phone, laureate.school) == (Status.LEFT, "", "")
    assert not laureate.partner_consents.open().exists()
    assert ErasureRequest.objects.get().status == ErasureStatus.APPROVED


def test_erasing_twice_changes_nothing_more(person, full_history):
    person_anonymise(user=person.user)
    dump = database_dump()

    person_anonymise(user=person.user)

    assert database_dump() == dump


def test_the_lead_refuses_with_a_reason_the_person_reads(client, person, lead, commit):
    ask_erasure(client, commit, person.user)
    erasure = ErasureRequest.objects.get()
    lead_client = client.__class__()
    lead_client.force_login(lead)
    url = reverse("admin:emergence_erasurerequest_change", args=[erasure.pk])
    page = lead_client.get(url).content.decode()
    assert "Approuver et effacer" in page and "Profil" in page  # what the programme holds
    mail.outbox.clear()

    lead_client.post(url, {"refusal_reason": "", "_refuse": "1"})  # no reason: refused
    assert ErasureRequest.objects.get().status == ErasureStatus.PENDING
    reason = "Obligation légale : nous gardons vos reçus de dons pendant 6 ans."
    with commit():
        response = lead_client.post(url, {"refusal_reason": reason, "_refuse": "1"})

    assert response.status_code == 302
    erasure.refresh_from_db()
    assert (erasure.status, erasure.refusal_reason, erasure.decided_by) == (
        ErasureStatus.REFUSED,
        reason,
        lead,
    )
    [message] = mail.outbox
    assert message.to == [EMAIL] and reason in message.body
    html = client.get(PAGE).content.decode()
    assert "refusée" in html and "Obligation légale" in html
    person.user.refresh_from_db()
    assert person.user.is_active and person.user.email == EMAIL
    # A refused request can be asked again.
    assert 'name="confirm"' in html


def test_a_decided_request_is_read_only(client, person, lead, commit):
    ask_erasure(client, commit, person.user)
    erasure = erasure_refuse(erasure=ErasureRequest.objects.get(), by=lead, reason="Reçus de dons")
    client.force_login(lead)
    url = reverse("admin:emergence_erasurerequest_change", args=[erasure.pk])

    assert "Approuver et effacer" not in client.get(url).content.decode()
    assert client.post(url, {"confirm": "on", "_approve": "1"}).status_code == 403
    person.user.refresh_from_db()
    assert person.user.is_active


def test_approving_needs_the_box_ticked(client, person, lead, commit):
    ask_erasure(client, commit, person.user)
    erasure = ErasureRequest.objects.get()
    client.force_login(lead)

    response = client.post(
        reverse("admin:emergence_erasurerequest_change", args=[erasure.pk]), {"_approve": "1"}
    )

    assert response.status_code == 200
    assert ErasureRequest.objects.get().status == ErasureStatus.PENDING


def test_only_the_programme_lead_decides(client, person, referent, commit):
    ask_erasure(client, commit, person.user)
    erasure = ErasureRequest.objects.get()
    client.force_login(referent)
    url = reverse("admin:emergence_erasurerequest_change", args=[erasure.pk])

    assert client.post(url, {"confirm": "on", "_approve": "1"}).status_code == 403
    with pytest.raises(ValidationError):
        erasure_approve(erasure=erasure, by=referent)
    assert ErasureRequest.objects.get().status == ErasureStatus.PENDING


def test_erasing_a_partner_member_keeps_their_requests_without_them(partner_member):
    introduction = IntroductionFactory(membership=partner_member, message="Nous recrutons")
    partner_view_log(membership=partner_member, kind=PartnerViewKind.DASHBOARD, query="q=Lille")
    user = partner_member.user

    person_anonymise(user=user)

    introduction.refresh_from_db()
    assert introduction.requested_by is None and introduction.message == ""
    assert introduction.company == partner_member.company
    [view] = PartnerViewLog.objects.all()
    assert view.user is None and view.company == partner_member.company
    user.refresh_from_db()
    assert not user.is_active


def test_deleting_a_laureate_in_the_console_closes_their_account_even_once_viewed(
    lead_client, person, referent
):
    membership = PartnerMembershipFactory()
    partner_view_log(membership=membership, kind=PartnerViewKind.LAUREATE, laureate_id=person.pk)
    ReportRead.objects.create(
        user=referent, user_email=referent.email, laureate=person, what=ReadWhat.REPORT
    )
    url = reverse("admin:laureates_laureate_delete", args=[person.pk])

    response = lead_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Laureate.objects.filter(pk=person.pk).exists()
    user = person.user
    user.refresh_from_db()
    assert not user.is_active and user.erased_at is not None and user.email != EMAIL
    # The logs keep their rows, without them.
    assert PartnerViewLog.objects.get().laureate is None
    assert ReportRead.objects.get().laureate is None


# Retention ------------------------------------------------------------------------------------

NOW = datetime.datetime(2026, 12, 1, 4, 0, tzinfo=datetime.UTC)


@pytest.fixture
def aged(db, time_machine):
    """Data on both sides of each retention rule's line."""
    time_machine.move_to(NOW, tick=False)
    today = NOW.date()
    old_left = LaureateFactory(
        status=Status.LEFT, left_on=today - datetime.timedelta(days=3 * 365 + 1), phone="0611"
    )
    recent_left = LaureateFactory(
        status=Status.LEFT, left_on=today - datetime.timedelta(days=3 * 365 - 1)
    )
    alumna = LaureateFactory(status=Status.ALUMNI)
    active = LaureateFactory()
    old_period = ReportPeriodFactory(year=2020, quarter=4)  # due on 2021-01-15
    recent_period = ReportPeriodFactory(year=2022, quarter=4)
    old_alumna_report = ActivityReportFactory(laureate=alumna, period=old_period, comment="Merci")
    ActivityReportFactory(laureate=alumna, period=recent_period, comment="Merci")
    ActivityReportFactory(laureate=active, period=old_period, comment="Merci")
    membership = PartnerMembershipFactory()
    for days in (366, 364):
        view = partner_view_log(membership=membership, kind=PartnerViewKind.DASHBOARD)
        PartnerViewLog.objects.filter(pk=view.pk).update(
            viewed_at=NOW - datetime.timedelta(days=days)
        )
    for days, status in (
        (91, OutboxStatus.SENT),
        (89, OutboxStatus.SENT),
        (91, OutboxStatus.FAILED),
    ):
        OutboxEmail.objects.create(
            key=f"old-{days}-{status}",
            kind="test",
            to="someone@example.org",
            language="fr",
            subject="Sujet",
            text="Corps",
            html="<p>Corps</p>",
            status=status,
            sent_at=NOW if status == OutboxStatus.SENT else None,
            created_at=NOW - datetime.timedelta(days=days),
        )
    for days in (366, 364):
        ReportRead.objects.create(
            user_email="a@example.org",
            laureate=active,
            what=ReadWhat.REPORT,
            at=NOW - datetime.timedelta(days=days),
        )
    expired = data_export_request(user=active.user)
    DataExport.objects.filter(pk=expired.pk).update(expires_at=NOW - datetime.timedelta(hours=1))
    BackgroundJob.objects.create(
        owner=active.user,
        kind="export",
        title="Export",
        expires_at=NOW - datetime.timedelta(hours=1),
    )
    BackgroundJob.objects.create(
        owner=active.user,
        kind="export",
        title="Export",
        expires_at=NOW + datetime.timedelta(days=1),
    )
    return {
        "old_left": old_left,
        "recent_left": recent_left,
        "old_alumna_report": old_alumna_report,
    }


EXPECTED = {
    "left_laureates": 1,
    "alumni_report_text": 1,
    "partner_view_logs": 1,
    "outbox_bodies": 1,
    "read_records": 1,
    "data_exports": 1,
    "background_jobs": 1,
}


def test_a_dry_run_says_what_is_due_and_changes_nothing(aged):
    counts, dump = row_counts(), database_dump()
    out = io.StringIO()

    call_command("apply_retention", "--dry-run", stdout=out)

    assert (row_counts(), database_dump()) == (counts, dump)
    text = out.getvalue()
    for name, count in EXPECTED.items():
        assert f"{name} (" in text and f"{count} row(s) would be changed" in text
    assert "nothing was changed" in text


def test_the_daily_run_applies_each_rule_once(aged):
    assert retention_apply() == EXPECTED

    old_left = Laureate.objects.select_related("user").get(pk=aged["old_left"].pk)
    assert old_left.user.erased_at is not None and old_left.phone == ""
    assert Laureate.objects.get(pk=aged["recent_left"].pk).user.erased_at is None
    report = ActivityReport.objects.get(pk=aged["old_alumna_report"].pk)
    assert report.comment == "" and report.studies_rating == 4
    assert ActivityReport.objects.filter(comment="Merci").count() == 2  # recent, or active
    assert PartnerViewLog.objects.count() == 1
    bodies = dict(OutboxEmail.objects.values_list("key", "text"))
    assert bodies == {
        "old-91-sent": "",
        "old-89-sent": "Corps",
        "old-91-failed": "Corps",  # kept until re-sent or deleted by staff
    }
    assert ReportRead.objects.count() == 1
    assert not DataExport.objects.exists()
    assert BackgroundJob.objects.count() == 1  # the one not yet expired
    # Nothing more is due the same day.
    assert set(retention_apply().values()) == {0}


def test_retention_runs_daily_from_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "emergence.tasks.apply_retention" in tasks
    assert "reports.tasks.purge_read_records" not in tasks  # one of the retention rules now


def test_the_day_a_laureate_left_is_set_when_their_status_becomes_left(laureate):
    laureate.status = Status.LEFT
    laureate.full_clean()
    assert laureate.left_on == timezone.localdate()

    laureate.status = Status.ACTIVE
    laureate.full_clean()
    assert laureate.left_on is None


def test_a_follow_up_note_is_staff_only_and_erased_with_the_laureate(person, referent):
    FollowUp.objects.create(laureate=person, by=referent, channel=Channel.EMAIL, note="Note")

    person_anonymise(user=person.user)

    assert FollowUp.objects.get().note == ""
    assert FollowUp.objects.get().channel == Channel.EMAIL
