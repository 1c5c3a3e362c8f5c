from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from laureates.models import Laureate


class LaureateContactForm(forms.ModelForm):
    """A laureate's own studies and contact details, with their name from the user."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    class Meta:
        model = Laureate
        fields = ["first_name", "last_name", "school", "track", "study_year", "city", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].initial = self.instance.user.first_name
        self.fields["last_name"].initial = self.instance.user.last_name
        self.fields["phone"].widget.attrs.update(type="tel", autocomplete="tel")
        self.fields["city"].widget.attrs.update(autocomplete="address-level2")
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save"), css_class="btn-primary"))

    def save(self, commit: bool = True) -> Laureate:
        user = self.instance.user
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])
        return super().save(commit=commit)
