"""Big imports from the console run in the background: a progress page, then the preview;
confirming imports every row in a worker and e-mails the person; a bad row imports nothing;
nobody else sees the job."""

import html
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emergence import roles
from emergence.jobs import Progress, job_run
from emergence.models import BackgroundJob, JobStatus
from emergence.spreadsheets.background import IMPORT, IMPORT_PREVIEW, import_preview_run
from laureates.models import Laureate, Sponsorship
from tests.factories import LaureateFactory, RoleStaffFactory, SponsorFactory

HEADER = "E-mail;Prénom;Nom;Promotion;Filière;Année d'études;École;Référent;Entrée le\n"
IMPORT_URL = reverse("admin:laureates_laureate_import")


def laureate_rows(count: int, *, referent: str = "", start: int = 0) -> str:
    return "".join(
        f"new{n}@example.org;Ana{n};Roux;{2015 + n % 10};prépa;{1 + n % 5};"
        f"Lycée {n % 7};{referent if n % 2 else ''};01/09/2024\n"
        for n in range(start, start + count)
    )


def post_file(client, content: str, *, name: str = "lauréats.csv", url: str = IMPORT_URL):
    upload = io.BytesIO(content.encode())
    upload.name = name
    return client.post(url, {"resource": "0", "format": "0", "import_file": upload})


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def small_threshold(settings):
    """A « big » file has more than 10 rows here, so that the tests stay small."""
    settings.BACKGROUND_IMPORT_ROWS = 10


@pytest.fixture
def previewed(lead_client, referent, django_capture_on_commit_callbacks):
    """The lead sent a file of 25 rows, and the worker has checked it."""
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(lead_client, HEADER + laureate_rows(25, referent=referent.email))
    return BackgroundJob.objects.get(kind=IMPORT_PREVIEW), response


def test_a_big_file_shows_a_progress_page_while_it_waits_for_a_worker(
    lead_client, referent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = post_file(lead_client, HEADER + laureate_rows(25, referent=referent.email))

    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert len(queued) == 1  # the worker's task, queued once the file is stored
    page = lead_client.get(job.get_absolute_url())
    assert page.status_code == 200
    text = page_text(page)
    assert "<progress" in text and 'data-status-url="/jobs/' in text
    assert "<script>" not in text.replace('<script src="', "")  # no inline script
    status = lead_client.get(reverse("job_status", args=[job.token])).json()
    assert (status["status"], status["done"], status["total"]) == ("queued", 0, 25)
    assert not Laureate.objects.exists()


def test_a_big_file_shows_the_preview_once_checked_and_imports_nothing_yet(lead_client, previewed):
    job, _response = previewed

    page = lead_client.get(job.get_absolute_url())

    text = page_text(page)
    assert 'id="import-counts"' in text and "<dd>25</dd>" in text
    assert "new0@example.org" in text and "new24@example.org" in text
    assert "Confirmer l’importation" in text
    assert (
        f'action="{reverse("admin:laureates_laureate_import_confirm", args=[job.token])}"' in text
    )
    status = lead_client.get(reverse("job_status", args=[job.token])).json()
    assert (status["status"], status["done"], status["total"]) == ("done", 25, 25)
    assert not Laureate.objects.exists()
    assert mail.outbox == []  # the person is on the page: the preview sends no e-mail


def test_the_preview_shows_the_first_100_rows_and_the_counts_of_a_bigger_file(
    lead_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_file(lead_client, HEADER + laureate_rows(130))

    page = page_text(lead_client.get(BackgroundJob.objects.get().get_absolute_url()))

    preview = page[page.index('class="table table-sm import-preview"') :]
    assert preview.count('<tr class="new">') == 100
    assert "new99@example.org" in page and "new100@example.org" not in page
    assert "<dd>130</dd>" in page


def test_confirming_imports_every_row_in_the_background_and_emails_a_link(
    lead_client, lead, previewed, django_capture_on_commit_callbacks
):
    preview, _response = previewed
    confirm = reverse("admin:laureates_laureate_import_confirm", args=[preview.token])

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(confirm)

    job = BackgroundJob.objects.get(kind=IMPORT)
    assert response["Location"] == job.get_absolute_url()
    assert job.status == JobStatus.DONE and job.owner == lead
    assert Laureate.objects.filter(user__email__startswith="new").count() == 25
    page = page_text(lead_client.get(job.get_absolute_url()))
    assert "<dd>25</dd>" in page
    assert f'href="{reverse("admin:laureates_laureate_changelist")}"' in page
    [email] = mail.outbox
    assert email.to == [lead.email]
    assert job.get_absolute_url() in email.body
    # The preview's page now leads to the import instead of offering to confirm again.
    preview_page = page_text(lead_client.get(preview.get_absolute_url()))
    assert "Confirmer l’importation" not in preview_page
    assert job.get_absolute_url() in preview_page


def test_confirming_twice_starts_one_import(
    lead_client, previewed, django_capture_on_commit_callbacks
):
    preview, _response = previewed
    confirm = reverse("admin:laureates_laureate_import_confirm", args=[preview.token])

    with django_capture_on_commit_callbacks(execute=True):
        first = lead_client.post(confirm)
        second = lead_client.post(confirm)

    assert first["Location"] == second["Location"]
    assert BackgroundJob.objects.filter(kind=IMPORT).count() == 1
    assert len(mail.outbox) == 1


def test_a_big_file_with_one_bad_row_imports_nothing_and_names_the_row(
    lead_client, referent, django_capture_on_commit_callbacks
):
    rows = laureate_rows(30, referent=referent.email).splitlines(keepends=True)
    rows[16] = "bad@example.org;Ben;Bad;2020;astrologie;1;;;01/09/2024\n"

    with django_capture_on_commit_callbacks(execute=True):
        post_file(lead_client, HEADER + "".join(rows))

    job = BackgroundJob.objects.get()
    page = page_text(lead_client.get(job.get_absolute_url()))
    errors = page[page.index('class="table table-sm import-errors"') :]
    assert '<td class="line">18</td>' in errors and "astrologie" in errors
    assert "Confirmer l’importation" not in page
    assert reverse("admin:laureates_laureate_import_confirm", args=[job.token]) not in page
    assert not Laureate.objects.exists()
    # And the confirmation cannot be forced.
    response = lead_client.post(
        reverse("admin:laureates_laureate_import_confirm", args=[job.token])
    )
    assert response.status_code == 404
    assert not BackgroundJob.objects.filter(kind=IMPORT).exists()


def test_a_row_that_became_invalid_after_the_preview_makes_the_import_write_nothing(
    lead_client, referent, previewed, django_capture_on_commit_callbacks
):
    preview, _response = previewed
    referent.is_staff = False  # named as referent on odd rows: no longer a staff member
    referent.save()

    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(reverse("admin:laureates_laureate_import_confirm", args=[preview.token]))

    job = BackgroundJob.objects.get(kind=IMPORT)
    assert not Laureate.objects.exists()
    page = page_text(lead_client.get(job.get_absolute_url()))
    assert '<td class="line">3</td>' in page and referent.email in page


def test_someone_elses_import_job_its_status_and_confirmation_are_404(previewed, db):
    preview, _response = previewed
    other = Client()
    other.force_login(RoleStaffFactory(role=roles.LEAD, email="other.lead@example.org"))

    for url in (
        preview.get_absolute_url(),
        reverse("job_status", args=[preview.token]),
        reverse("job_file", args=[preview.token]),
    ):
        assert other.get(url).status_code == 404, url
    confirm = reverse("admin:laureates_laureate_import_confirm", args=[preview.token])
    assert other.post(confirm).status_code == 404
    assert not BackgroundJob.objects.filter(kind=IMPORT).exists()


def test_a_preview_cannot_be_confirmed_on_another_list(lead_client, previewed):
    preview, _response = previewed

    response = lead_client.post(
        reverse("admin:laureates_sponsor_import_confirm", args=[preview.token])
    )

    assert response.status_code == 404


def test_an_import_whose_author_lost_the_right_to_import_writes_nothing(
    lead_client, lead, previewed, django_capture_on_commit_callbacks
):
    preview, _response = previewed
    with django_capture_on_commit_callbacks() as queued:
        lead_client.post(reverse("admin:laureates_laureate_import_confirm", args=[preview.token]))
    # Before a worker takes the job, the lead's role is withdrawn.
    lead.groups.set([Group.objects.get(name=roles.WORKSHOPS)])

    for callback in queued:
        callback()

    job = BackgroundJob.objects.get(kind=IMPORT)
    assert job.status == JobStatus.FAILED
    assert not Laureate.objects.exists()


def test_a_file_at_the_threshold_is_still_previewed_on_the_import_page(lead_client):
    response = post_file(lead_client, HEADER + laureate_rows(10))

    assert response.status_code == 200
    assert "confirm_form" in response.context
    assert not BackgroundJob.objects.exists()


def test_a_file_over_the_row_limit_is_refused_on_the_page_with_the_usual_message(
    lead_client, settings
):
    settings.IMPORT_MAX_ROWS = 20

    response = post_file(lead_client, HEADER + laureate_rows(25))

    assert response.status_code == 200
    assert not BackgroundJob.objects.exists()
    text = page_text(response)
    assert "25" in text and "20" in text and "au plus" in text


def test_a_big_sponsorship_file_is_checked_row_by_row_in_the_background_too(
    lead_client, django_capture_on_commit_callbacks
):
    sponsor = SponsorFactory(email="marraine@example.com")
    laureates = [LaureateFactory(user__email=f"l{n}@example.org") for n in range(12)]
    text = "E-mail du lauréat;E-mail du parrain;Début\n" + "".join(
        f"{laureate.user.email};{sponsor.email};01/09/2024\n" for laureate in laureates
    )
    url = reverse("admin:laureates_sponsorship_import")

    with django_capture_on_commit_callbacks(execute=True):
        post_file(lead_client, text, name="parrainages.csv", url=url)
    preview = BackgroundJob.objects.get(kind=IMPORT_PREVIEW)
    assert "l11@example.org" in page_text(lead_client.get(preview.get_absolute_url()))
    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(
            reverse("admin:laureates_sponsorship_import_confirm", args=[preview.token])
        )

    assert Sponsorship.objects.count() == 12


class Recorder(Progress):
    """A progress bar that remembers every count it was told."""

    def __init__(self, job):
        super().__init__(job)
        self.seen = []

    def advance(self, done):
        self.seen.append(done)
        super().advance(done)


def test_the_progress_counts_every_row_checked_out_of_the_file(lead_client):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("emergence.jobs.transaction.on_commit", lambda callback: None)
        post_file(lead_client, HEADER + laureate_rows(15))
    job = BackgroundJob.objects.get()
    progress = Recorder(job)

    import_preview_run(job, progress)

    assert job.total == 15
    assert progress.seen == list(range(1, 16))


def preview_queries(client, rows: int) -> int:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("emergence.jobs.transaction.on_commit", lambda callback: None)
        post_file(client, HEADER + laureate_rows(rows, start=rows))
    job = BackgroundJob.objects.latest("pk")
    with CaptureQueriesContext(connection) as queries:
        job_run(pk=job.pk)
    assert BackgroundJob.objects.get(pk=job.pk).result["valid"]
    return len(queries)


def test_a_background_preview_makes_as_many_queries_for_80_rows_as_for_20(lead_client):
    small = preview_queries(lead_client, 20)
    large = preview_queries(lead_client, 80)

    assert large == small, (small, large)


def test_a_big_xlsx_file_is_checked_in_the_background_and_its_blank_end_is_not_counted(
    lead_client, django_capture_on_commit_callbacks
):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["E-mail", "Prénom", "Nom", "Promotion", "Filière"])
    for n in range(12):
        sheet.append([f"x{n}@example.org", f"Ana{n}", "Roux", 2020, "prépa"])
    for _blank in range(30):
        sheet.append([None, " ", None, None, None])
    content = io.BytesIO()
    book.save(content)
    upload = io.BytesIO(content.getvalue())
    upload.name = "lauréats.xlsx"

    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(IMPORT_URL, {"resource": "0", "format": "1", "import_file": upload})

    job = BackgroundJob.objects.get()
    assert (job.total, job.result["counts"]["new"], job.result["valid"]) == (12, 12, True)


def import_queries(client, rows: int) -> int:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("emergence.jobs.transaction.on_commit", lambda callback: None)
        post_file(client, HEADER + laureate_rows(rows, start=rows))
        preview = BackgroundJob.objects.latest("pk")
        job_run(pk=preview.pk)
        client.post(reverse("admin:laureates_laureate_import_confirm", args=[preview.token]))
    job = BackgroundJob.objects.latest("pk")
    with CaptureQueriesContext(connection) as queries:
        job_run(pk=job.pk)
    assert BackgroundJob.objects.get(pk=job.pk).result["counts"]["new"] == rows
    return len(queries)


def test_a_background_import_makes_as_many_queries_for_80_rows_as_for_20(lead_client):
    small = import_queries(lead_client, 20)
    large = import_queries(lead_client, 80)

    # SQLite splits the inserts of many rows into a few statements more.
    assert large <= small + 4, (small, large)
