"""This app's part of the staff overview (emergence/overview.py): reports in and missing,
the triage, and the answers over time.

Each figure is one query grouped in the database. Confidential answers (stress, extra
questions marked confidential) are shown only as averages or counts over at least
``CONFIDENTIAL_MIN_GROUP`` laureates; a smaller group's cell is empty, with a note.
"""

import datetime
from collections import defaultdict

from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from emergence.overview import (
    CONFIDENTIAL_MIN_GROUP,
    Chart,
    Headline,
    OverviewFilters,
    OverviewPart,
    Panel,
    Table,
    overview_link,
)
from laureates.models import FollowUp, Laureate, Status
from laureates.overview import laureate_params, laureate_q, overview_window, quarter_label
from reports.models import (
    ActivityReport,
    Question,
    QuestionKind,
    ReportPeriod,
    ReportStatus,
    TriageState,
)
from reports.triage import (
    ANSWERED,
    CONFIDENTIAL_RULES,
    CONFIDENTIAL_SCALES,
    REASONS,
    SCALES,
    WEIGHTS,
    with_stored_triage,
)

REPORTS_LIST = "admin:reports_activityreport_changelist"
LAUREATES_LIST = "admin:laureates_laureate_changelist"
TRIAGES_LIST = "admin:reports_triage_changelist"
#: Cohorts compared by quarter since joining: the most recent promotions with answers.
COHORT_LINES = 5
#: Quarters since joining shown (four school years).
COHORT_QUARTERS = 16


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


def periods_q(filters: OverviewFilters, prefix: str = "", *, today: datetime.date) -> Q:
    """The periods of the school year chosen (its Q4, then Q1 to Q3 of the next calendar
    year, as ``periods_create_for_school_year`` makes them), else those that opened in the
    last two years; never one still to open."""
    opened = Q(**{f"{prefix}opens_on__lte": today})
    if filters.school_year is not None:
        year = filters.school_year
        return opened & (
            Q(**{f"{prefix}year": year, f"{prefix}quarter": 4})
            | Q(**{f"{prefix}year": year + 1, f"{prefix}quarter__lte": 3})
        )
    start, _end = overview_window(filters, today=today)
    return opened & Q(**{f"{prefix}opens_on__gte": start})


def _periods(filters: OverviewFilters, today: datetime.date):
    """The opened periods of the window, with their expected reports and what came in, in
    one query (the laureates owing a report: active, joined before the period opened)."""
    owing = Laureate.objects.filter(
        laureate_q(filters), status=Status.ACTIVE, joined_on__lt=OuterRef("opens_on")
    )
    reports = ActivityReport.objects.filter(
        laureate_q(filters, "laureate__"),
        period=OuterRef("pk"),
        laureate__status=Status.ACTIVE,
        laureate__joined_on__lt=OuterRef("opens_on"),
    )
    return list(
        ReportPeriod.objects.filter(periods_q(filters, today=today))
        .annotate(
            expected=_count(owing),
            on_time=_count(reports.filter(status__in=ANSWERED, is_late=False)),
            late=_count(reports.filter(status__in=ANSWERED, is_late=True)),
            draft=_count(reports.filter(status=ReportStatus.DRAFT)),
        )
        .order_by("year", "quarter")
    )


def reports_panel(filters: OverviewFilters, today: datetime.date) -> Panel:
    periods = _periods(filters, today)
    for period in periods:
        period.not_started = max(period.expected - period.on_time - period.late - period.draft, 0)
        period.answered = period.on_time + period.late
    recent = list(reversed(periods[-2:]))
    rows, links = [], []
    for period in recent:
        in_period = {"period__id__exact": period.pk, **laureate_params(filters, "laureate__")}
        rows.append(
            [
                period.slug,
                period.expected,
                period.on_time,
                period.late,
                period.draft,
                period.not_started,
            ]
        )
        links.append(
            [
                None,
                None,
                overview_link(
                    REPORTS_LIST, status__in="submitted,reviewed", is_late__exact=0, **in_period
                ),
                overview_link(
                    REPORTS_LIST, status__in="submitted,reviewed", is_late__exact=1, **in_period
                ),
                overview_link(REPORTS_LIST, status__exact=ReportStatus.DRAFT, **in_period),
                overview_link(LAUREATES_LIST, not_started=period.pk, **laureate_params(filters)),
            ]
        )
    status = Table(
        key="reports_status",
        title=gettext("Reports of the open and the last periods"),
        summary=(
            gettext(
                "%(period)s: %(answered)d of %(expected)d expected reports are in "
                "(%(late)d late), %(draft)d are drafts and %(missing)d not started."
            )
            % {
                "period": recent[0].slug,
                "answered": recent[0].answered,
                "expected": recent[0].expected,
                "late": recent[0].late,
                "draft": recent[0].draft,
                "missing": recent[0].not_started,
            }
            if recent
            else gettext("No report period has opened yet.")
        ),
        columns=[
            gettext("Period"),
            gettext("Expected"),
            gettext("Submitted on time"),
            gettext("Late"),
            gettext("Draft"),
            gettext("Not started"),
        ],
        rows=rows,
        links=links,
        chart=Chart(kind="stacked", series=[2, 3, 4, 5]),
        note=gettext(
            "Expected: active laureates who joined before the period opened. "
            "« Not started » opens the list of those without any report."
        ),
    )
    rate_rows = [
        [
            period.slug,
            period.expected,
            period.answered,
            round(100 * period.answered / period.expected, 1) if period.expected else None,
        ]
        for period in periods
    ]
    rates = [row[3] for row in rate_rows if row[3] is not None]
    response = Table(
        key="response_rate",
        title=gettext("Response rate per period"),
        summary=(
            gettext("From %(low)s %% to %(high)s %% of the expected reports answered, per period.")
            % {"low": min(rates), "high": max(rates)}
            if rates
            else gettext("No report expected in these periods.")
        ),
        columns=[
            gettext("Period"),
            gettext("Expected"),
            gettext("Answered"),
            gettext("Response rate (%)"),
        ],
        rows=rate_rows,
        links=[
            [
                None,
                None,
                overview_link(
                    REPORTS_LIST,
                    period__id__exact=period.pk,
                    status__in="submitted,reviewed",
                    **laureate_params(filters, "laureate__"),
                ),
                None,
            ]
            for period in periods
        ],
        chart=Chart(kind="line", series=[3], y_range=(0, 100)),
    )
    return Panel(key="reports", title=gettext("Activity reports"), tables=[status, response])


# Triage ---------------------------------------------------------------------------------

#: The reasons counted, in the triage's order (the drops of the scales are one line).
REASON_RULES = [rule for rule in WEIGHTS if rule != "drop"]


def triage_panel(filters: OverviewFilters, today: datetime.date) -> Panel:
    active = Laureate.objects.active().filter(laureate_q(filters))
    drop = Q()
    for scale in SCALES:
        drop |= Q(**{f"triage_drop_{scale}": True})
    # The stored triage (reports/triage/stored.py): no scoring of everyone on the request. A
    # laureate added since the last refresh has no row yet and counts as needing nothing.
    counts = with_stored_triage(active).aggregate(
        group=Count("pk"),
        any=Count("pk", filter=Q(triage_score__gte=1)),
        drop=Count("pk", filter=drop),
        **{rule: Count("pk", filter=Q(**{f"triage_{rule}": True})) for rule in REASON_RULES},
    )
    hidden = counts["group"] < CONFIDENTIAL_MIN_GROUP
    reason_rows = [[gettext("any reason"), counts["any"]]]
    reason_links = [
        [None, overview_link(LAUREATES_LIST, attention="yes", **laureate_params(filters))]
    ]
    for rule in [*REASON_RULES, "drop"]:
        if rule == "flag":
            label = gettext("flagged by a staff member")
        elif rule == "drop":
            label = gettext("2 points worse or more since the last report")
        else:
            label = str(REASONS[rule])
        confidential = rule in CONFIDENTIAL_RULES or rule == "drop"
        reason_rows.append([label, None if confidential and hidden else counts[rule]])
        # The triage list filters by a reason (never by one read from confidential answers).
        link = None
        if rule in REASONS and not confidential:
            link = overview_link(LAUREATES_LIST, reason=rule, **laureate_params(filters))
        reason_links.append([None, link])
    reasons = Table(
        key="attention_reasons",
        title=gettext("Laureates needing attention, by reason"),
        summary=gettext(
            "%(count)d of %(group)d active laureates need attention; a laureate may have "
            "several reasons."
        )
        % {"count": counts["any"], "group": counts["group"]},
        columns=[gettext("Reason"), gettext("Laureates")],
        rows=reason_rows,
        links=reason_links,
        chart=Chart(kind="bar", series=[1]),
        note=_hidden_note() if hidden else "",
    )

    # One grouped query: per referent and triage state, with the overdue next contacts, and
    # (the same number on every line) the contacts made this month.
    month_start = today.replace(day=1)
    contacts_made = FollowUp.objects.filter(
        laureate_q(filters, "laureate__"), date__gte=month_start, date__lte=today
    )
    grouped = (
        active.values(
            "referent_id",
            "referent__first_name",
            "referent__last_name",
            "referent__email",
            "triage__state",
        )
        .annotate(
            count=Count("pk"),
            overdue=Count(
                "pk",
                filter=Q(triage__next_contact_on__lt=today) & ~Q(triage__state=TriageState.CLOSED),
            ),
            contacts=_count(contacts_made),
        )
        .order_by()
    )
    states = [state for state, _label in TriageState.choices]
    by_state: dict[str, int] = defaultdict(int)
    per_referent: dict = {}
    overdue = 0
    contacts = None
    for line in grouped:
        contacts = line["contacts"]
        state = line["triage__state"] or TriageState.NEW
        by_state[state] += line["count"]
        overdue += line["overdue"]
        key = line["referent_id"]
        if key not in per_referent:
            name = " ".join(
                part for part in (line["referent__first_name"], line["referent__last_name"]) if part
            )
            per_referent[key] = {
                "name": name or line["referent__email"] or gettext("no referent"),
                **{state: 0 for state in states},
            }
        per_referent[key][state] += line["count"]
    state_table = Table(
        key="triage_states",
        title=gettext("Active laureates by triage state"),
        summary=gettext(
            "%(new)d new, %(assigned)d assigned, %(contacted)d contacted, %(closed)d closed."
        )
        % {state: by_state[state] for state in states},
        columns=[gettext("Triage state"), gettext("Laureates")],
        rows=[[str(label), by_state[state]] for state, label in TriageState.choices],
        links=[
            [
                None,
                overview_link(
                    LAUREATES_LIST,
                    triage=state,
                    status__exact=Status.ACTIVE,
                    **laureate_params(filters),
                ),
            ]
            for state in states
        ],
        chart=Chart(kind="bar", series=[1]),
    )
    referents = sorted(
        per_referent.items(), key=lambda item: (item[0] is None, item[1]["name"].casefold())
    )
    referent_rows, referent_links = [], []
    for referent_id, line in referents:
        referent = (
            {"referent__id__exact": referent_id}
            if referent_id is not None
            else {"referent__isnull": "True"}
        )
        params = {
            "status__exact": Status.ACTIVE,
            **laureate_params(filters),
            **referent,
        }
        referent_rows.append(
            [line["name"], sum(line[state] for state in states), *[line[s] for s in states]]
        )
        referent_links.append(
            [
                None,
                overview_link(LAUREATES_LIST, **params),
                *[overview_link(LAUREATES_LIST, triage=state, **params) for state in states],
            ]
        )
    referent_table = Table(
        key="referents",
        title=gettext("Laureates followed per referent, by triage state"),
        summary=gettext("%(count)d referents follow the active laureates.")
        % {"count": len([key for key in per_referent if key is not None])},
        columns=[
            gettext("Referent"),
            gettext("Laureates"),
            *[str(label) for _state, label in TriageState.choices],
        ],
        rows=referent_rows,
        links=referent_links,
        chart=Chart(kind="stacked", series=[2, 3, 4, 5]),
    )
    if contacts is None:  # no active laureate: no line to read it from
        contacts = contacts_made.count()
    contact_table = Table(
        key="contacts",
        title=gettext("Contacts"),
        summary=gettext(
            "%(contacts)d contacts made since %(start)s; %(overdue)d next contacts overdue."
        )
        % {"contacts": contacts, "start": month_start.isoformat(), "overdue": overdue},
        columns=[gettext("What"), gettext("Number")],
        rows=[
            [gettext("contacts made this month"), contacts],
            [gettext("next contacts overdue"), overdue],
        ],
        links=[
            [
                None,
                overview_link(
                    "admin:laureates_followup_changelist",
                    date__gte=month_start.isoformat(),
                    date__lte=today.isoformat(),
                ),
            ],
            [
                None,
                overview_link(
                    TRIAGES_LIST,
                    next_contact_on__lt=today.isoformat(),
                    state__in="new,assigned,contacted",
                ),
            ],
        ],
    )
    return Panel(
        key="triage",
        title=gettext("Triage"),
        tables=[reasons, state_table, referent_table, contact_table],
        internal=True,
    )


# Answers over time ----------------------------------------------------------------------


def _cells(values: dict, scales, confidential_counts: dict) -> list:
    """The averages of one group, rounded, with a confidential scale's cell left empty
    under the threshold."""
    cells = []
    for scale in scales:
        value = values.get(f"avg_{scale}")
        if scale in confidential_counts and confidential_counts[scale] < CONFIDENTIAL_MIN_GROUP:
            value = None
        cells.append(None if value is None else round(value, 2))
    return cells


def _scale_label(scale: str) -> str:
    return str(SCALES[scale])


def answers_panel(filters: OverviewFilters, today: datetime.date) -> Panel:
    answered = ActivityReport.objects.filter(
        laureate_q(filters, "laureate__"), status__in=ANSWERED
    ).order_by()
    scales = list(SCALES)
    confidential = set(CONFIDENTIAL_SCALES)
    averages = {f"avg_{scale}": Avg(scale) for scale in scales}
    groups = {
        f"n_{scale}": Count("laureate", filter=Q(**{f"{scale}__isnull": False}), distinct=True)
        for scale in confidential
    }
    per_period = (
        answered.filter(periods_q(filters, "period__", today=today))
        .values("period__year", "period__quarter")
        .annotate(**averages, **groups)
        .order_by("period__year", "period__quarter")
    )
    rows, hidden = [], False
    for line in per_period:
        counts = {scale: line[f"n_{scale}"] for scale in confidential}
        hidden |= any(count < CONFIDENTIAL_MIN_GROUP for count in counts.values())
        rows.append(
            [
                quarter_label(line["period__year"], line["period__quarter"]),
                *_cells(line, scales, counts),
            ]
        )
    tables = [
        Table(
            key="answers_per_period",
            title=gettext("Average answers per period (1 to 5)"),
            summary=gettext(
                "The average of each 1–5 scale of the submitted reports, period by period; "
                "for stress, higher is worse."
            ),
            columns=[gettext("Period"), *[_scale_label(scale) for scale in scales]],
            rows=rows,
            chart=Chart(kind="line", series=list(range(1, len(scales) + 1)), y_range=(1, 5)),
            note=_hidden_note() if hidden else "",
        )
    ]
    questions = _comparable_questions()
    tables += _cohort_tables(answered, scales, confidential, questions)
    tables += _extra_tables(answered.filter(periods_q(filters, "period__", today=today)), questions)
    return Panel(key="answers", title=gettext("Answers over time"), tables=tables)


def _cohort_tables(
    answered, scales: list[str], confidential: set[str], questions: list[dict]
) -> list[Table]:
    """Per scale, and per extra scale question comparable across questionnaire versions, its
    average by quarter since joining, one column (line) per promotion: this year's
    first-years beside last year's at the same point, whichever version each answered."""
    extras = [question for question in questions if question["kind"] == QuestionKind.SCALE]
    # Each measure: (table key, title, summary, average's alias, count's alias when the
    # answer is confidential). The core scales and the extra questions in one grouped query.
    measures = []
    aggregates: dict = {}
    for scale in scales:
        aggregates[f"avg_{scale}"] = Avg(scale)
        if scale in confidential:
            aggregates[f"n_{scale}"] = Count(
                "laureate", filter=Q(**{f"{scale}__isnull": False}), distinct=True
            )
        measures.append(
            (
                f"cohorts_{scale}",
                gettext("%(scale)s by quarter since joining, per promotion")
                % {"scale": _scale_label(scale).capitalize()},
                gettext(
                    "The average answer (1 to 5) at the same point of each promotion's "
                    "time in the programme: the 1st quarter is the first report owed."
                ),
                f"avg_{scale}",
                f"n_{scale}" if scale in confidential else None,
            )
        )
    for number, question in enumerate(extras):
        path = f"extra_answers__{question['key']}"
        aggregates[f"avg_x{number}"] = Avg(Cast(KT(path), FloatField()))
        if question["confidential"]:
            aggregates[f"n_x{number}"] = Count(
                "laureate", filter=Q(**{f"{path}__isnull": False}), distinct=True
            )
        measures.append(
            (
                f"cohorts_extra_{question['key']}",
                gettext("« %(question)s » by quarter since joining, per promotion")
                % {"question": question["label"]},
                gettext(
                    "The average answer (1 to 5) to the extra question « %(key)s », asked in "
                    "%(versions)d questionnaire versions, at the same point of each "
                    "promotion's time in the programme: the 1st quarter is the first report "
                    "owed."
                )
                % {"key": question["key"], "versions": question["versions"]},
                f"avg_x{number}",
                f"n_x{number}" if question["confidential"] else None,
            )
        )
    period_index = F("period__year") * 4 + F("period__quarter")
    joined_index = ExtractYear("laureate__joined_on") * 4 + ExtractQuarter("laureate__joined_on")
    grouped = (
        answered.annotate(since=period_index - joined_index)
        .filter(since__gte=1, since__lte=COHORT_QUARTERS)
        .values("laureate__promotion__year", "since")
        .annotate(**aggregates)
        .order_by()
    )
    cells: dict = defaultdict(dict)
    for line in grouped:
        cells[line["laureate__promotion__year"]][line["since"]] = line
    promotions = sorted(cells)[-COHORT_LINES:]
    if not promotions:
        return []
    last = max(since for year in promotions for since in cells[year])
    tables = []
    for key, title, summary, average, count in measures:
        rows, hidden = [], False
        for since in range(1, last + 1):
            row: list = [since]
            for year in promotions:
                line = cells[year].get(since)
                value = None if line is None else line[average]
                if line is not None and count is not None:
                    if line[count] < CONFIDENTIAL_MIN_GROUP:
                        hidden = hidden or value is not None
                        value = None
                row.append(None if value is None else round(value, 2))
            rows.append(row)
        if (
            key.startswith("cohorts_extra_")
            and all(cell is None for row in rows for cell in row[1:])
            and not hidden
        ):
            continue  # an extra question no promotion answered in these quarters
        tables.append(
            Table(
                key=key,
                title=title,
                summary=summary,
                columns=[
                    gettext("Quarter since joining"),
                    *[
                        pgettext("overview column", "Promotion %(year)s") % {"year": year}
                        for year in promotions
                    ],
                ],
                rows=rows,
                chart=Chart(
                    kind="line", series=list(range(1, len(promotions) + 1)), y_range=(1, 5)
                ),
                note=_hidden_note() if hidden else "",
            )
        )
    return tables


COMPARABLE_KINDS = [QuestionKind.SCALE, QuestionKind.CHOICE, QuestionKind.YES_NO]


def _comparable_questions() -> list[dict]:
    """The extra questions' keys whose type is the same in every questionnaire version that
    asks them (numeric or choice), with the latest version's label and choices."""
    by_key: dict[str, list] = defaultdict(list)
    questions = Question.objects.filter(kind__in=COMPARABLE_KINDS).order_by(
        "key", "-questionnaire__created_at", "-questionnaire__version"
    )
    for question in questions.only(
        "key", "kind", "label_fr", "label_en", "choices", "confidential"
    ):
        by_key[question.key].append(question)
    comparable = []
    for key, versions in by_key.items():
        if "__" in key or len({question.kind for question in versions}) != 1:
            continue
        latest = versions[0]
        if latest.kind == QuestionKind.YES_NO:
            options = [(True, gettext("Yes")), (False, gettext("No"))]
        elif latest.kind == QuestionKind.CHOICE:
            options = latest.choice_list()
        else:
            options = []
        comparable.append(
            {
                "key": key,
                "kind": latest.kind,
                "label": latest.label,
                "options": options,
                "confidential": any(question.confidential for question in versions),
                "versions": len(versions),
            }
        )
    return comparable


def _extra_tables(answered, questions: list[dict]) -> list[Table]:
    """Per comparable extra question, its answers per period, whatever version asked it:
    the average of a scale, the number of each choice; one query for them all."""
    if not questions:
        return []
    aggregates = {}
    for number, question in enumerate(questions):
        path = f"extra_answers__{question['key']}"
        aggregates[f"q{number}_n"] = Count("pk", filter=Q(**{f"{path}__isnull": False}))
        if question["kind"] == QuestionKind.SCALE:
            aggregates[f"q{number}_avg"] = Avg(Cast(KT(path), FloatField()))
        else:
            for option, (value, _label) in enumerate(question["options"]):
                aggregates[f"q{number}_{option}"] = Count("pk", filter=Q(**{path: value}))
    lines = list(
        answered.values("period__year", "period__quarter")
        .annotate(**aggregates)
        .order_by("period__year", "period__quarter")
    )
    tables = []
    for number, question in enumerate(questions):
        rows, hidden = [], False
        for line in lines:
            answers = line[f"q{number}_n"]
            if not answers:
                continue
            small = question["confidential"] and answers < CONFIDENTIAL_MIN_GROUP
            hidden |= small
            period = quarter_label(line["period__year"], line["period__quarter"])
            if question["kind"] == QuestionKind.SCALE:
                value = line[f"q{number}_avg"]
                rows.append([period, answers, None if small or value is None else round(value, 2)])
            else:
                rows.append(
                    [
                        period,
                        answers,
                        *[
                            None if small else line[f"q{number}_{option}"]
                            for option in range(len(question["options"]))
                        ],
                    ]
                )
        if not rows:
            continue
        if question["kind"] == QuestionKind.SCALE:
            columns = [gettext("Period"), gettext("Answers"), gettext("Average (1 to 5)")]
            chart = Chart(kind="line", series=[2], y_range=(1, 5))
        else:
            columns = [
                gettext("Period"),
                gettext("Answers"),
                *[str(label) for _value, label in question["options"]],
            ]
            chart = Chart(kind="stacked", series=list(range(2, len(columns))))
        tables.append(
            Table(
                key=f"extra_{question['key']}",
                title=question["label"],
                summary=gettext(
                    "Extra question « %(key)s », compared across %(versions)d questionnaire "
                    "versions, per period."
                )
                % {"key": question["key"], "versions": question["versions"]},
                columns=columns,
                rows=rows,
                chart=chart,
                note=_hidden_note() if hidden else "",
            )
        )
    return tables


def panels(filters: OverviewFilters) -> list[Panel]:
    today = timezone.localdate()
    found = []
    if filters.allows("reports.view_activityreport"):
        found.append(reports_panel(filters, today))
    if filters.allows("reports.view_triage"):
        found.append(triage_panel(filters, today))
    if filters.allows("reports.view_activityreport"):
        found.append(answers_panel(filters, today))
    return found


def headline(filters: OverviewFilters) -> list[Headline]:
    answered = ActivityReport.objects.filter(
        laureate_q(filters, "laureate__"),
        periods_q(filters, "period__", today=timezone.localdate()),
        status__in=ANSWERED,
    ).count()
    return [Headline("reports_answered", gettext("Reports answered"), answered)]


PART = OverviewPart(app="reports", order=10, panels=panels, headline=headline)
