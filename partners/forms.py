from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import CoOpter, Donation, Introduction, Referral


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
                "Who you are, what you offer and why this laureate. The programme team reads "
                "it first, then the laureate, who decides whether you exchange contact details."
            ),
        }
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "message": forms.Textarea(attrs={"rows": 5}),
        }


class IntroductionAnswerForm(PlainFormMixin, forms.Form):
    """The laureate's answer: the button pressed (``decision``) and an optional message."""

    ACCEPT, DECLINE = "accept", "decline"

    decision = forms.ChoiceField(
        choices=[(ACCEPT, _("Accept")), (DECLINE, _("Decline"))],
        error_messages={"required": _("Choose to accept or to decline.")},
    )
    message = forms.CharField(
        label=_("Your message (optional)"),
        required=False,
        max_length=Introduction._meta.get_field("laureate_message").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "If you accept, it goes to the company with your contact details. If you decline, "
            "only the programme team reads it: the company is simply told the introduction "
            "will not go ahead."
        ),
    )

    def __init__(self, *args, introduction_pk: int, **kwargs):
        # Several requests on one page: each form's fields get their own ids.
        super().__init__(*args, auto_id=f"id_answer_{introduction_pk}_%s", **kwargs)

    @property
    def accepted(self) -> bool:
        return self.cleaned_data["decision"] == self.ACCEPT


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


class DonationConfirmForm(forms.ModelForm):
    """Staff confirm a pledged bonus was received, with the donor's identity and address
    as the donor gave them for the tax receipt."""

    class Meta:
        model = Donation
        fields = [
            "amount",
            "received_on",
            "means",
            "gift_form",
            "nature",
            "donor_kind",
            "donor_name",
            "donor_address",
            "donor_postcode",
            "donor_city",
        ]
        widgets = {"received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
