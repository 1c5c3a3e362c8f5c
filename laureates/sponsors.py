"""Sponsors in the loop: their account and sign-in link, the meetings either side logs and
the other confirms, the end of a sponsorship, the yearly fit question, the nudges after a
long gap without a meeting and the per-company figures staff read.

Sponsors never read report answers: what they see of a laureate is
:data:`SHARED_WITH_SPONSOR` and the laureate's own ``project_for_sponsor``."""

import datetime
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, DateField, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from sesame.backends import ModelBackend as SesameModelBackend
from sesame.utils import get_query_string

from emergence import roles
from emergence.outbox import OutboxMessage, outbox_enqueue, outbox_enqueue_many
from laureates.models import (
    EndReason,
    MeetingTopic,
    Side,
    Sponsor,
    SponsorMeeting,
    Sponsorship,
    SponsorshipFit,
)

#: The scope of the sign-in links: a token made for anything else never signs anyone in.
SIGN_IN_SCOPE = "sponsor-sign-in"
#: The fit question is asked once a year, from this many days into a sponsorship.
FIT_ASK_AFTER_DAYS = 90
#: Rows read per batch by the nudges.
NUDGE_BATCH = 500
#: What a sponsor reads of a laureate (besides the laureate's own ``project_for_sponsor``).
SHARED_WITH_SPONSOR = ("track", "study_year", "school", "degree", "degree_year")


# Accounts and sign-in ------------------------------------------------------------------------


def sponsor_account_give(*, sponsor: Sponsor):
    """Give ``sponsor`` an account (without a password: they sign in by a link) and return it.
    An account of that e-mail that is already someone else's kind is refused."""
    User = get_user_model()
    if sponsor.user_id is not None:
        return sponsor.user
    user = User.objects.by_email(sponsor.email).first()
    if user is not None:
        kind = roles.account_kind(user)
        if kind:
            raise ValidationError(
                gettext("%(email)s is already %(kind)s: a sponsor needs an account of their own.")
                % {"email": user.email, "kind": kind}
            )
    else:
        user = User.objects.create_user(
            email=sponsor.email, first_name=sponsor.first_name, last_name=sponsor.last_name
        )
    sponsor.user = user
    sponsor.save(update_fields=["user"])
    return user


def sponsor_account_welcome(*, sponsor: Sponsor):
    """E-mail a sponsor who was given access where to ask for their sign-in link."""
    return outbox_enqueue(
        key=f"sponsor-welcome:{sponsor.pk}:{uuid.uuid4().hex[:12]}",
        kind="sponsor_welcome",
        user=sponsor.user,
        template="sponsor_welcome",
        context={
            "first_name": sponsor.first_name,
            "url": settings.SITE_URL + reverse("sponsor:sign_in"),
        },
    )


def sponsor_sign_in_url(user) -> str:
    """A link that signs ``user`` in once, for ``SESAME_MAX_AGE`` seconds (15 minutes)."""
    return (
        settings.SITE_URL
        + reverse("sponsor:sign_in_link")
        + get_query_string(user, scope=SIGN_IN_SCOPE)
    )


def sponsor_account_of(email: str):
    """The active sponsor account of ``email``, or None (a staff, laureate or partner account,
    or an unknown address, gets nothing)."""
    User = get_user_model()
    user = User.objects.by_email(email).filter(is_active=True).first()
    if user is None or not roles.is_sponsor(user):
        return None
    return user


def sponsor_account_send_link(*, email: str) -> bool:
    """E-mail a sign-in link to the sponsor of ``email``, if there is one; the caller answers
    the same either way."""
    user = sponsor_account_of(email)
    if user is None:
        return False
    outbox_enqueue(
        key=f"sponsor-sign-in:{user.pk}:{uuid.uuid4().hex[:12]}",
        kind="sponsor_sign_in",
        user=user,
        template="sponsor_sign_in",
        context={
            "first_name": user.first_name,
            "url": sponsor_sign_in_url(user),
            "minutes": settings.SESAME_MAX_AGE // 60,
        },
    )
    return True


class SponsorLinkBackend(SesameModelBackend):
    """django-sesame's links, for sponsors' accounts only: a link made for a staff member (or
    a laureate, a partner member) signs nobody in. Passwords are checked by the other
    backends, behind axes' lockout."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and roles.is_sponsor(user)


# What a sponsor sees --------------------------------------------------------------------------


def sponsorships_of(user):
    """The sponsorships of the sponsor signed in as ``user``, current first."""
    return (
        Sponsorship.objects.filter(sponsor__user=user)
        .select_related("laureate__user", "sponsor__company")
        .annotate(
            meetings_count=Count("meetings", distinct=True),
            last_meeting_on=Max("meetings__date"),
            to_confirm=Count(
                "meetings",
                filter=Q(meetings__confirmed_at__isnull=True)
                & ~Q(meetings__logged_by=Side.SPONSOR),
                distinct=True,
            ),
        )
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on")
    )


# Meetings -------------------------------------------------------------------------------------


def meeting_log(
    *,
    sponsorship: Sponsorship,
    side: str,
    date: datetime.date,
    mode: str,
    topics: list[str] | None = None,
    note: str = "",
    private_note: str = "",
    today: datetime.date | None = None,
) -> SponsorMeeting:
    """Record a meeting one side (or staff) says took place; the other side confirms it."""
    today = today or timezone.localdate()
    if date > today:
        raise ValidationError({"date": gettext("A meeting cannot be logged before it happens.")})
    if date < sponsorship.started_on:
        raise ValidationError({"date": gettext("This date is before the sponsorship started.")})
    meeting = SponsorMeeting(
        sponsorship=sponsorship,
        date=date,
        mode=mode,
        topics=[topic for topic in MeetingTopic.values if topic in (topics or [])],
        note=note,
        private_note=private_note,
        logged_by=side,
    )
    meeting.full_clean()
    meeting.save()
    return meeting


def meeting_confirm(*, meeting: SponsorMeeting, side: str) -> bool:
    """The other side confirms the meeting took place; True when this call confirmed it
    (a second click changes nothing)."""
    if side == meeting.logged_by:
        raise ValidationError(
            gettext("The other side confirms a meeting, not the one who logged it.")
        )
    confirmed = SponsorMeeting.objects.filter(pk=meeting.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )
    meeting.refresh_from_db(fields=["confirmed_at"])
    return bool(confirmed)


# The end of a sponsorship and the yearly fit question ---------------------------------------


def sponsorship_end(
    *, sponsorship: Sponsorship, reason: str, on: datetime.date | None = None
) -> Sponsorship:
    """End a current sponsorship, saying why (``EndReason``)."""
    if reason not in EndReason.values:
        raise ValidationError({"end_reason": gettext("Say why the sponsorship ends.")})
    sponsorship.ended_on = max(on or timezone.localdate(), sponsorship.started_on)
    sponsorship.end_reason = reason
    sponsorship.full_clean()
    sponsorship.save(update_fields=["ended_on", "end_reason"])
    return sponsorship


def fit_due(*, sponsorship: Sponsorship, side: str, today: datetime.date | None = None) -> bool:
    """Whether ``side`` is asked this year's fit question for a current sponsorship."""
    today = today or timezone.localdate()
    if not sponsorship.is_current:
        return False
    if today - sponsorship.started_on < datetime.timedelta(days=FIT_ASK_AFTER_DAYS):
        return False
    return not SponsorshipFit.objects.filter(
        sponsorship=sponsorship, side=side, year=today.year
    ).exists()


def fit_answer(
    *,
    sponsorship: Sponsorship,
    side: str,
    score: int,
    comment: str = "",
    today: datetime.date | None = None,
) -> SponsorshipFit:
    """Record this year's answer of ``side``; a second answer the same year is refused."""
    today = today or timezone.localdate()
    if not fit_due(sponsorship=sponsorship, side=side, today=today):
        raise ValidationError(gettext("This question was already answered this year."))
    fit = SponsorshipFit(
        sponsorship=sponsorship, side=side, year=today.year, score=score, comment=comment
    )
    fit.full_clean()
    fit.save()
    return fit


# Nudges after a long gap ----------------------------------------------------------------------


def nudge_days() -> int:
    return int(getattr(settings, "SPONSOR_NUDGE_DAYS", 60))


def sponsorships_to_nudge(*, today: datetime.date):
    """Current sponsorships whose last meeting (logged by either side, confirmed or not), or
    whose start when there was none, is ``SPONSOR_NUDGE_DAYS`` or more days ago; annotated
    with ``gap_from``, the day the gap started."""
    last = (
        SponsorMeeting.objects.filter(sponsorship=OuterRef("pk"))
        .order_by("-date")
        .values("date")[:1]
    )
    cutoff = today - datetime.timedelta(days=nudge_days())
    return (
        Sponsorship.objects.current()
        .filter(laureate__user__is_active=True)
        .annotate(
            gap_from=Greatest(
                F("started_on"),
                Coalesce(Subquery(last, output_field=DateField()), F("started_on")),
            )
        )
        .filter(gap_from__lte=cutoff)
        .select_related("laureate__user", "sponsor__user")
        .order_by("pk")
    )


def sponsor_nudges_send(*, today: datetime.date | None = None, quiet: bool = False) -> int:
    """E-mail the sponsor (if they have an account) and the laureate of each sponsorship
    without a meeting for ``SPONSOR_NUDGE_DAYS``: once per gap (the outbox key names the
    sponsorship and the day the gap started), never during a quiet period (the caller, which
    may read the quiet periods, says so). Returns how many e-mails were written."""
    if quiet:
        return 0
    today = today or timezone.localdate()
    days = nudge_days()
    written = 0
    last_pk = 0
    while True:
        batch = list(sponsorships_to_nudge(today=today).filter(pk__gt=last_pk)[:NUDGE_BATCH])
        if not batch:
            return written
        last_pk = batch[-1].pk
        written += outbox_enqueue_many(messages=_nudges(batch, days=days))


def _nudges(batch, *, days: int):
    for sponsorship in batch:
        laureate_user = sponsorship.laureate.user
        sponsor = sponsorship.sponsor
        gap = sponsorship.gap_from.isoformat()
        yield OutboxMessage(
            key=f"sponsor-nudge:{sponsorship.pk}:laureate:{gap}",
            kind="sponsor_nudge",
            to=laureate_user.email,
            language=laureate_user.language,
            user_id=laureate_user.pk,
            template="sponsor_nudge_laureate",
            context={
                "first_name": laureate_user.first_name,
                "sponsor_name": str(sponsor),
                "days": days,
                "url": settings.SITE_URL + reverse("laureates:sponsor"),
            },
        )
        if sponsor.user is not None and sponsor.user.is_active:
            yield OutboxMessage(
                key=f"sponsor-nudge:{sponsorship.pk}:sponsor:{gap}",
                kind="sponsor_nudge",
                to=sponsor.user.email,
                language=sponsor.user.language,
                user_id=sponsor.user_id,
                template="sponsor_nudge_sponsor",
                context={
                    "first_name": sponsor.first_name,
                    "laureate_name": laureate_user.first_name,
                    "days": days,
                    "url": settings.SITE_URL
                    + reverse("sponsor:sponsorship", args=[sponsorship.pk]),
                },
            )


# Per-company figures (console) ---------------------------------------------------------------


def company_sponsor_figures(*, since: datetime.date | None = None) -> dict:
    """Per company: active sponsors, laureates followed now, and meetings per quarter since
    ``since`` (default: the start of last year). Three aggregate queries, whatever the size."""
    today = timezone.localdate()
    since = since or datetime.date(today.year - 1, 1, 1)
    Company = Sponsor._meta.get_field("company").related_model
    rows = list(
        Company.objects.filter(pk__in=Sponsor.objects.values("company"))
        .annotate(
            active_sponsors=Count(
                "sponsors",
                filter=Q(sponsors__sponsorships__ended_on__isnull=True),
                distinct=True,
            ),
            laureates_followed=Count(
                "sponsors__sponsorships__laureate",
                filter=Q(sponsors__sponsorships__ended_on__isnull=True),
                distinct=True,
            ),
        )
        .order_by("name")
        .values("pk", "name", "active_sponsors", "laureates_followed")
    )
    per_quarter = (
        SponsorMeeting.objects.filter(date__gte=since)
        .annotate(
            company=F("sponsorship__sponsor__company"),
            year=ExtractYear("date"),
            quarter=ExtractQuarter("date"),
        )
        .values("company", "year", "quarter")
        .annotate(
            meetings=Count("pk"),
            confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
        )
        .order_by("year", "quarter")
    )
    quarters: list[tuple[int, int]] = []
    day = since
    while day <= today:
        quarters.append((day.year, (day.month - 1) // 3 + 1))
        month = day.month + 3
        day = datetime.date(day.year + (month > 12), (month - 1) % 12 + 1, 1)
    counts = {(r["company"], r["year"], r["quarter"]): r for r in per_quarter}
    for row in rows:
        row["quarters"] = [
            counts.get((row["pk"], year, quarter), {"meetings": 0, "confirmed": 0})
            for year, quarter in quarters
        ]
    labels = [
        gettext("Q%(quarter)d %(year)d") % {"quarter": quarter, "year": year}
        for year, quarter in quarters
    ]
    return {"quarters": labels, "rows": rows}
