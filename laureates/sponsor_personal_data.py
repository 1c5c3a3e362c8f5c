"""« Mes données » for sponsors in the loop: a laureate's project for their sponsor, the
meetings and their yearly fit answers; a sponsor's own record, meetings and answers. Called
by laureates/personal_data.py (the app's one part). Private notes for staff are the team's,
like follow-up notes: erased, not exported."""

from django.utils.translation import gettext as _

from emergence.personal_data import Export
from laureates.models import Laureate, Side, Sponsor, SponsorMeeting, SponsorshipFit


def _meetings(queryset) -> list[dict]:
    return [
        {
            _("Date"): row.date,
            _("Sponsor"): str(row.sponsorship.sponsor),
            _("Laureate"): row.sponsorship.laureate.user.get_full_name(),
            _("How"): row.get_mode_display(),
            _("Topics"): ", ".join(row.topic_labels()),
            _("Note for both of you"): row.note,
            _("Logged by"): row.get_logged_by_display(),
            _("Confirmed at"): row.confirmed_at,
        }
        for row in queryset.select_related(
            "sponsorship__sponsor", "sponsorship__laureate__user"
        ).order_by("date", "pk")
    ]


def _fits(queryset) -> list[dict]:
    return [
        {_("Year"): row.year, _("Score (1 to 5)"): row.score, _("Comment"): row.comment}
        for row in queryset.order_by("year", "pk")
    ]


def sponsor_part_export(user, laureate: Laureate | None) -> Export:
    found: Export = {}
    if laureate is not None:
        found[_("My professional project, for my sponsor")] = (
            [{_("Text"): laureate.project_for_sponsor}] if laureate.project_for_sponsor else []
        )
        found[_("Meetings with my sponsor")] = _meetings(
            SponsorMeeting.objects.filter(sponsorship__laureate=laureate)
        )
        found[_("My answers on my sponsorship")] = _fits(
            SponsorshipFit.objects.filter(sponsorship__laureate=laureate, side=Side.LAUREATE)
        )
    sponsor = Sponsor.objects.select_related("company").filter(user=user).first()
    if sponsor is not None:
        found[_("Sponsor")] = [
            {
                _("First name"): sponsor.first_name,
                _("Last name"): sponsor.last_name,
                _("E-mail address"): sponsor.email,
                _("Phone"): sponsor.phone,
                _("Company"): sponsor.company.name,
            }
        ]
        found[_("Meetings with my laureates")] = _meetings(
            SponsorMeeting.objects.filter(sponsorship__sponsor=sponsor)
        )
        found[_("My answers on my sponsorships")] = _fits(
            SponsorshipFit.objects.filter(sponsorship__sponsor=sponsor, side=Side.SPONSOR)
        )
    # A section only where there is something: most people have none of these.
    return {title: rows for title, rows in found.items() if rows}


def sponsor_part_anonymise(user, laureate: Laureate | None) -> None:
    if laureate is not None:
        Laureate.objects.filter(pk=laureate.pk).update(project_for_sponsor="")
        SponsorMeeting.objects.filter(sponsorship__laureate=laureate).update(
            note="", private_note=""
        )
        SponsorshipFit.objects.filter(sponsorship__laureate=laureate).update(comment="")
    sponsor = Sponsor.objects.filter(user=user).first()
    if sponsor is not None:
        SponsorMeeting.objects.filter(sponsorship__sponsor=sponsor).update(note="", private_note="")
        SponsorshipFit.objects.filter(sponsorship__sponsor=sponsor).update(comment="")
        Sponsor.objects.filter(pk=sponsor.pk).update(
            first_name="",
            last_name="",
            phone="",
            email=f"erased-sponsor-{sponsor.pk}@invalid.example",
        )
