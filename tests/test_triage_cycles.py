"""Triage cycles: a closed triage opens again when something new happens; a contact ends
with its outcome and the next step; « Ma file »; the history of the cycles; a laureate owes
reports only for the periods that open after the day they joined.

Periods: 2025-q4 (due 2026-01-15), 2026-q1 (opens 2026-03-01, due 2026-04-15), 2026-q3
(opens 2026-09-01, due 2026-10-15).
"""

import datetime
import html

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext

from emergence import roles
from emergence.models import OutboxEmail
from emergence.personal_data import person_anonymise, personal_data_export
from emergence.spreadsheets import CSV
from laureates.models import Laureate
from laureates.resources import LaureateResource
from reports.models import (
    FollowUpLevel,
    ReportPeriod,
    Triage,
    TriageEvent,
    TriageEventKind,
    TriageState,
)
from reports.services import report_submit
from reports.tasks import run_daily_reminders
from reports.triage import (
    NEXT_CONTACT_DAYS,
    REASONS,
    triage_close,
    triage_flag,
    triage_record_contact,
    triage_refresh,
    triage_reopen,
    triage_reopen_overdue,
    triage_rules,
    with_triage,
)
from tests.factories import LaureateFactory, RoleStaffFactory, UserFactory
from tests.report_factories import ActivityReportFactory, ReportPeriodFactory

LAUREATES = reverse("admin:laureates_laureate_changelist")
TODAY = datetime.date(2026, 3, 10)
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def q4(db):
    return ReportPeriodFactory(year=2025, quarter=4)


@pytest.fixture
def q1(db):
    return ReportPeriodFactory(year=2026, quarter=1)


def in_french(text) -> str:
    with translation.override("fr"):
        return str(text)


def page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def listed(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def triaged(laureate, today=None) -> Laureate:
    return with_triage(Laureate.objects.filter(pk=laureate.pk), today=today).get()


def act(client, action: str, laureates, **data):
    """Run a laureate-list action (with its form's answers, if any)."""
    post = {"action": action, "_selected_action": [laureate.pk for laureate in laureates]}
    if data:
        post.update(data, apply="1")
    return client.post(LAUREATES, post)


def new_badge() -> str:
    badge = in_french(pgettext("triage reason", "new"))
    return f'<span class="triage-badge triage-new">{badge}</span>'


def reason_line(content: str, reason: str) -> str:
    """The reasons cell's line that starts with ``reason`` (up to the next line break)."""
    start = content.index(reason)
    end = min(i for i in (content.find("<br>", start), content.find("</td>", start)) if i > 0)
    return content[start:end]


# Cycles -------------------------------------------------------------------------------------


def test_a_closed_triage_reopens_when_a_new_report_asks_for_contact_with_stress_5(
    referent_client, referent, laureate, q4, q1, now
):
    ActivityReportFactory(laureate=laureate, period=q4, stress=4)
    act(referent_client, "assign_to_me", [laureate])
    act(referent_client, "close_triage", [laureate])
    triage = Triage.objects.get(laureate=laureate)
    assert (triage.state, triage.cycle, triage.closed_reasons) == (
        TriageState.CLOSED,
        1,
        ["stress"],
    )
    assert listed(referent_client.get(LAUREATES, {"triage": "open"})) == []

    now.move_to(datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.UTC), tick=False)
    draft = ActivityReportFactory(
        laureate=laureate,
        period=q1,
        draft=True,
        wants_contact=True,
        stress=5,
        search_kind="nothing",
    )
    report_submit(report=draft, by=laureate.user)
    referent_client.force_login(referent)  # a staff session idles out after 30 minutes

    triage.refresh_from_db()
    assert (triage.state, triage.cycle, triage.closed_at) == (TriageState.NEW, 2, None)
    assert triage.assigned_to == referent  # the referent who knows them picks it up
    opened = TriageEvent.objects.get(laureate=laureate, cycle=2, kind=TriageEventKind.OPENED)
    assert set(opened.reasons) == {"contact", "stress"}
    response = referent_client.get(LAUREATES, {"triage": "open"})
    assert listed(response) == [laureate]
    content = page(response)
    # Asking to be contacted is new since the close; the high stress was already there.
    assert new_badge() in reason_line(content, in_french(REASONS["contact"]))
    assert new_badge() not in reason_line(content, in_french(REASONS["stress"]))
    assert "cycle 2" in content


def test_a_report_that_gives_no_reason_leaves_the_triage_closed(referent, laureate, q4, q1, now):
    ActivityReportFactory(laureate=laureate, period=q4, stress=4)
    triage_close(laureate=laureate, by=referent)
    now.move_to(datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.UTC), tick=False)
    draft = ActivityReportFactory(laureate=laureate, period=q1, draft=True, search_kind="nothing")

    report_submit(report=draft, by=laureate.user)

    assert Triage.objects.get(laureate=laureate).state == TriageState.CLOSED


def test_a_newly_overdue_period_reopens_the_triage_in_the_daily_task_once(
    referent, laureate, other_laureate, q4, q1
):
    for someone in (laureate, other_laureate):
        ActivityReportFactory(laureate=someone, period=q4)
    triage_close(laureate=laureate, by=referent)  # 10 March: q1 is due on 15 April
    ActivityReportFactory(laureate=other_laureate, period=q1)
    triage_close(laureate=other_laureate, by=referent)  # answered q1: nothing new

    run_daily_reminders(day="2026-04-16")

    triage = Triage.objects.get(laureate=laureate)
    assert (triage.state, triage.cycle) == (TriageState.NEW, 2)
    assert TriageEvent.objects.get(laureate=laureate, cycle=2).reasons == ["overdue"]
    assert Triage.objects.get(laureate=other_laureate).state == TriageState.CLOSED

    run_daily_reminders(day="2026-04-17")

    assert Triage.objects.get(laureate=laureate).cycle == 2
    assert TriageEvent.objects.filter(kind=TriageEventKind.OPENED, cycle=2).count() == 1


def test_a_triage_closed_after_the_due_date_does_not_reopen_for_that_period(
    referent, laureate, q4, q1, now
):
    ActivityReportFactory(laureate=laureate, period=q4)
    now.move_to(datetime.datetime(2026, 4, 20, 9, 0, tzinfo=datetime.UTC), tick=False)
    triage_close(laureate=laureate, by=referent)  # already overdue when closed

    assert triage_reopen_overdue(today=datetime.date(2026, 4, 21)) == 0
    assert Triage.objects.get(laureate=laureate).state == TriageState.CLOSED


def test_reopening_newly_overdue_triages_costs_the_same_queries_for_2_and_20(
    referent, q4, q1, django_assert_num_queries
):
    def closed(count):
        for _n in range(count):
            someone = LaureateFactory()
            ActivityReportFactory(laureate=someone, period=q4)
            triage_close(laureate=someone, by=referent)

    closed(2)
    with CaptureQueriesContext(connection) as small:
        assert triage_reopen_overdue(today=datetime.date(2026, 4, 16)) == 2
    closed(20)

    with django_assert_num_queries(len(small)):
        assert triage_reopen_overdue(today=datetime.date(2026, 4, 16)) == 20


def test_a_staff_flag_reopens_a_closed_triage_and_is_a_reason_until_the_close(
    referent_client, referent, laureate, q4
):
    ActivityReportFactory(laureate=laureate, period=q4)
    triage_close(laureate=laureate, by=referent)
    form = act(referent_client, "flag_for_follow_up", [laureate])
    assert 'name="note"' in form.content.decode()

    act(referent_client, "flag_for_follow_up", [laureate], note="Perd son logement en avril")

    triage = Triage.objects.get(laureate=laureate)
    assert (triage.state, triage.cycle, triage.flag_note) == (
        TriageState.NEW,
        2,
        "Perd son logement en avril",
    )
    row = triaged(laureate)
    assert row.triage_score >= 40
    content = page(referent_client.get(LAUREATES, {"triage": "open"}))
    flagged = in_french(REASONS["flag"]) % {"note": "Perd son logement en avril"}
    assert new_badge() in reason_line(content, flagged)

    act(referent_client, "close_triage", [laureate])

    assert triaged(laureate).triage_score == 0
    assert Triage.objects.get(laureate=laureate).flag_note == ""


def test_a_sponsor_signal_reopens_through_triage_reopen(referent, laureate, q4):
    ActivityReportFactory(laureate=laureate, period=q4)
    triage_close(laureate=laureate, by=referent)

    triage = triage_reopen(laureate=laureate, reasons=["sponsor_signal"])

    assert (triage.state, triage.cycle) == (TriageState.NEW, 2)
    assert triage_reopen(laureate=laureate, reasons=["sponsor_signal"]) is None  # still open


# Contacts with their outcome and next step -------------------------------------------------


def named(last_name: str) -> Laureate:
    return LaureateFactory(user__last_name=last_name, user__first_name="Camille")


def test_a_contact_sets_the_next_date_by_level_and_moves_the_laureate_down_until_then(
    referent_client, referent, q4, now
):
    first, second = named("Arnaud"), named("Bernard")
    for someone in (first, second):
        ActivityReportFactory(laureate=someone, period=q4, stress=4)
    assert listed(referent_client.get(LAUREATES)) == [first, second]
    form = act(referent_client, "record_contact", [first])
    assert 'name="outcome"' in form.content.decode()
    assert 'name="next_contact_on"' in form.content.decode()

    act(referent_client, "record_contact", [first], channel="phone", outcome="fine", note="Ok")

    triage = Triage.objects.get(laureate=first)
    assert triage.next_contact_on == TODAY + datetime.timedelta(days=90)
    assert listed(referent_client.get(LAUREATES)) == [second, first]
    event = TriageEvent.objects.get(laureate=first, kind=TriageEventKind.CONTACTED)
    assert (event.outcome, event.next_contact_on) == ("fine", triage.next_contact_on)

    now.move_to(datetime.datetime(2026, 6, 8, 9, 0, tzinfo=datetime.UTC), tick=False)
    triage_refresh()  # the daily job: the next contact is no longer ahead
    referent_client.force_login(referent)
    content = page(referent_client.get(LAUREATES))
    assert 'class="triage-due"' in content  # the call is due: shown in red
    assert listed(referent_client.get(LAUREATES))[0] == first


@pytest.mark.parametrize("level", list(FollowUpLevel))
def test_the_next_contact_defaults_to_the_delay_of_the_level(referent, laureate, level):
    triage_record_contact(
        laureate=laureate, by=referent, channel="phone", outcome="help", level=level
    )

    triage = Triage.objects.get(laureate=laureate)
    assert triage.level == level
    assert triage.next_contact_on == TODAY + datetime.timedelta(days=NEXT_CONTACT_DAYS[level])
    changed = TriageEvent.objects.filter(laureate=laureate, kind=TriageEventKind.LEVEL)
    assert changed.exists() == (level != FollowUpLevel.STANDARD)


def test_at_an_equal_score_alert_comes_before_reinforced_before_standard(
    referent_client, referent, q4
):
    standard, reinforced, alert = named("Arnaud"), named("Bernard"), named("Colin")
    for someone in (standard, reinforced, alert):
        ActivityReportFactory(laureate=someone, period=q4, stress=4)
    for someone, level in ((reinforced, "reinforced"), (alert, "alert")):
        Triage.objects.create(laureate=someone, level=level)

    response = referent_client.get(LAUREATES)

    assert listed(response) == [alert, reinforced, standard]
    assert in_french(FollowUpLevel.ALERT.label) in page(response)


def test_a_next_contact_in_the_past_is_refused_with_every_answer_kept(referent_client, laureate):
    response = act(
        referent_client,
        "record_contact",
        [laureate],
        channel="phone",
        outcome="fine",
        note="Appel du lundi",
        next_contact_on="2026-03-01",
    )

    assert response.status_code == 200
    assert "Appel du lundi" in response.content.decode()
    assert not Triage.objects.filter(laureate=laureate).exists()


# My queue and the daily e-mail --------------------------------------------------------------


def test_my_queue_lists_my_laureates_with_the_contacts_due_first(referent_client, referent, q4):
    mine_by_referent = LaureateFactory(referent=referent)
    ActivityReportFactory(laureate=mine_by_referent, period=q4, wants_contact=True)
    assigned_due = LaureateFactory()
    ActivityReportFactory(laureate=assigned_due, period=q4)
    Triage.objects.create(
        laureate=assigned_due,
        assigned_to=referent,
        state=TriageState.CONTACTED,
        next_contact_on=TODAY - datetime.timedelta(days=2),
    )
    someone_elses = LaureateFactory(referent=RoleStaffFactory(role=roles.REFERENT))
    ActivityReportFactory(laureate=someone_elses, period=q4, wants_contact=True)

    response = referent_client.get(LAUREATES, {"queue": "mine"})

    assert listed(response) == [assigned_due, mine_by_referent]
    assert 'href="?queue=mine"' in referent_client.get(LAUREATES).content.decode()


def test_the_daily_email_names_each_staff_members_due_next_contacts_once(
    referent, laureate, other_laureate, django_capture_on_commit_callbacks
):
    laureate.user.last_name = "Haddad"
    laureate.user.save()
    Triage.objects.create(
        laureate=laureate,
        assigned_to=referent,
        state=TriageState.CONTACTED,
        next_contact_on=datetime.date(2026, 3, 9),
    )
    Triage.objects.create(
        laureate=other_laureate,
        assigned_to=referent,
        state=TriageState.CONTACTED,
        next_contact_on=datetime.date(2026, 5, 9),  # not yet
    )

    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            run_daily_reminders(day="2026-03-10")

    [email] = [m for m in mail.outbox if m.to == [referent.email]]
    assert laureate.user.get_full_name() in email.body
    assert other_laureate.user.get_full_name() not in email.body
    assert "09/03/2026" in email.body or "9 mars 2026" in email.body
    assert f"{laureate.pk}/change/" in email.body
    assert OutboxEmail.objects.filter(kind="triage-contacts").count() == 1


# The list's cost, the history -------------------------------------------------------------


def test_the_triage_list_costs_the_same_queries_for_5_and_50_laureates(
    referent_client, referent, q4, django_assert_num_queries
):
    def fill(count):
        for n in range(count):
            someone = LaureateFactory(referent=referent if n % 3 else None)
            ActivityReportFactory(laureate=someone, period=q4, stress=1 + n % 5)
            if n % 2:
                triage_record_contact(
                    laureate=someone, by=referent, channel="phone", outcome="fine"
                )
            if n % 4 == 1:
                triage_close(laureate=someone, by=referent)
                triage_reopen(laureate=someone, reasons=["flag"])

    def pages():
        assert listed(referent_client.get(LAUREATES))
        listed(referent_client.get(LAUREATES, {"queue": "mine", "triage": "open"}))

    fill(5)
    with CaptureQueriesContext(connection) as small:
        pages()
    fill(45)

    with django_assert_num_queries(len(small)):
        pages()


def test_the_laureate_page_shows_the_history_of_cycles_with_the_contact_notes(
    referent_client, referent, laureate, q4, now
):
    laureate.referent = referent
    laureate.save()
    ActivityReportFactory(laureate=laureate, period=q4, stress=5)
    triage_record_contact(
        laureate=laureate,
        by=referent,
        channel="phone",
        outcome="help",
        note="Cherche un logement",
        level="reinforced",
    )
    triage_close(laureate=laureate, by=referent)
    triage_reopen(laureate=laureate, reasons=["overdue"])

    content = page(
        referent_client.get(reverse("admin:laureates_laureate_change", args=[laureate.pk]))
    )

    assert content.index("Cycle 2") < content.index("Cycle 1")
    assert "Cherche un logement" in content
    assert in_french(REASONS["stress"]) in content  # why the first cycle was closed
    assert in_french(FollowUpLevel.REINFORCED.label) in content
    assert referent.get_full_name() in content


def test_another_referent_sees_the_history_with_confidential_reasons_as_a_signal(
    client, laureate, q4
):
    laureate.referent = RoleStaffFactory(role=roles.REFERENT)
    laureate.save()
    ActivityReportFactory(laureate=laureate, period=q4, stress=5)
    triage_close(laureate=laureate, by=laureate.referent)
    client.force_login(RoleStaffFactory(role=roles.REFERENT))

    content = page(client.get(reverse("admin:laureates_laureate_change", args=[laureate.pk])))

    history = content[content.index("triage-history") :]
    assert in_french(REASONS["stress"]) not in history
    assert in_french("confidential signal") in history or "signal confidentiel" in history


def test_my_data_lists_the_follow_up_steps_without_the_teams_notes(referent, laureate):
    triage_flag(laureate=laureate, by=referent, note="Perd son logement")
    triage_record_contact(laureate=laureate, by=referent, channel="phone", outcome="help")

    with translation.override("en"):
        steps = personal_data_export(user=laureate.user)["Follow-up steps"]

    assert [step["What"] for step in steps] == ["cycle opened", "flagged", "contacted"]
    assert "Perd son logement" not in str(steps)


def test_erasing_a_laureate_empties_the_teams_flag_notes(referent, laureate):
    triage_flag(laureate=laureate, by=referent, note="Perd son logement")

    person_anonymise(user=laureate.user)

    assert Triage.objects.get(laureate=laureate).flag_note == ""
    assert not TriageEvent.objects.exclude(note="").exists()


# The joining date -------------------------------------------------------------------------

SEPTEMBER_CSV = (
    "E-MAIL;Prénom;NOM;Promotion;filiere;Année d’études;Ecole;Ville;Téléphone;Statut;"
    "Situation;Référent;Entrée le\r\n"
    "yanis.benali@example.org;Yanis;Benali;2026;prépa;1;Lycée du Parc;Lyon;;actif;"
    "en études;;01/09/2026\r\n"
)


def imported_in_september() -> Laureate:
    dataset = CSV().create_dataset(SEPTEMBER_CSV.encode())
    result = LaureateResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert not result.has_errors()
    return Laureate.objects.get(user__email="yanis.benali@example.org")


def created_by_hand_in_september(client) -> Laureate:
    from tests.test_admin import change_data

    user = UserFactory(email="ines.morel@example.org")
    someone = Laureate(user=user, promotion=LaureateFactory().promotion, track="prepa")
    someone.study_year = 1
    someone.joined_on = datetime.date(2026, 9, 1)
    response = client.post(reverse("admin:laureates_laureate_add"), change_data(someone))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Laureate.objects.get(user=user)


@pytest.mark.parametrize("how", ["import", "by hand"])
def test_a_laureate_who_joined_in_september_owes_nothing_for_the_quarter_opening_that_day(
    lead_client, lead, now, how
):
    q3 = ReportPeriodFactory(year=2026, quarter=3)
    assert (q3.opens_on, q3.due_on) == (datetime.date(2026, 9, 1), datetime.date(2026, 10, 15))
    now.move_to(datetime.datetime(2026, 9, 20, 9, 0, tzinfo=datetime.UTC), tick=False)
    lead_client.force_login(lead)
    joined = (
        imported_in_september() if how == "import" else created_by_hand_in_september(lead_client)
    )
    assert joined.joined_on == datetime.date(2026, 9, 1)

    row = triaged(joined, today=datetime.date(2026, 10, 20))

    assert row.triage_score == 0
    assert triage_rules(row) == []
    assert q3 not in ReportPeriod.objects.for_laureate(joined)
    with time_machine.travel(datetime.datetime(2026, 10, 18, 7), tick=False):
        run_daily_reminders()
    assert joined.user.email not in [to for m in mail.outbox for to in m.to]
    joined.user.set_password("x")
    joined.user.save()
    lead_client.force_login(joined.user)
    with time_machine.travel(datetime.datetime(2026, 10, 20, 9), tick=False):
        assert "2026-q3" not in lead_client.get(reverse("reports:list")).content.decode()


def test_a_laureate_who_joined_before_the_period_opened_still_owes_it(laureate, now):
    q3 = ReportPeriodFactory(year=2026, quarter=3)
    laureate.joined_on = datetime.date(2026, 8, 31)
    laureate.save()

    row = triaged(laureate, today=datetime.date(2026, 10, 20))

    assert "overdue" in triage_rules(row)
    assert q3 in ReportPeriod.objects.for_laureate(laureate)
