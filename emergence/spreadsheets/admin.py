"""The console's import and export pages."""

import logging

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import FieldError, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.forms import ImportForm, SelectableFieldsExportForm
from import_export.results import RowResult

from emergence.spreadsheets.formats import FORMATS, XLSX
from emergence.spreadsheets.limits import ImportTooLarge, import_size_check
from emergence.spreadsheets.resources import (
    PREVIEW_ROWS,
    SpreadsheetResource,
    import_errors,
    import_problems,
)

logger = logging.getLogger(__name__)


class SpreadsheetExportForm(SelectableFieldsExportForm):
    """The export page names each column by its header in the file (« Année d'études »),
    not by the field's English name."""

    def _get_field_label(self, resource, field_name: str) -> str:
        if issubclass(resource, SpreadsheetResource):
            return capfirst(resource().export_header(field_name).replace("_", " "))
        return super()._get_field_label(resource, field_name)


class SpreadsheetImportForm(ImportForm):
    """The import form, which refuses a file over IMPORT_MAX_BYTES before reading it (the
    chosen file type stays selected)."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            import_size_check(upload.size)
        except ImportTooLarge as error:
            raise ValidationError(str(error)) from None
        return upload


def import_counts(result) -> dict[str, int]:
    """How many rows an import creates, updates, leaves unchanged, and refuses."""
    totals = result.totals
    return {
        "new": totals[RowResult.IMPORT_TYPE_NEW],
        "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
        "unchanged": totals[RowResult.IMPORT_TYPE_SKIP],
        "errors": totals[RowResult.IMPORT_TYPE_INVALID] + totals[RowResult.IMPORT_TYPE_ERROR],
        "rows": result.total_rows,
    }


class SpreadsheetAdminMixin(ImportExportMixin):
    """Import and export in CSV and XLSX for staff who may change, respectively see, the rows."""

    import_form_class = SpreadsheetImportForm
    export_form_class = SpreadsheetExportForm
    formats = FORMATS
    import_formats = FORMATS
    export_formats = FORMATS

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_urls(self):
        app_label, model_name = self.get_model_info()
        confirm = path(
            "import/confirm/<str:token>/",
            self.admin_site.admin_view(require_POST(self.import_confirm_view)),
            name=f"{app_label}_{model_name}_import_confirm",
        )
        return [confirm, *super().get_urls()]

    # Big files and exports run in the background (emergence/spreadsheets/background.py) --
    # (imported where used, so that importing emergence.spreadsheets loads no model)

    def import_in_background(self, request):
        """A file of more than BACKGROUND_IMPORT_ROWS rows (within the limits) is checked by a
        worker: the person is sent to the job's page, which shows the progress, then the
        preview. None when the file is imported here, as before."""
        from emergence.jobs import job_start
        from emergence.spreadsheets import background

        if request.method != "POST" or not self.has_import_permission(request):
            return None
        form = self.create_import_form(request)
        if not form.is_valid():
            return None
        upload = form.cleaned_data["import_file"]
        content = b"".join(upload.chunks())
        upload.seek(0)
        format_index = int(form.cleaned_data["format"])
        input_format = self.get_import_formats()[format_index]()
        # A text file with fewer lines than the threshold has fewer rows: not read twice.
        if (
            not isinstance(input_format, XLSX)
            and content.count(b"\n") < settings.BACKGROUND_IMPORT_ROWS
        ):
            return None
        try:
            dataset = input_format.create_dataset(content)
        except Exception:
            return None  # the import page says why the file cannot be read
        rows = background.data_rows(dataset)
        if not settings.BACKGROUND_IMPORT_ROWS < rows <= settings.IMPORT_MAX_ROWS:
            return None
        job = job_start(
            owner=request.user,
            kind=background.IMPORT_PREVIEW,
            title=background.import_title(self, upload.name, preview=True),
            params={
                "model": background.model_label(self),
                "resource": self.get_resource_index(form),
                "format": format_index,
                "file_name": upload.name,
                "data": background.form_data(request),
            },
            source=content,
            total=rows,
        )
        return redirect(job)

    def import_confirm_view(self, request, token: str):
        """« Confirm import » on a background preview's page: the import starts in a worker."""
        from emergence.jobs import job_for
        from emergence.models import BackgroundJob
        from emergence.spreadsheets import background

        if not self.has_import_permission(request):
            raise PermissionDenied
        try:
            preview = job_for(user=request.user, token=token)
        except BackgroundJob.DoesNotExist:
            raise Http404 from None
        if (
            preview.kind != background.IMPORT_PREVIEW
            or preview.params.get("model") != background.model_label(self)
            or not preview.result.get("valid")
        ):
            raise Http404
        return redirect(
            background.import_confirm(preview=preview, model_admin=self, request=request)
        )

    def export_action(self, request):
        # The export form posted: an export of more than BACKGROUND_EXPORT_ROWS rows is
        # written by a worker; a smaller one is sent now, as django-import-export does.
        if request.method != "POST" or "export_items" in request.POST:
            return super().export_action(request)
        if not self.has_export_permission(request):
            raise PermissionDenied
        formats = self.get_export_formats()
        form = self.get_export_form_class()(
            formats, self.get_export_resource_classes(request), data=request.POST
        )
        if not form.is_valid():
            return super().export_action(request)
        queryset = self.get_export_queryset(request)
        from emergence.jobs import export_in_background, job_start
        from emergence.spreadsheets import background

        if export_in_background(queryset):
            job = job_start(
                owner=request.user,
                kind=background.EXPORT,
                title=background.export_title(self),
                params={
                    "model": background.model_label(self),
                    "query": request.GET.urlencode(),
                    "data": background.form_data(request),
                },
            )
            return redirect(job)
        try:
            return self._do_file_export(
                formats[int(form.cleaned_data["format"])](), request, queryset, export_form=form
            )
        except (ValueError, FieldError) as error:
            messages.error(request, str(error))
        request.current_app = self.admin_site.name
        context = self.init_request_context_data(request, form)
        return TemplateResponse(request, [self.export_template_name], context=context)

    def _import_failed(self, request):
        # Staff never see a traceback: they are told, the log keeps the details.
        logger.exception("Import failed")
        messages.error(
            request,
            gettext(
                "The file could not be imported because of an unexpected error. Nothing "
                "was imported; check that the file is a CSV, text or XLSX file saved by a "
                "spreadsheet, or send it to the technical administrator."
            ),
        )
        app_label, model_name = self.get_model_info()
        return HttpResponseRedirect(reverse(f"admin:{app_label}_{model_name}_import"))

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except PermissionDenied:
            raise
        except Exception:
            return self._import_failed(request)

    def import_action(self, request, **kwargs):
        try:
            response = self.import_in_background(request) or super().import_action(
                request, **kwargs
            )
        except PermissionDenied:
            raise
        except Exception:
            return self._import_failed(request)
        context = getattr(response, "context_data", None)
        if context and context.get("result") is not None:
            result = context["result"]
            context["import_problems"] = import_problems(result)
            context["import_notices"] = getattr(result, "notices", [])
            context["import_counts"] = import_counts(result)
            # A preview of 50,000 rows would weigh megabytes: the first rows and the counts.
            context["preview_rows"] = result.valid_rows()[:PREVIEW_ROWS]
            context["preview_limit"] = PREVIEW_ROWS
        # Show the columns as the staff member will write them: in French, in French.
        if context and "fields_list" in context:
            context["fields_list"] = [
                (
                    resource_class.get_display_name(),
                    [
                        resource_class().header(key)
                        for key, field in resource_class.fields.items()
                        if not field.readonly
                    ],
                )
                for resource_class in self.get_import_resource_classes(request)
            ]
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportTooLarge):
            form.add_error("import_file", str(e))
            return
        logger.info("Unreadable import file: %r", e)
        form.add_error(
            "import_file",
            gettext(
                "This file could not be read in the chosen format. Choose CSV for a .csv or "
                "« Texte Unicode » .txt file, XLSX for an Excel workbook."
            ),
        )

    def process_result(self, result, request):
        # The confirm step imports again; if the data changed since the preview and a
        # row became invalid, nothing was written, and the staff member is told why.
        if result.has_errors() or result.has_validation_errors():
            errors = import_errors(result)
            if len(errors) > 20:
                more = len(errors) - 20
                errors = errors[:20] + [
                    ngettext("… and %(count)d more.", "… and %(count)d more.", more)
                    % {"count": more}
                ]
            messages.error(
                request, gettext("Nothing was imported. %(errors)s") % {"errors": " ".join(errors)}
            )
            app_label, model_name = self.get_model_info()
            return HttpResponseRedirect(reverse(f"admin:{app_label}_{model_name}_import"))
        return super().process_result(result, request)


class SpreadsheetModelAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    pass
