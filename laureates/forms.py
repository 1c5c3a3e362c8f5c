from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from laureates.models import Laureate, Placement, Search, SearchKind, search_text_refresh

# Mirrors the database's CheckConstraint so the form says which field is wrong.
STUDY_YEAR_MIN, STUDY_YEAR_MAX = 1, 12
DEGREE_YEAR_MIN, DEGREE_YEAR_MAX = 1, 8


class LaureateContactForm(forms.ModelForm):
    """A laureate's own studies and contact details, with their name from the user."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )

    class Meta:
        model = Laureate
        fields = [
            "first_name",
            "last_name",
            "school",
            "track",
            "study_year",
            "degree",
            "degree_year",
            "city",
            "phone",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "school": forms.TextInput(attrs={"autocomplete": "organization"}),
            "degree": forms.TextInput(attrs={"placeholder": _("Master, Licence, BTS…")}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].initial = self.instance.user.first_name
        self.fields["last_name"].initial = self.instance.user.last_name
        study_year = self.fields["study_year"]
        study_year.validators += [
            MinValueValidator(STUDY_YEAR_MIN),
            MaxValueValidator(STUDY_YEAR_MAX),
        ]
        study_year.widget.attrs.update(min=STUDY_YEAR_MIN, max=STUDY_YEAR_MAX, inputmode="numeric")
        degree_year = self.fields["degree_year"]
        degree_year.validators += [
            MinValueValidator(DEGREE_YEAR_MIN),
            MaxValueValidator(DEGREE_YEAR_MAX),
        ]
        degree_year.widget.attrs.update(
            min=DEGREE_YEAR_MIN, max=DEGREE_YEAR_MAX, inputmode="numeric"
        )
        self.helper = FormHelper()
        # The template draws the <form> and its buttons, next to an error summary.
        self.helper.form_tag = False

    def save(self, commit: bool = True) -> Laureate:
        with transaction.atomic():
            user = self.instance.user
            user.first_name = self.cleaned_data["first_name"]
            user.last_name = self.cleaned_data["last_name"]
            if commit:
                user.save(update_fields=["first_name", "last_name"])
            laureate = super().save(commit=commit)
            if commit:
                # Partners search by the name and the school.
                search_text_refresh(laureate_ids=[laureate.pk])
            return laureate


class PlacementForm(forms.ModelForm):
    """What a laureate declares they obtained; the programme team can correct it later."""

    class Meta:
        model = Placement
        fields = [
            "kind",
            "title",
            "company",
            "other_company",
            "department",
            "city",
            "starts_on",
            "duration_months",
        ]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"title": _("Position"), "company": _("Company (if it is a partner)")}
        help_texts = {"other_company": _("Otherwise, the company's name.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = self.fields["company"].queryset.filter(active=True)
        self.helper = FormHelper()
        self.helper.form_tag = False


class SearchForm(forms.ModelForm):
    """What a laureate or an alumnus is looking for, on « Ma recherche »."""

    class Meta:
        model = Search
        fields = ["kind", "field", "starts_on", "duration_months", "place", "pitch"]
        widgets = {
            "kind": forms.RadioSelect,
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "pitch": forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        }
        labels = {"kind": _("I am looking for")}
        help_texts = {
            "field": _("The job or the field, e.g. audit, data, nursing."),
            "place": _("A city, a region, or “remote”."),
            "pitch": _("A few lines for the companies: who you are, what you are good at."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        duration = self.fields["duration_months"]
        duration.validators += [MinValueValidator(1), MaxValueValidator(60)]
        duration.widget.attrs.update(min=1, max=60, inputmode="numeric")
        self.fields["kind"].choices = list(SearchKind.choices)
        self.helper = FormHelper()
        self.helper.form_tag = False
