"""« Mes données » (``/me/data/``), for any signed-in person: prepare a download of what the
programme holds about them, download it (theirs only, until it expires), ask for erasure."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from emergence import roles
from emergence.data_rights import data_export_for, data_export_request, erasure_request
from emergence.models import DataExport, ErasureStatus
from emergence.xlsx import XLSX_CONTENT_TYPE

CONTENT_TYPES = {
    "json": "application/json",
    "xlsx": XLSX_CONTENT_TYPE,
}


class ErasureRequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Read by the programme lead only."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that, once my request is approved, my account is closed and my data "
            "cannot be recovered."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


def _page(request, form: ErasureRequestForm | None = None, status: int = 200):
    user, now = request.user, timezone.now()
    exports = (
        DataExport.objects.filter(owner=user, expires_at__gt=now)
        .defer("json_file", "xlsx_file")
        .order_by("-created_at")
    )
    return render(
        request,
        "personal_data/page.html",
        {
            "ready": [export for export in exports if export.is_ready],
            "preparing": any(not export.is_ready for export in exports),
            "erasure": user.erasure_requests.order_by("-requested_at", "-pk").first(),
            "form": form or ErasureRequestForm(),
            "days": settings.DATA_EXPORT_DAYS,
            "is_laureate": roles.is_laureate(user),
            "is_partner": roles.is_partner(user),
            "statuses": ErasureStatus,
        },
        status=status,
    )


@never_cache
@login_required
def page(request):
    return _page(request)


@require_POST
@login_required
def prepare(request):
    data_export_request(user=request.user)
    messages.success(
        request,
        _(
            "Your data is being prepared. You will receive an e-mail with a link as soon as it "
            "is ready; it will also be listed on this page."
        ),
    )
    return redirect("personal_data")


@never_cache
@login_required
def download(request, token: str, kind: str):
    """The owner's file; anyone else, an expired download or a wrong token: 404."""
    if kind not in CONTENT_TYPES:
        raise Http404
    export = data_export_for(user=request.user, token=token)
    if export is None:
        raise Http404
    content = bytes(export.json_file if kind == "json" else export.xlsx_file)
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    day = timezone.localdate(export.ready_at).isoformat()
    response["Content-Disposition"] = f'attachment; filename="emergence-{day}.{kind}"'
    return response


@require_POST
@login_required
def erase(request):
    form = ErasureRequestForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    erasure_request(user=request.user, reason=form.cleaned_data["reason"])
    messages.success(
        request,
        _("Your request has been sent to the programme lead, who will answer on this page."),
    )
    return redirect("personal_data")
