"""A confirmation page before a console action e-mails people: who, how many, about what."""

from django.contrib.admin import helpers
from django.template.response import TemplateResponse

CONFIRM_FIELD = "confirm_emails"


def email_confirmation(
    modeladmin,
    request,
    queryset,
    *,
    title: str,
    intro: str,
    groups: list[tuple[str, list[str]]],
    submit: str,
) -> TemplateResponse | None:
    """The page listing who will be e-mailed, by group (a session, …); None once the staff
    member has confirmed it, when the action goes ahead."""
    if request.POST.get(CONFIRM_FIELD):
        return None
    return TemplateResponse(
        request,
        "admin/confirm_emails.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit": submit,
            "groups": groups,
            "total": sum(len(recipients) for _heading, recipients in groups),
            "objects": list(queryset),
            "action": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "confirm_field": CONFIRM_FIELD,
            "opts": modeladmin.model._meta,
        },
    )
