"""An intermediate page for admin actions that need a few answers (a comment, a channel)."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse


def action_form_page(
    modeladmin: admin.ModelAdmin,
    request,
    queryset,
    *,
    form: forms.Form,
    title: str,
    submit: str,
    intro: str = "",
) -> TemplateResponse:
    """Ask for ``form`` about the selected rows; posting it runs the same action again,
    with ``apply`` in the data."""
    return TemplateResponse(
        request,
        "admin/reports/action_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit": submit,
            "form": form,
            "objects": list(queryset),
            "action": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
            "media": modeladmin.media + form.media,
        },
    )
