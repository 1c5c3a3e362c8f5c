"""This app's part of the staff overview (emergence/overview.py): per workshop series, the
sessions held, the laureates registered and present, and the average rating; per track."""

from collections import defaultdict

from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from emergence.overview import (
    Chart,
    Headline,
    OverviewFilters,
    OverviewPart,
    Panel,
    Table,
    overview_link,
)
from laureates.models import Track
from laureates.overview import laureate_q
from workshops.models import Feedback, Registration, RegistrationStatus, Session, WorkshopSeries

SESSIONS_LIST = "admin:workshops_session_changelist"
REGISTRATIONS_LIST = "admin:workshops_registration_changelist"


def _scalar(queryset, aggregate, group: str = "series") -> Subquery:
    """One number per series from ``queryset`` (already tied to ``OuterRef("pk")`` by
    ``group``)."""
    return Subquery(queryset.order_by().values(group).annotate(v=aggregate).values("v")[:1])


def _series(filters: OverviewFilters):
    """The series of the filters' school year and track, with their figures, in one query."""
    now = timezone.now()
    series = WorkshopSeries.objects.all()
    if filters.school_year is not None:
        series = series.filter(school_year=f"{filters.school_year}-{filters.school_year + 1}")
    if filters.track:
        series = series.filter(track=filters.track)
    held = Session.objects.filter(
        series=OuterRef("pk"), published_at__isnull=False, starts_at__lt=now
    )
    registrations = Registration.objects.filter(
        laureate_q(filters, "laureate__"),
        session__series=OuterRef("pk"),
        session__starts_at__lt=now,
        status=RegistrationStatus.CONFIRMED,
    )
    feedback = Feedback.objects.filter(laureate_q(filters, "laureate__"), series=OuterRef("pk"))
    return series.annotate(
        held=Coalesce(_scalar(held, Count("pk")), 0, output_field=IntegerField()),
        registered=Coalesce(
            _scalar(registrations, Count("pk"), "session__series"), 0, output_field=IntegerField()
        ),
        present=Coalesce(
            _scalar(registrations, Count("pk", filter=Q(attended=True)), "session__series"),
            0,
            output_field=IntegerField(),
        ),
        rating=_scalar(feedback, Avg("rating")),
        ratings=Coalesce(_scalar(feedback, Count("pk")), 0, output_field=IntegerField()),
    ).order_by("-school_year", "track", "pk")


def workshops_panel(filters: OverviewFilters) -> Panel:
    series = list(_series(filters))
    track_labels = dict(Track.choices)
    rows, links = [], []
    by_track: dict = defaultdict(
        lambda: {"held": 0, "registered": 0, "present": 0, "sum": 0.0, "n": 0}
    )
    for line in series:
        rows.append(
            [
                f"{track_labels.get(line.track, line.track)} {line.school_year}",
                line.held,
                line.registered,
                line.present,
                None if line.rating is None else round(line.rating, 2),
            ]
        )
        in_series = {"session__series__id__exact": line.pk}
        links.append(
            [
                None,
                overview_link(SESSIONS_LIST, series__id__exact=line.pk),
                overview_link(
                    REGISTRATIONS_LIST,
                    status__exact=RegistrationStatus.CONFIRMED,
                    **in_series,
                ),
                overview_link(
                    REGISTRATIONS_LIST,
                    attended__exact=1,
                    **in_series,
                ),
                overview_link("admin:workshops_feedback_changelist", series__id__exact=line.pk),
            ]
        )
        track = by_track[line.track]
        track["held"] += line.held
        track["registered"] += line.registered
        track["present"] += line.present
        if line.rating is not None:
            track["sum"] += line.rating * line.ratings
            track["n"] += line.ratings
    held = sum(line.held for line in series)
    columns = [
        gettext("Series"),
        gettext("Sessions held"),
        gettext("Registered"),
        gettext("Present"),
        gettext("Average rating (1 to 5)"),
    ]
    per_series = Table(
        key="workshops_series",
        title=gettext("Workshops per series"),
        summary=gettext(
            "%(held)d sessions held in %(series)d series; %(present)d of %(registered)d "
            "registrations were present."
        )
        % {
            "held": held,
            "series": len(series),
            "present": sum(line.present for line in series),
            "registered": sum(line.registered for line in series),
        },
        columns=columns,
        rows=rows,
        links=links,
        chart=Chart(kind="bar", series=[1, 2, 3]),
    )
    track_rows = [
        [
            str(track_labels.get(track, track)),
            figures["held"],
            figures["registered"],
            figures["present"],
            round(figures["sum"] / figures["n"], 2) if figures["n"] else None,
        ]
        for track, figures in sorted(by_track.items())
    ]
    per_track = Table(
        key="workshops_tracks",
        title=gettext("Workshops per track"),
        summary=gettext("The same figures added up per track (%(count)d tracks).")
        % {"count": len(track_rows)},
        columns=[gettext("Track"), *columns[1:]],
        rows=track_rows,
        links=[
            [None, overview_link(SESSIONS_LIST, series__track__exact=track), None, None, None]
            for track in sorted(by_track)
        ],
        chart=Chart(kind="bar", series=[1, 2, 3]),
    )
    return Panel(key="workshops", title=gettext("Workshops"), tables=[per_series, per_track])


def panels(filters: OverviewFilters) -> list[Panel]:
    if not filters.allows("workshops.view_session", "workshops.view_workshopseries"):
        return []
    return [workshops_panel(filters)]


def headline(filters: OverviewFilters) -> list[Headline]:
    held = sum(line.held for line in _series(filters))
    return [Headline("workshops_held", gettext("Workshop sessions held"), held)]


PART = OverviewPart(app="workshops", order=50, panels=panels, headline=headline)
