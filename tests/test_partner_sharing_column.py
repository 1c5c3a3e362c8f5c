"""Who partners see is kept in one column, ``Search.shared_consent_until`` (the end of the
laureate's open consent while their status lets partners see them), so that the dashboard
counts them from an index. Every way a consent, a status or a search changes rewrites it:
after each, the searches it shares are exactly those the consents and statuses share
(``shared_by_rule``, the definition computed on each request). A row whose column is wrong
is still never shown to a partner, and the nightly check puts it right and says so."""

import datetime
import importlib
import logging
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emergence.personal_data import person_anonymise
from emergence.spreadsheets import CSV, import_errors
from laureates.models import (
    PartnerConsent,
    Search,
    SearchKind,
    Status,
    consent_give,
    consent_withdraw,
    placement_record,
    search_confirm,
    search_set,
    search_sharing_check,
    search_sharing_refresh,
    search_sharing_wrong,
)
from laureates.resources import LaureateResource
from laureates.tasks import check_partner_sharing
from partners.sharing import (
    counted_searches,
    counts_by_field_and_kind,
    seeking_searches,
    shared_laureate,
)
from tests.console_forms import laureate_form as console_laureate_form
from tests.factories import LaureateFactory
from tests.partner_factories import SearchFactory, shared

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 10, 9, 30, tzinfo=datetime.UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def cast():
    """Inès consents and looks; Yanis looks without consenting; Léa consents without a
    search; Omar is an alumnus who consents and looks."""
    return {
        "ines": shared(LaureateFactory(user__first_name="Inès", user__email="ines@example.org")),
        "yanis": SearchFactory(laureate=LaureateFactory(user__first_name="Yanis")).laureate,
        "lea": _consenting(LaureateFactory(user__first_name="Léa")),
        "omar": shared(LaureateFactory(user__first_name="Omar", status=Status.ALUMNI)),
    }


def _consenting(laureate):
    consent_give(laureate=laureate)
    return laureate


def shown_ids(today=None) -> set[int]:
    return set(seeking_searches(today).values_list("laureate_id", flat=True))


def assert_column_agrees_with_the_rule(today: datetime.date) -> None:
    by_column = set(Search.objects.shared_by_column(today).values_list("pk", flat=True))
    by_rule = set(Search.objects.shared_by_rule(today).values_list("pk", flat=True))
    assert by_column == by_rule
    assert not search_sharing_wrong().exists()


# How each change is made: through the function, page or file that staff and laureates use.


def laureate_form(laureate, **changes) -> dict:
    """The console's laureate form as the browser posts it now, with the reason it asks."""
    laureate.refresh_from_db()
    return console_laureate_form(laureate, change_reason="Changement de statut", **changes)


def console_status(staff_client, laureate, status) -> None:
    url = reverse("admin:laureates_laureate_change", args=[laureate.pk])
    response = staff_client.post(url, laureate_form(laureate, status=status))
    assert response.status_code == 302, response.content.decode()[:2000]


def import_status(laureate, status_word: str) -> None:
    laureate.refresh_from_db()
    text = (
        "E-mail;Prénom;Nom;Promotion;Filière;Année d'études;École;Ville;Statut;Entrée le\n"
        f"{laureate.user.email};{laureate.user.first_name};{laureate.user.last_name};"
        f"{laureate.promotion.year};{laureate.track};{laureate.study_year};{laureate.school};"
        f"{laureate.city};{status_word};01/09/2024\n"
    )
    result = LaureateResource().import_data(CSV().create_dataset(text.encode()), dry_run=False)
    assert import_errors(result) == []


def travel(time_machine, days: int) -> datetime.date:
    time_machine.move_to(NOW + datetime.timedelta(days=days), tick=False)
    return TODAY + datetime.timedelta(days=days)


def expires_on(laureate) -> datetime.date:
    return PartnerConsent.objects.open().get(laureate=laureate).expires_on


def give(c, ctx):
    consent_give(laureate=c["yanis"])
    return "yanis", True


def renew(c, ctx):
    # Eleven months on, Inès confirms her search and renews: shared past the first end.
    ctx.travel(330)
    search_confirm(laureate=c["ines"])
    first_end = expires_on(c["ines"])
    consent_give(laureate=c["ines"])
    ctx.travel((first_end - TODAY).days + 10)
    return "ines", True


def withdraw(c, ctx):
    consent_withdraw(laureate=c["ines"])
    return "ines", False


def expire(c, ctx):
    # Her search confirmed ten months on, the consent still ends after twelve.
    ctx.travel(300)
    search_confirm(laureate=c["ines"])
    ctx.travel((expires_on(c["ines"]) - TODAY).days)
    return "ines", False


def still_valid_the_day_before(c, ctx):
    ctx.travel(300)
    search_confirm(laureate=c["ines"])
    ctx.travel((expires_on(c["ines"]) - TODAY).days - 1)
    return "ines", True


def alumni_in_the_console(c, ctx):
    console_status(ctx.staff_client, c["ines"], Status.ALUMNI)
    return "ines", True


def left_in_the_console(c, ctx):
    console_status(ctx.staff_client, c["ines"], Status.LEFT)
    return "ines", False


def back_to_active_in_the_console(c, ctx):
    console_status(ctx.staff_client, c["omar"], Status.LEFT)
    assert c["omar"].pk not in shown_ids()
    console_status(ctx.staff_client, c["omar"], Status.ACTIVE)
    return "omar", True


def search_created(c, ctx):
    search_set(laureate=c["lea"], kind=SearchKind.JOB, field="Audit", place="Lyon")
    return "lea", True


def search_closed(c, ctx):
    search_set(laureate=c["ines"], kind=None)
    return "ines", False


def search_reopened(c, ctx):
    search_set(laureate=c["ines"], kind=None)
    search_set(laureate=c["ines"], kind=SearchKind.WORK_STUDY, field="Data")
    return "ines", True


def search_confirmed_after_going_stale(c, ctx):
    ctx.travel(200)
    assert c["ines"].pk not in shown_ids(ctx.today)
    search_confirm(laureate=c["ines"])
    return "ines", True


def search_gone_stale(c, ctx):
    ctx.travel(184)  # six months and a day
    return "ines", False


def placement_closes_the_search(c, ctx):
    placement_record(
        laureate=c["ines"],
        kind=SearchKind.INTERNSHIP,
        title="Stage d'audit",
        other_company="Cabinet Durand",
        starts_on=TODAY,
    )
    return "ines", False


def erased(c, ctx):
    person_anonymise(user=c["omar"].user)
    return "omar", False


def imported_as_left(c, ctx):
    import_status(c["ines"], "parti")
    return "ines", False


def imported_as_alumni(c, ctx):
    import_status(c["ines"], "ancienne")
    return "ines", True


def imported_back_to_active(c, ctx):
    import_status(c["omar"], "parti")
    import_status(c["omar"], "actif")
    return "omar", True


CHANGES = {
    "a consent given shares the laureate's search": give,
    "a consent renewed keeps it shared past the first consent's end": renew,
    "a consent withdrawn hides it": withdraw,
    "a consent reaching its end hides it that day": expire,
    "a consent is still valid the day before its end": still_valid_the_day_before,
    "a laureate made alumni in the console stays shared": alumni_in_the_console,
    "a laureate who left, set in the console, is hidden": left_in_the_console,
    "an alumnus back to active in the console is shared again": back_to_active_in_the_console,
    "a search created by a consenting laureate is shared": search_created,
    "a search closed is hidden": search_closed,
    "a search closed then set again is shared again": search_reopened,
    "a stale search confirmed again is shared again": search_confirmed_after_going_stale,
    "a search not confirmed for six months is hidden": search_gone_stale,
    "a placement that closes the search hides it": placement_closes_the_search,
    "an erased laureate is hidden": erased,
    "an import of a laureate who left hides them": imported_as_left,
    "an import of a laureate become alumni keeps them shared": imported_as_alumni,
    "an import of a laureate back to active shares them again": imported_back_to_active,
}


class Context:
    def __init__(self, time_machine, staff_client):
        self.time_machine, self.staff_client, self.today = time_machine, staff_client, TODAY

    def travel(self, days: int) -> None:
        self.today = travel(self.time_machine, days)


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_after_each_change_the_column_shares_exactly_what_the_rule_shares(
    change, cast, time_machine, staff_client
):
    assert_column_agrees_with_the_rule(TODAY)
    assert shown_ids(TODAY) == {cast["ines"].pk, cast["omar"].pk}
    ctx = Context(time_machine, staff_client)

    name, shown = change(cast, ctx)

    assert_column_agrees_with_the_rule(ctx.today)
    assert (cast[name].pk in shown_ids(ctx.today)) is shown
    counted = set(counted_searches(ctx.today).values_list("laureate_id", flat=True))
    assert counted == shown_ids(ctx.today)


# The double check: a wrong column never shows anyone ------------------------------------


def test_a_search_whose_column_is_wrongly_set_is_still_not_shown_to_a_partner(cast, partner_client):
    far = TODAY + datetime.timedelta(days=365)
    # As if a path had forgotten to clear it: Yanis never consented, Omar has just left.
    Search.objects.filter(laureate=cast["yanis"]).update(shared_consent_until=far)
    cast["omar"].status = Status.LEFT
    cast["omar"].save(update_fields=["status"])

    response = partner_client.get("/partners/")

    shown = {row["id"] for row in response.context["page"].object_list}
    assert shown == {cast["ines"].pk}
    # The counts read the column alone: off by the two rows, and only the counts.
    assert response.context["page"].paginator.count == 3
    assert "Yanis" not in response.content.decode()
    for hidden in (cast["yanis"], cast["omar"]):
        assert partner_client.get(f"/partners/laureates/{hidden.pk}/").status_code == 404
        assert shared_laureate(hidden.pk) is None
    assert set(seeking_searches().values_list("laureate_id", flat=True)) == {cast["ines"].pk}


def test_a_laureate_page_shows_no_search_the_column_does_not_share(cast, partner_client):
    # Inès still consents (her page answers), but her search's column was wrongly cleared:
    # the safe side, her search is not shown until the column is put right.
    Search.objects.filter(laureate=cast["ines"]).update(shared_consent_until=None)

    row = shared_laureate(cast["ines"].pk)

    assert row is not None and row["kind"] == "" and row["pitch"] is None


# The nightly check ---------------------------------------------------------------------


def test_the_daily_check_puts_wrong_columns_right_and_says_how_many(cast, caplog):
    Search.objects.filter(laureate=cast["yanis"]).update(shared_consent_until=TODAY)
    Search.objects.filter(laureate=cast["ines"]).update(shared_consent_until=None)

    with caplog.at_level(logging.WARNING, logger="laureates.models.searches"):
        assert check_partner_sharing() == 2

    assert "2 searches had a wrong shared_consent_until" in caplog.text
    assert_column_agrees_with_the_rule(TODAY)
    assert shown_ids() == {cast["ines"].pk, cast["omar"].pk}


def test_the_daily_check_finds_nothing_to_fix_after_the_usual_paths(cast, caplog):
    consent_withdraw(laureate=cast["omar"])
    search_set(laureate=cast["lea"], kind=SearchKind.JOB, field="Audit")

    with caplog.at_level(logging.WARNING):
        assert search_sharing_check() == 0

    assert "shared_consent_until" not in caplog.text


def test_the_check_is_in_the_daily_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "laureates.tasks.check_partner_sharing" in tasks


def test_the_command_runs_the_check_now(cast, capsys):
    Search.objects.filter(laureate=cast["yanis"]).update(shared_consent_until=TODAY)

    call_command("check_partner_sharing")

    assert "1 search" in capsys.readouterr().out
    assert not search_sharing_wrong().exists()


def test_the_migration_fills_the_column_of_existing_searches(cast):
    Search.objects.update(shared_consent_until=None)  # as the rows were before the column
    migration = importlib.import_module("laureates.migrations.0012_search_shared_consent_until")

    migration.fill_shared_consent_until(apps, schema_editor=None)

    assert_column_agrees_with_the_rule(TODAY)
    assert Search.objects.get(laureate=cast["ines"]).shared_consent_until == expires_on(
        cast["ines"]
    )


def test_refreshing_everyone_writes_what_refreshing_each_does(cast):
    Search.objects.update(shared_consent_until=None)

    search_sharing_refresh()

    assert_column_agrees_with_the_rule(TODAY)


# What it costs -------------------------------------------------------------------------


def test_the_dashboard_costs_the_same_queries_for_4_and_40_laureates_with_others_hidden(
    partner_client, django_assert_max_num_queries
):
    def add(count: int) -> None:
        for n in range(count):
            laureate = shared(field=f"Field {n % 5}", kind=SearchKind.values[n % 3])
            if n % 4 == 3:
                consent_withdraw(laureate=laureate)

    add(4)
    url = "/partners/?kind=internship&situation=studying&o=promotion"
    with CaptureQueriesContext(connection) as small:
        assert partner_client.get(url).status_code == 200
        assert partner_client.get("/partners/").status_code == 200
    add(36)

    with django_assert_max_num_queries(len(small)):
        assert partner_client.get(url).status_code == 200
        response = partner_client.get("/partners/")

    assert response.context["page"].paginator.count == 30


def plan(queryset, *also_off: str) -> str:
    """EXPLAIN of ``queryset`` with sequential scans off (a small test table is read whole
    anyway: without them the planner uses an index whenever the condition can use it), and
    the other plan types named (``indexscan``, ``sort``…) off too."""
    with connection.cursor() as cursor:
        for kind in ("seqscan", *also_off):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
    return queryset.explain()


@contextmanager
def only_index(name: str):
    """The searches with no index but ``name`` (and the primary key) for the block, then all
    of them back (a savepoint rolled back). On a test table the planner's choice between
    indexes is a toss-up: no statistics, no page known all-visible, so that an index-only
    scan costs what an index scan does. With one index left, and sequential and bitmap scans
    off, the plan reads it, as an index-only scan exactly when it holds every column the
    query reads."""
    savepoint = transaction.savepoint()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'laureates_search'"
                " AND indexname NOT IN (%s, 'laureates_search_pkey')",
                [name],
            )
            for (other,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{other}"')
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


def test_on_postgresql_the_dashboard_counts_read_the_partial_index_alone(cast):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN's index scans are PostgreSQL's")
    counts = counts_by_field_and_kind(counted_searches())

    # At 100,000 laureates, 40,000 of the 50,000 open searches are shared: an index-only
    # scan is 8 ms there, the table 31 ms.
    with only_index("search_shared_until"):
        explained = plan(counts, "bitmapscan")

    assert "Index Only Scan using search_shared_until" in explained, explained
    assert "partnerconsent" not in explained.lower()


def test_on_postgresql_the_sort_by_availability_reads_its_index_and_text_has_trigrams(cast):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN's index scans are PostgreSQL's")
    from partners.exports import dashboard_filter

    sorted_by_start = dashboard_filter({"o": "-starts_on"}, counted_searches()).qs[:20]
    one_kind = {"kind": SearchKind.INTERNSHIP, "o": "starts_on"}
    one_kind_by_start = dashboard_filter(one_kind, counted_searches()).qs[:20]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_shared_text'")
        (text_index,) = cursor.fetchone()

    with only_index("search_shared_starts"):
        assert "search_shared_starts" in plan(sorted_by_start, "sort")
    with only_index("search_shared_kind_starts"):
        assert "search_shared_kind_starts" in plan(one_kind_by_start, "sort")
    # A test table is too small for the planner to pick it; 100,000 laureates: 18 -> 7 ms.
    assert "gin (search_text gin_trgm_ops)" in text_index
    assert "shared_consent_until IS NOT NULL" in text_index
