"""The workshops app's part of « Mes données » (emergence/personal_data.py): the laureate's
registrations and attendance, their feedback, the series they animate and their calendar
address; their erasure."""

from django.utils import timezone
from django.utils.translation import gettext as _

from emergence.personal_data import Export, PersonalDataPart
from laureates.models import Laureate
from workshops.models import (
    CalendarFeed,
    Feedback,
    Registration,
    RegistrationStatus,
    WorkshopSeries,
)
from workshops.services import registration_cancel


def _export(user) -> Export:
    if not Laureate.objects.filter(user=user).exists():
        return {}
    registrations = [
        {
            _("Session"): row.session.theme,
            _("Series"): str(row.session.series),
            _("Starts at"): row.session.starts_at,
            _("Place"): row.session.place,
            _("Status"): row.get_status_display(),
            _("Registered at"): row.registered_at,
            _("Moved off the waiting list at"): row.promoted_at,
            _("Cancelled at"): row.cancelled_at,
            _("Attended"): row.attended,
        }
        for row in Registration.objects.filter(laureate__user=user)
        .select_related("session__series")
        .order_by("session__starts_at")
    ]
    feedback = [
        {
            _("Series"): str(row.series),
            _("Session"): str(row.session or ""),
            _("Rating"): row.rating,
            _("What helped"): row.helped,
            _("Comment"): row.comment,
            _("Given on"): row.created_at,
        }
        for row in Feedback.objects.filter(laureate__user=user)
        .select_related("series", "session")
        .order_by("created_at")
    ]
    animated = [
        {_("Series"): str(series), _("School year"): series.school_year}
        for series in WorkshopSeries.objects.filter(animators__user=user)
    ]
    sections = {_("Workshops"): registrations, _("Workshop feedback"): feedback}
    if animated:
        sections[_("Workshops you animate")] = animated
    feed = CalendarFeed.objects.filter(laureate__user=user).first()
    if feed is not None:
        sections[_("Calendar address")] = [{_("Created at"): feed.created_at}]
    return sections


def _anonymise(user) -> None:
    now = timezone.now()
    # A place held in an upcoming session goes to the waiting list.
    upcoming = Registration.objects.filter(laureate__user=user, session__starts_at__gt=now).exclude(
        status=RegistrationStatus.CANCELLED
    )
    for registration in upcoming:
        registration_cancel(registration=registration, now=now)
    Feedback.objects.filter(laureate__user=user).update(comment="")
    CalendarFeed.objects.filter(laureate__user=user).delete()
    for series in WorkshopSeries.objects.filter(animators__user=user):
        series.animators.remove(user.laureate)


PART = PersonalDataPart(app="workshops", export=_export, anonymise=_anonymise)
