"""Spreadsheet import and export shared by every resource: formats, widgets, safety rules.

The rules: an import is all-or-nothing and names each bad row by its line in the
spreadsheet (the header is line 1, the first row line 2) and each bad cell by the column
header written in the file; French and English column headers are accepted, whatever their
case or accents; a CSV saved by Excel in France (semicolons, UTF-8 with a BOM, dd/mm/yyyy
dates) and Excel's « Texte Unicode » (UTF-16, tabs) import; phone numbers stay text;
exported cells that a spreadsheet would run as a formula are neutralised.
"""

import datetime
import logging
import re
import unicodedata
from collections.abc import Iterable

import tablib
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from import_export import resources, widgets
from import_export.admin import ImportExportMixin
from import_export.exceptions import ImportError as ImportExportError
from import_export.formats import base_formats
from import_export.forms import ImportForm, SelectableFieldsExportForm
from import_export.results import RowResult
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

logger = logging.getLogger(__name__)

#: rows of a preview shown on the page (the counts say the rest)
PREVIEW_ROWS = 100

# Rows per INSERT or UPDATE statement of an import (Django lowers it where SQLite needs).
BULK_BATCH_SIZE = 1000

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def normalise(text) -> str:
    """Drop case, accents, spaces and punctuation: "Année d'études" -> "anneedetudes"."""
    text = unicodedata.normalize("NFKD", str(text or "")).casefold()
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]", "", text)


def neutralise(value):
    """Prefix a quote to a text cell a spreadsheet would otherwise run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Undo :func:`neutralise`, so that an export imports back to the same text."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def exports_in_french() -> bool:
    return (translation.get_language() or settings.LANGUAGE_CODE).startswith("fr")


# Limits ------------------------------------------------------------------------------


class ImportTooLarge(ValueError):
    """A file over IMPORT_MAX_BYTES or IMPORT_MAX_ROWS: refused whole, nothing imported."""


def import_size_check(size: int) -> None:
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportTooLarge(
            gettext(
                "This file weighs %(size)s: an import takes at most %(max)s. Nothing was "
                "imported; split the file into smaller files and import them one by one."
            )
            % {
                "size": filesizeformat(size),
                "max": filesizeformat(settings.IMPORT_MAX_BYTES),
            }
        )


def import_rows_check(count: int) -> None:
    if count > settings.IMPORT_MAX_ROWS:
        raise ImportTooLarge(
            gettext(
                "This file has %(count)s rows: an import takes at most %(max)s. Nothing was "
                "imported; split the file into smaller files and import them one by one."
            )
            % {
                "count": number_format(count, force_grouping=True),
                "max": number_format(settings.IMPORT_MAX_ROWS, force_grouping=True),
            }
        )


# Formats -----------------------------------------------------------------------------


def decode(data: bytes | str) -> str:
    """Read UTF-8 (with or without a BOM), UTF-16 (Excel's « Texte Unicode »), falling back
    on Windows-1252 (older Excel)."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    # UTF-16 without its BOM: every other byte of a Latin text is a zero.
    if len(data) >= 4 and data[1::2].count(0) > len(data) // 4:
        return data.decode("utf-16-le", errors="replace")
    if len(data) >= 4 and data[0::2].count(0) > len(data) // 4:
        return data.decode("utf-16-be", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def detect_delimiter(text: str) -> str:
    """Excel in France separates with semicolons; most other tools with commas."""
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


class CSV(base_formats.CSV):
    """CSV that reads what Excel writes and writes what Excel reads, in France too."""

    # Read the raw bytes, so that the encoding is detected here and not assumed.
    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        import_size_check(len(in_stream))
        text = decode(in_stream)
        return tablib.import_set(text, format="csv", delimiter=detect_delimiter(text))

    def export_data(self, dataset, **kwargs):
        # The BOM and semicolons make Excel in France open the file in columns, accents intact.
        delimiter = ";" if exports_in_french() else ","
        return "\ufeff" + dataset.export("csv", delimiter=delimiter)


class XLSX(base_formats.XLSX):
    def create_dataset(self, in_stream):
        from io import BytesIO

        import openpyxl

        import_size_check(len(in_stream))
        book = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=True)
        rows = book.active.iter_rows(values_only=True)
        headers = list(next(rows, []))
        while headers and headers[-1] is None:
            headers.pop()
        dataset = tablib.Dataset(headers=headers)
        width = len(headers)
        for row in rows:
            row = list(row[:width])
            dataset.append(row + [None] * (width - len(row)))
        return dataset

    def export_data(self, dataset, **kwargs):
        # A named sheet, a frozen header with a filter, dates and numbers as real cells.
        from io import BytesIO

        from emergence.xlsx import xlsx_workbook

        book = xlsx_workbook(title=dataset.title or "", headers=dataset.headers or [], rows=dataset)
        stream = BytesIO()
        book.save(stream)
        return stream.getvalue()


FORMATS = [CSV, XLSX]


# Widgets -----------------------------------------------------------------------------


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class TextWidget(widgets.CharWidget):
    def __init__(self, *, required: bool = False, max_length: int | None = None):
        super().__init__(coerce_to_string=True, allow_blank=True)
        self.required = required
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            if self.required:
                raise ValueError(gettext("This value is required."))
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a phone number or a year typed into a number cell
        text = unneutralise(str(value).strip())
        if self.max_length and len(text) > self.max_length:
            raise ValueError(
                gettext("At most %(max)d characters (this one has %(length)d).")
                % {"max": self.max_length, "length": len(text)}
            )
        return text


class PhoneWidget(TextWidget):
    """A phone number is text: a spreadsheet that stored 06 12 34 56 78 as the number
    612345678 dropped its leading 0, which is put back for a 9-digit French number."""

    def __init__(self, *, max_length: int = 30):
        super().__init__(max_length=max_length)

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if re.fullmatch(r"[1-79]\d{8}", text):
            return "0" + text
        if re.fullmatch(r"33[1-79]\d{8}", text):
            return "+" + text
        return text


class EmailWidget(TextWidget):
    def __init__(self, *, required: bool = True):
        super().__init__(required=required, max_length=254)

    def clean(self, value, row=None, **kwargs):
        email = super().clean(value, row, **kwargs).lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise ValueError(
                    gettext("“%(value)s” is not a valid e-mail address.") % {"value": email}
                ) from None
        return email


class IntegerWidget(widgets.Widget):
    def __init__(self, *, minimum: int, maximum: int):
        super().__init__(coerce_to_string=True)
        self.minimum, self.maximum = minimum, maximum

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        try:
            number = float(str(value).strip().replace(",", "."))
        except ValueError:
            number = None
        if number is None or not number.is_integer():
            raise ValueError(gettext("“%(value)s” is not a whole number.") % {"value": value})
        if not self.minimum <= number <= self.maximum:
            raise ValueError(
                gettext("%(value)s is not between %(min)d and %(max)d.")
                % {"value": int(number), "min": self.minimum, "max": self.maximum}
            )
        return int(number)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else str(value)


class DateWidget(widgets.Widget):
    """Accepts 01/09/2017 (France), 2017-09-01 (ISO) and spreadsheet dates."""

    INPUT_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} ", text) else text
        for date_format in self.INPUT_FORMATS:
            try:
                return datetime.datetime.strptime(text, date_format).date()
            except ValueError:
                continue
        raise ValueError(
            gettext("“%(value)s” is not a date: write it like 01/09/2017 or 2017-09-01.")
            % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        if kwargs.get("force_native_type"):
            return value
        return value.strftime("%d/%m/%Y" if exports_in_french() else "%Y-%m-%d")


class ChoiceWidget(widgets.Widget):
    """Accepts the stored value, the label in any language of the site, and ``aliases``.

    Exports the label in the active language.
    """

    def __init__(self, choices, *, aliases: dict[str, Iterable[str]] | None = None):
        super().__init__(coerce_to_string=True)
        self.choices = choices
        self.aliases = aliases or {}

    def lookup(self) -> dict[str, str]:
        if getattr(self, "_lookup", None):
            return self._lookup
        table = {}
        for value, label in self.choices:
            table[normalise(value)] = value
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    table[normalise(label)] = value
            for alias in self.aliases.get(value, ()):
                table[normalise(alias)] = value
        self._lookup = table
        return table

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        found = self.lookup().get(normalise(unneutralise(str(value).strip())))
        if found is None:
            accepted = ", ".join(str(label) for _value, label in self.choices)
            raise ValueError(
                gettext("“%(value)s” is not one of: %(accepted)s.")
                % {"value": value, "accepted": accepted}
            )
        return found

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class BooleanWidget(widgets.Widget):
    TRUE = {"1", "yes", "true", "oui", "vrai", "x", "active", "actif"}
    FALSE = {"0", "no", "false", "non", "faux", "inactive", "inactif"}

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, bool):
            return value
        text = normalise(value)
        if text in self.TRUE or text == normalise(gettext("yes")):
            return True
        if text in self.FALSE or text == normalise(gettext("no")):
            return False
        raise ValueError(gettext("“%(value)s” is neither yes nor no.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if exports_in_french():
            return "oui" if value else "non"
        return "yes" if value else "no"


# Resources ---------------------------------------------------------------------------


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

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        # One invalid row rolls back every row, even when the caller asked otherwise.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        self._seen_keys = {}
        self.file_headers = {}
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
            instance.full_clean(
                exclude=exclude,
                validate_unique=validate_unique,
                validate_constraints=not self.bulk_import,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(self.errors_by_column(errors))

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


def bulk_write(model, *, new: list, changed: list, fields: list[str]) -> None:
    """``bulk_create`` the new rows and ``bulk_update`` the changed ones, with their history
    rows when the model keeps one (each instance's ``_change_reason`` is its reason)."""
    batch_size = BULK_BATCH_SIZE
    if getattr(model._meta, "simple_history_manager_attribute", None):
        if new:
            bulk_create_with_history(new, model, batch_size=batch_size)
        if changed:
            bulk_update_with_history(changed, model, fields, batch_size=batch_size)
        return
    if new:
        model._default_manager.bulk_create(new, batch_size=batch_size)
    if changed:
        model._default_manager.bulk_update(changed, fields, batch_size=batch_size)


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


# Admin -------------------------------------------------------------------------------


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
            response = super().import_action(request, **kwargs)
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
