"""What the overview's panels share: the lists they link to, a count, the hidden-cells note."""

from django.db.models import Func, IntegerField, Subquery
from django.utils.translation import gettext

from emergence.overview import CONFIDENTIAL_MIN_GROUP

REPORTS_LIST = "admin:reports_activityreport_changelist"
LAUREATES_LIST = "admin:laureates_laureate_changelist"
TRIAGES_LIST = "admin:reports_triage_changelist"


class _Count(Func):
    """COUNT(*) of a subquery's rows, as a scalar subquery."""

    function = "COUNT"
    template = "%(function)s(*)"
    output_field = IntegerField()


def _count(queryset) -> Subquery:
    return Subquery(queryset.order_by().annotate(n=_Count()).values("n")[:1])


def _hidden_note() -> str:
    return gettext(
        "Confidential answers are shown only as averages over at least %(min)d laureates: "
        "the empty cells are smaller groups."
    ) % {"min": CONFIDENTIAL_MIN_GROUP}
