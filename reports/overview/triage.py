"""The triage panel: who needs attention and why, the triage states, referents and contacts."""

import datetime
from collections import defaultdict

from django.db.models import Count, Q
from django.utils.translation import gettext

from emergence.overview import (
    CONFIDENTIAL_MIN_GROUP,
    Chart,
    OverviewFilters,
    Panel,
    Table,
    overview_link,
)
from laureates.models import FollowUp, Laureate, Status
from laureates.overview import laureate_params, laureate_q
from reports.models import TriageState
from reports.overview.common import LAUREATES_LIST, TRIAGES_LIST, _count, _hidden_note
from reports.triage import CONFIDENTIAL_RULES, REASONS, SCALES, WEIGHTS, with_stored_triage

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
