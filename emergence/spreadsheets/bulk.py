"""Checking and writing many rows at once, for the bulk imports (resources.py): a value's
model checks run once per file, new rows are made without ``Model.__init__``'s work per
field, and rows are inserted with their change history by ``COPY`` on PostgreSQL (copy.py),
in big statements elsewhere."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_change_reason_from_object,
    get_history_manager_for_model,
)

from emergence.spreadsheets.copy import copy_create

# Rows per INSERT or UPDATE statement of an import: Django lowers it where SQLite needs;
# PostgreSQL takes bigger statements (fewer round trips for a 10,000-row file).
BULK_BATCH_SIZE = 1000
BULK_BATCH_SIZE_POSTGRESQL = 5000


#: model -> its fields whose checks read the value alone (plain_checks)
_PLAIN: dict = {}


def full_clean_once(instance, *, exclude, validated: set, **kwargs) -> None:
    """``instance.full_clean(exclude=exclude, **kwargs)``, skipping each plain field whose
    value passed that same field's checks before (its pairs are kept in ``validated``).

    A plain field's checks (type, choices, blank, null, length, validators) read the value
    alone, so a value that passed them once passes them again: a file of 10,000 rows names
    the same school, city, track or date thousands of times. Relations (which query) and
    fields with checks of their own (``clean``, ``validate`` overridden) are checked every
    time; so is the model's ``clean()``.
    """
    exclude = set(exclude)
    checking = []
    model = type(instance)
    plain = _PLAIN.get(model)
    if plain is None:
        plain = _PLAIN[model] = [f for f in model._meta.concrete_fields if plain_checks(f)]
    for field in plain:
        if field.name in exclude:
            continue
        value = getattr(instance, field.attname)
        key = (field, type(value), value)
        try:
            seen = key in validated
        except TypeError:  # a value that cannot be remembered is checked every time
            continue
        if seen:
            exclude.add(field.name)
        else:
            checking.append(key)
    try:
        instance.full_clean(exclude=exclude, **kwargs)
    except ValidationError as error:
        remember_checked(instance, checking, validated, failed=error.message_dict)
        raise
    remember_checked(instance, checking, validated, failed={})


def remember_checked(instance, checking: list, validated: set, *, failed: dict) -> None:
    for key in checking:
        field, kind, value = key
        # Kept only when the check left the value as it was (no conversion to skip).
        after = getattr(instance, field.attname)
        if field.name not in failed and type(after) is kind and after == value:
            validated.add(key)


def plain_checks(field) -> bool:
    """Whether a model field's checks read its value alone (Django's own ``clean`` and
    ``validate``, no relation)."""
    return (
        not field.is_relation
        and type(field).clean is models.Field.clean
        and type(field).validate is models.Field.validate
    )


def bulk_write(model, *, new: list, changed: list, fields: list[str]) -> None:
    """``bulk_create`` the new rows and ``bulk_update`` the changed ones, with their history
    rows when the model keeps one (each instance's ``_change_reason`` is its reason)."""
    batch_size = (
        BULK_BATCH_SIZE_POSTGRESQL if connection.vendor == "postgresql" else BULK_BATCH_SIZE
    )
    if getattr(model._meta, "simple_history_manager_attribute", None):
        if new:
            bulk_create_with_history_rows(new, model, batch_size=batch_size)
        if changed:
            bulk_update_with_history(changed, model, fields, batch_size=batch_size)
        return
    if new and not copy_create(model, new):
        model._default_manager.bulk_create(new, batch_size=batch_size)
    if changed:
        model._default_manager.bulk_update(changed, fields, batch_size=batch_size)


def bulk_create_with_history_rows(objs: list, model, *, batch_size: int) -> None:
    """simple-history's ``bulk_create_with_history``, with its history rows made as
    :func:`new_instance` makes them (the same rows: date, user, reason, "+", the tracked
    columns), which took a fifth of a 10,000-row import's writing."""
    if not connection.features.can_return_rows_from_bulk_insert:
        # Without the new keys, simple-history finds the rows again.
        bulk_create_with_history(objs, model, batch_size=batch_size)
        return
    history = get_history_manager_for_model(model)
    historical = history.model
    tracked = [field.attname for field in historical.tracked_fields]
    with transaction.atomic(savepoint=False):
        created = objs
        if not copy_create(model, objs):
            created = model._default_manager.bulk_create(objs, batch_size=batch_size)
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        rows = []
        for instance in created:
            user = getattr(instance, "_history_user", historical.get_default_history_user(instance))
            row = new_instance(
                historical,
                history_date=getattr(instance, "_history_date", timezone.now()),
                history_user_id=user.pk if user is not None else None,
                history_change_reason=get_change_reason_from_object(instance),
                history_type="+",
                **{attname: getattr(instance, attname) for attname in tracked},
            )
            if hasattr(historical, "history_relation"):
                row.history_relation_id = instance.pk
            rows.append(row)
        if not copy_create(historical, rows):
            historical._default_manager.bulk_create(rows, batch_size=batch_size)


#: model -> (constant columns, columns whose default is called), for new_instance
_COLUMNS: dict = {}


def new_instance(model, /, **values):
    """``model(**values)``, values named by column (``user_id``, not ``user``), without
    ``Model.__init__``'s work per field: the same new instance, each column not given at its
    default. Falls back to ``model(**values)`` when something listens to the model's
    creation or it has fields of another kind."""
    columns = _COLUMNS.get(model)
    if columns is None:
        columns = _COLUMNS[model] = model_columns(model)
    if not columns or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model(**values)
    constants, called = columns
    instance = model.__new__(model)
    instance._state = ModelState()
    attributes = instance.__dict__
    attributes.update(constants)
    for attname, default in called.items():
        if attname not in values:
            attributes[attname] = default()
    for attname in values:
        if attname not in constants and attname not in called:
            raise TypeError(f"{model.__name__} has no column {attname}")
    attributes.update(values)
    return instance


def model_columns(model):
    """A model's columns for :func:`new_instance`: those whose default is always the same
    value (what ``Field.get_default()`` returns every time), and the others; False for a
    model with fields that are not plain columns."""
    opts = model._meta
    if len(opts.fields) != len(opts.concrete_fields) or opts.private_fields:
        return False
    constants, called = {}, {}
    for field in opts.concrete_fields:
        fixed = field.db_default is models.NOT_PROVIDED and not (
            field.has_default() and callable(field.default)
        )
        if fixed:
            constants[field.attname] = field.get_default()
        else:
            called[field.attname] = field.get_default
    return constants, called
