"""Imports at scale: a handful of queries whatever the file's length or the database's size,
all-or-nothing, the limits on size, and a preview of the first rows with the counts."""

import html
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emergence.history import BY_IMPORT, stored_reason
from emergence.spreadsheets import CSV, import_errors
from laureates.models import Laureate, Promotion
from laureates.resources import LaureateResource
from tests.factories import PromotionFactory

User = get_user_model()

HEADER = "E-mail;Prénom;Nom;Promotion;Filière;Année d'études;École;Référent;Entrée le\n"


def laureate_rows(count: int, *, start: int = 0, referent: str = "", prefix: str = "new") -> str:
    return "".join(
        f"{prefix}{n}@example.org;Ana{n};Roux;{2015 + n % 10};prépa;{1 + n % 5};"
        f"Lycée {n % 7};{referent if n % 2 else ''};01/09/2024\n"
        for n in range(start, start + count)
    )


def import_text(text: str, **kwargs):
    dataset = CSV().create_dataset(text.encode())
    return LaureateResource().import_data(dataset, dry_run=False, raise_errors=False, **kwargs)


def import_queries(text: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = import_text(text)
    assert import_errors(result) == []
    return len(queries)


def existing_laureates(count: int, *, prefix: str = "old") -> None:
    """``count`` laureates with their accounts, written in bulk (as many as a real base)."""
    promotion = PromotionFactory(year=2014)
    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"{prefix}{n}@example.org", first_name="Old", last_name="N", password=password)
        for n in range(count)
    )
    Laureate.objects.bulk_create(
        Laureate(user=user, promotion=promotion, track="prepa", study_year=1) for user in users
    )


def test_an_import_of_100_rows_makes_as_many_queries_as_one_of_10(referent):
    small = import_queries(HEADER + laureate_rows(10, referent=referent.email))
    Laureate.objects.all().delete()
    User.objects.filter(is_staff=False).delete()

    large = import_queries(HEADER + laureate_rows(100, referent=referent.email))

    # A constant: SQLite splits the inserts of 100 rows into a few statements more.
    assert large <= small + 8, (small, large)


def test_an_import_makes_as_many_queries_with_200_existing_laureates_as_with_none(referent):
    rows = HEADER + laureate_rows(20, referent=referent.email)
    empty = import_queries(rows)
    Laureate.objects.all().delete()
    User.objects.filter(is_staff=False).delete()
    existing_laureates(200)
    # Half of the file updates existing laureates, half adds new ones.
    rows = HEADER + laureate_rows(10, prefix="old") + laureate_rows(10, prefix="new")

    full = import_queries(rows)

    assert full <= empty + 8, (empty, full)
    assert Laureate.objects.get(user__email="old3@example.org").user.first_name == "Ana3"
    assert Laureate.objects.count() == 210


def test_one_bad_row_in_the_middle_of_100_imports_nothing_and_names_its_line(referent):
    rows = laureate_rows(100, referent=referent.email).splitlines(keepends=True)
    rows[49] = "bad@example.org;Ben;Bad;2020;astrologie;1;;;01/09/2024\n"
    counts = (Laureate.objects.count(), User.objects.count(), Promotion.objects.count())

    result = import_text(HEADER + "".join(rows))

    assert (Laureate.objects.count(), User.objects.count(), Promotion.objects.count()) == counts
    errors = import_errors(result)
    assert len(errors) == 1 and errors[0].startswith("Ligne 51"), errors
    assert "astrologie" in errors[0]


def test_the_same_mistake_on_several_rows_is_named_on_each_of_their_lines(referent):
    # Values that read well are remembered from row to row; mistakes are not.
    rows = laureate_rows(6, referent=referent.email).splitlines(keepends=True)
    rows[1] = "a@example.org;Ana;Roux;2020;astrologie;1;;;01/09/2024\n"
    rows[3] = "b@example.org;Ben;Roux;2020;astrologie;1;;;31/02/2024\n"
    rows[4] = "c@example.org;Cid;Roux;2020;;1;;;31/02/2024\n"
    rows[5] = "d@example.org;Dan;Roux;2020;;1;;;01/09/2024\n"

    errors = import_text(HEADER + "".join(rows)).invalid_rows

    assert [(row.number, sorted(row.error_dict)) for row in errors] == [
        (2, ["Filière"]),
        (4, ["Entrée le", "Filière"]),
        (5, ["Entrée le", "Filière"]),
        (6, ["Filière"]),
    ]
    assert not Laureate.objects.exists()


def test_imported_laureates_and_their_accounts_are_in_the_history_with_the_reason(db):
    existing_laureates(2)

    import_text(HEADER + laureate_rows(3) + laureate_rows(1, prefix="old"))

    new = Laureate.objects.get(user__email="new1@example.org")
    row = new.history.get()
    assert (row.history_type, row.history_change_reason) == ("+", stored_reason(BY_IMPORT))
    assert new.user.history.get().history_type == "+"
    updated = Laureate.objects.get(user__email="old0@example.org")
    assert updated.history.get().history_type == "~"
    assert updated.user.history.get().first_name == "Ana0"
    # The laureate the file leaves as it is gets no history row.
    assert not Laureate.objects.get(user__email="old1@example.org").history.exists()


def test_names_with_quotes_tabs_line_breaks_and_backslashes_are_kept_as_typed(db):
    school = 'Lycée "Saint\\Jean"\tannexe\nbâtiment B\r\n2'
    quoted = school.replace('"', '""')
    text = HEADER + f'new0@example.org;Ana;"D\'Arc\\\\N";2015;prépa;1;"{quoted}";;01/09/2024\n'

    result = import_text(text)

    assert import_errors(result) == []
    laureate = Laureate.objects.select_related("user").get()
    assert laureate.school == school
    assert laureate.user.last_name == "D'Arc\\\\N"
    assert laureate.history.get().school == laureate.school
    assert laureate.user.is_active


def test_people_added_after_an_import_get_keys_of_their_own(db):
    import_text(HEADER + laureate_rows(30))

    later = User.objects.create(email="later@example.org")
    promotion = Promotion.objects.first()
    laureate = Laureate.objects.create(user=later, promotion=promotion, track="prepa")

    assert User.objects.count() == 31 and Laureate.objects.count() == 31
    assert later.pk > max(User.objects.exclude(pk=later.pk).values_list("pk", flat=True))
    assert laureate.history.get().history_id > max(
        Laureate.history.exclude(id=laureate.pk).values_list("history_id", flat=True)
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_writes_plain_rows_and_leaves_the_others_to_bulk_create_untouched(db):
    from emergence.models import BackgroundJob
    from emergence.spreadsheets.copy import copy_create

    job = BackgroundJob(kind="x", result={"a": 1})  # a JSON value: not written by COPY

    assert copy_create(BackgroundJob, [job]) is False
    assert job.pk is None and not BackgroundJob.objects.exists()

    promotion = Promotion(year=2031)
    assert copy_create(Promotion, [promotion]) is True  # plain columns: written by COPY
    assert Promotion.objects.get(pk=promotion.pk).year == 2031


def test_importing_the_same_file_twice_changes_nothing_the_second_time(referent):
    text = HEADER + laureate_rows(5, referent=referent.email)
    import_text(text)

    result = import_text(text)

    assert [row.import_type for row in result.rows] == ["skip"] * 5
    assert Laureate.objects.count() == 5


# Limits ---------------------------------------------------------------------------------


def test_a_file_of_50001_rows_is_refused_with_a_message_and_nothing_imported(db):
    text = "email,first_name,last_name,promotion,track\n" + "".join(
        f"x{n}@example.org,A,B,2024,autre\n" for n in range(50_001)
    )

    result = import_text(text)

    assert not Laureate.objects.exists() and not Promotion.objects.exists()
    errors = import_errors(result)
    assert len(errors) == 1
    digits = "".join(char for char in errors[0] if char.isdigit())
    assert "5000150000" in digits, errors  # the file's rows, then the limit


def test_a_file_over_the_byte_limit_is_refused_and_the_form_keeps_its_type(lead_client, settings):
    settings.IMPORT_MAX_BYTES = 100
    upload = io.BytesIO(("email\n" + "x@example.org\n" * 20).encode())
    upload.name = "big.xlsx"

    response = lead_client.post(
        reverse("admin:laureates_laureate_import"),
        {"resource": "0", "format": "1", "import_file": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert "import_file" in form.errors
    assert "at most 100" in " ".join(form.errors["import_file"])
    assert form["format"].value() == "1"
    assert "confirm_form" not in response.context
    assert not Laureate.objects.exists()


def test_a_file_over_the_byte_limit_is_refused_outside_the_console_too(db, settings):
    settings.IMPORT_MAX_BYTES = 100

    with pytest.raises(ValueError):
        CSV().create_dataset(("email\n" + "x@example.org\n" * 20).encode())


# The preview ----------------------------------------------------------------------------


def test_the_preview_shows_the_first_100_rows_and_the_counts(lead_client, referent):
    existing_laureates(3)
    import_text(HEADER + laureate_rows(1, prefix="old", start=2))  # old2 as the file has it
    content = (
        HEADER
        + laureate_rows(2, prefix="old")  # two updated
        + laureate_rows(1, prefix="old", start=2)  # one unchanged
        + laureate_rows(147, referent=referent.email)  # 147 new
    ).encode()
    upload = io.BytesIO(content)
    upload.name = "laureates.csv"

    response = lead_client.post(
        reverse("admin:laureates_laureate_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )

    assert "confirm_form" in response.context, response.context.get("import_problems")
    assert len(response.context["preview_rows"]) == 100
    assert response.context["import_counts"] == {
        "new": 147,
        "updated": 2,
        "unchanged": 1,
        "errors": 0,
        "rows": 150,
    }
    page = html.unescape(response.content.decode())
    preview = page[page.index('class="import-preview"') :]
    assert preview.count("<tr class=") == 100
    assert "new149@example.org" not in page
    counts = page[page.index('id="import-counts"') :]
    assert "<dd>147</dd>" in counts and "<dd>2</dd>" in counts and "<dd>1</dd>" in counts
    assert not Laureate.objects.filter(user__email__startswith="new").exists()


def test_a_console_import_records_the_staff_member_and_every_column_in_the_history(
    lead_client, lead, referent
):
    upload = io.BytesIO((HEADER + laureate_rows(3, referent=referent.email)).encode())
    upload.name = "laureates.csv"
    preview = lead_client.post(
        reverse("admin:laureates_laureate_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )
    lead_client.post(
        reverse("admin:laureates_laureate_process_import"), preview.context["confirm_form"].initial
    )

    laureate = Laureate.objects.get(user__email="new1@example.org")
    for instance in (laureate, laureate.user):
        row = instance.history.get()
        columns = [field.attname for field in instance.history.model.tracked_fields]
        assert {name: getattr(row, name) for name in columns} == {
            name: getattr(instance, name) for name in columns
        }
        assert (row.history_type, row.history_user) == ("+", lead)
    assert laureate.history.get().history_change_reason == stored_reason(BY_IMPORT)
    assert laureate.user.history.get().history_change_reason is None
    assert laureate.referent == referent
