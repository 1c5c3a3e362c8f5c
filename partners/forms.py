from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import CoOpter, Introduction, Referral


class PlainFormMixin:
    """Crispy fields without a <form> tag: the template draws it with its buttons."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class IntroductionForm(PlainFormMixin, forms.ModelForm):
    class Meta:
        model = Introduction
        fields = ["kind", "title", "starts_on", "ends_on", "place", "message"]
        labels = {"title": _("Title of the opportunity")}
        help_texts = {
            "message": _(
                "Who you are, what you offer and why this laureate. The programme team "
                "reads it and asks the laureate before passing on any contact."
            ),
        }
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "message": forms.Textarea(attrs={"rows": 5}),
        }


class CoOpterForm(PlainFormMixin, forms.ModelForm):
    class Meta:
        model = CoOpter
        fields = ["platforms"]


class ReferralForm(PlainFormMixin, forms.ModelForm):
    class Meta:
        model = Referral
        fields = [
            "candidate_name",
            "company",
            "job_title",
            "platform",
            "platform_reference",
            "referred_on",
        ]
        widgets = {"referred_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"candidate_name": _("Candidate")}
        help_texts = {"candidate_name": _("First and last name of the person you recommended.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate_name"].required = True


def _model_field(name: str, **kwargs) -> forms.Field:
    return Referral._meta.get_field(name).formfield(**kwargs)


class ReferralUpdateForm(PlainFormMixin, forms.Form):
    """Where a referral stands; ``referral_update`` checks the move is allowed."""

    status = _model_field("status")
    bonus = _model_field(
        "bonus", widget=forms.NumberInput(attrs={"min": 500, "max": 1000, "step": 50})
    )
    pledged_to_programme = _model_field("pledged_to_programme")
    donation_received_on = _model_field(
        "donation_received_on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
