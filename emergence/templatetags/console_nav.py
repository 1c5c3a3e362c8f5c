"""``{% console_app_list %}``: the console's sidebar of models (Django's ``admin/app_list.html``
as ``admin/nav_sidebar.html`` includes it), written in Python.

The sidebar is on every console page: some fifty models, each row drawn through the
template's loops, tests and filters, about a tenth of a list's time. Here each row is one
piece of HTML, the same as Django's but for the white space between tags
(``tests/test_console_nav.py`` compares them). ``templates/admin/nav_sidebar.html`` uses it.
"""

import html
from urllib.parse import quote

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


# As in the template, the translated labels are written as they are (a template's string
# literals are safe); the names and URLs are escaped.
def _escape(value) -> str:
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _model_row(app: dict, model: dict, path: str) -> str:
    label = _escape(app["app_label"])
    model_name = _escape(model["object_name"].lower())
    row_id = f"{label}-{model_name}"
    admin_url = model.get("admin_url")
    current = bool(admin_url) and admin_url in path
    if admin_url:
        aria_current = ' aria-current="page"' if current else ""
        name = f'<a href="{_escape(admin_url)}"{aria_current}>{_escape(model["name"])}</a>'
    else:
        name = _escape(model["name"])
    add_url = model.get("add_url")
    add = (
        f'<td><a href="{_escape(add_url)}" class="addlink" aria-describedby="{row_id}">'
        f"{_('Add')}</a></td>"
        if add_url
        else "<td></td>"
    )
    return (
        f'<tr class="model-{model_name}{" current-model" if current else ""}">'
        f'<th scope="row" id="{row_id}">{name}</th>{add}</tr>'
    )


def app_list_html(app_list: list[dict], request_path: str) -> SafeString:
    """Django's ``admin/app_list.html`` without its change links (the sidebar's)."""
    if not app_list:
        return mark_safe(f"<p>{_('You don’t have permission to view or edit anything.')}</p>")
    path = quote(request_path, safe="/")  # the template's request.path|urlencode
    head = (
        '<thead class="visually-hidden"><tr>'
        f'<th scope="col">{_("Model name")}</th>'
        f'<th scope="col">{_("Add link")}</th>'
        f'<th scope="col">{_("Change or view list link")}</th>'
        "</tr></thead>"
    )
    parts = []
    for app in app_list:
        current = " current-app" if app["app_url"] in path else ""
        title = _("Models in the %(name)s application") % {"name": _escape(app["name"])}
        rows = "".join(_model_row(app, model, path) for model in app["models"])
        parts.append(
            f'<div class="app-{_escape(app["app_label"])} module{current}"><table>'
            f'<caption><a href="{_escape(app["app_url"])}" class="section" title="{title}">'
            f"{_escape(app['name'])}</a></caption>{head}{rows}</table></div>"
        )
    return mark_safe("".join(parts))


@register.simple_tag(takes_context=True)
def console_app_list(context) -> SafeString:
    return app_list_html(context.get("available_apps") or [], context["request"].path)
