"""The answers panel: the averages per period and per promotion, and the extra questions."""

import datetime
from collections import defaultdict

from django.db.models import Avg, Count, F, FloatField, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, ExtractQuarter, ExtractYear
from django.utils.translation import gettext, pgettext

from emergence.overview import CONFIDENTIAL_MIN_GROUP, Chart, OverviewFilters, Panel, Table
from laureates.overview import laureate_q, quarter_label
from reports.models import ActivityReport, Question, QuestionKind
from reports.overview.common import _hidden_note
from reports.overview.reports import periods_q
from reports.triage import ANSWERED, CONFIDENTIAL_SCALES, SCALES

#: Cohorts compared by quarter since joining: the most recent promotions with answers.
COHORT_LINES = 5
#: Quarters since joining shown (four school years).
COHORT_QUARTERS = 16


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
