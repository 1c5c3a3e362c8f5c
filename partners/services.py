"""What changes partner data: the views log, introductions and co-optation.

Each function validates, saves and queues its e-mails through the outbox in the same
transaction; views, admin actions, the demo and the tests call these, nothing else.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from emergence.history import history_record
from emergence.outbox import outbox_enqueue
from emergence.roles import staff_with_permission
from laureates.models import Laureate
from partners.models import (
    INTRODUCTION_ANSWER_DAYS,
    Company,
    CoOpter,
    Donation,
    Introduction,
    IntroductionClosedReason,
    IntroductionOrigin,
    IntroductionStatus,
    Offer,
    PartnerMembership,
    PartnerViewLog,
    Referral,
    ReferralStatus,
)
from partners.placements import placement_from_referral, referral_placement_blocker


def partner_view_log(
    *,
    membership: PartnerMembership,
    kind: str,
    laureate_id: int | None = None,
    query: str = "",
) -> PartnerViewLog:
    """Record that a partner member opened the dashboard, a laureate's page or the export."""
    return PartnerViewLog.objects.create(
        user_id=membership.user_id,
        company_id=membership.company_id,
        kind=kind,
        laureate_id=laureate_id,
        query=query[:1000],
    )


# Introductions ----------------------------------------------------------------------


def introduction_request(
    *,
    membership: PartnerMembership,
    laureate: Laureate,
    message: str,
    kind: str,
    title: str,
    starts_on=None,
    ends_on=None,
    place: str = "",
    offer: Offer | None = None,
) -> Introduction:
    """A partner member asks to meet a laureate (about one of their company's offers, when
    ``offer`` is given); the programme team is told by e-mail."""
    if not Laureate.objects.visible_to_partners().filter(pk=laureate.pk).exists():
        raise ValidationError(_("This laureate is not shared with partner companies."))
    if offer is not None and offer.company_id != membership.company_id:
        raise ValidationError(_("This offer is not one of your company's."))
    introduction = Introduction(
        company_id=membership.company_id,
        requested_by_id=membership.user_id,
        laureate=laureate,
        message=message,
        kind=kind,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        place=place,
        offer=offer,
    )
    introduction.full_clean()
    with transaction.atomic():
        introduction.save()
        introduction_tell_the_team(
            introduction, key="introduction-requested", template="introduction_requested"
        )
    return introduction


def introduction_tell_the_team(introduction: Introduction, *, key: str, template: str) -> None:
    """E-mail the staff who decide on a new request (:func:`staff_to_notify`), each once,
    with the link to it in the console."""
    url = settings.SITE_URL + reverse("admin:partners_introduction_change", args=[introduction.pk])
    for staff in staff_to_notify(introduction.laureate):
        outbox_enqueue(
            key=f"{key}:{introduction.pk}:user-{staff.pk}",
            kind="introduction",
            template=template,
            context={"introduction": introduction, "url": url, "recipient": staff},
            user=staff,
        )


#: The staff permission that lets a team member pass a request on or decline it.
DECIDE_INTRODUCTIONS = "partners.change_introduction"


def staff_to_notify(laureate: Laureate) -> list:
    """The laureate's referent, or, without one who handles introductions, everyone who does."""
    referent = laureate.referent
    if (
        referent is not None
        and referent.is_active
        and referent.is_staff
        and referent.has_perm(DECIDE_INTRODUCTIONS)
    ):
        return [referent]
    return list(staff_with_permission(DECIDE_INTRODUCTIONS))


def introduction_blocker(introduction: Introduction) -> str:
    """Why the contacts of this request can no longer be sent, as an
    ``IntroductionClosedReason`` ("" if they can): the company is active, the requester is
    still one of its members, and the laureate still shares their profile with partners —
    for a request the company started: when the laureate said they are interested in an offer,
    or the programme team proposed them, their own yes is what lets the contacts go.

    One query; inside a transaction it locks the company's row, so a company marked inactive
    meanwhile waits for the contacts to be on their way, or is seen inactive.
    """
    row = (
        Company.objects.select_for_update()
        .filter(pk=introduction.company_id)
        .annotate(
            requester_is_member=Exists(
                PartnerMembership.objects.filter(
                    company=OuterRef("pk"),
                    user_id=introduction.requested_by_id,
                    user__is_active=True,
                )
            ),
            laureate_shares=Exists(
                Laureate.objects.visible_to_partners().filter(pk=introduction.laureate_id)
            ),
        )
        .values("active", "requester_is_member", "laureate_shares")
        .get()
    )
    if not row["active"]:
        return IntroductionClosedReason.COMPANY_INACTIVE
    if not row["requester_is_member"]:
        return IntroductionClosedReason.REQUESTER_LEFT
    if not row["laureate_shares"] and introduction.origin == IntroductionOrigin.PARTNER:
        return IntroductionClosedReason.CONSENT_WITHDRAWN
    return ""


def introduction_forward(*, introduction: Introduction, by) -> Introduction:
    """The team passes a waiting request on to the laureate, who is told by e-mail and
    answers on their page. No contact detail leaves: only the laureate's yes sends them.

    A laureate who said they are interested in an offer has said yes already: passing their
    request on to the company accepts it at once, and sends each side the other's contact."""
    with transaction.atomic():
        blocker = introduction_blocker(introduction)
        if blocker:
            raise ValidationError(
                _("%(reason)s: decline this request instead.")
                % {"reason": capfirst(IntroductionClosedReason(blocker).label)}
            )
        now = timezone.now()
        if introduction.origin == IntroductionOrigin.LAUREATE:
            introduction = _move(
                introduction,
                IntroductionStatus.PENDING,
                status=IntroductionStatus.ACCEPTED,
                decided_at=now,
                decided_by=by,
                forwarded_at=now,
                answered_at=now,
                closed_at=now,
            )
            _send_contacts(introduction)
            return introduction
        introduction = _move(
            introduction,
            IntroductionStatus.PENDING,
            status=IntroductionStatus.FORWARDED,
            decided_at=now,
            decided_by=by,
            forwarded_at=now,
        )
        laureate_user = introduction.laureate.user
        outbox_enqueue(
            key=f"introduction_forwarded:{introduction.pk}",
            kind="introduction",
            template="introduction_forwarded",
            context={
                "introduction": introduction,
                "first_name": laureate_user.first_name,
                "url": settings.SITE_URL
                + reverse("my_introductions:detail", args=[introduction.pk]),
                "answer_days": INTRODUCTION_ANSWER_DAYS,
            },
            user=laureate_user,
        )
    return introduction


def introduction_decline(*, introduction: Introduction, by) -> Introduction:
    """The team declines a waiting request; the partner member who asked is told, kindly."""
    with transaction.atomic():
        now = timezone.now()
        introduction = _move(
            introduction,
            IntroductionStatus.PENDING,
            status=IntroductionStatus.DECLINED,
            decided_at=now,
            decided_by=by,
            closed_at=now,
        )
        _tell_the_company(introduction, "introduction_declined")
    return introduction


def introduction_answer(
    *, introduction: Introduction, accept: bool, message: str = ""
) -> Introduction:
    """The laureate's answer to a request passed on to them, with an optional message.

    A yes sends each side the other's contact details (and the message to the company),
    provided ``introduction_blocker`` finds nothing at that moment; otherwise nothing is
    sent and the request ends "closed", with the reason. A no ends it "declined": the
    company is told kindly, without the message, which only the programme team reads.
    Returns the request as it ended.
    """
    with transaction.atomic():
        blocker = introduction_blocker(introduction) if accept else ""
        if not accept:
            status = IntroductionStatus.DECLINED
        elif blocker:
            status = IntroductionStatus.CLOSED
        else:
            status = IntroductionStatus.ACCEPTED
        now = timezone.now()
        introduction = _move(
            introduction,
            IntroductionStatus.FORWARDED,
            status=status,
            answered_at=now,
            closed_at=now,
            laureate_message=message.strip(),
            closed_reason=blocker,
        )
        if status == IntroductionStatus.ACCEPTED:
            _send_contacts(introduction)
        else:
            _tell_the_company(introduction, "introduction_declined")
    return introduction


def introductions_expire(*, now: datetime.datetime | None = None) -> int:
    """Expire the requests left unanswered INTRODUCTION_ANSWER_DAYS days after they were passed
    on, and tell each company. Safe to run twice, or on two workers: each request is moved by
    one conditional UPDATE, and its e-mail has its own outbox key. Returns how many expired."""
    now = now or timezone.now()
    expired = 0
    for introduction in Introduction.objects.unanswered_since(now).order_by("pk"):
        with transaction.atomic():
            try:
                expired_one = _move(
                    introduction,
                    IntroductionStatus.FORWARDED,
                    status=IntroductionStatus.EXPIRED,
                    closed_at=now,
                )
            except ValidationError:
                continue  # answered meanwhile, or expired by another run
            _tell_the_company(expired_one, "introduction_expired")
            expired += 1
    return expired


def _move(introduction: Introduction, from_status: str, **changes) -> Introduction:
    # One conditional UPDATE per transition: a request decided or answered twice (two staff
    # members, a double click, the expiry running at the moment the laureate answers) moves
    # once, and sends its e-mails once. Returns the request as it now is, which the history
    # records (an UPDATE adds no history row by itself).
    moved = Introduction.objects.filter(pk=introduction.pk, status=from_status).update(**changes)
    if moved != 1:
        raise ValidationError(_("This request has already been decided."))
    introduction = _reload(introduction)
    history_record(introduction)
    return introduction


def _reload(introduction: Introduction) -> Introduction:
    return Introduction.objects.select_related("laureate__user", "requested_by", "company").get(
        pk=introduction.pk
    )


def _tell_the_company(introduction: Introduction, template: str) -> None:
    """E-mail the partner member who asked, while they are still a member of the company
    (their former employer's requests are no longer theirs to follow). A request the company
    did not make (a laureate interested in an offer, the team's proposal) is never news to
    it: only its yes, with the contacts, reaches the company."""
    if introduction.origin != IntroductionOrigin.PARTNER:
        return
    partner_user = introduction.requested_by
    still_member = PartnerMembership.objects.filter(
        user=partner_user, company_id=introduction.company_id
    ).exists()
    if not (still_member and partner_user.is_active):
        return
    outbox_enqueue(
        key=f"{template}:{introduction.pk}",
        kind="introduction",
        template=template,
        context={
            "introduction": introduction,
            "partner_user": partner_user,
            "answer_days": INTRODUCTION_ANSWER_DAYS,
        },
        user=partner_user,
    )


def _send_contacts(introduction: Introduction) -> None:
    laureate_user, partner_user = introduction.laureate.user, introduction.requested_by
    membership = PartnerMembership.objects.get(user=partner_user)
    context = {
        "introduction": introduction,
        "laureate_user": laureate_user,
        "laureate_phone": introduction.laureate.phone,
        "laureate_message": introduction.laureate_message,
        "partner_user": partner_user,
        "partner_job_title": membership.job_title,
    }
    for recipient, template in [
        (laureate_user, "introduction_accepted_laureate"),
        (partner_user, "introduction_accepted_partner"),
    ]:
        outbox_enqueue(
            key=f"{template}:{introduction.pk}",
            kind="introduction",
            template=template,
            context=context,
            user=recipient,
        )


# Co-optation ------------------------------------------------------------------------


def coopter_register(*, laureate: Laureate, platforms: str = "") -> CoOpter:
    """A laureate in work becomes a co-opter (again, it only updates their platforms)."""
    if not laureate.can_coopt:
        raise ValidationError(_("Only laureates in work can register as co-opters."))
    coopter, _created = CoOpter.objects.update_or_create(
        laureate=laureate, defaults={"platforms": platforms}
    )
    return coopter


def coopter_register_staff(*, user, platforms: str = "") -> CoOpter:
    """A member of the programme team becomes a co-opter (the lead who co-opts and gives
    her bonus to the programme); their referrals are recorded in the console."""
    if not (user.is_active and user.is_staff):
        raise ValidationError(_("Only active staff members co-opt from the console."))
    coopter, _created = CoOpter.objects.update_or_create(
        staff_member=user, defaults={"platforms": platforms}
    )
    return coopter


#: status -> the statuses it may move to
REFERRAL_TRANSITIONS: dict[str, set[str]] = {
    ReferralStatus.REFERRED: {
        ReferralStatus.INTERVIEWING,
        ReferralStatus.HIRED,
        ReferralStatus.NOT_RETAINED,
    },
    ReferralStatus.INTERVIEWING: {ReferralStatus.HIRED, ReferralStatus.NOT_RETAINED},
    ReferralStatus.HIRED: set(),
    ReferralStatus.NOT_RETAINED: set(),
}


def referral_check_transition(*, old: str, new: str) -> None:
    """Raise unless a referral may move from ``old`` to ``new`` (staying put is allowed)."""
    if new != old and new not in REFERRAL_TRANSITIONS[old]:
        raise ValidationError(
            {
                "status": _("A referral cannot go from “%(old)s” to “%(new)s”.")
                % {"old": ReferralStatus(old).label, "new": ReferralStatus(new).label}
            }
        )


def referral_add(*, coopter: CoOpter, **fields) -> Referral:
    """Record a referral the co-opter made on a platform; it starts as "referred"."""
    referral = Referral(coopter=coopter, status=ReferralStatus.REFERRED, **fields)
    referral.full_clean()
    referral.save()
    return referral


def referral_update(
    *,
    referral: Referral,
    status: str,
    bonus: int | None = None,
    pledged_to_programme: bool | None = None,
) -> Referral:
    """Move a referral on (referred -> interviewing -> hired / not retained), with its bonus;
    a candidate laureate's hire records their placement. Whether the bonus was received is
    for staff to confirm (partners.donations); once they have, the bonus stays as it was."""
    referral_check_transition(old=referral.status, new=status)
    if Donation.objects.filter(referral_id=referral.pk).exists() and (
        bonus != referral.bonus or pledged_to_programme is False
    ):
        raise ValidationError(
            _("The programme team confirmed this donation: its bonus no longer changes.")
        )
    hired_now = status == ReferralStatus.HIRED and referral.status != ReferralStatus.HIRED
    referral.status = status
    referral.bonus = bonus
    if pledged_to_programme is not None:
        referral.pledged_to_programme = pledged_to_programme
    referral.full_clean()
    with transaction.atomic():
        referral.save()
        # A candidate of the programme was hired: their placement, as the referral names it
        # (staff adjust it in the console).
        if hired_now and not referral_placement_blocker(referral):
            placement_from_referral(referral=referral)
    return referral
