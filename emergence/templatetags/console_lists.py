"""``{% console_result_list cl %}``: Django's ``{% result_list cl %}`` for a big console
list, its rows written faster.

Django's ``items_for_result`` re-decides for every cell what it decides once per column
(the cell's class, the empty value, whether it is the link), formats each cell with
``format_html``, and the template then renders each cell as a variable of its own: on a
page of 100 laureates and 16 columns, 1,600 times, about half of the list's time. Here the
columns' choices are made once a page and each row is one piece of HTML, identical to
Django's (``tests/test_console_rows.py`` compares them, list by list). Every console list
uses it (``templates/admin/change_list.html``); a popup, a ``to_field`` or a callable column
keeps Django's own.
"""

import datetime
import html

from django import template
from django.contrib.admin import ModelAdmin, helpers
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.forms import Widget
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _escape(value) -> str:
    # Django's conditional_escape without its lazy-argument wrapper: 1,600 calls a page.
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _djangos_checkbox(model_admin) -> bool:
    return type(model_admin).action_checkbox is ModelAdmin.action_checkbox


def _action_checkbox(result) -> str:
    """Django's ``ModelAdmin.action_checkbox`` cell, written without drawing the checkbox
    widget's three templates (a tenth of a list's time)."""
    label = format_html(_("Select this object for an action - {}"), str(result))
    return mark_safe(
        f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" '
        f'value="{_escape(result.pk)}" class="action-select" aria-label="{label}">'
    )


# Django's widget templates that ``_widget`` writes itself (the same HTML: the renderer strips
# the outer template, an option keeps its last line break): the inputs and the select of a
# list that edits in place (attendance), and the rows' hidden keys.
_INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in ("input", "hidden", "text", "number", "email", "date", "checkbox")
}
_SELECT_TEMPLATE = "django/forms/widgets/select.html"
_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html
    return "".join(
        f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _widget(bound_field) -> SafeString:
    """A form field's widget as ``str(bound_field)`` writes it, without drawing its templates
    (two to five a cell: half of a page that edits 50 rows in place). Other widgets, or a
    widget that draws itself, keep Django's rendering."""
    widget = bound_field.field.widget
    template_name = widget.template_name
    if (
        type(widget).render is not Widget.render
        or bound_field.field.localize
        or bound_field.field.show_hidden_initial
        or (template_name not in _INPUT_TEMPLATES and template_name != _SELECT_TEMPLATE)
    ):
        return mark_safe(str(bound_field))
    attrs = bound_field.build_widget_attrs({}, widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    context = widget.get_context(bound_field.html_name, bound_field.value(), attrs)["widget"]
    name = _escape(context["name"])
    if template_name != _SELECT_TEMPLATE:
        value = context["value"]
        value = "" if value is None else f' value="{_escape(value)}"'
        return mark_safe(
            f'<input type="{_escape(context["type"])}" name="{name}"{value}'
            f"{_attrs(context['attrs'])}>"
        )
    parts = [f'<select name="{name}"{_attrs(context["attrs"])}>']
    for group_name, options, _index in context["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_escape(group_name)}">')
        for option in options:
            if option["template_name"] != _OPTION_TEMPLATE:
                return mark_safe(str(bound_field))
            parts.append(
                f'\n  <option value="{_escape(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))


def _link_columns(cl) -> set[str]:
    # As Django's link_in_col: no links at all (None), else the named columns, else the
    # first one.
    if cl.list_display_links is None:
        return set()
    if not cl.list_display_links:
        return {cl.list_display[0]} if cl.list_display else set()
    return set(cl.list_display_links)


class _PreservedFilters:
    """``add_preserved_filters`` for the rows' links. Each row links to its own change form,
    a URL without a query, so the query Django adds to it (the list's filters) is the same
    for every row; Django works it out again for each, resolving the URL each time (about a
    tenth of a filtered list's time). Worked out once a page here; a URL with a query of its
    own, or one that Django changes otherwise than by adding a query, keeps Django's way."""

    def __init__(self, cl):
        self.context = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
        self.query = None

    def __call__(self, url: str) -> str:
        if "?" in url or "#" in url:
            return add_preserved_filters(self.context, url)
        if self.query is None:
            linked = add_preserved_filters(self.context, url)
            if not linked.startswith(url):
                return linked
            self.query = linked[len(url) :]
        return url + self.query


def _row(cl, result, columns, empty_value, preserved, form) -> SafeString:
    """One row's cells, as Django's ``items_for_result`` writes them (``form``: the row's
    form of a list that edits in place, or None)."""
    pk_name = cl.model._meta.pk.name
    cells = []
    first = True
    for field_name, link in columns:
        empty_value_display = empty_value
        row_classes = [f"field-{field_name}"]
        if field_name == "action_checkbox" and _djangos_checkbox(cl.model_admin):
            cells.append(f'<td class="action-checkbox">{_action_checkbox(result)}</td>')
            continue
        try:
            f, attr, value = lookup_field(field_name, result, cl.model_admin)
        except ObjectDoesNotExist:
            result_repr = empty_value_display
        else:
            empty_value_display = getattr(attr, "empty_value_display", empty_value_display)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            if f is None or f.auto_created:
                if field_name == "action_checkbox":
                    row_classes = ["action-checkbox"]
                boolean = getattr(attr, "boolean", False)
                if isinstance(attr, property) and hasattr(attr, "fget"):
                    boolean = getattr(attr.fget, "boolean", False)
                result_repr = display_for_value(value, empty_value_display, boolean)
                if isinstance(value, (datetime.date, datetime.time)):
                    row_classes.append("nowrap")
            else:
                if isinstance(f.remote_field, models.ManyToOneRel):
                    field_val = getattr(result, f.name)
                    result_repr = empty_value_display if field_val is None else field_val
                else:
                    result_repr = display_for_field(value, f, empty_value_display, avoid_link=link)
                if isinstance(f, (models.DateField, models.TimeField, models.ForeignKey)):
                    row_classes.append("nowrap")
        row_class = ' class="{}"'.format(" ".join(row_classes))
        if link:
            table_tag = "th" if first else "td"
            first = False
            try:
                url = cl.url_for_result(result)
            except NoReverseMatch:
                link_or_text = _escape(result_repr)
            else:
                url = preserved(url)
                link_or_text = f'<a href="{_escape(url)}">{_escape(result_repr)}</a>'
            cells.append(f"<{table_tag}{row_class}>{link_or_text}</{table_tag}>")
        elif (
            form
            and field_name in form.fields
            and not (field_name == pk_name and form[pk_name].is_hidden)
        ):
            field = form[field_name]
            errors = field.errors or ""  # an empty list writes nothing: no template drawn
            cells.append(f"<td{row_class}>{errors}{_widget(field)}</td>")
        else:
            cells.append(f"<td{row_class}>{_escape(result_repr)}</td>")
    if form and not form[pk_name].is_hidden:
        cells.append(f"<td>{_widget(form[pk_name])}</td>")
    return mark_safe("".join(cells))


def result_rows(cl) -> list:
    """The page's rows for ``change_list_results.html``: each a list of one piece of HTML
    (the template joins a row's items without a separator), or Django's own rows."""
    if cl.is_popup or cl.to_field or any(callable(name) for name in cl.list_display):
        return list(admin_list.results(cl))
    links = _link_columns(cl)
    columns = [(name, name in links) for name in cl.list_display]
    empty_value = cl.model_admin.get_empty_value_display()
    preserved = _PreservedFilters(cl)
    formset = getattr(cl, "formset", None)
    forms = formset.forms if formset else [None] * len(cl.result_list)
    return [
        admin_list.ResultList(form, [_row(cl, result, columns, empty_value, preserved, form)])
        for result, form in zip(cl.result_list, forms, strict=True)
    ]


def hidden_keys(cl) -> list:
    """The rows' hidden keys of a list that edits in place, as Django's
    ``result_hidden_fields`` writes them."""
    formset = getattr(cl, "formset", None)
    if not formset:
        return []
    pk_name = cl.model._meta.pk.name
    return [_widget(form[pk_name]) for form in formset.forms if form[pk_name].is_hidden]


def console_result_list(cl) -> dict:
    """Django's ``result_list`` context, with :func:`result_rows`."""
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": hidden_keys(cl),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": result_rows(cl),
    }


@register.tag(name="console_result_list")
def console_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=console_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def console_date_hierarchy(cl) -> dict | None:
    """Django's ``date_hierarchy`` context, its choices the years (months, days) from the
    list's first date to its last: read with MIN and MAX (an index's two ends), where Django
    lists the dates present with ``SELECT DISTINCT`` over every row of the list (25–30 ms for
    100,000 follow-ups, on each page). A period without rows in between is offered too, and
    shows an empty list. The choices are otherwise Django's (``tests/test_console_rows.py``)."""
    return admin_list.date_hierarchy(_DatesFromRange(cl))


class _DatesFromRange:
    """The change list as Django's ``date_hierarchy`` reads it, its queryset's ``dates()`` and
    ``datetimes()`` answered from the range MIN to MAX."""

    def __init__(self, cl):
        self._cl = cl
        self.queryset = _RangeDates(cl.queryset)

    def __getattr__(self, name):
        return getattr(self._cl, name)


class _RangeDates:
    def __init__(self, queryset):
        self._queryset = queryset

    def aggregate(self, *args, **kwargs):
        return self._queryset.aggregate(*args, **kwargs)

    def dates(self, field_name: str, kind: str) -> list[datetime.date]:
        return self._range(field_name, kind, datetimes=False)

    def datetimes(self, field_name: str, kind: str) -> list[datetime.date]:
        return self._range(field_name, kind, datetimes=True)

    def _range(self, field_name: str, kind: str, *, datetimes: bool) -> list[datetime.date]:
        ends = self._queryset.aggregate(first=models.Min(field_name), last=models.Max(field_name))
        first, last = ends["first"], ends["last"]
        if first is None:
            return []
        if datetimes:  # Django truncates in the current time zone: the same local dates
            first, last = (
                timezone.localtime(v) if timezone.is_aware(v) else v for v in ends.values()
            )
            first, last = first.date(), last.date()
        if kind == "year":
            return [datetime.date(year, 1, 1) for year in range(first.year, last.year + 1)]
        if kind == "month":
            return _months_between(first, last)
        days = (last - first).days
        return [first + datetime.timedelta(days=n) for n in range(days + 1)]


@register.tag(name="console_date_hierarchy")
def console_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=console_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )
