"""The animators' part of a series: who may publish, changes of animators and their reasons,
the animators' e-mails, when they take attendance, and what attendance tells the team
(absences for the triage score, sessions attended in a quarter).

``workshops.services`` calls these (publishing, attendance), as do the admin, the views and
the daily task; this module does not import services.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from emergence.outbox import outbox_enqueue
from laureates.activities import Participation
from laureates.models import Laureate
from workshops.models import (
    AnimatorChange,
    AnimatorChangeKind,
    Registration,
    RegistrationStatus,
    Session,
    WorkshopSeries,
    school_year_of,
)

ANIMATOR_REMINDER_DAYS_BEFORE = 2
#: From this many sessions missed in a school year, a laureate shows in the triage.
ABSENCES_FOR_TRIAGE = 2


# Publishing -------------------------------------------------------------------------------


def series_publish_check(*, series: WorkshopSeries) -> None:
    """Refuse publishing a session of ``series`` without its staff lead and an animator."""
    errors = series.publish_errors()
    if errors:
        raise ValidationError(errors, code="series_not_ready")


def animators_tell_published(*, session: Session) -> int:
    """E-mail each animator of the session's series that it is published (once each)."""
    return _tell_animators(session, kind="published", template="workshop_animator_published")


# Changes of animators --------------------------------------------------------------------


def animators_change_record(
    *, series: WorkshopSeries, before: set[int], reason: str, by
) -> list[AnimatorChange]:
    """After the series' animators were set (they were ``before``, laureate ids): e-mail
    the newly named ones; once a session is published, record each change with ``reason``
    (required) and tell the laureates registered for the sessions to come. Returns the
    changes recorded."""
    after = {laureate.pk: laureate for laureate in series.animators.select_related("user")}
    added = [after[pk] for pk in sorted(set(after) - before)]
    removed = list(
        Laureate.objects.filter(pk__in=before - set(after)).select_related("user").order_by("pk")
    )
    if not added and not removed:
        return []
    changes: list[AnimatorChange] = []
    if series.animators_locked():
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(
                _(
                    "The animators stay the same for the school year once a session is "
                    "published: say why they change."
                ),
                code="reason",
            )
        now = timezone.now()
        changes = AnimatorChange.objects.bulk_create(
            [
                AnimatorChange(series=series, laureate=laureate, kind=kind, reason=reason, by=by)
                for kind, laureates in (
                    (AnimatorChangeKind.ADDED, added),
                    (AnimatorChangeKind.REMOVED, removed),
                )
                for laureate in laureates
            ]
        )
        _tell_registered_of_change(series, added, removed, stamp=f"{now:%Y%m%dT%H%M%S%f}")
    for laureate in added:
        user = laureate.user
        # A laureate named again after a change is told again: the change is in the key.
        stamp = f":change-{changes[0].pk}" if changes else ""
        outbox_enqueue(
            key=f"workshop-animator-named:series-{series.pk}:user-{user.pk}{stamp}",
            kind="workshop-animator-named",
            template="workshop_animator_named",
            context={
                "series": series,
                "user": user,
                "url": _absolute(reverse("workshops:animator_sessions")),
            },
            user=user,
        )
    return changes


def _tell_registered_of_change(series, added, removed, *, stamp: str) -> None:
    registered = (
        Laureate.objects.filter(
            workshop_registrations__session__series=series,
            workshop_registrations__session__ends_at__gt=timezone.now(),
            workshop_registrations__status__in=[
                RegistrationStatus.CONFIRMED,
                RegistrationStatus.WAITING,
            ],
            user__is_active=True,
        )
        .distinct()
        .select_related("user")
    )
    animators = [str(a) for a in series.animators.select_related("user")]
    for laureate in registered:
        user = laureate.user
        outbox_enqueue(
            key=f"workshop-animators-changed:series-{series.pk}:user-{user.pk}:{stamp}",
            kind="workshop-animators-changed",
            template="workshop_animators_changed",
            context={
                "series": series,
                "user": user,
                "added": [str(a) for a in added],
                "removed": [str(r) for r in removed],
                "animators": animators,
                "url": _absolute(reverse("workshops:list")),
            },
            user=user,
        )


# Sessions moved, reminders -----------------------------------------------------------------


def session_moved_tell(*, session: Session) -> int:
    """A published session's date changed: e-mail its animators the new date (once per
    date). Returns how many were queued."""
    if not session.is_published:
        return 0
    stamp = f"{session.starts_at:%Y%m%dT%H%M}"
    return _tell_animators(session, kind="moved", template="workshop_animator_moved", stamp=stamp)


def animator_reminders_send(*, day: datetime.date) -> int:
    """Remind the animators of each published session starting within
    ANIMATOR_REMINDER_DAYS_BEFORE days after ``day``, once. Returns how many were queued."""
    first = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    first += datetime.timedelta(days=1)
    last = first + datetime.timedelta(days=ANIMATOR_REMINDER_DAYS_BEFORE)
    sessions = (
        Session.objects.published()
        .filter(starts_at__gte=first, starts_at__lt=last)
        .select_related("series")
        .with_confirmed_count()
    )
    count = 0
    for session in sessions:
        with transaction.atomic():
            count += _tell_animators(
                session, kind="reminder", template="workshop_animator_reminder"
            )
    return count


def _tell_animators(session: Session, *, kind: str, template: str, stamp: str = "") -> int:
    count = 0
    for animator in session.series.animators.filter(user__is_active=True).select_related("user"):
        user = animator.user
        outbox_enqueue(
            key=f"workshop-animator-{kind}:session-{session.pk}:user-{user.pk}"
            + (f":{stamp}" if stamp else ""),
            kind=f"workshop-animator-{kind}",
            template=template,
            context={
                "session": session,
                "series": session.series,
                "user": user,
                "url": _absolute(reverse("workshops:animator_session", args=[session.pk])),
            },
            user=user,
        )
        count += 1
    return count


# The animator's sheet ----------------------------------------------------------------------


def attendance_is_open(session: Session, now: datetime.datetime | None = None) -> bool:
    """Animators take attendance during or after the session: from its day on."""
    return timezone.localdate(now or timezone.now()) >= timezone.localdate(session.starts_at)


# What attendance tells the team ---------------------------------------------------------


def absences_refresh(*, laureate_ids, school_year: str | None = None) -> None:
    """Rewrite ``Laureate.workshop_absences`` of these laureates: the sessions of
    ``school_year`` (the current one by default) they were registered for and missed
    (attendance_record calls it)."""
    school_year = school_year or school_year_of(timezone.localdate())
    missed = (
        Registration.objects.filter(
            laureate=OuterRef("pk"),
            status=RegistrationStatus.CONFIRMED,
            attended=False,
            session__series__school_year=school_year,
        )
        .order_by()
        .values("laureate")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Laureate.objects.filter(pk__in=laureate_ids).update(
        workshop_absences=Coalesce(Subquery(missed), 0)
    )


def absences_new_school_year() -> int:
    """Daily: recount the laureates who have absences, so that a new school year starts
    them from zero (safe to run any day). Returns how many were recounted."""
    ids = list(Laureate.objects.filter(workshop_absences__gt=0).values_list("pk", flat=True))
    absences_refresh(laureate_ids=ids)
    return len(ids)


def workshops_attended(laureate, *, start: datetime.date, end: datetime.date):
    """The sessions the laureate attended between two days (laureates.activities)."""
    sessions = (
        Session.objects.filter(
            registrations__laureate=laureate,
            registrations__attended=True,
            starts_at__date__gte=start,
            starts_at__date__lte=end,
        )
        .select_related("series")
        .order_by("starts_at")
    )
    return [
        Participation(
            day=timezone.localdate(session.starts_at),
            kind="workshop",
            label=f"{session.theme} ({session.series})",
        )
        for session in sessions
    ]


def _absolute(path: str) -> str:
    return settings.SITE_URL + path
