"""Exports too big for a request (more than BACKGROUND_EXPORT_ROWS rows) run in a worker: the
person is sent to a progress page, finds the file there and in an e-mail for JOB_FILE_DAYS
days; nobody else reaches the page, its status or its file."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from emergence.jobs import JobOutcome, Progress, job_register, job_run, job_start
from emergence.models import BackgroundJob, JobStatus
from laureates.models import consent_withdraw
from partners.models import PartnerViewKind, PartnerViewLog
from reports.confidential import ReportRead
from reports.exports import period_export_run
from reports.models import QuestionKind, ReportStatus
from tests.factories import LaureateFactory, PromotionFactory
from tests.partner_factories import shared
from tests.report_factories import (
    ActivityReportFactory,
    QuestionFactory,
    QuestionnaireFactory,
    ReportPeriodFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_threshold(settings):
    settings.BACKGROUND_EXPORT_ROWS = 3
    settings.SITE_URL = "https://emergence.example.org"


def workbook_rows(content: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def follow_to_the_job(response) -> BackgroundJob:
    assert response.status_code == 302, response.status_code
    job = BackgroundJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    return job


# The partner export -----------------------------------------------------------------------


@pytest.fixture
def five_shared():
    promotion = PromotionFactory()
    return [
        shared(LaureateFactory(promotion=promotion, user__first_name=f"Lauréat{i}"))
        for i in range(5)
    ]


def test_a_partner_export_over_the_threshold_is_written_in_the_background_and_e_mailed(
    partner_client, partner_member, five_shared, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = partner_client.get(reverse("partners:export"))

    job = follow_to_the_job(response)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 5, 5)
    page = partner_client.get(job.get_absolute_url())
    assert reverse("job_file", args=[job.token]) in page.content.decode()
    download = partner_client.get(reverse("job_file", args=[job.token]))
    assert download["Content-Disposition"].startswith('attachment; filename="emergence-laureates-')
    rows = workbook_rows(download.content)
    assert sorted(row[0] for row in rows[1:]) == [f"Lauréat{i}" for i in range(5)]
    [email] = mail.outbox
    assert email.to == [partner_member.user.email]
    assert "https://emergence.example.org" + job.get_absolute_url() in email.body
    assert PartnerViewLog.objects.filter(kind=PartnerViewKind.EXPORT).count() == 1


def test_a_small_partner_export_is_still_downloaded_at_once(partner_client, five_shared):
    for laureate in five_shared[:3]:
        consent_withdraw(laureate=laureate)

    response = partner_client.get(reverse("partners:export"))

    assert response.status_code == 200
    assert len(workbook_rows(response.content)) == 1 + 2
    assert not BackgroundJob.objects.exists()


def test_the_background_export_keeps_the_dashboard_s_filters(
    partner_client, five_shared, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = partner_client.get(reverse("partners:export"), {"q": "Lauréat", "kind": ""})
    job = follow_to_the_job(response)
    assert job.params == {"query": "q=Laur%C3%A9at&kind="}
    consent_withdraw(laureate=five_shared[0])

    job = BackgroundJob.objects.create(
        owner=job.owner, kind=job.kind, title=job.title, params={"query": "q=Lauréat1"},
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )  # fmt: skip
    job_run(pk=job.pk)

    job.refresh_from_db()
    assert [row[0] for row in workbook_rows(bytes(job.file))[1:]] == ["Lauréat1"]


# The period export ------------------------------------------------------------------------


def test_a_period_export_over_the_threshold_is_written_in_the_background(
    referent_client, django_capture_on_commit_callbacks
):
    period = ReportPeriodFactory(year=2025, quarter=4)
    for _ in range(4):
        ActivityReportFactory(period=period)
    url = reverse("admin:reports_reportperiod_export", args=[period.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = referent_client.post(url, {"file_format": "xlsx"})

    job = follow_to_the_job(response)
    job.refresh_from_db()
    assert (job.status, job.total, job.title) == (
        JobStatus.DONE,
        4,
        "Export des rapports de 2025-q4",
    )
    assert job.filename == "rapports-2025-q4.xlsx"
    assert len(workbook_rows(bytes(job.file))) == 1 + 4
    assert referent_client.get(reverse("job_file", args=[job.token])).status_code == 200


def test_confidential_answers_exported_in_the_background_are_recorded_as_read_by_the_owner(
    referent, referent_client, django_capture_on_commit_callbacks
):
    period = ReportPeriodFactory(year=2025, quarter=4)
    for _ in range(4):
        ActivityReportFactory(period=period, laureate__referent=referent)
    url = reverse("admin:reports_reportperiod_export", args=[period.pk])

    with django_capture_on_commit_callbacks(execute=True):
        follow_to_the_job(
            referent_client.post(url, {"file_format": "csv", "include_wellbeing": "on"})
        )

    assert ReportRead.objects.filter(user_email=referent.email).count() == 4


@pytest.fixture
def asked_period(db):
    """2025-q4, whose questionnaire asks a confidential question, a choice and a yes / no."""
    questionnaire = QuestionnaireFactory()
    QuestionFactory(
        questionnaire=questionnaire, key="family", label_fr="Votre famille",
        kind=QuestionKind.LONG_TEXT, confidential=True,
    )  # fmt: skip
    QuestionFactory(
        questionnaire=questionnaire, key="housing", label_fr="Votre logement",
        kind=QuestionKind.CHOICE, choices="crous | Résidence CROUS | Student residence",
    )  # fmt: skip
    QuestionFactory(
        questionnaire=questionnaire, key="mentoring", label_fr="Le tutorat aide-t-il ?",
        kind=QuestionKind.YES_NO,
    )  # fmt: skip
    return ReportPeriodFactory(year=2025, quarter=4, questionnaire=questionnaire)


def fill(period, referent, count: int, *, start: int = 0) -> None:
    """``count`` reports, every other one of a laureate the referent follows, with dates,
    choices, several lines, a formula, a late one, a reviewed one, and a draft (not exported)."""
    for n in range(start, start + count):
        ActivityReportFactory(
            period=period,
            laureate__referent=referent if n % 2 else None,
            laureate__user__first_name=f"Lauréat{n:03d}",
            status=ReportStatus.REVIEWED if n % 3 == 0 else ReportStatus.SUBMITTED,
            reviewed_at=timezone.now() if n % 3 == 0 else None,
            is_late=n % 4 == 0,
            stress=1 + n % 5,
            wellbeing_note=f"Note {n}",
            studies_comment="=1+1" if n % 5 == 0 else "Partiels\nrattrapés",
            extra_answers={"family": f"Famille {n}", "housing": "crous", "mentoring": "yes"},
        )
    ActivityReportFactory(period=period, draft=True)


def sheet_cells(content: bytes) -> tuple:
    """What a reader of the workbook sees: the sheet, and each cell's value, type and format."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [
        [(cell.value, cell.data_type, cell.number_format, cell.font.bold) for cell in row]
        for row in sheet.iter_rows()
    ]
    return sheet.title, sheet.freeze_panes, sheet.auto_filter.ref, cells


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_period_exported_in_the_background_has_the_rows_the_request_gives(
    referent, referent_client, asked_period, settings, file_format,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    fill(asked_period, referent, 6)
    url = reverse("admin:reports_reportperiod_export", args=[asked_period.pk])
    asked = {"file_format": file_format, "include_wellbeing": "on"}
    settings.BACKGROUND_EXPORT_ROWS = 100
    in_request = referent_client.post(url, asked)
    assert in_request.status_code == 200
    settings.BACKGROUND_EXPORT_ROWS = 3

    with django_capture_on_commit_callbacks(execute=True):
        job = follow_to_the_job(referent_client.post(url, asked))

    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 6, 6)
    if file_format == "csv":
        assert bytes(job.file) == in_request.content
        text = in_request.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert len(rows) == 1 + 6
        assert "Note 1" in text and "Note 0" not in text  # the referent's laureates only
    else:
        title, frozen, filtered, cells = sheet_cells(in_request.content)
        assert sheet_cells(bytes(job.file)) == (title, frozen, filtered, cells)
        assert len(cells) == 1 + 6
        assert "Note 1" in str(cells) and "Note 0" not in str(cells)  # the referent's only
    assert ReportRead.objects.filter(user_email=referent.email).count() == 2 * 3


def period_job_queries(client, period) -> int:
    url = reverse("admin:reports_reportperiod_export", args=[period.pk])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("emergence.jobs.transaction.on_commit", lambda callback: None)
        client.post(url, {"file_format": "xlsx", "include_wellbeing": "on"})
    job = BackgroundJob.objects.latest("pk")
    with pytest.MonkeyPatch.context() as patch:
        # The bar is written once a second: here only its total, not after a slow row.
        patch.setattr("emergence.jobs.time.monotonic", lambda: 0.0)
        with CaptureQueriesContext(connection) as queries:
            job_run(pk=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    return len(queries)


def test_a_background_period_export_makes_as_many_queries_for_40_reports_as_for_4(
    referent, referent_client, asked_period
):
    fill(asked_period, referent, 4)
    small = period_job_queries(referent_client, asked_period)
    fill(asked_period, referent, 36, start=4)

    large = period_job_queries(referent_client, asked_period)

    assert large == small, (small, large)
    assert ReportRead.objects.count() == 2 + 20


class Recorder(Progress):
    def __init__(self, job):
        super().__init__(job)
        self.totals, self.seen = [], []

    def total(self, total):
        self.totals.append(total)
        super().total(total)

    def advance(self, done):
        self.seen.append(done)
        super().advance(done)


def test_a_background_period_export_moves_its_bar_at_every_row(
    referent, referent_client, asked_period
):
    fill(asked_period, referent, 5)
    url = reverse("admin:reports_reportperiod_export", args=[asked_period.pk])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("emergence.jobs.transaction.on_commit", lambda callback: None)
        referent_client.post(url, {"file_format": "csv"})
    job = BackgroundJob.objects.get()
    progress = Recorder(job)

    outcome = period_export_run(job, progress)

    assert (progress.totals, progress.seen) == ([5], [1, 2, 3, 4, 5])
    assert outcome.file.filename == "rapports-2025-q4.csv"


# Who sees a job ---------------------------------------------------------------------------


def job_of(user, **fields) -> BackgroundJob:
    return BackgroundJob.objects.create(
        owner=user,
        kind="partner-export",
        title="Export",
        status=JobStatus.DONE,
        finished_at=timezone.now(),
        file=b"PK",
        filename="export.xlsx",
        content_type="application/octet-stream",
        expires_at=timezone.now() + datetime.timedelta(days=7),
        **fields,
    )


@pytest.mark.parametrize("what", ["job", "job_status", "job_file"])
def test_someone_else_s_job_its_status_and_its_file_are_not_found(what, partner_client, referent):
    job = job_of(referent)

    assert partner_client.get(reverse(what, args=[job.token])).status_code == 404


@pytest.mark.parametrize("what", ["job", "job_status", "job_file"])
def test_an_expired_job_is_not_found_even_by_its_owner(what, partner_client, partner_member):
    job = job_of(partner_member.user)
    BackgroundJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())

    assert partner_client.get(reverse(what, args=[job.token])).status_code == 404


def test_a_job_s_page_asks_a_visitor_to_sign_in(partner_member):
    job = job_of(partner_member.user)

    response = Client().get(job.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# The progress bar -------------------------------------------------------------------------


def test_the_status_reports_rows_done_out_of_the_total_while_the_work_runs(
    partner_client, partner_member
):
    seen = []

    def counting(job: BackgroundJob, progress: Progress) -> JobOutcome:
        progress.total(3)
        progress.every = 0  # the page reads it once a second; here at every row
        for done in (1, 2, 3):
            progress.advance(done)
            seen.append(partner_client.get(reverse("job_status", args=[job.token])).json())
        return JobOutcome(notify=False)

    job_register("test-counting", counting)
    job = job_start(owner=partner_member.user, kind="test-counting", title="Comptage")
    status = partner_client.get(reverse("job_status", args=[job.token])).json()
    assert status == {
        "status": "queued",
        "done": 0,
        "total": 0,
        "percent": 0,
        "finished": False,
        "file": None,
    }

    job_run(pk=job.pk)

    assert [(s["status"], s["done"], s["total"], s["percent"]) for s in seen] == [
        ("running", 1, 3, 33),
        ("running", 2, 3, 66),
        ("running", 3, 3, 100),
    ]
    status = partner_client.get(reverse("job_status", args=[job.token])).json()
    assert (status["status"], status["finished"]) == ("done", True)
    assert not mail.outbox  # notify=False


def test_the_progress_page_shows_a_bar_read_by_a_static_script(partner_client, partner_member):
    job = BackgroundJob.objects.create(
        owner=partner_member.user,
        kind="partner-export",
        title="Export des lauréats",
        status=JobStatus.RUNNING,
        total=200,
        done=50,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )

    page = partner_client.get(job.get_absolute_url()).content.decode()

    assert '<progress class="w-100 job-progress" max="200" value="50"' in page
    assert "50 sur 200 lignes" in page
    assert "js/job_progress.js" in page
    assert "<script>" not in page


def test_a_failed_job_says_so_without_the_error_s_details(partner_member, partner_client):
    def failing(job, progress):
        raise RuntimeError("secret stack trace")

    job_register("test-failing", failing)
    job = job_start(owner=partner_member.user, kind="test-failing", title="Échec")
    job_run(pk=job.pk)

    page = partner_client.get(job.get_absolute_url()).content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "secret stack trace" not in page
    assert "l’équipe du programme a été prévenue" in page


def test_a_partner_whose_company_left_before_the_worker_s_turn_is_told_and_gets_no_file(
    partner_client, partner_member, five_shared, django_capture_on_commit_callbacks
):
    response = partner_client.get(reverse("partners:export"))  # queued, not run yet
    job = follow_to_the_job(response)
    company = partner_member.company
    company.active = False
    company.save()

    job_run(pk=job.pk)

    job.refresh_from_db()
    assert (job.status, job.filename, bytes(job.file)) == (JobStatus.FAILED, "", b"")
    page = partner_client.get(job.get_absolute_url()).content.decode()
    assert "Vous n’avez plus le droit de le faire : rien n’a été fait." in page.replace(
        "\u00a0", " "
    )
    assert not mail.outbox


def test_a_job_run_twice_does_its_work_once(partner_member):
    calls = []

    def once(job, progress):
        calls.append(job.pk)
        return JobOutcome(notify=False)

    job_register("test-once", once)
    job = job_start(owner=partner_member.user, kind="test-once", title="Une fois")
    job_run(pk=job.pk)
    job_run(pk=job.pk)

    assert calls == [job.pk]
