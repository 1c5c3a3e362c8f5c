"""Change history: who changed what, when and why, on every tracked record; the reasons
asked for; who reads it; no report answer in it; a person's rows erased with them."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from emergence import roles
from emergence.history import HistoricalRecords, history_erase
from emergence.models import User
from laureates.models import (
    CONSENT_VERSION,
    FollowUp,
    Laureate,
    PartnerConsent,
    Placement,
    Sponsorship,
    Status,
    consent_give,
)
from partners.models import Introduction, IntroductionStatus, Referral
from reports.models import ANSWER_FIELDS, ActivityReport, ReportStatus
from tests.console_forms import laureate_form
from tests.factories import (
    CompanyFactory,
    FollowUpFactory,
    LaureateFactory,
    RoleStaffFactory,
    SponsorFactory,
    SponsorshipFactory,
)
from tests.partner_factories import (
    CoOpterFactory,
    IntroductionFactory,
    ReferralFactory,
    shared,
)
from tests.report_data import form_data, make_period
from tests.report_factories import ActivityReportFactory

NOW = datetime.datetime(2026, 12, 10, 9, 30, tzinfo=datetime.UTC)
SECRET = "Je ne dors plus depuis la rentrée, personne ne le sait"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


def latest(model, **lookup):
    return model.history.filter(**lookup).select_related("history_user").latest()


# Who, when and why, on each tracked change -------------------------------------------------


def test_a_status_change_records_the_staff_member_the_time_and_the_reason(
    referent_client, referent, laureate
):
    url = reverse("admin:laureates_laureate_change", args=[laureate.pk])

    response = referent_client.post(
        url,
        laureate_form(
            laureate, status=Status.LEFT, change_reason="A quitté ses études pour travailler"
        ),
    )

    assert response.status_code == 302
    row = latest(Laureate, id=laureate.pk)
    assert (row.status, row.history_type) == (Status.LEFT, "~")
    assert row.history_user == referent
    assert row.history_date == NOW
    assert row.history_change_reason == "A quitté ses études pour travailler"


def test_a_status_change_without_a_reason_is_refused(referent_client, laureate):
    rows = laureate.history.count()
    url = reverse("admin:laureates_laureate_change", args=[laureate.pk])

    response = referent_client.post(url, laureate_form(laureate, status=Status.ALUMNI))

    assert response.status_code == 200
    assert "Indiquez pourquoi le statut change" in response.content.decode()
    laureate.refresh_from_db()
    assert laureate.status == Status.ACTIVE
    assert laureate.history.count() == rows


def test_other_changes_of_a_laureate_need_no_reason(referent_client, referent, laureate):
    url = reverse("admin:laureates_laureate_change", args=[laureate.pk])

    response = referent_client.post(url, laureate_form(laureate, city="Roubaix"))

    assert response.status_code == 302
    row = latest(Laureate, id=laureate.pk)
    assert (row.city, row.history_user, row.history_change_reason) == ("Roubaix", referent, None)


def test_a_sponsorship_records_who_started_and_who_ended_it(referent_client, referent, laureate):
    response = referent_client.post(
        reverse("admin:laureates_sponsorship_add"),
        {"laureate": laureate.pk, "sponsor": SponsorFactory().pk, "started_on": "2026-09-01"},
    )
    assert response.status_code == 302
    sponsorship = laureate.sponsorships.get()
    referent_client.post(
        reverse("admin:laureates_sponsorship_change", args=[sponsorship.pk]),
        {
            "laureate": laureate.pk,
            "sponsor": sponsorship.sponsor_id,
            "started_on": "2026-09-01",
            "ended_on": "2026-12-01",
            "end_reason": "graduated",
        },
    )

    rows = list(Sponsorship.history.filter(id=sponsorship.pk).order_by("history_id"))
    assert [(row.history_type, row.ended_on) for row in rows] == [
        ("+", None),
        ("~", datetime.date(2026, 12, 1)),
    ]
    assert {(row.history_user, row.history_date) for row in rows} == {(referent, NOW)}


def test_a_follow_up_records_who_wrote_it_and_when(referent_client, referent, laureate):
    response = referent_client.post(
        reverse("admin:laureates_followup_add"),
        {
            "laureate": laureate.pk,
            "date": "2026-12-10",
            "channel": "phone",
            "note": "Point sur le stage",
            "by": referent.pk,
        },
    )

    assert response.status_code == 302
    row = latest(FollowUp, laureate_id=laureate.pk)
    assert (row.history_type, row.note) == ("+", "Point sur le stage")
    assert (row.history_user, row.history_date) == (referent, NOW)


def test_a_report_reviewed_then_reopened_records_each_step_and_who_took_it(
    referent_client, referent
):
    report = ActivityReportFactory()
    changelist = reverse("admin:reports_activityreport_changelist")

    referent_client.post(
        changelist,
        {"action": "mark_reviewed", "_selected_action": [report.pk], "apply": "1", "comment": "Vu"},
    )
    reviewed = latest(ActivityReport, id=report.pk)
    referent_client.post(changelist, {"action": "reopen", "_selected_action": [report.pk]})
    reopened = latest(ActivityReport, id=report.pk)

    assert (reviewed.status, reviewed.reviewed_by, reviewed.review_comment) == (
        ReportStatus.REVIEWED,
        referent,
        "Vu",
    )
    assert (reopened.status, reopened.reviewed_at) == (ReportStatus.DRAFT, None)
    assert {reviewed.history_user, reopened.history_user} == {referent}
    assert reopened.history_date == NOW


def test_the_laureate_giving_and_withdrawing_consent_is_recorded_as_theirs(
    laureate_client, laureate
):
    url = reverse("laureates:consent")

    laureate_client.post(url, {"version": CONSENT_VERSION})
    laureate_client.post(url, {"decision": "withdraw"})

    rows = list(PartnerConsent.history.filter(laureate_id=laureate.pk).order_by("history_id"))
    assert [(row.history_type, row.withdrawn_at) for row in rows] == [("+", None), ("~", NOW)]
    assert {(row.history_user, row.history_change_reason) for row in rows} == {
        (laureate.user, "par le lauréat")
    }


def test_renewing_consent_keeps_the_replaced_one_in_the_history(laureate):
    first = consent_give(laureate=laureate)
    consent_give(laureate=laureate)

    row = latest(PartnerConsent, id=first.pk)
    assert (row.history_type, row.replaced_at) == ("~", NOW)


def test_an_introduction_passed_on_records_who_decided_it(partnerships_client, partnerships_staff):
    introduction = IntroductionFactory(laureate=shared())

    response = partnerships_client.post(
        reverse("admin:partners_introduction_change", args=[introduction.pk]),
        {"placement": "", "_forward": "1"},
    )

    assert response.status_code == 302
    row = latest(Introduction, id=introduction.pk)
    assert (row.status, row.decided_by) == (IntroductionStatus.FORWARDED, partnerships_staff)
    assert (row.history_user, row.history_date) == (partnerships_staff, NOW)


def test_a_placement_records_who_entered_it(partnerships_client, partnerships_staff, laureate):
    response = partnerships_client.post(
        reverse("admin:laureates_placement_add"),
        {
            "laureate": laureate.pk,
            "kind": "internship",
            "title": "Stage d'analyste",
            "company": CompanyFactory().pk,
            "starts_on": "2027-01-04",
            "duration_months": "6",
            "source": "staff",
        },
    )

    assert response.status_code == 302
    row = latest(Placement, laureate_id=laureate.pk)
    assert (row.history_type, row.title) == ("+", "Stage d'analyste")
    assert (row.history_user, row.history_date) == (partnerships_staff, NOW)


def test_a_referral_and_its_donation_record_who_changed_them(
    partnerships_client, partnerships_staff
):
    referral = ReferralFactory(status="interviewing")
    data = {
        "coopter": referral.coopter_id,
        "candidate_name": referral.candidate_name,
        "company": referral.company,
        "job_title": referral.job_title,
        "platform": referral.platform,
        "referred_on": "2026-03-01",
        "status": "hired",
        "bonus": "800",
        "pledged_to_programme": "on",
    }
    url = reverse("admin:partners_referral_change", args=[referral.pk])

    partnerships_client.post(url, data)
    # The donation itself is confirmed on its own page, which records who and when.
    partnerships_client.post(url, {**data, "platform_reference": "KC-2026-9"})

    rows = list(Referral.history.filter(id=referral.pk, history_type="~").order_by("history_id"))
    assert [(row.status, row.bonus, row.platform_reference) for row in rows] == [
        ("hired", 800, ""),
        ("hired", 800, "KC-2026-9"),
    ]
    assert {(row.history_user, row.history_date) for row in rows} == {(partnerships_staff, NOW)}


def test_a_role_given_then_removed_is_recorded_with_the_lead(lead_client, lead):
    colleague = RoleStaffFactory(email="nora.staff@example.org")
    referent_role = Group.objects.get(name=roles.REFERENT)
    url = reverse("admin:emergence_user_change", args=[colleague.pk])
    data = {
        "email": colleague.email,
        "first_name": "Nora",
        "last_name": "Petit",
        "language": "fr",
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
    }

    assert lead_client.post(url, {**data, "groups": [referent_role.pk]}).status_code == 302
    given = latest(User, id=colleague.pk)
    assert lead_client.post(url, data).status_code == 302
    removed = latest(User, id=colleague.pk)

    assert [row.group for row in given.groups.all()] == [referent_role]
    assert not removed.groups.exists()
    assert {given.history_user, removed.history_user} == {lead}
    assert removed.history_date == NOW


def test_signing_in_adds_no_history_row(client, laureate, password):
    laureate.user.set_password(password)
    laureate.user.save()
    rows = User.history.filter(id=laureate.user_id).count()

    client.post(reverse("login"), {"username": laureate.user.email, "password": password})

    assert User.history.filter(id=laureate.user_id).count() == rows


def test_a_change_outside_a_request_records_no_one(laureate):
    laureate.city = "Lens"
    laureate.save()

    row = latest(Laureate, id=laureate.pk)
    assert (row.city, row.history_user) == ("Lens", None)


# Who reads it -------------------------------------------------------------------------------


def test_the_lead_reads_a_laureates_history_with_the_reasons_and_consents(
    client, lead, referent, laureate
):
    client.force_login(referent)
    client.post(
        reverse("admin:laureates_laureate_change", args=[laureate.pk]),
        laureate_form(laureate, status=Status.ALUMNI, change_reason="Diplômé en juin"),
    )
    consent_give(laureate=laureate)
    client.force_login(lead)

    response = client.get(reverse("admin:laureates_laureate_history", args=[laureate.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Diplômé en juin" in page
    assert str(referent) in page
    assert "par le lauréat" in page  # the consent, which has no page of its own
    version = latest(Laureate, id=laureate.pk).history_id
    response = client.get(
        reverse("admin:laureates_laureate_simple_history", args=[laureate.pk, version])
    )
    assert response.status_code == 200
    assert "Diplômé en juin" in response.content.decode()


def test_a_workshops_coordinator_reads_no_laureate_history(client, workshops_staff, laureate):
    client.force_login(workshops_staff)
    version = latest(Laureate, id=laureate.pk).history_id

    assert (
        client.get(reverse("admin:laureates_laureate_history", args=[laureate.pk])).status_code
        == 403
    )
    assert (
        client.get(
            reverse("admin:laureates_laureate_simple_history", args=[laureate.pk, version])
        ).status_code
        == 403
    )


def test_historical_tables_have_no_menu_of_their_own(lead_client):
    registered = {model._meta.model_name for model in admin.site._registry}
    assert not any(name.startswith("historical") for name in registered)
    page = lead_client.get(reverse("admin:index")).content.decode()
    assert "historical" not in page.lower() and "historique" not in page.lower()


# No answer in the history --------------------------------------------------------------------


def test_no_report_answer_ever_reaches_the_report_history(client, lead, laureate):
    make_period(2026, 4)
    client.force_login(laureate.user)
    url = reverse("reports:edit", kwargs={"period": "2026-q4"})
    client.post(url, {**form_data(wellbeing_note=SECRET, stress="5"), "action": "save"})
    client.post(url, {**form_data(wellbeing_note=SECRET, stress="5"), "action": "submit"})
    report = ActivityReport.objects.get(laureate=laureate)
    assert report.status == ReportStatus.SUBMITTED and report.wellbeing_note == SECRET
    client.force_login(lead)

    history_page = client.get(reverse("admin:reports_activityreport_history", args=[report.pk]))
    version = report.history.latest().history_id
    version_page = client.get(
        reverse("admin:reports_activityreport_simple_history", args=[report.pk, version])
    )

    historical = ActivityReport.history.model
    assert not {field.name for field in historical._meta.fields} & {
        *ANSWER_FIELDS,
        "extra_answers",
        "carried_over",
    }
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {historical._meta.db_table}")  # noqa: S608
        cells = [str(cell) for row in cursor.fetchall() for cell in row]
    assert cells and not any("dors plus" in cell for cell in cells)
    assert ReportStatus.SUBMITTED in cells
    for page in (history_page, version_page):
        assert page.status_code == 200
        assert "dors plus" not in page.content.decode()


def test_saving_a_draft_adds_no_history_row(laureate_client, laureate):
    make_period(2026, 4)
    url = reverse("reports:edit", kwargs={"period": "2026-q4"})
    laureate_client.post(url, {**form_data(), "action": "save"})
    report = ActivityReport.objects.get(laureate=laureate)
    rows = report.history.count()

    laureate_client.post(url, {**form_data(comment="Encore un mot"), "action": "save"})

    assert report.history.count() == rows


# Erasure --------------------------------------------------------------------------------


def test_history_erase_removes_every_row_about_a_person_and_their_name_as_author(db):
    person = LaureateFactory(user__email="sarah.erased@example.org")
    other = LaureateFactory()
    staff = RoleStaffFactory(role=roles.REFERENT)
    person.city = "Calais"
    person.save()
    SponsorshipFactory(laureate=person)
    FollowUpFactory(laureate=person, by=staff, note="Appel")
    consent_give(laureate=person)
    ActivityReportFactory(laureate=person)
    IntroductionFactory(laureate=person)
    ReferralFactory(candidate_laureate=person, candidate_name="")
    ReferralFactory(coopter=CoOpterFactory(laureate=person))
    Placement.objects.create(
        laureate=person,
        kind="job",
        title="Analyste",
        other_company="Ailleurs",
        starts_on=datetime.date(2027, 1, 4),
    )
    for laureate in (person, other):
        SponsorshipFactory(laureate=laureate, ended_on=datetime.date(2026, 1, 1))
    # A row about someone else that the person wrote.
    authored = other.history.latest()
    authored.history_user = person.user
    authored.save()

    deleted = history_erase(laureate=person)

    assert deleted > 10
    for records in HistoricalRecords.registered:
        history = getattr(records.cls, records.manager_name)
        for lookup in records.laureate_lookups:
            assert not history.filter(**{lookup: person.pk}).exists(), records.cls
        for lookup in records.user_lookups:
            assert not history.filter(**{lookup: person.user_id}).exists(), records.cls
        assert not history.filter(history_user=person.user).exists()
    assert Laureate.history.filter(id=other.pk).exists()
    assert Sponsorship.history.filter(laureate_id=other.pk).exists()
    authored.refresh_from_db()
    assert authored.history_user is None
    assert not User.history.filter(email="sarah.erased@example.org").exists()
