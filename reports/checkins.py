"""The sponsors' quarterly question: « Avez-vous rencontré <prénom> ce trimestre ? ».

Each quarter, CHECKIN_DAYS_BEFORE_DUE (7) days before a period's due date, the daily
reminders job (reports/reminders.py) e-mails each current sponsor of an active laureate who
owes that period (it opened after the day they joined) ONE question, with three links: yes,
not yet, we have lost contact. Its outbox key is per sponsorship and period, so the e-mail
goes once, whatever the runs; nothing goes in a quiet period (the step moves to the first
day after it, and is never sent after the due date).

A link records the answer without signing in. It is a ``django.core.signing`` value (salt
:data:`SALT`) holding the sponsor, the sponsorship, the period and the answer: changing any
of them breaks the signature. It can be used until the NEXT period opens (or, while that
one does not exist yet, 100 days after the due date): the sponsor may answer late, but an
old e-mail does not speak for a new quarter. A link is refused, with nothing recorded, when
it is tampered with or unknown (400), its sponsorship or period no longer exists (404), it
has expired, or its sponsorship has ended, or no longer belongs to that sponsor (400).

Clicking the same answer again changes nothing; another answer of the same e-mail replaces
it, with the time of the new click. The page that says « merci » lets the sponsor add a
note. Answers and notes are for staff only: the laureate does not see their sponsor's answer,
partner companies never do. Staff see them in the triage (reports/triage/score.py: no
meeting this quarter, answers that differ from the laureate's report, contact lost) and next
to the laureate's answer on the report's review page; an answer that brings one of these
reasons reopens a closed triage.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from emergence.models import OutboxEmail
from emergence.outbox import OutboxMessage
from laureates.models import Laureate, SponsorMeeting, Sponsorship, Status
from reports.models import CheckinAnswer, ReportPeriod, SponsorCheckin

SALT = "reports.sponsor-checkin"
#: The question goes this many days before the period's due date.
CHECKIN_DAYS_BEFORE_DUE = 7
#: A link's life when the next period does not exist yet: days after the due date.
FALLBACK_DAYS_AFTER_DUE = 100
KIND = "sponsor-checkin"
#: The triage rules a sponsor's answer can bring (keys of reports.triage.WEIGHTS).
SPONSOR_RULES = ("sponsor_not_yet", "sponsor_mismatch", "sponsor_lost")


class CheckinLinkInvalid(Exception):
    """The link cannot record anything; ``status`` is the page's HTTP status."""

    def __init__(self, status: int = 400):
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class CheckinLink:
    sponsorship: Sponsorship
    period: ReportPeriod
    answer: str


def checkin_token(*, sponsorship: Sponsorship, period: ReportPeriod, answer: str) -> str:
    """The signed part of the link recording ``answer`` for ``sponsorship`` and ``period``."""
    payload = {"s": sponsorship.sponsor_id, "p": sponsorship.pk, "q": period.pk, "a": answer}
    return signing.dumps(payload, salt=SALT, compress=True)


def checkin_url(*, sponsorship: Sponsorship, period: ReportPeriod, answer: str) -> str:
    token = checkin_token(sponsorship=sponsorship, period=period, answer=answer)
    return settings.SITE_URL + reverse("reports:checkin", args=[token])


def checkin_link_expires_on(period: ReportPeriod) -> datetime.date:
    """The last day a link of ``period`` works: the day before the next period opens."""
    following = (
        ReportPeriod.objects.filter(opens_on__gt=period.opens_on).order_by("opens_on").first()
    )
    if following is None:
        return period.due_on + datetime.timedelta(days=FALLBACK_DAYS_AFTER_DUE)
    return following.opens_on - datetime.timedelta(days=1)


def checkin_link_read(token: str, *, today: datetime.date | None = None) -> CheckinLink:
    """What a link says, or :class:`CheckinLinkInvalid`."""
    try:
        payload = signing.loads(token, salt=SALT)
        sponsor_id, sponsorship_id = int(payload["s"]), int(payload["p"])
        period_id, answer = int(payload["q"]), str(payload["a"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise CheckinLinkInvalid(400) from error
    if answer not in CheckinAnswer.values:
        raise CheckinLinkInvalid(400)
    sponsorship = (
        Sponsorship.objects.select_related("laureate__user", "sponsor")
        .filter(pk=sponsorship_id)
        .first()
    )
    period = ReportPeriod.objects.filter(pk=period_id).first()
    if sponsorship is None or period is None:
        raise CheckinLinkInvalid(404)
    today = today or timezone.localdate()
    if sponsorship.sponsor_id != sponsor_id or not sponsorship.is_current:
        raise CheckinLinkInvalid(400)
    if today > checkin_link_expires_on(period):
        raise CheckinLinkInvalid(400)
    return CheckinLink(sponsorship=sponsorship, period=period, answer=answer)


def checkin_record(*, link: CheckinLink) -> SponsorCheckin:
    """Record the link's answer: the same answer again changes nothing, another one replaces
    it (with the time of this click). A new answer that brings a sponsor reason to the
    triage reopens a closed one."""
    from reports.triage import current_rules, triage_refresh, triage_reopen

    with transaction.atomic():
        checkin, created = SponsorCheckin.objects.select_for_update().get_or_create(
            sponsorship=link.sponsorship,
            period=link.period,
            defaults={"answer": link.answer},
        )
        if not created and checkin.answer == link.answer:
            return checkin
        if not created:
            checkin.answer = link.answer
            checkin.answered_at = timezone.now()
            checkin.save(update_fields=["answer", "answered_at"])
        laureate = link.sponsorship.laureate
        reasons = [rule for rule in current_rules(laureate) if rule in SPONSOR_RULES]
        if reasons:
            triage_reopen(laureate=laureate, reasons=reasons)
        triage_refresh(laureate_ids=[laureate.pk])
    return checkin


def checkin_note_save(*, link: CheckinLink, note: str) -> SponsorCheckin:
    """The sponsor's note on their answer (recorded first if it was not)."""
    checkin = checkin_record(link=link)
    SponsorCheckin.objects.filter(pk=checkin.pk).update(note=note.strip())
    checkin.note = note.strip()
    return checkin


def checkin_step_day(period: ReportPeriod) -> datetime.date:
    return period.due_on - datetime.timedelta(days=CHECKIN_DAYS_BEFORE_DUE)


def _key(period: ReportPeriod, sponsorship_id: int) -> str:
    return f"{KIND}:{period.slug}:sponsorship-{sponsorship_id}"


def asked_sponsorships(period: ReportPeriod, *, today: datetime.date):
    """The sponsorships asked about ``period``: current on ``today``, of an active laureate
    who owes the period, not answered yet."""
    return (
        Sponsorship.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=today),
            started_on__lte=today,
            laureate__status=Status.ACTIVE,
            laureate__joined_on__lt=period.opens_on,
        )
        .exclude(Exists(SponsorCheckin.objects.filter(sponsorship=OuterRef("pk"), period=period)))
        .order_by("pk")
    )


def checkin_messages(period: ReportPeriod, *, today: datetime.date) -> list[OutboxMessage]:
    """The quarterly question's e-mails for ``period`` that no earlier run recorded."""
    prefix = f"{KIND}:{period.slug}:"
    sent = set(OutboxEmail.objects.filter(key__startswith=prefix).values_list("key", flat=True))
    rows = asked_sponsorships(period, today=today).select_related("sponsor", "laureate__user")
    expires_on = checkin_link_expires_on(period)
    return [
        checkin_message(sponsorship, period, expires_on=expires_on)
        for sponsorship in rows.iterator(chunk_size=2000)
        if _key(period, sponsorship.pk) not in sent
    ]


def checkin_message(
    sponsorship: Sponsorship, period: ReportPeriod, *, expires_on: datetime.date
) -> OutboxMessage:
    """The quarterly question to ``sponsorship``'s sponsor about ``period``."""
    urls = {
        f"{answer}_url": checkin_url(sponsorship=sponsorship, period=period, answer=answer)
        for answer in CheckinAnswer.values
    }
    return OutboxMessage(
        key=_key(period, sponsorship.pk),
        kind=KIND,
        to=sponsorship.sponsor.email,
        template=KIND.replace("-", "_"),
        context={
            "sponsor_first_name": sponsorship.sponsor.first_name,
            "first_name": sponsorship.laureate.user.first_name,
            "period": {"slug": period.slug, "year": period.year, "quarter": period.quarter},
            "expires_on": expires_on,
            **urls,
        },
        language=settings.LANGUAGE_CODE,
        user_id=None,
    )


def checkin_differs(*, met: bool | None, answer: str) -> bool:
    """Whether the laureate's « did you meet your sponsor? » and the sponsor's answer
    disagree (as the triage's rule in reports/triage/score.py); no answer differs from none."""
    if met is None:
        return False
    return met != (answer == CheckinAnswer.MET)


def laureate_checkin_for(*, laureate: Laureate, period: ReportPeriod) -> SponsorCheckin | None:
    """The sponsor's answer about ``laureate`` for ``period`` (the latest, if they had two
    sponsors that quarter)."""
    return (
        SponsorCheckin.objects.filter(sponsorship__laureate=laureate, period=period)
        .select_related("sponsorship__sponsor")
        .order_by("-answered_at", "-pk")
        .first()
    )


def quarter_meetings(*, laureate: Laureate, period: ReportPeriod) -> tuple[int, int]:
    """How many sponsor meetings were logged for the laureate in ``period``'s quarter (by
    either side), and how many of them the other side confirmed (one query)."""
    first = datetime.date(period.year, 3 * period.quarter - 2, 1)
    after = (
        datetime.date(period.year + 1, 1, 1)
        if period.quarter == 4
        else datetime.date(period.year, 3 * period.quarter + 1, 1)
    )
    counts = SponsorMeeting.objects.filter(
        sponsorship__laureate=laureate, date__gte=first, date__lt=after
    ).aggregate(logged=Count("pk"), confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)))
    return counts["logged"], counts["confirmed"]
