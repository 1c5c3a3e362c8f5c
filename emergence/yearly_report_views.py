"""The yearly report's page in the console: a school year chosen, its figures ready to print
(A4) or to download as a workbook."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from emergence.admin_overview import school_year_of
from emergence.roles import may_see_yearly_report
from emergence.xlsx import XLSX_CONTENT_TYPE
from emergence.yearly_report import (
    school_year_label,
    yearly_report,
    yearly_report_context,
    yearly_report_filename,
    yearly_report_xlsx,
)

#: How many past school years the page offers.
YEARS_BACK = 20


class SchoolYearForm(forms.Form):
    school_year = forms.TypedChoiceField(label=_("School year"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = school_year_of(timezone.localdate())
        self.fields["school_year"].choices = [
            (year, school_year_label(year)) for year in range(current, current - YEARS_BACK, -1)
        ]
        self.fields["school_year"].initial = current

    def chosen(self) -> int:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["school_year"]
        return self.fields["school_year"].initial


def yearly_report_page(request):
    """GET ?school_year=2026: the printable page; with &format=xlsx, the workbook."""
    if not may_see_yearly_report(request.user):
        raise PermissionDenied
    form = SchoolYearForm(request.GET if "school_year" in request.GET else None)
    school_year = form.chosen()
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            yearly_report_xlsx(school_year=school_year, language=translation.get_language()),
            content_type=XLSX_CONTENT_TYPE,
        )
        filename = yearly_report_filename(school_year=school_year, extension="xlsx")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    report = yearly_report(school_year=school_year)
    return TemplateResponse(
        request,
        "admin/yearly_report.html",
        {
            **admin.site.each_context(request),
            "title": _("Yearly report %(year)s") % {"year": report.label},
            "form": form,
            **yearly_report_context(report),
        },
    )
