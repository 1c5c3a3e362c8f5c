"""The console's big imports and exports, run by a worker (emergence/jobs.py).

A file of more than BACKGROUND_IMPORT_ROWS rows is checked by a job (the preview: counts,
first rows, or the bad rows named by their line); once confirmed, a second job imports it,
all or nothing, and e-mails the person. An export of more than BACKGROUND_EXPORT_ROWS rows
is written by a job, its rows read in chunks. Each job acts through the console's own page
(the ModelAdmin) with a request rebuilt for the person who asked, from their current
permissions and the list's filters, so that it reads and writes nothing the request would
not have.
"""

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from import_export.formats.base_formats import BINARY_FORMATS
from import_export.signals import post_export, post_import

from emergence.jobs import JobFile, JobOutcome, Progress, job_bytes, rows_progress
from emergence.models import BackgroundJob
from emergence.spreadsheets.formats import XLSX, csv_bytes
from emergence.spreadsheets.resources import PREVIEW_ROWS, import_problems
from emergence.spreadsheets.widgets import is_blank

#: the kinds of job (job_register in emergence/apps.py)
IMPORT_PREVIEW = "console-import-preview"
IMPORT = "console-import"
EXPORT = "console-export"

#: rows read per query by an export
EXPORT_CHUNK = 2000
#: problems listed on a job's page (the count says the rest)
PROBLEMS_SHOWN = 100


def form_data(request) -> dict[str, list[str]]:
    """What a console form posted, to be posted again by the job (without the CSRF token)."""
    return {key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"}


def model_label(model_admin) -> str:
    return model_admin.model._meta.label_lower


def console_request(*, owner, query: str = "", data: dict | None = None) -> HttpRequest:
    """A request as ``owner`` would send it to the console's page, with the list's filters
    (``query``) and the form they posted (``data``)."""
    request = HttpRequest()
    request.method = "POST" if data else "GET"
    request.user = owner
    request.GET = QueryDict(query)
    posted = QueryDict(mutable=True)
    for key, values in (data or {}).items():
        posted.setlist(key, list(values))
    request.POST = posted
    request.META["SERVER_NAME"] = "worker"
    request.META["SERVER_PORT"] = "80"
    return request


def console_admin(job: BackgroundJob, *, query: str = "", data: dict | None = None):
    """The console page of the job's model and a request of its owner, who must still be
    active staff; a permission is checked by each runner."""
    owner = job.owner
    if not (owner.is_active and owner.is_staff):
        raise PermissionDenied
    from emergence.spreadsheets.admin import SpreadsheetAdminMixin

    model_admin = admin.site._registry.get(apps.get_model(job.params["model"]))
    if not isinstance(model_admin, SpreadsheetAdminMixin):
        raise PermissionDenied
    return model_admin, console_request(owner=owner, query=query, data=data)


def data_rows(dataset) -> int:
    """The rows of a file, as an import reads them: blank lines at its end are not rows."""
    rows = len(dataset)
    while rows and all(is_blank(cell) for cell in dataset[rows - 1]):
        rows -= 1
    return rows


# Imports ----------------------------------------------------------------------------------


def import_title(model_admin, file_name: str, *, preview: bool) -> str:
    names = capfirst(model_admin.model._meta.verbose_name_plural)
    if preview:
        return gettext("Import of “%(file)s” (%(model)s): preview") % {
            "file": file_name,
            "model": names,
        }
    return gettext("Import of “%(file)s” (%(model)s)") % {"file": file_name, "model": names}


def _import(job: BackgroundJob, progress: Progress, *, dry_run: bool):
    """Import the job's file as the console's import page does, ``dry_run`` for the preview."""
    params = job.params
    model_admin, request = console_admin(job, data=params.get("data"))
    if not model_admin.has_import_permission(request):
        raise PermissionDenied
    input_format = model_admin.get_import_formats()[int(params["format"])]()
    dataset = input_format.create_dataset(bytes(job.source) or job_bytes(job, "source"))
    progress.total(data_rows(dataset))
    resource_class = model_admin.get_import_resource_classes(request)[int(params["resource"])]
    resource = resource_class(**model_admin.get_import_resource_kwargs(request))
    resource.progress = progress
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        file_name=params["file_name"],
        user=job.owner,
        request=request,
        retain_instance_in_row_result=True,
    )
    return model_admin, request, result


def _problems(result) -> dict:
    problems = [
        {
            "line": problem["line"],
            "column": str(problem["column"]),
            "message": str(problem["message"]),
        }
        for problem in import_problems(result)
    ]
    return {"problems": problems[:PROBLEMS_SHOWN], "problem_count": len(problems)}


def _links(model_admin) -> dict:
    app_label, model_name = model_admin.get_model_info()
    return {
        "import_url": reverse(f"admin:{app_label}_{model_name}_import"),
        "list_url": reverse(f"admin:{app_label}_{model_name}_changelist"),
        "names": str(capfirst(model_admin.model._meta.verbose_name_plural)),
    }


def import_preview_run(job: BackgroundJob, progress: Progress) -> JobOutcome:
    """Check every row of the file and write nothing: the page shows the counts and the first
    rows, or the problems, and a confirmation when all is well. No e-mail: the person is
    waiting for it, and nothing is done until they confirm."""
    from emergence.spreadsheets.admin import import_counts

    model_admin, _request, result = _import(job, progress, dry_run=True)
    valid = not (result.has_errors() or result.has_validation_errors())
    app_label, model_name = model_admin.get_model_info()
    outcome = {
        **_links(model_admin),
        "file_name": job.params["file_name"],
        "counts": import_counts(result),
        "valid": valid,
        "notices": [str(notice) for notice in getattr(result, "notices", [])],
        "headers": [str(header) for header in result.diff_headers],
        "rows": [
            {
                # Rows checked one by one (not in bulk) do not keep their number: shown only
                # when every row is valid, the n-th is the file's n-th.
                "line": (getattr(row, "number", None) or index) + 1,
                "type": row.import_type,
                "values": ["" if value is None else str(value) for value in row.diff or []],
            }
            for index, row in enumerate(result.valid_rows()[:PREVIEW_ROWS], 1)
        ],
        "confirm_url": reverse(f"admin:{app_label}_{model_name}_import_confirm", args=[job.token]),
        **_problems(result),
    }
    return JobOutcome(result=outcome, notify=False)


def import_run(job: BackgroundJob, progress: Progress) -> JobOutcome:
    """Import the confirmed file, all or nothing (its rows are checked again: the data may
    have changed since the preview), then e-mail the person."""
    from emergence.spreadsheets.admin import import_counts

    model_admin, request, result = _import(job, progress, dry_run=False)
    valid = not (result.has_errors() or result.has_validation_errors())
    if valid:
        model_admin.generate_log_entries(result, request)
        post_import.send(sender=None, model=model_admin.model)
    outcome = {
        **_links(model_admin),
        "file_name": job.params["file_name"],
        "counts": import_counts(result),
        "valid": valid,
        **_problems(result),
    }
    return JobOutcome(result=outcome)


def import_confirm(*, preview: BackgroundJob, model_admin, request) -> BackgroundJob:
    """Start the import of a preview's file, once: a second confirmation (a double click, the
    back button) leads to the same import."""
    from django.db import transaction

    from emergence.jobs import job_start

    with transaction.atomic():
        preview = BackgroundJob.objects.select_for_update().get(pk=preview.pk)
        started = preview.result.get("import_job")
        if started:
            job = BackgroundJob.objects.filter(token=started, owner=preview.owner).first()
            if job is not None:
                return job
        job = job_start(
            owner=request.user,
            kind=IMPORT,
            title=import_title(model_admin, preview.params["file_name"], preview=False),
            params=preview.params,
            source=bytes(preview.source),
            total=preview.total,
        )
        preview.result = {**preview.result, "import_job": job.token}
        preview.save(update_fields=["result"])
    return job


# Exports ----------------------------------------------------------------------------------


def export_title(model_admin) -> str:
    return gettext("Export of %(model)s") % {
        "model": model_admin.model._meta.verbose_name_plural,
    }


def export_run(job: BackgroundJob, progress: Progress) -> JobOutcome:
    """Write the export the console's export page would have sent: the owner's list, as
    filtered, with the columns and the format they chose, its rows read in chunks and
    written as they come (a write-only workbook, or CSV lines)."""
    from emergence.xlsx import xlsx_bytes  # emergence.xlsx imports this package

    params = job.params
    model_admin, request = console_admin(job, query=params.get("query", ""), data=params["data"])
    if not model_admin.has_export_permission(request):
        raise PermissionDenied
    formats = model_admin.get_export_formats()
    form = model_admin.get_export_form_class()(
        formats, model_admin.get_export_resource_classes(request), data=request.POST
    )
    if not form.is_valid():
        raise ValueError(f"export form no longer valid: {form.errors.as_json()}")
    file_format = formats[int(form.cleaned_data["format"])]()
    queryset = model_admin.get_export_queryset(request)
    progress.total(queryset.count())
    resource_class = model_admin.choose_export_resource_class(form, request)
    resource = resource_class(**model_admin.get_export_resource_kwargs(request))
    fields = model_admin.get_export_resource_fields_from_form(form)
    # As the console's export page decides it (django-import-export's ExportMixin).
    native = type(file_format) in BINARY_FORMATS
    kwargs = {"export_fields": fields, "force_native_type": native, "export_form": form}
    resource.before_export(queryset, **kwargs)
    found = resource.filter_export(queryset, **kwargs)
    rows = (
        resource.export_resource(instance, selected_fields=fields, **kwargs)
        for instance in rows_progress(found.iterator(chunk_size=EXPORT_CHUNK), progress)
    )
    headers = resource.get_export_headers(selected_fields=fields)
    title = capfirst(str(model_admin.model._meta.verbose_name_plural))
    content = (
        xlsx_bytes(title=title, headers=headers, rows=rows)
        if isinstance(file_format, XLSX)
        else csv_bytes(headers, rows)
    )
    post_export.send(sender=None, model=model_admin.model)
    return JobOutcome(
        file=JobFile(
            content,
            model_admin.get_export_filename(request, queryset, file_format),
            file_format.get_content_type(),
        )
    )


def register_kinds() -> None:
    """Called once from EmergenceConfig.ready()."""
    from emergence.jobs import job_register

    job_register(
        IMPORT_PREVIEW,
        import_preview_run,
        result_template="admin/import_export/job_import_preview.html",
    )
    job_register(IMPORT, import_run, result_template="admin/import_export/job_import.html")
    job_register(EXPORT, export_run)
