"""Big exports from the console (the laureate list, any list with import and export) are
written by a worker: the person follows a progress page, then downloads a file that holds
every row of the list as they filtered it, and gets an e-mail with the link."""

import io

import openpyxl
import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emergence import roles
from emergence.jobs import job_run
from emergence.models import BackgroundJob, JobStatus
from emergence.spreadsheets.background import EXPORT
from laureates.models import Track
from laureates.resources import LaureateResource
from tests.factories import LaureateFactory, RoleStaffFactory

EXPORT_URL = reverse("admin:laureates_laureate_export")
XLSX, CSV = "1", "0"


def export_form(file_format: str = XLSX, fields=LaureateResource.Meta.fields) -> dict:
    return {
        "resource": "0",
        "format": file_format,
        **{f"laureateresource_{field}": "on" for field in fields},
    }


def xlsx_rows(content: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return list(book.active.iter_rows(values_only=True))


def job_file(client, job: BackgroundJob):
    response = client.get(reverse("job_file", args=[job.token]))
    assert response.status_code == 200
    return response


@pytest.fixture(autouse=True)
def small_threshold(settings):
    """A « big » export has more than 5 rows here, so that the tests stay small."""
    settings.BACKGROUND_EXPORT_ROWS = 5


@pytest.fixture
def laureates(db):
    return [
        LaureateFactory(user__email=f"l{n}@example.org", track=Track.MEDICINE) for n in range(8)
    ]


def test_an_export_over_the_threshold_becomes_a_job_whose_file_holds_every_row(
    referent_client, referent, laureates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = referent_client.post(EXPORT_URL, export_form())

    job = BackgroundJob.objects.get(kind=EXPORT)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == JobStatus.DONE and job.owner == referent
    page = referent_client.get(job.get_absolute_url()).content.decode()
    assert reverse("job_file", args=[job.token]) in page
    download = job_file(referent_client, job)
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert download["Content-Disposition"].startswith('attachment; filename="Laureate-')
    rows = xlsx_rows(download.content)
    assert rows[0][0] == "E-mail"
    assert sorted(row[0] for row in rows[1:]) == sorted(one.user.email for one in laureates)


def test_the_person_gets_an_email_with_the_link_to_the_export(
    referent_client, referent, laureates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referent_client.post(EXPORT_URL, export_form())

    job = BackgroundJob.objects.get(kind=EXPORT)
    [email] = mail.outbox
    assert email.to == [referent.email]
    assert job.get_absolute_url() in email.body
    status = referent_client.get(reverse("job_status", args=[job.token])).json()
    assert status["finished"] and (status["done"], status["total"]) == (8, 8)
    assert status["file"] == reverse("job_file", args=[job.token])


def test_a_background_export_keeps_the_lists_filters_and_chosen_columns(
    referent_client, laureates, django_capture_on_commit_callbacks
):
    LaureateFactory(user__email="prepa@example.org", track=Track.PREPA)

    with django_capture_on_commit_callbacks(execute=True):
        referent_client.post(
            EXPORT_URL + "?track__exact=medecine", export_form(fields=("email", "track"))
        )

    rows = xlsx_rows(job_file(referent_client, BackgroundJob.objects.get()).content)
    assert len(rows) == 9 and len(rows[0]) == 2
    assert "prepa@example.org" not in {row[0] for row in rows}


@pytest.mark.parametrize("file_format", [CSV, XLSX])
def test_the_background_file_reads_as_the_one_sent_at_once(
    referent_client, laureates, settings, django_capture_on_commit_callbacks, file_format
):
    with django_capture_on_commit_callbacks(execute=True):
        referent_client.post(EXPORT_URL, export_form(file_format))
    background = job_file(referent_client, BackgroundJob.objects.get()).content
    settings.BACKGROUND_EXPORT_ROWS = 100

    at_once = referent_client.post(EXPORT_URL, export_form(file_format))

    assert at_once.status_code == 200 and at_once.has_header("Content-Disposition")
    if file_format == CSV:
        assert background == at_once.content
        assert background.decode("utf-8").count("\r\n") == 9
    else:
        assert xlsx_rows(background) == xlsx_rows(at_once.content)


def test_an_export_at_the_threshold_is_sent_at_once(referent_client, laureates):
    for laureate in laureates[5:]:
        laureate.user.delete()

    response = referent_client.post(EXPORT_URL, export_form())

    assert response.status_code == 200
    assert len(xlsx_rows(response.content)) == 6
    assert not BackgroundJob.objects.exists()


def test_someone_elses_export_its_status_and_its_file_are_404(
    referent_client, laureates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referent_client.post(EXPORT_URL, export_form())
    job = BackgroundJob.objects.get()
    other = Client()
    other.force_login(RoleStaffFactory(role=roles.REFERENT, email="other.referent@example.org"))

    for url in (
        job.get_absolute_url(),
        reverse("job_status", args=[job.token]),
        reverse("job_file", args=[job.token]),
    ):
        assert other.get(url).status_code == 404, url


def test_an_export_whose_author_lost_the_right_to_see_the_list_leaves_no_file(
    referent_client, referent, laureates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        referent_client.post(EXPORT_URL, export_form())
    # Before a worker takes it, the referent's role is withdrawn.
    referent.groups.clear()

    for callback in queued:
        callback()

    job = BackgroundJob.objects.get()
    assert job.status == JobStatus.FAILED and not job.filename
    assert referent_client.get(reverse("job_file", args=[job.token])).status_code == 404


def export_job_queries(client, count: int) -> int:
    LaureateFactory.create_batch(count)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("emergence.jobs.transaction.on_commit", lambda callback: None)
        client.post(EXPORT_URL, export_form())
    job = BackgroundJob.objects.latest("pk")
    with CaptureQueriesContext(connection) as queries:
        job_run(pk=job.pk)
    assert len(xlsx_rows(bytes(BackgroundJob.objects.get(pk=job.pk).file))) > count
    return len(queries)


def test_a_background_export_makes_as_many_queries_for_40_laureates_as_for_8(
    referent_client, settings
):
    settings.BACKGROUND_EXPORT_ROWS = 5
    small = export_job_queries(referent_client, 8)
    large = export_job_queries(referent_client, 32)

    assert large == small, (small, large)
