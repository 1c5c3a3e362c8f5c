"""New rows written with PostgreSQL's ``COPY``, for the bulk imports (bulk.py).

``bulk_create`` turns every value of a 10,000-row file into an ``INSERT`` parameter through
its field, one call per cell (about 600,000 for a laureate file with its accounts and
history rows): that preparation was a third of an import's time. Here a value that repeats
(a school, a city, a promotion, a date, the import's staff member) is prepared once, the
rows go to the database as one ``COPY`` stream per table, and their keys are taken from the
table's sequence beforehand, so each instance gets its ``pk`` as ``bulk_create`` gives it.

Only plain columns are written this way; :func:`copy_create` answers False for a model or a
value it does not know how to write, and the caller uses ``bulk_create``.
"""

import datetime
import io
import uuid
from decimal import Decimal

from django.db import connection, connections, models
from django.db.backends.postgresql.psycopg_any import is_psycopg3

#: model -> its columns as COPY writes them, or None when it cannot
_WRITABLE: dict = {}


class NotCopyable(Exception):
    """A value COPY's text format is not written for here: use ``bulk_create``."""


def copy_create(model, objs: list) -> bool:
    """Insert ``objs`` (new instances of ``model``) with one ``COPY`` on PostgreSQL, giving
    each its key; False, having written nothing, where ``bulk_create`` should do it."""
    if connection.vendor != "postgresql" or not objs:
        return False
    fields = _WRITABLE.get(model)
    if fields is None:
        fields = _WRITABLE[model] = copyable_fields(model)
    if not fields or is_psycopg3:  # psycopg 3 copies another way
        return False
    for obj in objs:  # a relation set to an instance saved since: its key (as bulk_create)
        obj._prepare_related_fields_for_save(operation_name="copy_create")
    pk = model._meta.pk
    missing = [obj for obj in objs if obj.pk is None]
    for obj, key in zip(missing, new_keys(model, len(missing)), strict=True):
        setattr(obj, pk.attname, key)
    try:
        stream = copy_stream(objs, fields, connections[connection.alias])
    except NotCopyable:
        for obj in missing:  # the keys taken are left unused, as a failed INSERT leaves them
            setattr(obj, pk.attname, None)
        return False
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", stream)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return True


def copyable_fields(model) -> list | None:
    """The columns an INSERT of ``model`` writes, the key first; None when a column is
    computed by the database or set by its field on save (``auto_now``…)."""
    opts = model._meta
    fields = [opts.pk] + [f for f in opts.concrete_fields if f is not opts.pk]
    for field in fields:
        if field.generated or field.db_default is not models.NOT_PROVIDED:
            return None
        if type(field).pre_save is not models.Field.pre_save and (
            not isinstance(field, models.DateField) or field.auto_now or field.auto_now_add
        ):
            return None
    return fields


def new_keys(model, count: int) -> list[int]:
    """``count`` keys taken from the sequence of ``model``'s table, as INSERTs would."""
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(model._meta.db_table), pk.column, count],
        )
        return [key for (key,) in cursor.fetchall()]


def copy_stream(objs: list, fields: list, database) -> io.StringIO:
    """The rows in COPY's text format, each distinct value of a column prepared once."""
    columns = [(field.attname, field.get_db_prep_save, {}) for field in fields]
    lines = []
    for obj in objs:
        cells = []
        for attname, prepare, prepared in columns:
            value = getattr(obj, attname)
            key = (type(value), value)  # by type too: True and 1 are equal
            try:
                cell = prepared[key]
            except KeyError:
                cell = prepared[key] = copy_text(prepare(value, database))
            except TypeError:  # unhashable: prepared every time
                cell = copy_text(prepare(value, database))
            cells.append(cell)
        lines.append("\t".join(cells))
    return io.StringIO("\n".join(lines) + "\n")


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """A prepared value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        if "\x00" in value:
            raise NotCopyable("a NUL character")  # the INSERT's own message is clearer
        return value.translate(_ESCAPES)
    if isinstance(value, int | float | Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    raise NotCopyable(type(value).__name__)
