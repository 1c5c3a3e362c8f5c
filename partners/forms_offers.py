"""The forms and list filters of partner offers: a company's offers, the laureate's offers."""

import django_filters
from django import forms
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from laureates.models import SearchKind, search_fold
from partners.filters import ALL_FEMININE, ALL_MASCULINE, search_words
from partners.forms import PlainFormMixin
from partners.models import Introduction, Offer
from partners.offers import OFFER_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OfferForm(PlainFormMixin, forms.ModelForm):
    class Meta:
        model = Offer
        fields = list(OFFER_FIELDS)
        labels = {"place": _("Where"), "starts_on": _("Start date")}
        help_texts = {
            "field": _(
                "E.g. « Conseil », « Data », « Santé publique »: laureates whose wish "
                "contains it, or is contained in it, are shown."
            ),
            "place": _("A city or a region; empty if anywhere or remote."),
            "starts_on": _("Empty if flexible."),
            "how_to_apply": _("What a laureate put in touch with you should send, and to whom."),
        }
        widgets = {
            "starts_on": DATE,
            "closes_on": DATE,
            "description": forms.Textarea(attrs={"rows": 6}),
            "how_to_apply": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        if (
            closes_on
            and closes_on < timezone.localdate()
            and (self.instance.pk is None or "closes_on" in self.changed_data)
        ):
            raise forms.ValidationError(_("The closing date cannot be in the past."))
        return closes_on


class InterestForm(PlainFormMixin, forms.Form):
    """« I am interested »: the laureate's optional word to the programme team and company."""

    message = forms.CharField(
        label=_("A word for the company (optional)"),
        required=False,
        max_length=Introduction._meta.get_field("message").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The programme team reads it first. If they pass your interest on, the company "
            "receives it with your e-mail address and phone number."
        ),
    )


OPEN, CLOSED = "open", "closed"


def _open_q(today) -> Q:
    return Q(closed_at__isnull=True, closes_on__gte=today, company__active=True)


class CompanyOfferFilter(django_filters.FilterSet):
    """A company's offers: open ones first (soonest closing first), then the closed ones."""

    kind = django_filters.ChoiceFilter(
        label=pgettext_lazy("offer", "Kind"),
        field_name="kind",
        choices=SearchKind.choices,
        empty_label=ALL_MASCULINE,
    )
    state = django_filters.ChoiceFilter(
        label=_("State"),
        method="in_state",
        choices=[(OPEN, pgettext_lazy("offer", "open")), (CLOSED, _("closed or expired"))],
        empty_label=ALL_FEMININE,
    )

    class Meta:
        model = Offer
        fields = ["kind", "state"]

    def in_state(self, queryset, name, value):
        is_open = _open_q(timezone.localdate())
        return queryset.filter(is_open if value == OPEN else ~is_open)

    @property
    def qs(self):
        return (
            super()
            .qs.annotate(
                closed=Case(When(_open_q(timezone.localdate()), then=Value(0)), default=Value(1))
            )
            .order_by("closed", "closes_on", "-pk")
        )


class LaureateOfferFilter(django_filters.FilterSet):
    """The laureate's offers: a text search, and the order."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title, company, field")}),
    )
    o = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Closing soonest (default)"),
        fields=(("created_at", "posted"), ("starts_on", "starts_on")),
        field_labels={"created_at": _("posted date"), "starts_on": _("start date")},
    )

    class Meta:
        model = Offer
        fields = ["q"]

    def search(self, queryset, name, value):
        query = Q()
        for word in search_words(value)[0]:
            query &= (
                Q(title__icontains=word)
                | Q(company__name__icontains=word)
                | Q(field_folded__contains=search_fold(word))
                | Q(place_folded__contains=search_fold(word))
            )
        return queryset.filter(query)

    @property
    def qs(self):
        queryset = super().qs
        ordering = list(queryset.query.order_by) or ["closes_on"]
        return queryset.order_by(*ordering, "pk")
