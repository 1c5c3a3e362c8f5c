"""The dashboard's filters, text search and sorting; the export applies the same ones."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from laureates.models import Promotion, SearchKind, Situation, Track, search_fold
from partners.sharing import with_shared_columns

# Levels as French HR people say them: « Bac+5 » is the fifth year after the baccalauréat.
STUDY_YEARS = [(year, f"Bac+{year}") for year in range(1, 13)]
DEGREE_YEARS = [(year, str(year)) for year in range(1, 9)]
# The « all » choice of a select, agreeing in French with what it counts.
ALL_MASCULINE = pgettext_lazy("filter choice: no filter, for a masculine noun", "All")
ALL_FEMININE = pgettext_lazy("filter choice: no filter, for a feminine noun", "All")
# A search reads at most this many words, each cut to this length: a pasted page of text
# must not cost seconds.
SEARCH_MAX_WORDS = 10
SEARCH_MAX_WORD_LENGTH = 50


def search_words(text: str) -> tuple[list[str], bool]:
    """The words of a search that are used, and whether some were left out or cut."""
    words = text.split()
    used = [word[:SEARCH_MAX_WORD_LENGTH] for word in words[:SEARCH_MAX_WORDS]]
    return used, len(words) > SEARCH_MAX_WORDS or any(
        len(word) > SEARCH_MAX_WORD_LENGTH for word in words[:SEARCH_MAX_WORDS]
    )


def promotion_choices() -> list[tuple[int, str]]:
    return [(year, str(year)) for year in Promotion.objects.values_list("year", flat=True)]


class DashboardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, school, field, place, pitch")}
        ),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Looking for"),
        field_name="kind",
        choices=SearchKind.choices,
        empty_label=ALL_MASCULINE,
    )
    field = django_filters.CharFilter(label=_("Field"), field_name="field", lookup_expr="icontains")
    place = django_filters.CharFilter(label=_("Where"), field_name="place", lookup_expr="icontains")
    start_month = django_filters.DateFilter(
        label=_("Available in"),
        method="starting_in",
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("Month, like 2026-09."),
    )
    track = django_filters.ChoiceFilter(
        label=_("Track"),
        field_name="laureate__track",
        choices=Track.choices,
        empty_label=ALL_FEMININE,
    )
    study_year = django_filters.ChoiceFilter(
        label=_("Study year"),
        field_name="laureate__study_year",
        choices=STUDY_YEARS,
        empty_label=ALL_FEMININE,
    )
    # The three below read what the laureate's consent names (partners.sharing): a laureate
    # who consented to an older text never matches them.
    situation = django_filters.ChoiceFilter(
        label=_("Situation"),
        field_name="shared_situation",
        method="shared_column",
        choices=Situation.choices,
        empty_label=ALL_FEMININE,
    )
    degree = django_filters.CharFilter(
        label=_("Degree"),
        field_name="shared_degree",
        method="shared_column",
        lookup_expr="icontains",
        widget=forms.TextInput(attrs={"placeholder": _("Master, Licence…")}),
    )
    degree_year = django_filters.ChoiceFilter(
        label=_("Year of the degree"),
        field_name="shared_degree_year",
        method="shared_column",
        choices=DEGREE_YEARS,
        empty_label=ALL_FEMININE,
        help_text=_("For a master 2: degree Master, year 2."),
    )
    promotion = django_filters.ChoiceFilter(
        label=_("Promotion"),
        field_name="laureate__promotion__year",
        choices=[],
        empty_label=ALL_FEMININE,
    )
    o = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Name (default)"),
        fields=(
            ("laureate__user__last_name", "name"),
            ("laureate__promotion__year", "promotion"),
            ("laureate__study_year", "study_year"),
            ("starts_on", "starts_on"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "laureate__user__last_name": _("name"),
            "laureate__promotion__year": _("promotion"),
            "laureate__study_year": _("study year"),
            "starts_on": _("availability"),
            "updated_at": _("last update"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read the promotions once per request (a callable would be read at each use).
        self.form.fields["promotion"].choices = promotion_choices()

    max_words, max_word_length = SEARCH_MAX_WORDS, SEARCH_MAX_WORD_LENGTH

    @property
    def active_count(self) -> int:
        """How many filters narrow the list (the sort is not one): the phone's « Filter »
        button shows it while the filters are folded away."""
        data = self.data or {}
        return sum(1 for name in self.filters if name != "o" and str(data.get(name, "")).strip())

    @property
    def search_shortened(self) -> bool:
        """Whether the text search was longer than what is searched (the page says so)."""
        return search_words(self.data.get("q", "") if self.data else "")[1]

    def search(self, queryset, name, value):
        # Both sides folded (no case, no accents): « sante » finds « Santé » on PostgreSQL
        # and SQLite alike, one condition per word on one column.
        query = Q()
        for word in search_words(search_fold(value))[0]:
            query &= Q(search_text__contains=word)
        return queryset.filter(query)

    def shared_column(self, queryset, name, value):
        # The consent's columns are joined only when one of them is filtered on.
        lookup = self.filters[name.removeprefix("shared_")].lookup_expr
        return with_shared_columns(queryset).filter(**{f"{name}__{lookup}": value})

    def starting_in(self, queryset, name, value):
        return queryset.filter(starts_on__year=value.year, starts_on__month=value.month)

    @property
    def qs(self):
        # A stable order whatever the sort, so pages never repeat or skip a laureate; the
        # tie-breaker goes the sort's way, so that an index serves both (search_shared_starts).
        queryset = super().qs
        ordering = list(queryset.query.order_by) or [
            "laureate__user__last_name",
            "laureate__user__first_name",
        ]
        descending = isinstance(ordering[0], str) and ordering[0].startswith("-")
        return queryset.order_by(*ordering, "-pk" if descending else "pk")
