"""Confidential answers: which they are, what staff who may not read them see, who looked.

Who may read them is said once, in ``emergence.roles`` (:func:`may_read_confidential` for
one laureate, :func:`confidential_readable` for a list); this module applies that rule to
the report's answers and keeps the read records (:class:`reports.models.ReportRead`).
"""

from collections.abc import Iterable

from django.db.models import BooleanField, Case, Value, When
from django.utils.translation import gettext_lazy as _

from emergence.roles import confidential_readable
from reports.models import (
    ANSWER_SECTIONS,
    ActivityReport,
    ReadWhat,
    ReportPeriod,
    ReportRead,
)

#: The confidential core answers; extra questions are confidential when marked so.
CONFIDENTIAL_FIELDS = ANSWER_SECTIONS["wellbeing"]
#: What staff who may not read a confidential answer see in its place.
CONFIDENTIAL_NOTICE = _("Confidential answer — for the referent only")
#: A triage reason that comes from a confidential answer, as shown to those staff.
CONFIDENTIAL_SIGNAL = _("confidential signal")


def readable_flag(user, prefix: str = "") -> Case | Value:
    """Whether ``user`` may read each row's confidential answers, as a boolean column
    computed in the list's own query (``prefix`` leads from the rows to the laureate)."""
    condition = confidential_readable(user, prefix)
    if not condition:  # an empty Q: every laureate
        return Value(True)
    # A condition that matches nothing compiles to the default.
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def touches_confidential(lookup: str) -> bool:
    """Whether an admin URL lookup (``stress__gte``, ``extra_answers__housing``) would
    filter on a confidential answer."""
    return not {*CONFIDENTIAL_FIELDS, "extra_answers"}.isdisjoint(lookup.split("__"))


def report_read_record(*, user, report: ActivityReport, with_confidential: bool) -> ReportRead:
    """Record that staff member ``user`` opened ``report`` (and whether it showed them its
    confidential answers)."""
    return ReportRead.objects.create(
        user=user,
        user_email=user.email,
        laureate_id=report.laureate_id,
        report=report,
        period=report.period.slug,
        what=ReadWhat.REPORT_CONFIDENTIAL if with_confidential else ReadWhat.REPORT,
    )


def export_read_record(
    *, user, period: ReportPeriod, reports: Iterable[tuple[int, int]]
) -> list[ReportRead]:
    """Record that ``user`` exported the confidential answers of ``reports``, given as
    (laureate id, report id) pairs: one row per laureate, written together."""
    return ReportRead.objects.bulk_create(
        (
            ReportRead(
                user=user,
                user_email=user.email,
                laureate_id=laureate_id,
                report_id=report_id,
                period=period.slug,
                what=ReadWhat.EXPORT_CONFIDENTIAL,
            )
            for laureate_id, report_id in reports
        ),
        batch_size=1000,
    )
