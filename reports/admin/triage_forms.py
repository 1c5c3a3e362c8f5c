"""The forms of the triage list's actions: record a contact, flag, assign."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from laureates.models import Channel
from reports.models import ContactOutcome, FollowUpLevel
from reports.triage import NEXT_CONTACT_DAYS


def _level_defaults() -> str:
    return ", ".join(
        gettext("%(level)s: %(days)d days") % {"level": FollowUpLevel(level).label, "days": days}
        for level, days in NEXT_CONTACT_DAYS.items()
    )


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    outcome = forms.ChoiceField(label=_("outcome"), choices=ContactOutcome.choices)
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Recorded as a follow-up of each selected laureate, signed by you."),
    )
    level = forms.ChoiceField(
        label=_("follow-up level"),
        required=False,
        choices=[("", _("keep the current level")), *FollowUpLevel.choices],
    )
    next_contact_on = forms.DateField(
        label=_("next contact on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_contact_on"].help_text = gettext(
            "Leave empty for the default of each laureate's follow-up level, from today: "
            "%(defaults)s."
        ) % {"defaults": _level_defaults()}

    def clean_next_contact_on(self):
        day = self.cleaned_data["next_contact_on"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError(gettext("The next contact must be after today."))
        return day


class FlagForm(forms.Form):
    note = forms.CharField(
        label=_("why"),
        max_length=500,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=_(
            "Shown with the reasons (« flagged: … ») until the triage is closed; a closed "
            "triage opens again."
        ),
    )


class AssignForm(forms.Form):
    staff = forms.ModelChoiceField(
        label=_("in charge"), queryset=get_user_model().objects.filter(is_staff=True)
    )
