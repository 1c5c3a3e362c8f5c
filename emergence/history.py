"""Change history: who changed what, when, and why, on the records that matter.

Built on django-simple-history. A tracked model declares
``history = HistoricalRecords(...)`` (this module's, below): each save, deletion and change
of a tracked many-to-many adds a row to its historical table, with the person signed in
(``HistoryRequestMiddleware``; none for tasks and commands), the time, and the reason when
one was given (``instance._change_reason``, simple-history's attribute). Who reads it: the
console's history pages (:class:`HistoryAdmin`), for whoever may change the object. What a
history never holds: the fields a model leaves out (a report's answers above all).
:func:`history_erase` removes a person's rows when they are erased.
"""

from django.conf import settings
from django.contrib.admin.utils import display_for_field, unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history import models as simple_history
from simple_history.admin import SimpleHistoryAdmin

#: The reason recorded when a laureate gives or withdraws their consent on their own page.
BY_THE_LAUREATE = _("by the laureate")
#: The reason recorded on laureates created or changed by a spreadsheet import.
BY_IMPORT = _("spreadsheet import")


def stored_reason(text) -> str:
    """A reason the application writes itself, kept in the site's language (French), the
    language of the team that reads the histories. Reasons staff type are kept as typed."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


class HistoricalRecords(simple_history.HistoricalRecords):
    """simple-history's records, with what Emergence's tracked models need.

    - ``fields``: when given, the only fields the history keeps (every other one is
      excluded, so a field added to the model later stays out until someone adds it);
      ``excluded_fields`` still works the other way round.
    - ``laureate`` and ``user``: lookups, on the history rows, that name the laureate or the
      user account a row is about (``"laureate"``, ``"id"``, ``"coopter__laureate"``):
      :func:`history_erase` deletes the rows they find.
    - A save that writes only untracked fields (``save(update_fields=[...])``, such as a
      login's ``last_login``) adds no row.
    - The change reason is a text of any length.
    """

    registered: list["HistoricalRecords"] = []

    def __init__(self, *, fields=None, laureate=(), user=(), **kwargs):
        kwargs.setdefault("history_change_reason_field", models.TextField(null=True))
        super().__init__(**kwargs)
        self.tracked = fields
        self.laureate_lookups = tuple(laureate)
        self.user_lookups = tuple(user)
        HistoricalRecords.registered.append(self)

    def finalize(self, sender, **kwargs):
        if sender is getattr(self, "cls", None) and self.tracked is not None:
            self.excluded_fields = [
                field.name
                for field in sender._meta.fields
                if not field.primary_key and field.name not in self.tracked
            ]
        super().finalize(sender, **kwargs)

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)


def _records_of(model) -> HistoricalRecords:
    return next(records for records in HistoricalRecords.registered if records.cls is model)


def history_record(instance, *, reason: str | None = None) -> None:
    """Add the history row of a change written without ``save()`` (a conditional UPDATE that
    claims a transition once), as ``save()`` would have, with the person signed in."""
    if reason is not None:
        instance._change_reason = reason
    _records_of(type(instance)).create_historical_record(instance, "~")


def history_erase(*, user=None, laureate=None) -> int:
    """Delete the history rows about a person, in every tracked model, and forget them as the
    author of the rows about others (their ``history_user`` becomes empty).

    ``laureate`` also covers their account, and ``user`` their laureate profile if they have
    one. Call it within the erasure's transaction, before the person's own rows are deleted
    (some lookups go through them, such as a referral's co-opter). Returns how many history
    rows were deleted.
    """
    user_id = user.pk if user is not None else None
    laureate_id = laureate.pk if laureate is not None else None
    if laureate is not None and user_id is None:
        user_id = laureate.user_id
    if user is not None and laureate_id is None:
        try:
            laureate_id = user.laureate.pk
        except ObjectDoesNotExist:
            pass
    deleted = 0
    with transaction.atomic():
        for records in HistoricalRecords.registered:
            history = getattr(records.cls, records.manager_name)
            about = Q(pk__in=[])
            if laureate_id is not None:
                for lookup in records.laureate_lookups:
                    about |= Q(**{lookup: laureate_id})
            if user_id is not None:
                for lookup in records.user_lookups:
                    about |= Q(**{lookup: user_id})
            rows = history.filter(about)
            # A tracked many-to-many's rows (a user's roles) point at their history row
            # without a database cascade.
            for field in records.get_m2m_fields_from_model(records.cls):
                records.m2m_models[field].objects.filter(history__in=rows).delete()
            _total, by_model = rows.delete()
            deleted += by_model.get(history.model._meta.label, 0)
            if user_id is not None:
                history.filter(history_user_id=user_id).update(history_user_id=None)
    return deleted


# The console's history pages ------------------------------------------------------------------


class HistoryAdmin(SimpleHistoryAdmin):
    """The history pages of a tracked model's console: the list of changes (who, when, what,
    why) and each version, read-only (nothing is reverted from the history: a change goes
    through the form or the action that asks what it needs, such as a reason).

    They are read by who may change the object: the programme lead, and each role on what it
    already changes. ``history_related`` adds the histories of records that have no page of
    their own (a laureate's consents).
    """

    object_history_template = "admin/history/object_history.html"
    object_history_list_template = "admin/history/object_history_list.html"
    history_version_template = "admin/history/version.html"

    def revert_disabled(self, request, obj=None):
        return True

    def history_view_title(self, request, obj):
        return gettext("History of %(object)s") % {"object": obj}

    def has_view_history_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_change_history_permission(self, request, obj=None):
        return False

    def has_view_history_or_change_history_permission(self, request, obj=None):
        return self.has_view_history_permission(request, obj)

    def _valid_pk(self, object_id: str):
        try:
            return self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404 from None

    def history_related(self, request, obj) -> list[tuple[str, list[dict]]]:
        """[(title, rows)] shown under the object's history; each row has ``date``,
        ``action``, ``user``, ``reason`` and ``summary``."""
        return []

    def history_view(self, request, object_id, extra_context=None):
        pk = self._valid_pk(object_id)
        obj = self.get_queryset(request).filter(pk=pk).first()
        related = self.history_related(request, obj) if obj is not None else []
        context = {"history_related": related, **(extra_context or {})}
        return super().history_view(request, str(pk), extra_context=context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """One version: the fields the history keeps, as they were. Never the change form,
        which would show today's values of the fields the history leaves out."""
        request.current_app = self.admin_site.name
        opts = self.model._meta
        pk = self._valid_pk(object_id)
        if not str(version_id).isdigit() or len(str(version_id)) > 18:
            raise Http404
        history = getattr(self.model, opts.simple_history_manager_attribute)
        record = (
            history.select_related("history_user")
            .filter(**{opts.pk.attname: pk, "history_id": int(version_id)})
            .first()
        )
        if record is None:
            raise Http404
        obj = self.get_queryset(request).filter(pk=pk).first()
        if not self.has_view_history_permission(request, obj or record.history_object):
            raise PermissionDenied
        rows = [
            (capfirst(field.verbose_name), _display(record, field))
            for field in record.tracked_fields
            if not field.primary_key
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Version of %(date)s") % {"date": _local(record.history_date)},
            "subtitle": str(record.history_object),
            "opts": opts,
            "object": obj or record.history_object,
            "object_exists": obj is not None,
            "object_id": pk,
            "record": record,
            "rows": rows,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.history_version_template, context)


def _local(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _display(record, field) -> str:
    """A field's value in a history row, as the console shows it (a related object by name)."""
    value = getattr(record, field.attname)
    if field.is_relation and value is not None:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    return display_for_field(value, field, "—")
