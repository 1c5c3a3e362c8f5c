"""The changes that span several rows: proposing, publishing, registering, cancelling,
promoting from the waiting list, attendance, reminders, feedback and calendar tokens.

Views, the admin, tasks and commands call these; none of them re-implements a rule.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from emergence.models import OutboxEmail
from emergence.outbox import outbox_enqueue
from laureates.models import Laureate, Status
from workshops import moments
from workshops.animators import (
    absences_refresh,
    animators_tell_published,
    attendance_is_open,
    series_publish_check,
)
from workshops.models import (
    CalendarFeed,
    Feedback,
    Moment,
    Registration,
    RegistrationStatus,
    Session,
    WorkshopSeries,
    moment_window,
    new_feed_token,
)

PROPOSED_START = datetime.time(14, 0)
PROPOSED_DURATION = datetime.timedelta(hours=3)
REMINDER_DAYS_BEFORE = 2
# Feedback is asked for this long after a series' last session, not for older series.
FEEDBACK_WINDOW = datetime.timedelta(days=30)


def series_propose_sessions(*, series: WorkshopSeries) -> tuple[list[Session], list[str]]:
    """Create an unpublished session for each of the track's key moments that no session of
    the series prepares for yet, in the moment's window (workshops.moments.proposed_day: school
    holidays of the series' zone for prépa, weekends for the other tracks, never a public
    holiday, exams or another session of the track); staff then adjust them. Returns the new
    sessions and the moments that have no key date."""
    key_dates = {key.kind: key for key in series.key_dates()}
    taken = set(series.sessions.values_list("moment", flat=True))
    busy = moments.busy_days(series=series)
    created, missing = [], []
    for moment in Moment:
        if moment in taken:
            continue
        key = key_dates.get(moment)
        if key is None:
            missing.append(moment.label)
            continue
        day = moments.proposed_day(
            window=key.window, track=series.track, zone=series.school_zone, avoid=busy
        )
        busy.add(day)
        starts_at = timezone.make_aware(datetime.datetime.combine(day, PROPOSED_START))
        created.append(
            Session.objects.create(
                series=series,
                moment=moment,
                theme=_("Before %(label)s") % {"label": key.label},
                starts_at=starts_at,
                ends_at=starts_at + PROPOSED_DURATION,
                place=_("To be confirmed"),
            )
        )
    return created, missing


def proposed_start(
    *, key_date: datetime.date, moment: str, track: str = "", zone: str = ""
) -> datetime.datetime:
    """The afternoon a session for ``moment`` would be proposed on, from its key date and the
    usual window (for callers without a KeyDate row, like the demo)."""
    day = moments.proposed_day(
        window=moment_window(kind=moment, date=key_date),
        track=track,
        zone=zone or settings.WORKSHOPS_DEFAULT_ZONE,
    )
    return timezone.make_aware(datetime.datetime.combine(day, PROPOSED_START))


def audience_of(session: Session):
    """The active laureates a session is for: its series' track and audience years."""
    series = session.series
    return (
        Laureate.objects.active()
        .filter(
            track=series.track,
            study_year__gte=series.audience_from_year,
            study_year__lte=series.audience_to_year,
            user__is_active=True,
        )
        .select_related("user")
    )


@transaction.atomic
def session_publish(*, session: Session, now: datetime.datetime | None = None) -> int:
    """Publish the session and invite its audience by e-mail, once each; returns how many
    laureates were invited. Publishing again invites only those not invited yet. Refused
    (ValidationError) while the series has no active staff lead or no animator; its
    animators are told."""
    series_publish_check(series=session.series)
    Session.objects.filter(pk=session.pk, published_at__isnull=True).update(
        published_at=now or timezone.now()
    )
    session.refresh_from_db()
    invited = 0
    for laureate in audience_of(session):
        user = laureate.user
        outbox_enqueue(
            key=_invitation_key(session, user),
            kind="workshop-invitation",
            template="workshop_invitation",
            context=_mail_context(session, user),
            user=user,
        )
        invited += 1
    animators_tell_published(session=session)
    return invited


def _invitation_key(session: Session, user) -> str:
    return f"workshop-invitation:session-{session.pk}:user-{user.pk}"


def session_to_invite(session: Session) -> list[Laureate]:
    """Who publishing the session would e-mail now: its audience not invited yet."""
    audience = list(audience_of(session).order_by("user__last_name", "user__first_name"))
    keys = {_invitation_key(session, laureate.user): laureate for laureate in audience}
    sent = set(OutboxEmail.objects.filter(key__in=keys).values_list("key", flat=True))
    return [laureate for key, laureate in keys.items() if key not in sent]


@transaction.atomic
def workshop_register(
    *, session: Session, laureate: Laureate, now: datetime.datetime | None = None
) -> Registration:
    """Register the laureate, or put them on the waiting list when the session is full.

    The session row is locked first, so concurrent registrations count the places one after
    the other and the capacity holds.
    """
    now = now or timezone.now()
    session = Session.objects.select_for_update().select_related("series").get(pk=session.pk)
    if not session.is_published or session.starts_at <= now:
        raise ValidationError(_("Registration for this session is closed."), code="closed")
    if (
        laureate.status != Status.ACTIVE
        or not Session.objects.for_audience(laureate).filter(pk=session.pk).exists()
    ):
        raise ValidationError(_("This session is not open to you."), code="not_audience")
    registration = Registration.objects.filter(session=session, laureate=laureate).first()
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        return registration
    full = session.registrations.confirmed().count() >= session.capacity
    status = RegistrationStatus.WAITING if full else RegistrationStatus.CONFIRMED
    if registration is None:
        return Registration.objects.create(
            session=session, laureate=laureate, status=status, registered_at=now
        )
    registration.status = status
    registration.registered_at = now
    registration.cancelled_at = registration.promoted_at = None
    registration.save(update_fields=["status", "registered_at", "cancelled_at", "promoted_at"])
    return registration


@transaction.atomic
def registration_cancel(
    *, registration: Registration, now: datetime.datetime | None = None
) -> list[Registration]:
    """Cancel a registration; a freed place goes to the waiting list at once, in the same
    transaction. Returns the registrations moved off the waiting list."""
    now = now or timezone.now()
    session = Session.objects.select_for_update().get(pk=registration.session_id)
    registration.refresh_from_db()
    if session.starts_at <= now:
        raise ValidationError(
            _("This session has started: it can no longer be cancelled."), code="started"
        )
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    return session_fill_from_waiting_list(session=session, now=now)


@transaction.atomic
def session_fill_from_waiting_list(
    *, session: Session, now: datetime.datetime | None = None
) -> list[Registration]:
    """Move the first laureates of the waiting list into the free places (a cancellation, a
    larger capacity), each told by e-mail. Nothing moves once the session has started."""
    now = now or timezone.now()
    session = Session.objects.select_for_update().select_related("series").get(pk=session.pk)
    if session.starts_at <= now:
        return []
    free = session.capacity - session.registrations.confirmed().count()
    if free <= 0:
        return []
    promoted = list(session.registrations.waiting().select_related("laureate__user")[:free])
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        user = registration.laureate.user
        outbox_enqueue(
            # The time in the key: promoted again after cancelling and waiting again is news.
            key=f"workshop-promoted:session-{session.pk}:user-{user.pk}:{now:%Y%m%dT%H%M%S%f}",
            kind="workshop-promoted",
            template="workshop_promoted",
            context=_mail_context(session, user),
            user=user,
        )
    return promoted


@transaction.atomic
def attendance_record(*, session: Session, attended: set[int]) -> int:
    """Mark who came among the confirmed registrations (``attended``: registration ids);
    the others are marked absent, and each one's count of absences of the current school
    year (read by the triage score) is rewritten. Returns how many came."""
    registrations = session.registrations.confirmed()
    registrations.filter(pk__in=attended).update(attended=True)
    registrations.exclude(pk__in=attended).update(attended=False)
    absences_refresh(laureate_ids=list(registrations.values_list("laureate_id", flat=True)))
    return registrations.filter(attended=True).count()


def session_sheet_save(
    *,
    session: Session,
    attended: set[int],
    note: str,
    now: datetime.datetime | None = None,
) -> int:
    """The animator's sheet: who came (registration ids) and the session note. Refused
    before the session's day. Returns how many came."""
    if not attendance_is_open(session, now):
        raise ValidationError(
            _("Attendance is taken from the day of the session."), code="too_early"
        )
    with transaction.atomic():
        count = attendance_record(session=session, attended=attended)
        Session.objects.filter(pk=session.pk).update(animator_note=note.strip())
    return count


def session_reminders_send(*, day: datetime.date) -> int:
    """Remind each registered laureate of a session starting within REMINDER_DAYS_BEFORE days
    of ``day``, once (the outbox key makes a second run send nothing). Catching up on a day
    the job did not run, a late registration is still reminded. Returns how many were queued."""
    first = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    first += datetime.timedelta(days=1)
    last = first + datetime.timedelta(days=REMINDER_DAYS_BEFORE)
    registrations = (
        Registration.objects.confirmed()
        .filter(
            session__published_at__isnull=False,
            session__starts_at__gte=first,
            session__starts_at__lt=last,
            laureate__user__is_active=True,
        )
        .select_related("session__series", "laureate__user")
    )
    count = 0
    for registration in registrations:
        session, user = registration.session, registration.laureate.user
        with transaction.atomic():
            outbox_enqueue(
                key=f"workshop-reminder:session-{session.pk}:user-{user.pk}",
                kind="workshop-reminder",
                template="workshop_reminder",
                context=_mail_context(session, user),
                user=user,
            )
        count += 1
    return count


def series_feedback_request(*, now: datetime.datetime | None = None) -> int:
    """Ask each laureate who attended a session, once it is over, for their rating of it and
    what helped, once; only for sessions ended within FEEDBACK_WINDOW. Returns how many
    were queued."""
    now = now or timezone.now()
    registrations = (
        Registration.objects.filter(
            attended=True,
            session__ends_at__lt=now,
            session__ends_at__gte=now - FEEDBACK_WINDOW,
            laureate__user__is_active=True,
        )
        .exclude(
            Exists(
                Feedback.objects.filter(
                    session=OuterRef("session_id"), laureate=OuterRef("laureate_id")
                )
            )
        )
        .select_related("session__series", "laureate__user")
    )
    count = 0
    for registration in registrations:
        session, user = registration.session, registration.laureate.user
        with transaction.atomic():
            outbox_enqueue(
                key=f"workshop-feedback:session-{session.pk}:user-{user.pk}",
                kind="workshop-feedback",
                template="workshop_feedback_request",
                context={
                    "session": session,
                    "series": session.series,
                    "user": user,
                    "url": _absolute(reverse("workshops:feedback", args=[session.pk])),
                },
                user=user,
            )
        count += 1
    return count


def feedback_give(
    *, session: Session, laureate: Laureate, rating: int, helped: str = "", comment: str = ""
) -> Feedback:
    """Record the laureate's one feedback on a session they attended."""
    if not Session.objects.awaiting_feedback_from(laureate).filter(pk=session.pk).exists():
        raise ValidationError(_("Feedback on this session is not open to you."), code="closed")
    # get_or_create: a double click that slips past the check keeps the first answer, no 500.
    feedback, _created = Feedback.objects.get_or_create(
        session=session,
        laureate=laureate,
        defaults={
            "series_id": session.series_id,
            "rating": rating,
            "helped": helped,
            "comment": comment,
        },
    )
    return feedback


def calendar_feed_reset(*, laureate: Laureate) -> CalendarFeed:
    """Give the laureate a new secret calendar address; the old one stops working."""
    feed, _created = CalendarFeed.objects.update_or_create(
        laureate=laureate, defaults={"token": new_feed_token(), "created_at": timezone.now()}
    )
    return feed


def _mail_context(session: Session, user) -> dict:
    return {
        "session": session,
        "series": session.series,
        "user": user,
        "url": _absolute(reverse("workshops:list")),
        "ics_url": _absolute(reverse("workshops:session_ics", args=[session.pk])),
    }


def _absolute(path: str) -> str:
    return settings.SITE_URL + path
