"""The resource every import and export uses: all-or-nothing, rows named by their line,
written in bulk."""

import logging

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext
from import_export import resources
from import_export.exceptions import ImportError as ImportExportError
from import_export.results import RowResult

from emergence.spreadsheets.bulk import bulk_write, full_clean_once, new_instance
from emergence.spreadsheets.cells import exports_in_french, neutralise, normalise
from emergence.spreadsheets.limits import import_rows_check
from emergence.spreadsheets.widgets import is_blank

logger = logging.getLogger(__name__)

#: rows of a preview shown on the page (the counts say the rest)
PREVIEW_ROWS = 100


class SpreadsheetResource(resources.ModelResource):
    """A resource that imports all-or-nothing and reads French or English headers.

    Each column has a key (its English header, also its field name) and a French
    header; ``aliases`` adds other accepted spellings.
    """

    #: column key -> French header
    french_headers: dict[str, str] = {}
    #: column key -> other accepted spellings
    aliases: dict[str, tuple[str, ...]] = {}
    #: columns a file must have
    required_columns: tuple[str, ...] = ()
    #: the column that identifies a row; a value seen twice in a file is an error
    key_column: str = ""

    class Meta:
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = False
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._seen_keys: dict[str, int] = {}
        #: column key -> its header as written in the imported file
        self.file_headers: dict[str, str] = {}
        self._import_fields = None
        #: (model field, value) that passed the field's own checks (see full_clean_once)
        self._validated: set = set()

    def get_import_fields(self):
        # Asked for on every row and cell: computed once.
        if self._import_fields is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    # Import: all-or-nothing ----------------------------------------------------------

    #: check every row in memory against look-ups made once (:meth:`import_prepare`), then
    #: write them all in bulk (:meth:`import_write`); otherwise row by row, as
    #: django-import-export does
    bulk_import: bool = False

    #: told the number of rows checked so far (``.advance(done)``): a background import's
    #: progress bar (emergence/spreadsheets/background.py); None in a request
    progress = None

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        # One invalid row rolls back every row, even when the caller asked otherwise.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        self._seen_keys = {}
        self.file_headers = {}
        self._validated = set()
        for field in self.fields.values():
            if hasattr(field.widget, "forget"):
                field.widget.forget()
        self.reset_notices()
        if self.bulk_import:
            result = self.import_bulk(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)
        else:
            result = super().import_data(
                dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs
            )
        # The preview's columns are named as in the file.
        result.diff_headers = [
            self.header(field.column_name)
            for field in self.get_import_fields()
            if not (self.bulk_import and field.readonly)
        ]
        result.notices = self.notices()
        return result

    # Import in bulk ------------------------------------------------------------------

    def import_bulk(self, dataset, *, dry_run: bool, raise_errors: bool, **kwargs):
        """Read every row, check it in memory, then write them all at once; any problem
        rolls everything back, and a dry run (the preview) writes nothing."""
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = len(dataset)
        with transaction.atomic():
            try:
                self.before_import(dataset, **kwargs)
                result.total_rows = len(dataset)
                rows = [dict(zip(dataset.headers, values, strict=False)) for values in dataset]
                self.import_prepare(rows)
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
                transaction.set_rollback(True)
                return result
            checked = []
            for number, row in enumerate(rows, 1):
                row_result = self.import_row_in_memory(row, number, **kwargs)
                result.increment_row_result_total(row_result)
                if row_result.errors:
                    result.append_error_row(number, row, row_result.errors)
                    if raise_errors:
                        raise ImportExportError(row_result.errors[-1].error, number=number, row=row)
                elif row_result.validation_error:
                    result.append_invalid_row(number, row, row_result.validation_error)
                    if raise_errors:
                        raise ImportExportError(row_result.validation_error, number=number, row=row)
                else:
                    checked.append(row_result)
                result.append_row_result(row_result)
                if self.progress is not None:
                    self.progress.advance(number)
            # The preview (a dry run) writes nothing: every row was checked in memory, and
            # the confirmation checks them again before writing.
            if not (dry_run or result.has_errors() or result.has_validation_errors()):
                try:
                    self.import_write(checked)
                except Exception as error:
                    self.handle_import_error(result, error, raise_errors)
                for row_result in checked:
                    row_result.add_instance_info(row_result.instance)
            if dry_run or result.has_errors() or result.has_validation_errors():
                transaction.set_rollback(True)
        return result

    def init_instance(self, row=None):
        if self.bulk_import:
            return new_instance(self._meta.model)
        return super().init_instance(row)

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        if self.progress is not None:
            self.progress.advance(kwargs.get("row_number") or 0)
        return row_result

    def import_prepare(self, rows: list[dict]) -> None:
        """Look up, in a few queries for the whole file, what the rows refer to: existing
        rows by their key, related rows (promotions, referents…)."""

    def import_existing(self, row: dict):
        """The existing instance this row updates (from :meth:`import_prepare`'s look-ups),
        or None for a new one."""
        return None

    def row_values(self, instance) -> list:
        """What the preview shows of an instance, also what tells an unchanged row."""
        return [field.export(instance) for field in self.get_import_fields() if not field.readonly]

    def import_row_in_memory(self, row: dict, number: int, **kwargs):
        row_result = self.get_row_result_class()()
        row_result.number = number
        kwargs["row_number"] = number
        try:
            instance = self.import_existing(row)
            new = instance is None
            if new:
                instance = self.init_instance(row)
            original = None if new else self.row_values(instance)
            shown = number <= PREVIEW_ROWS
            errors = {}
            try:
                self.import_instance(instance, row, **kwargs)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            self.validate_instance(instance, errors, validate_unique=False)
            # What the preview shows (its first rows only), and what tells an unchanged row.
            values = self.row_values(instance) if shown or not new else None
            row_result.diff = values if shown else None
            if new:
                row_result.import_type = RowResult.IMPORT_TYPE_NEW
            elif values == original:
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            else:
                row_result.import_type = RowResult.IMPORT_TYPE_UPDATE
            self.before_save_instance(instance, row, **kwargs)
            row_result.instance = instance
        except ValidationError as error:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
        except Exception as error:
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(self.get_error_result_class()(error, row=row, number=number))
        return row_result

    def import_write(self, row_results: list) -> None:
        """Write the checked rows: new ones with ``bulk_create``, changed ones with
        ``bulk_update`` (with their history rows when the model keeps one)."""
        model = self._meta.model
        new = [r.instance for r in row_results if r.import_type == RowResult.IMPORT_TYPE_NEW]
        changed = [r.instance for r in row_results if r.import_type == RowResult.IMPORT_TYPE_UPDATE]
        bulk_write(model, new=new, changed=changed, fields=self.import_write_fields())

    def import_write_fields(self) -> list[str]:
        """The model's columns an import changes (for ``bulk_update``)."""
        names = {field.name for field in self._meta.model._meta.concrete_fields}
        return [
            field.attribute
            for field in self.get_import_fields()
            if not field.readonly and field.attribute in names
        ] + [name for name in self.import_write_also if name in names]

    #: model fields set by the model's ``clean()`` that an update also writes
    import_write_also: tuple[str, ...] = ()

    def reset_notices(self) -> None:
        """Forget what a previous import noticed (see :meth:`notices`)."""

    def notices(self) -> list[str]:
        """What the staff member should confirm besides the rows (new promotions…)."""
        return []

    def header_lookup(self) -> dict[str, str]:
        lookup = {}
        for key in self.fields:
            for spelling in (key, self.french_headers.get(key, ""), *self.aliases.get(key, ())):
                if spelling:
                    lookup[normalise(spelling)] = key
        return lookup

    def before_import(self, dataset, **kwargs):
        lookup = self.header_lookup()
        headers = [lookup.get(normalise(header), header or "") for header in dataset.headers or []]
        self.file_headers = {
            key: str(original).strip()
            for key, original in zip(headers, dataset.headers or [], strict=False)
            if key in self.fields and original and str(original).strip()
        }
        repeated = {key for key in headers if key in self.fields and headers.count(key) > 1}
        dataset.headers = headers
        # Blank lines at the end of a sheet are not rows; blank lines inside it keep their number.
        while len(dataset) and all(is_blank(cell) for cell in dataset[-1]):
            dataset.pop()
        if len(dataset) > settings.IMPORT_MAX_ROWS:
            count = len(dataset)
            del dataset[0 : len(dataset)]
            import_rows_check(count)
        missing = [key for key in self.required_columns if key not in headers]
        if missing or repeated:
            del dataset[0 : len(dataset)]
            problems = [
                gettext("The file has no “%(column)s” column.") % {"column": self.header(key)}
                for key in missing
            ] + [
                gettext("The “%(column)s” column appears twice.") % {"column": self.header(key)}
                for key in sorted(repeated)
            ]
            raise ValueError(" ".join(problems))

    def header(self, key: str) -> str:
        """The column as the staff member knows it: as written in the imported file, else
        its French (or English) header."""
        if key in self.file_headers:
            return self.file_headers[key]
        return self.export_header(key)

    def export_header(self, key: str) -> str:
        return self.french_headers.get(key, key) if exports_in_french() else key

    @staticmethod
    def line(number: int) -> int:
        """The spreadsheet's line of a data row: the header is line 1, the first row line 2."""
        return number + 1

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if self.key_column and self.key_column in row:
            attribute = self.fields[self.key_column].attribute
            key = normalise(row[self.key_column])
            number = kwargs.get("row_number")
            if key and key in self._seen_keys and self._seen_keys[key] != number:
                errors.setdefault(attribute, []).append(
                    gettext("Same value as line %(number)d.")
                    % {"number": self.line(self._seen_keys[key])}
                )
            elif key:
                self._seen_keys[key] = number
        if errors:
            raise ValidationError(errors)

    # Validation: errors are named by their column, as the staff member sees it --------

    #: model fields that are checked elsewhere, so the model's own validation skips them
    validation_exclude: tuple[str, ...] = ()

    def validate_related(self, instance, errors: dict) -> dict:
        """Validate related rows saved with this one; return ``errors`` completed."""
        return errors

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = self.validate_related(instance, dict(import_validation_errors or {}))
        exclude = [*errors, *self.validation_exclude]
        if self.bulk_import:
            # Related rows come from the look-ups: checking that they exist would cost a
            # query per row, as would the database's constraints (the widgets check the
            # same ranges, and the database still enforces them when the rows are written).
            exclude += looked_up_relations(instance)
        try:
            self.full_clean(
                instance,
                exclude=exclude,
                validate_unique=validate_unique,
                validate_constraints=not self.bulk_import,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(self.errors_by_column(errors))

    def full_clean(self, instance, *, exclude, **kwargs) -> None:
        """``instance.full_clean()``; in a bulk import, a field whose value already passed
        that field's checks on an earlier row is not checked again (see full_clean_once)."""
        if self.bulk_import:
            full_clean_once(instance, exclude=exclude, validated=self._validated, **kwargs)
        else:
            instance.full_clean(exclude=exclude, **kwargs)

    def errors_by_column(self, errors: dict) -> dict:
        columns = {field.attribute: key for key, field in self.fields.items()}
        named = {}
        for key, messages_ in errors.items():
            if key != NON_FIELD_ERRORS:
                key = self.header(columns.get(key, key))
            named.setdefault(key, []).extend(messages_)
        return named

    # Export --------------------------------------------------------------------------

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        # The XLSX sheet's name: « Lauréats », « Parrains et marraines »…
        dataset.title = capfirst(str(self._meta.model._meta.verbose_name_plural))
        return dataset

    def get_export_headers(self, selected_fields=None):
        # As on screen: « Prénom », « First name » (an import reads either back).
        return [
            capfirst(self.export_header(field.column_name).replace("_", " "))
            for field in self.get_export_fields(selected_fields)
        ]

    def export_resource(self, instance, selected_fields=None, **kwargs):
        row = super().export_resource(instance, selected_fields, **kwargs)
        return [neutralise(value) for value in row]


def looked_up_relations(instance) -> list[str]:
    """The foreign keys of ``instance`` that already hold a row (saved or about to be)."""
    return [
        field.name
        for field in instance._meta.concrete_fields
        if field.is_relation and field.get_cached_value(instance, None) is not None
    ]


def import_problems(result) -> list[dict]:
    """The problems of an import result, as rows of a table: the spreadsheet's line (None
    for the whole file), the column as written in the file ("" for the whole row) and what is
    wrong. An unexpected error says so without its traceback, which goes to the log."""
    problems = []
    for error in result.base_errors:
        problems.append({"line": None, "column": "", "message": error_message(error.error)})
    for number, errors in result.row_errors():
        for error in errors:
            problems.append(
                {
                    "line": SpreadsheetResource.line(number),
                    "column": "",
                    "message": error_message(error.error),
                }
            )
    for row in result.invalid_rows:
        for field, messages_ in row.error_dict.items():
            for message in messages_:
                problems.append(
                    {
                        "line": SpreadsheetResource.line(row.number),
                        "column": "" if field == NON_FIELD_ERRORS else field,
                        "message": message,
                    }
                )
    return problems


def error_message(error) -> str:
    """What staff read for an error raised during an import: our own messages (ValueError,
    ValidationError) as they are, anything else as a plain sentence, logged with its traceback."""
    if isinstance(error, ValueError | ValidationError):
        if isinstance(error, ValidationError):
            return " ".join(error.messages)
        return str(error)
    logger.error("Unexpected import error", exc_info=error)
    return gettext(
        "This row could not be imported because of an unexpected error (%(kind)s). "
        "Nothing was imported; the error was logged for the technical administrator."
    ) % {"kind": type(error).__name__}


def import_errors(result) -> list[str]:
    """One line per problem of an import result, naming the line: "Line 3: Référent: …"."""
    lines = []
    for problem in import_problems(result):
        text = problem["message"]
        if problem["column"]:
            text = gettext("%(column)s: %(error)s") % {
                "column": problem["column"],
                "error": text,
            }
        if problem["line"] is not None:
            text = gettext("Line %(number)s: %(error)s") % {
                "number": problem["line"],
                "error": text,
            }
        lines.append(text)
    return lines
