from django import forms
from django.utils.translation import gettext_lazy as _

from workshops.models import Feedback


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ("rating", "helped", "comment")
        widgets = {
            "rating": forms.RadioSelect,
            "helped": forms.Textarea(attrs={"rows": 3}),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "rating": _("How useful was this session to you, from 1 (not at all) to 5 (very)?"),
            "helped": _("What helped you most? (optional)"),
            "comment": _("What would you tell the animators? (optional)"),
        }


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(
        label=_("Present"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(r.pk, str(r.laureate)) for r in registrations]
        self.fields["attended"].initial = [r.pk for r in registrations if r.attended]


class AnimatorSheetForm(AttendanceForm):
    """The animator's sheet: who came, and a short note on the session."""

    note = forms.CharField(
        label=_("Session note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "A few lines for the programme team: what was covered, what to follow up. "
            "The laureates do not see it."
        ),
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].initial = session.animator_note
