"""The forms of the sponsor's pages and of the laureate's « Mon parrain »."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laureates.models import Laureate, MeetingMode, MeetingTopic


def _helper() -> FormHelper:
    helper = FormHelper()
    # The template draws the <form> and its buttons, next to an error summary.
    helper.form_tag = False
    return helper


class SignInLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class MeetingForm(forms.Form):
    date = forms.DateField(
        label=_("Date of the meeting"), widget=forms.DateInput(attrs={"type": "date"})
    )
    mode = forms.ChoiceField(label=_("How"), choices=MeetingMode.choices, widget=forms.RadioSelect)
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=MeetingTopic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note for both of you"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The sponsor and the laureate both read it."),
    )
    private_note = forms.CharField(
        label=_("Note for the programme team only"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the programme team reads it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("A meeting cannot be logged before it happens."))
        return date


class FitForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How well does this sponsorship work for you?"),
        help_text=_("1: not at all, 5: very well. Only the programme team reads your answer."),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ProjectForSponsorForm(forms.ModelForm):
    class Meta:
        model = Laureate
        fields = ["project_for_sponsor"]
        widgets = {"project_for_sponsor": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
