"""The page a sponsor's quarterly link opens (reports/checkins.py): it records the answer
without signing in, then offers to add a note for the team."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from reports.checkins import (
    CheckinLinkInvalid,
    checkin_link_read,
    checkin_note_save,
    checkin_record,
)


class CheckinNoteForm(forms.Form):
    note = forms.CharField(
        label=_("A note for the programme team (optional)"),
        help_text=_("Only the programme team reads it."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def checkin(request, token: str):
    try:
        link = checkin_link_read(token)
    except CheckinLinkInvalid as invalid:
        return render(request, "reports/checkin_invalid.html", status=invalid.status)
    saved, status = False, 200
    if request.method == "POST":
        form = CheckinNoteForm(request.POST)
        if form.is_valid():
            entry = checkin_note_save(link=link, note=form.cleaned_data["note"])
            saved = True
        else:
            entry, status = checkin_record(link=link), 400
    else:
        entry = checkin_record(link=link)
        form = CheckinNoteForm(initial={"note": entry.note})
    context = {
        "checkin": entry,
        "form": form,
        "saved": saved,
        "first_name": link.sponsorship.laureate.user.first_name,
    }
    return render(request, "reports/checkin.html", context, status=status)
