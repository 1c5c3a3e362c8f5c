"""What changes partner data: the views log, introductions and co-optation.

Each function validates, saves and queues its e-mails through the outbox in the same
transaction; views, admin actions, the demo and the tests call these, nothing else.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from emergence.outbox import outbox_enqueue
from laureates.models import Laureate
from partners.models import (
    CoOpter,
    Introduction,
    IntroductionStatus,
    PartnerMembership,
    PartnerViewLog,
    Referral,
    ReferralStatus,
)


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
) -> Introduction:
    """A partner member asks to meet a laureate; the programme team is told by e-mail."""
    if not Laureate.objects.visible_to_partners().filter(pk=laureate.pk).exists():
        raise ValidationError(_("This laureate is not shared with partner companies."))
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
    )
    introduction.full_clean()
    with transaction.atomic():
        introduction.save()
        url = settings.SITE_URL + reverse(
            "admin:partners_introduction_change", args=[introduction.pk]
        )
        for staff in _staff_to_notify(laureate):
            outbox_enqueue(
                key=f"introduction-requested:{introduction.pk}:user-{staff.pk}",
                kind="introduction",
                template="introduction_requested",
                context={"introduction": introduction, "url": url, "recipient": staff},
                user=staff,
            )
    return introduction


def _staff_to_notify(laureate: Laureate) -> list:
    """The laureate's referent, or the whole team when the laureate has none."""
    referent = laureate.referent
    if referent is not None and referent.is_active and referent.is_staff:
        return [referent]
    return list(get_user_model().objects.filter(is_staff=True, is_active=True).order_by("pk"))


def introduction_accept(*, introduction: Introduction, by) -> Introduction:
    """Accept a pending request: the laureate and the partner member get each other's contact."""
    if not Laureate.objects.visible_to_partners().filter(pk=introduction.laureate_id).exists():
        raise ValidationError(
            _("%(laureate)s no longer shares their profile with partners: decline instead.")
            % {"laureate": introduction.laureate}
        )
    with transaction.atomic():
        _decide(introduction, IntroductionStatus.ACCEPTED, by)
        introduction = Introduction.objects.select_related(
            "laureate__user", "requested_by", "company"
        ).get(pk=introduction.pk)
        laureate_user, partner_user = introduction.laureate.user, introduction.requested_by
        membership = PartnerMembership.objects.filter(user=partner_user).first()
        context = {
            "introduction": introduction,
            "laureate_user": laureate_user,
            "laureate_phone": introduction.laureate.phone,
            "partner_user": partner_user,
            "partner_job_title": membership.job_title if membership else "",
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
    return introduction


def introduction_decline(*, introduction: Introduction, by) -> Introduction:
    """Decline a pending request; the partner member who asked is told, kindly."""
    with transaction.atomic():
        _decide(introduction, IntroductionStatus.DECLINED, by)
        introduction = Introduction.objects.select_related("requested_by", "company").get(
            pk=introduction.pk
        )
        partner_user = introduction.requested_by
        outbox_enqueue(
            key=f"introduction_declined:{introduction.pk}",
            kind="introduction",
            template="introduction_declined",
            context={"introduction": introduction, "partner_user": partner_user},
            user=partner_user,
        )
    return introduction


def _decide(introduction: Introduction, status: str, by) -> None:
    # One conditional UPDATE: a request decided twice (two staff, a double click) keeps
    # its first decision and sends its e-mails once.
    decided = Introduction.objects.filter(
        pk=introduction.pk, status=IntroductionStatus.PENDING
    ).update(status=status, decided_at=timezone.now(), decided_by=by)
    if decided != 1:
        raise ValidationError(_("This request has already been decided."))


# Co-optation ------------------------------------------------------------------------


def coopter_register(*, laureate: Laureate, platforms: str = "") -> CoOpter:
    """A laureate in work becomes a co-opter (again, it only updates their platforms)."""
    if not laureate.can_coopt:
        raise ValidationError(_("Only laureates in work can register as co-opters."))
    coopter, _created = CoOpter.objects.update_or_create(
        laureate=laureate, defaults={"platforms": platforms}
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
    donation_received_on=None,
) -> Referral:
    """Move a referral on (referred -> interviewing -> hired / not retained), with its bonus."""
    referral_check_transition(old=referral.status, new=status)
    referral.status = status
    referral.bonus = bonus
    if pledged_to_programme is not None:
        referral.pledged_to_programme = pledged_to_programme
    referral.donation_received_on = donation_received_on
    referral.full_clean()
    referral.save()
    return referral
