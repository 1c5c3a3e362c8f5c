from django import forms
from django.utils.translation import gettext_lazy as _

from workshops.models import Feedback


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ("rating", "comment")
        widgets = {"rating": forms.RadioSelect, "comment": forms.Textarea(attrs={"rows": 4})}
        labels = {
            "rating": _("How useful were these workshops to you, from 1 (not at all) to 5 (very)?"),
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
