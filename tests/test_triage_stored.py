"""The stored triage (reports/triage/stored.py) always says what the one-query computation
(``with_triage``) says: after every kind of change, over random histories, and the triage
list reads it (order, "needs attention", reasons) at a flat number of queries.

Periods: 2025-q4 (due 2026-01-15), 2026-q1 (opens 2026-03-01, due 2026-04-15); the daily
job creates the rest of the school year as time moves on.
"""

import datetime
import io
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from laureates.models import Laureate, Status
from reports.checkins import CheckinLink, checkin_record
from reports.models import (
    ActivityReport,
    FollowUpLevel,
    ReportPeriod,
    ReportStatus,
    StoredTriage,
)
from reports.services import report_mark_reviewed, report_reopen, report_submit
from reports.tasks import run_daily_reminders
from reports.triage import (
    RULE_KEYS,
    STORED_ORDER,
    TRIAGE_ORDER,
    triage_assign,
    triage_close,
    triage_flag,
    triage_record_contact,
    triage_refresh,
    with_triage,
    with_triage_order,
)
from tests.factories import LaureateFactory, SponsorshipFactory
from tests.report_factories import ActivityReportFactory, ReportPeriodFactory

LAUREATES = reverse("admin:laureates_laureate_changelist")
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def periods(db):
    return [ReportPeriodFactory(year=2025, quarter=4), ReportPeriodFactory(year=2026, quarter=1)]


def computed() -> dict[int, dict]:
    rows = with_triage_order(with_triage(Laureate.objects.all())).values(
        "pk",
        "triage_score",
        "triage_level_rank",
        "triage_waiting",
        *[f"triage_{rule}" for rule in RULE_KEYS],
    )
    return {
        row["pk"]: {
            "score": row["triage_score"],
            "level_rank": row["triage_level_rank"],
            "waiting": row["triage_waiting"],
            **{rule: row[f"triage_{rule}"] for rule in RULE_KEYS},
        }
        for row in rows
    }


def stored() -> dict[int, dict]:
    return {
        row.laureate_id: {
            "score": row.score,
            "level_rank": row.level_rank,
            "waiting": row.waiting,
            **{rule: getattr(row, f"rule_{rule}") for rule in RULE_KEYS},
        }
        for row in StoredTriage.objects.all()
    }


def answers(rng: random.Random) -> dict:
    return {
        "studies_rating": rng.randint(1, 5),
        "sponsor_relationship": rng.randint(1, 5),
        "project_progress": rng.randint(1, 5),
        "civic_involvement": rng.randint(1, 5),
        "stress": rng.randint(1, 5),
        "sponsor_met": rng.choice([True, False]),
        "wants_contact": rng.random() < 0.2,
    }


class History:
    """Random changes, each through the function the app uses for it."""

    def __init__(self, rng: random.Random, *, staff, laureates, sponsorships):
        self.rng = rng
        self.staff = staff
        self.laureates = laureates
        self.sponsorships = sponsorships

    def opened(self) -> list[ReportPeriod]:
        today = timezone.localdate()
        return list(ReportPeriod.objects.filter(opens_on__lte=today).order_by("-opens_on")[:3])

    def submit(self, laureate):
        period = self.rng.choice(self.opened())
        report = ActivityReport.objects.filter(laureate=laureate, period=period).first()
        if report is None:
            report = ActivityReportFactory(
                laureate=laureate, period=period, draft=True, search_kind="nothing"
            )
        if report.status != ReportStatus.DRAFT:
            return
        ActivityReport.objects.filter(pk=report.pk).update(**answers(self.rng))
        report_submit(report=report, by=laureate.user)

    def reopen(self, laureate):
        report = ActivityReport.objects.filter(laureate=laureate).exclude(status="draft").first()
        if report is not None:
            report_reopen(report=report, by=self.staff)

    def review(self, laureate):
        report = ActivityReport.objects.filter(laureate=laureate, status="submitted").first()
        if report is not None:
            report_mark_reviewed(report=report, by=self.staff)

    def contact(self, laureate):
        ahead = self.rng.choice([None, 1, 3, 20])
        triage_record_contact(
            laureate=laureate,
            by=self.staff,
            channel="phone",
            outcome="fine",
            level=self.rng.choice([None, *FollowUpLevel.values]),
            next_contact_on=None
            if ahead is None
            else timezone.localdate() + datetime.timedelta(days=ahead),
        )

    def flag(self, laureate):
        triage_flag(laureate=laureate, by=self.staff, note="Appeler la famille")

    def close(self, laureate):
        triage_close(laureate=laureate, by=self.staff)

    def assign(self, laureate):
        triage_assign(laureate=laureate, to=self.staff, by=self.staff)

    def sponsor_answer(self, laureate):
        sponsorship = self.sponsorships.get(laureate.pk)
        if sponsorship is None:
            return
        answer = self.rng.choice(["met", "not_yet", "lost_contact"])
        period = self.rng.choice(self.opened())
        checkin_record(link=CheckinLink(sponsorship=sponsorship, period=period, answer=answer))

    def days_pass(self, laureate, *, now):
        """Time moves on (a due date, a next contact passes), another app changes an input
        (workshop absences, a status), then the daily job runs."""
        day = timezone.localdate() + datetime.timedelta(days=self.rng.randint(1, 25))
        now.move_to(datetime.datetime.combine(day, datetime.time(6), datetime.UTC), tick=False)
        change = self.rng.random()
        if change < 0.3:
            Laureate.objects.filter(pk=laureate.pk).update(workshop_absences=self.rng.randint(0, 3))
        elif change < 0.4:
            Laureate.objects.filter(pk=laureate.pk).update(status=Status.ALUMNI)
        run_daily_reminders(day=day.isoformat())

    STEPS = ["submit", "reopen", "review", "contact", "flag", "close", "assign", "sponsor_answer"]

    def step(self, *, now) -> str:
        laureate = self.rng.choice(self.laureates)
        if self.rng.random() < 0.15:
            self.days_pass(laureate, now=now)
            return "days_pass"
        name = self.rng.choice(self.STEPS)
        getattr(self, name)(laureate)
        return name


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_stored_triage_equals_the_computed_one_after_every_kind_of_change(
    seed, periods, referent, now
):
    rng = random.Random(seed)
    laureates = LaureateFactory.create_batch(4)
    sponsorships = {
        laureate.pk: SponsorshipFactory(laureate=laureate) for laureate in laureates[:2]
    }
    triage_refresh()  # as the list or the daily job does for laureates created elsewhere
    history = History(rng, staff=referent, laureates=laureates, sponsorships=sponsorships)
    assert stored() == computed()
    done = []
    for _ in range(30):
        done.append(history.step(now=now))
        assert stored() == computed(), done
    # The history went through scores above zero and most kinds of change.
    assert len(set(done)) >= 6


def test_a_refresh_writes_only_the_rows_that_changed(periods, referent):
    calm, worried = LaureateFactory.create_batch(2)
    triage_refresh()
    before = StoredTriage.objects.get(laureate=calm).computed_at
    ActivityReportFactory(laureate=worried, period=periods[1], stress=5)

    assert triage_refresh() == 1

    assert StoredTriage.objects.get(laureate=calm).computed_at == before
    assert StoredTriage.objects.get(laureate=worried).score > 0


def test_a_new_laureate_is_stored_by_the_next_refresh_of_anyone(periods, referent, laureate):
    triage_refresh()
    newcomer = LaureateFactory()
    triage_flag(laureate=laureate, by=referent, note="À suivre")

    assert set(StoredTriage.objects.values_list("laureate", flat=True)) == {
        laureate.pk,
        newcomer.pk,
    }


def listed(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def computed_order() -> list[Laureate]:
    return list(
        with_triage_order(with_triage(Laureate.objects.all())).order_by(*TRIAGE_ORDER, "pk")
    )


def test_the_triage_list_keeps_the_computed_order_and_reads_the_stored_rows(
    periods, referent, referent_client
):
    rng = random.Random(7)
    people = LaureateFactory.create_batch(12)
    for person in people:
        ActivityReportFactory(laureate=person, period=periods[1], **answers(rng))
    for person in people[:6]:
        triage_record_contact(
            laureate=person,
            by=referent,
            channel="phone",
            level=rng.choice(FollowUpLevel.values),
            next_contact_on=timezone.localdate() + datetime.timedelta(days=rng.randint(1, 9)),
        )
    triage_refresh()
    expected = computed_order()
    assert STORED_ORDER == [*TRIAGE_ORDER, "pk"]

    assert listed(referent_client.get(LAUREATES)) == expected
    attention = [person for person in expected if person.triage_score > 0]
    assert listed(referent_client.get(LAUREATES, {"attention": "yes"})) == attention

    # A report written behind the functions' back: the list shows what is stored until the
    # next refresh (it does not score anyone on the request).
    ActivityReport.objects.filter(laureate=expected[-1]).update(wants_contact=True, stress=5)
    assert listed(referent_client.get(LAUREATES))[-1] == expected[-1]
    triage_refresh()
    now_expected = computed_order()
    assert now_expected != expected
    assert listed(referent_client.get(LAUREATES)) == now_expected


def test_the_triage_list_costs_the_same_queries_for_10_and_60_laureates(
    periods, referent, referent_client, django_assert_num_queries
):
    def fill(count):
        for n in range(count):
            ActivityReportFactory(period=periods[1], stress=1 + n % 5, wants_contact=n % 7 == 0)
        triage_refresh()

    fill(10)
    pages = [LAUREATES, f"{LAUREATES}?attention=yes", f"{LAUREATES}?queue=mine"]
    with CaptureQueriesContext(connection) as small:
        for url in pages:
            listed(referent_client.get(url))
    fill(50)
    with django_assert_num_queries(len(small)):
        for url in pages:
            listed(referent_client.get(url))


def test_the_daily_job_stores_everyone_outside_any_transaction(transactional_db):
    period = ReportPeriodFactory(year=2026, quarter=1)
    worried = ActivityReportFactory(period=period, stress=5).laureate

    run_daily_reminders(day="2026-03-10")

    assert StoredTriage.objects.get(laureate=worried).rule_stress


def test_refresh_triage_stores_what_changed_behind_the_apps_back(periods, laureate):
    call_command("refresh_triage", stdout=io.StringIO())
    Laureate.objects.filter(pk=laureate.pk).update(workshop_absences=3)
    out = io.StringIO()

    call_command("refresh_triage", stdout=out)

    assert "1 stored triage row(s) written." in out.getvalue()
    assert StoredTriage.objects.get(laureate=laureate).rule_workshops
