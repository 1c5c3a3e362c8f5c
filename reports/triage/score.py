"""The triage score: which active laureates need the team most, and why.

:func:`with_triage` annotates a whole list of laureates in ONE SQL query: a numeric
``triage_score`` (the sum of the weights of the rules that hold) and one boolean
``triage_<rule>`` per rule, which :func:`triage_reasons` turns into words.

The rules, their weights and their reasons:

======================================================  ======  ===========================
rule                                                    weight  reason shown to staff
======================================================  ======  ===========================
asked to be contacted (latest report)                       40  asked to be contacted
flagged by a staff member, until the cycle is closed        40  flagged: <their note>
no submitted report for the latest period past its due      30  report overdue
date, among the periods the laureate owes (see below)
… and never submitted any report at all                    +15  no report yet
the sponsor answered « we have lost contact » (latest       30  lost contact with the sponsor
sponsor answer)
stress 4 or 5 (latest report)                               25  high stress
no sponsor meeting in the latest and previous reports       25  no sponsor meeting for 2
                                                                quarters
studies 1 or 2 (latest report)                              20  studies going badly
the latest sponsor answer and the laureate's report of      20  the sponsor's and the
that period disagree on whether they met                        laureate's answers differ
2 points worse or more on any 1–5 scale since the           15  2 points worse or more
previous report (stress: 2 points higher)                       since the last report: …
registered for workshop sessions and absent from 2 or       15  absent from workshops
more this school year (``Laureate.workshop_absences``)
no sponsor meeting in the latest report only                10  no sponsor meeting this
                                                                quarter
the sponsor answered « not yet » (latest sponsor answer)    10  sponsor: no meeting this
                                                                quarter
professional project 1 or 2 (latest report)                 10  professional project stalled
======================================================  ======  ===========================

The sponsor's answers (reports/checkins.py: the quarterly « Avez-vous rencontré … ? »), a
second, independent source. "Latest sponsor answer": the answer, by any sponsor of the
laureate, for the most recent opened period or, while that one has none, for the period
before (as the latest report). A lost contact weighs as much as an overdue report: the
sponsorship has stopped working and needs staff to step in (a call, another sponsor). Two
answers that differ weigh as much as studies going badly: someone's account is wrong, which
only a call settles. « Not yet » weighs what the laureate's own « no meeting this quarter »
weighs; when both say so, the two sources add up to 20, more than either alone. These are
staff-only signals, not confidential answers of the laureate (who never sees them).

"Latest report": the laureate's submitted (or reviewed) report of the most recent period
that has opened or, while that one is not in, of the period before; drafts are not
answers. "Previous report": the submitted report of the period just before the latest
report's. Older answers are not scored: the overdue rule speaks for them. A laureate owes
a report only for the periods that OPEN AFTER the day they joined (``opens_on >
joined_on``, as ``ReportPeriodQuerySet.for_laureate`` and the reminders say): someone who
joined on 1 September owes nothing for the quarter that opened that day. Alumni and
laureates who left score 0.

The order of the triage list (:func:`with_triage_order`): the score first; at an equal
score the follow-up level (alerte, then renforcé, then standard) — the level orders, it
adds no points, so the score stays the sum of the reasons shown; then, still at an equal
score and level, a laureate contacted whose next contact is still ahead sorts below those
not contacted. "My queue" puts the next contacts that are due (today or before) first.

The score is also STORED per laureate (``reports.models.StoredTriage``, see
:mod:`reports.triage.stored`): :func:`with_triage` remains its only definition, and
``triage_refresh`` writes what it computes, in the same transaction as every change of its
inputs and daily for what the date changes. The triage list, its filters and the counts read
the stored rows (score, one flag per rule, the level's rank and "contacted and waiting",
the order above), through indexes; the laureate's key breaks the remaining ties. Only
« Ma file »'s "next contact due" is computed on the request, for the queue's rows.

The score reads the confidential answers (contact, stress) for everyone, so that no laureate
in difficulty is hidden; their reasons are a « confidential signal » to staff who may not
read that laureate's confidential answers (:func:`triage_reasons`).
"""

import datetime

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from laureates.models import Laureate, Status
from reports.confidential import CONFIDENTIAL_SIGNAL
from reports.models import (
    ActivityReport,
    FollowUpLevel,
    ReportPeriod,
    ReportStatus,
    SponsorCheckin,
    TriageEvent,
    TriageEventKind,
    TriageState,
)

WEIGHTS = {
    "contact": 40,
    "flag": 40,
    "overdue": 30,
    "never": 15,
    "sponsor_lost": 30,
    "stress": 25,
    "sponsor_2": 25,
    "studies": 20,
    "sponsor_mismatch": 20,
    "drop": 15,
    "workshops": 15,
    "sponsor_1": 10,
    "sponsor_not_yet": 10,
    "project": 10,
}

#: A score from which a laureate "needs attention" (any rule that holds).
NEEDS_ATTENTION = 1
#: A score from which a laureate is urgent: asked to be contacted, or two serious signs.
URGENT = 40

REASONS = {
    "contact": gettext_lazy("asked to be contacted"),
    "flag": gettext_lazy("flagged: %(note)s"),
    "overdue": gettext_lazy("report overdue"),
    "never": gettext_lazy("no report yet"),
    "sponsor_lost": gettext_lazy("lost contact with the sponsor"),
    "stress": gettext_lazy("high stress"),
    "sponsor_2": gettext_lazy("no sponsor meeting for 2 quarters"),
    "studies": gettext_lazy("studies going badly"),
    "sponsor_mismatch": gettext_lazy("the sponsor's and the laureate's answers differ"),
    "sponsor_1": gettext_lazy("no sponsor meeting this quarter"),
    "sponsor_not_yet": gettext_lazy("sponsor: no meeting this quarter"),
    "project": gettext_lazy("professional project stalled"),
    "workshops": gettext_lazy("absent from workshops"),
}

#: Sessions missed in the school year (kept on the laureate by workshops' attendance) from
#: which the team hears of it.
WORKSHOP_ABSENCES = 2

#: The 1–5 scales compared with the previous report; for stress, worse is higher.
SCALES = {
    "studies_rating": gettext_lazy("studies"),
    "sponsor_relationship": gettext_lazy("sponsor relationship"),
    "project_progress": gettext_lazy("professional project"),
    "civic_involvement": gettext_lazy("civic involvement"),
    "stress": gettext_lazy("stress"),
}
HIGHER_IS_WORSE = {"stress"}

#: The rules and scales that read confidential answers (reports/confidential.py): they count
#: for everyone, but their reason is a « confidential signal » to who may not read them.
CONFIDENTIAL_RULES = {"contact", "stress"}
CONFIDENTIAL_SCALES = {"stress"}

ANSWERED = [ReportStatus.SUBMITTED, ReportStatus.REVIEWED]


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def with_triage(laureates: QuerySet, *, today: datetime.date | None = None) -> QuerySet:
    """Annotate ``triage_score`` and the ``triage_<rule>`` flags on ``laureates``.

    Everything is computed in the database: the periods are scalar subqueries, the
    reports of the last three opened periods are joined by (laureate, period).
    """
    today = today or timezone.localdate()
    opened = ReportPeriod.objects.filter(opens_on__lte=today).order_by("-year", "-quarter")

    def report_of(nth: int) -> FilteredRelation:
        period = Subquery(opened.values("pk")[nth : nth + 1])
        return FilteredRelation(
            "reports", condition=Q(reports__period=period, reports__status__in=ANSWERED)
        )

    def sponsor_answer(nth: int) -> Subquery:
        period = Subquery(opened.values("pk")[nth : nth + 1])
        answers = SponsorCheckin.objects.filter(
            sponsorship__laureate=OuterRef("pk"), period=period
        ).order_by("-answered_at", "-pk")
        return Subquery(answers.values("answer")[:1])

    queryset = laureates.alias(
        _sa0=sponsor_answer(0),
        _sa1=sponsor_answer(1),
        _r0=report_of(0),
        _r1=report_of(1),
        _r2=report_of(2),
        _due0=Subquery(opened.values("due_on")[:1]),
        _due1=Subquery(opened.values("due_on")[1:2]),
        _opens0=Subquery(opened.values("opens_on")[:1]),
        _opens1=Subquery(opened.values("opens_on")[1:2]),
    )
    in_current = Q(_r0__pk__isnull=False)
    values = {}
    for field in [*SCALES, "sponsor_met", "wants_contact"]:
        # The latest report is the current period's, else the previous period's; the
        # report before it is the one of the period just before.
        values[f"_latest_{field}"] = Case(
            When(in_current, then=F(f"_r0__{field}")), default=F(f"_r1__{field}")
        )
        values[f"_previous_{field}"] = Case(
            When(in_current, then=F(f"_r1__{field}")), default=F(f"_r2__{field}")
        )
    queryset = queryset.alias(**values)

    # Owed: the period opened after the day the laureate joined.
    overdue = Q(_due0__lt=today, _r0__pk__isnull=True, joined_on__lt=F("_opens0")) | Q(
        _due0__gte=today, _due1__lt=today, _r1__pk__isnull=True, joined_on__lt=F("_opens1")
    )
    ever = Exists(ActivityReport.objects.filter(laureate=OuterRef("pk"), status__in=ANSWERED))
    no_meeting = Q(_latest_sponsor_met=False)
    no_meeting_before = Q(_previous_sponsor_met=False)
    # No previous report, or one that does not say, is not a second quarter without.
    met_before_or_unknown = Q(_previous_sponsor_met=True) | Q(_previous_sponsor_met__isnull=True)
    drops = {
        scale: (
            Q(**{f"_latest_{scale}__gte": F(f"_previous_{scale}") + 2})
            if scale in HIGHER_IS_WORSE
            else Q(**{f"_previous_{scale}__gte": F(f"_latest_{scale}") + 2})
        )
        for scale in SCALES
    }
    # The latest sponsor answer, and whether it differs from the report of its period.
    sponsor_latest = Q(_sa0__isnull=False)

    def sponsor_said(answers: list[str]) -> Q:
        return Q(sponsor_latest, _sa0__in=answers) | Q(~sponsor_latest, _sa1__in=answers)

    def differs(answer: str, met: str) -> Q:
        return Q(**{answer: "met", met: False}) | Q(
            **{f"{answer}__in": ["not_yet", "lost_contact"], met: True}
        )

    sponsor_mismatch = Q(sponsor_latest, differs("_sa0", "_r0__sponsor_met")) | Q(
        ~sponsor_latest, differs("_sa1", "_r1__sponsor_met")
    )
    active = Q(status=Status.ACTIVE)
    rules = {
        "contact": Q(_latest_wants_contact=True),
        "flag": Q(triage__flagged_at__isnull=False),
        "overdue": overdue,
        "never": overdue & ~Q(ever),
        "stress": Q(_latest_stress__gte=4),
        "sponsor_2": no_meeting & no_meeting_before,
        "studies": Q(_latest_studies_rating__lte=2),
        "sponsor_1": no_meeting & met_before_or_unknown,
        "project": Q(_latest_project_progress__lte=2),
        "sponsor_lost": sponsor_said(["lost_contact"]),
        "sponsor_mismatch": sponsor_mismatch,
        "sponsor_not_yet": sponsor_said(["not_yet"]),
        "workshops": Q(workshop_absences__gte=WORKSHOP_ABSENCES),
        **{f"drop_{scale}": condition for scale, condition in drops.items()},
    }
    queryset = queryset.annotate(
        **{f"triage_{rule}": _flag(active & condition) for rule, condition in rules.items()}
    )
    any_drop = Q()
    for scale in SCALES:
        any_drop |= Q(**{f"triage_drop_{scale}": True})
    points = [
        Case(
            When(Q(**{f"triage_{rule}": True}), then=Value(weight)),
            default=Value(0),
            output_field=IntegerField(),
        )
        for rule, weight in WEIGHTS.items()
        if rule != "drop"
    ]
    points.append(
        Case(
            When(any_drop, then=Value(WEIGHTS["drop"])),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    score = points[0]
    for point in points[1:]:
        score = score + point
    return queryset.annotate(triage_score=score, **reason_context())


def reason_context() -> dict:
    """What the reasons need besides the flags: the flag's note, and what the current cycle
    started with and the last one closed with (to mark the reasons new since the close)."""
    opening = TriageEvent.objects.filter(
        laureate=OuterRef("pk"), cycle=OuterRef("triage__cycle"), kind=TriageEventKind.OPENED
    ).order_by("-at", "-pk")
    return {
        "triage_flag_note": F("triage__flag_note"),
        "triage_cycle": F("triage__cycle"),
        "triage_state_value": F("triage__state"),
        "triage_closed_reasons": F("triage__closed_reasons"),
        "triage_opened_reasons": Subquery(opening.values("reasons")[:1]),
    }


#: The follow-up levels, highest first: their rank orders the list at an equal score.
LEVEL_RANK = {FollowUpLevel.ALERT: 2, FollowUpLevel.REINFORCED: 1, FollowUpLevel.STANDARD: 0}


def with_triage_order(laureates: QuerySet, *, today: datetime.date | None = None) -> QuerySet:
    """Annotate what orders the triage list besides the score (see the module's docstring):
    ``triage_level_rank``, ``triage_waiting`` (contacted, next contact still ahead) and
    ``triage_contact_due`` (a next contact planned for today or before)."""
    today = today or timezone.localdate()
    rank = Case(
        *[When(triage__level=level, then=Value(value)) for level, value in LEVEL_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    return laureates.annotate(
        triage_level_rank=rank,
        triage_waiting=_flag(
            Q(triage__next_contact_on__gt=today) & ~Q(triage__state=TriageState.NEW)
        ),
        triage_contact_due=_flag(Q(triage__next_contact_on__lte=today)),
    )


#: The ordering of the triage list, after any "due first" of a queue.
TRIAGE_ORDER = ["-triage_score", "-triage_level_rank", "triage_waiting"]


def laureate_triage_score(
    *, laureate_ref: OuterRef, today: datetime.date | None = None
) -> Subquery:
    """The triage score of the laureate ``laureate_ref`` points to, for another list."""
    triaged = with_triage(Laureate.objects.filter(pk=laureate_ref).order_by(), today=today)
    return Subquery(triaged.values("triage_score")[:1])


def needing_attention(laureates: QuerySet, *, minimum: int = NEEDS_ATTENTION) -> QuerySet:
    """The laureates of a :func:`with_triage` list whose score reaches ``minimum``."""
    return laureates.filter(triage_score__gte=minimum)


def laureates_needing_attention(
    *, minimum: int = NEEDS_ATTENTION, today: datetime.date | None = None
) -> QuerySet:
    """Every laureate who needs attention, triaged (to filter other lists by)."""
    return needing_attention(with_triage(Laureate.objects.all(), today=today), minimum=minimum)


#: Every rule key a close records and a reopening names: the weighted rules, and one drop
#: per scale.
RULE_KEYS = [
    *[rule for rule in WEIGHTS if rule != "drop"],
    *[f"drop_{scale}" for scale in SCALES],
]


#: Rules that can hold again for a new cause while their key stays the same: a period newly
#: overdue after the close is again "report overdue", a sponsor's answer for a new quarter
#: again "lost contact". They are new when the cycle opened for them, whatever held at the
#: close.
RENEWED_RULES = {"overdue", "sponsor_lost", "sponsor_mismatch", "sponsor_not_yet"}


def triage_rules(laureate) -> list[str]:
    """The rule keys that hold for a laureate annotated by :func:`with_triage`."""
    return [rule for rule in RULE_KEYS if getattr(laureate, f"triage_{rule}", False)]


def triage_new_rules(laureate) -> set[str]:
    """The rules of a reopened cycle that are new since the last close: those that did
    not hold at the close, and those the cycle was reopened for (a period newly overdue
    is still "report overdue": :data:`RENEWED_RULES`). Empty for a first cycle, or a closed one."""
    cycle = getattr(laureate, "triage_cycle", None) or 1
    if cycle < 2 or getattr(laureate, "triage_state_value", None) == TriageState.CLOSED:
        return set()
    holding = set(triage_rules(laureate))
    closed = set(getattr(laureate, "triage_closed_reasons", None) or [])
    opened = set(getattr(laureate, "triage_opened_reasons", None) or [])
    return (holding - closed) | (holding & opened & RENEWED_RULES)


def triage_reason_items(laureate, *, show_confidential: bool) -> list[tuple[str, bool]]:
    """The reasons of :func:`triage_reasons`, each with whether it is new since the last
    close (see :func:`triage_new_rules`)."""
    new = triage_new_rules(laureate)
    reasons: list[tuple[str, bool]] = []
    signal: int | None = None  # where the « confidential signal » is, once there

    def confidential(rules: set[str]) -> None:
        nonlocal signal
        if signal is None:
            signal = len(reasons)
            reasons.append((str(CONFIDENTIAL_SIGNAL), bool(rules & new)))
        elif rules & new:
            reasons[signal] = (reasons[signal][0], True)

    for rule in WEIGHTS:
        if rule == "drop":
            worse = [scale for scale in SCALES if getattr(laureate, f"triage_drop_{scale}")]
            if not show_confidential and set(worse) & CONFIDENTIAL_SCALES:
                confidential({f"drop_{scale}" for scale in set(worse) & CONFIDENTIAL_SCALES})
                worse = [scale for scale in worse if scale not in CONFIDENTIAL_SCALES]
            if worse:
                reasons.append(
                    (
                        gettext("2 points worse or more since the last report: %(scales)s")
                        % {"scales": ", ".join(str(SCALES[scale]) for scale in worse)},
                        any(f"drop_{scale}" in new for scale in worse),
                    )
                )
        elif getattr(laureate, f"triage_{rule}"):
            if rule in CONFIDENTIAL_RULES and not show_confidential:
                confidential({rule})
            elif rule == "flag":
                note = getattr(laureate, "triage_flag_note", "") or ""
                reasons.append((str(REASONS[rule]) % {"note": note}, rule in new))
            else:
                reasons.append((str(REASONS[rule]), rule in new))
    return reasons


def triage_reasons(laureate, *, show_confidential: bool) -> list[str]:
    """The reasons, in words and by weight, of a laureate annotated by :func:`with_triage`.

    Without ``show_confidential`` (a reader who may not read this laureate's confidential
    answers: see ``emergence.roles``), the reasons drawn from them (asked to be contacted,
    high stress, stress worse) are one « confidential signal », where the first of them was.
    """
    items = triage_reason_items(laureate, show_confidential=show_confidential)
    return [reason for reason, _new in items]
