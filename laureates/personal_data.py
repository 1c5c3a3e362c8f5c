"""The laureates app's part of « Mes données » (emergence/personal_data.py): the laureate's
profile, sponsorships, follow-ups (date and channel: the team's notes are theirs), searches,
consents and placements; their erasure; and the retention of laureates who left."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emergence.personal_data import (
    Export,
    PersonalDataPart,
    RetentionRule,
    person_anonymise,
    retention_cutoff,
)
from laureates.models import (
    FollowUp,
    Laureate,
    PartnerConsent,
    Placement,
    Search,
    Sponsorship,
    Status,
    search_sharing_refresh,
)
from laureates.sponsor_personal_data import sponsor_part_anonymise, sponsor_part_export


def laureate_of(user) -> Laureate | None:
    return Laureate.objects.select_related("promotion", "referent").filter(user=user).first()


def _export(user) -> Export:
    laureate = laureate_of(user)
    if laureate is None:
        return sponsor_part_export(user, None)
    referent = laureate.referent
    profile = {
        _("Promotion"): laureate.promotion.year,
        _("Track"): laureate.get_track_display(),
        _("Study year"): laureate.study_year,
        _("School"): laureate.school,
        _("Degree"): laureate.degree,
        _("Year of the degree"): laureate.degree_year,
        _("City"): laureate.city,
        _("Phone"): laureate.phone,
        _("Status"): laureate.get_status_display(),
        _("Situation"): laureate.get_situation_display(),
        _("Joined on"): laureate.joined_on,
        _("Left the programme on"): laureate.left_on,
        _("Last asked about your search on"): laureate.search_asked_on,
        _("Referent"): (referent.get_full_name() or referent.email) if referent else "",
    }
    sponsorships = [
        {
            _("Sponsor"): f"{row.sponsor.first_name} {row.sponsor.last_name}",
            _("Company"): row.sponsor.company.name,
            _("Start date"): row.started_on,
            _("End date"): row.ended_on,
        }
        for row in Sponsorship.objects.filter(laureate=laureate)
        .select_related("sponsor__company")
        .order_by("started_on")
    ]
    follow_ups = [
        {_("Date"): row.date, _("Channel"): row.get_channel_display()}
        for row in FollowUp.objects.filter(laureate=laureate).order_by("date", "pk")
    ]
    searches = [
        {
            _("Looking for"): row.get_kind_display(),
            _("Field"): row.field,
            _("Available from"): row.starts_on,
            _("Duration (months)"): row.duration_months,
            _("Where"): row.place,
            _("Pitch"): row.pitch,
            _("Updated at"): row.updated_at,
            _("Last confirmed on"): row.confirmed_on,
            _("Closed on"): row.closed_on,
        }
        for row in Search.objects.filter(laureate=laureate).order_by("updated_at")
    ]
    consents = [
        {
            _("Text version"): row.version,
            _("Given at"): row.given_at,
            _("Expires on"): row.expires_on,
            _("Withdrawn at"): row.withdrawn_at,
            _("Renewed at"): row.replaced_at,
        }
        for row in PartnerConsent.objects.filter(laureate=laureate).order_by("given_at")
    ]
    placements = [
        {
            _("Kind"): row.get_kind_display(),
            _("Company"): row.company_name,
            _("Title"): row.title,
            _("Department"): row.department,
            _("City"): row.city,
            _("Start date"): row.starts_on,
            _("Duration (months)"): row.duration_months,
            _("Source"): row.get_source_display(),
            _("Recorded at"): row.created_at,
        }
        for row in Placement.objects.filter(laureate=laureate)
        .select_related("company")
        .order_by("starts_on")
    ]
    return {
        _("Profile"): [profile],
        _("Sponsorships"): sponsorships,
        _("Follow-ups"): follow_ups,
        _("Searches"): searches,
        _("Consents"): consents,
        _("Placements"): placements,
        **sponsor_part_export(user, laureate),
    }


def _anonymise(user) -> None:
    laureate = laureate_of(user)
    sponsor_part_anonymise(user, laureate)
    if laureate is None:
        return
    now = timezone.now()
    today = timezone.localdate(now)
    changes = {"school": "", "city": "", "phone": ""}
    if laureate.status == Status.ACTIVE:
        # An erased laureate is no longer followed: no triage, no invitation, no reminder.
        changes.update(status=Status.LEFT, left_on=today)
    Laureate.objects.filter(pk=laureate.pk).update(**changes)
    Search.objects.filter(laureate=laureate, closed_on__isnull=True).update(closed_on=today)
    # field_folded and place_folded are the copies offers are matched on.
    searches = {"field": "", "place": "", "pitch": "", "field_folded": "", "place_folded": ""}
    if any(field.name == "search_text" for field in Search._meta.fields):
        searches["search_text"] = ""  # the folded copy partners search in
    Search.objects.filter(laureate=laureate).update(**searches)
    FollowUp.objects.filter(laureate=laureate).update(note="")
    PartnerConsent.objects.open().filter(laureate=laureate).update(withdrawn_at=now)
    # Gone from the partners' dashboard's counts too (its rows already check the consent).
    search_sharing_refresh(laureate_ids=[laureate.pk])
    Placement.objects.filter(laureate=laureate).update(department="", city="")


def laureate_delete(*, laureate: Laureate) -> None:
    """The console's "delete": the laureate's rows go, and their account is erased and closed
    (:func:`person_anonymise` first, so that it finds what names them)."""
    with transaction.atomic():
        person_anonymise(user=laureate.user)
        Laureate.objects.filter(pk=laureate.pk).delete()


def _left_laureates(now: datetime.datetime, dry_run: bool) -> int:
    due = Laureate.objects.filter(
        status=Status.LEFT,
        left_on__lt=timezone.localdate(retention_cutoff("left_laureates", now)),
        user__erased_at__isnull=True,
    ).select_related("user")
    if dry_run:
        return due.count()
    erased = 0
    for laureate in due.iterator(chunk_size=200):
        person_anonymise(user=laureate.user)
        erased += 1
    return erased


PART = PersonalDataPart(
    app="laureates",
    export=_export,
    anonymise=_anonymise,
    retention=(
        RetentionRule(
            "left_laureates",
            "laureates who left (from Laureate.left_on): erased as on request",
            _left_laureates,
        ),
    ),
)
