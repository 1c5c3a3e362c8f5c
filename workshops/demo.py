"""Demo data for workshops: a médecine series with its key dates, four sessions, animators
and registrations, the demo laureate registered for one.

The series is the current school year's (the next one once this year's last session has
passed), so the demo always has sessions to come. Rows are keyed on natural keys: running
the seed again rewrites the same rows. Nobody is e-mailed: rows are written directly.
"""

import datetime

from django.utils import timezone

from laureates.demo import LaureatesDemo
from laureates.models import Laureate, Track
from workshops.models import (
    KeyDate,
    Moment,
    Registration,
    RegistrationStatus,
    Session,
    WorkshopSeries,
    school_year_of,
)
from workshops.services import PROPOSED_DURATION, proposed_start

# (moment, label, month, day, theme, published): the day is in the school year's first
# calendar year from August, in its second before.
KEY_DATES = [
    (
        Moment.START_OF_YEAR,
        "Rentrée PASS/LAS",
        9,
        1,
        "Bien démarrer la PASS\u00a0: méthodes et rythme",
        True,
    ),
    (
        Moment.MIDTERM_EXAMS,
        "Partiels PASS du premier semestre",
        1,
        12,
        "Réviser sans s'épuiser avant les partiels",
        True,
    ),
    (
        Moment.MOCK_EXAMS,
        "Concours blanc",
        3,
        20,
        "Retour sur le concours blanc et gestion du stress",
        True,
    ),
    (
        Moment.COMPETITIVE_EXAMS,
        "Épreuves de fin de PASS",
        5,
        18,
        "Dernière ligne droite\u00a0: les épreuves et les oraux",
        False,
    ),
]
PLACE = "Maison des étudiants, 42 rue de Valmy, Lille"
CAPACITY = 12


def seed(*, laureates: LaureatesDemo) -> WorkshopSeries:
    today = timezone.localdate()
    start_year = _school_year_start(today)
    school_year = f"{start_year}-{start_year + 1}"
    for moment, label, month, day, _theme, _published in KEY_DATES:
        KeyDate.objects.update_or_create(
            track=Track.MEDICINE,
            school_year=school_year,
            kind=moment,
            defaults={"label": label, "date": _date(start_year, month, day)},
        )
    series = WorkshopSeries.objects.filter(track=Track.MEDICINE, school_year=school_year).first()
    series = series or WorkshopSeries(track=Track.MEDICINE, school_year=school_year)
    series.lead = laureates.workshops
    # The demo laureate is in their third year: the demo audience goes up to it.
    series.audience_from_year, series.audience_to_year = 1, 3
    series.save()
    medicine = Laureate.objects.active().filter(track=Track.MEDICINE)
    series.animators.set(medicine.filter(study_year__gt=series.audience_to_year)[:3])

    sessions = []
    for moment, _label, month, day, theme, published in KEY_DATES:
        starts_at = proposed_start(key_date=_date(start_year, month, day), moment=moment)
        session, _ = Session.objects.update_or_create(
            series=series,
            moment=moment,
            defaults={
                "theme": theme,
                "starts_at": starts_at,
                "ends_at": starts_at + PROPOSED_DURATION,
                "place": PLACE,
                "video_url": "",
                "capacity": CAPACITY,
                "published_at": starts_at - datetime.timedelta(days=30) if published else None,
            },
        )
        sessions.append(session)

    audience = list(
        medicine.filter(study_year__lte=series.audience_to_year)
        .exclude(pk=laureates.laureate.pk)
        .order_by("pk")
    )
    start, midterm, *_ = sessions
    for session in (start, midterm):
        for laureate in audience:
            _register(
                session, laureate, attended=True if session.ends_at < timezone.now() else None
            )
    # The demo laureate: registered for the next session, not yet for the one after.
    upcoming = [s for s in sessions if s.is_published and s.starts_at > timezone.now()]
    if upcoming:
        _register(upcoming[0], laureates.laureate, attended=None)
    return series


def _register(session: Session, laureate: Laureate, *, attended: bool | None) -> None:
    Registration.objects.update_or_create(
        session=session,
        laureate=laureate,
        defaults={
            "status": RegistrationStatus.CONFIRMED,
            "registered_at": session.published_at or session.starts_at,
            "attended": attended,
        },
    )


def _school_year_start(today: datetime.date) -> int:
    """This school year, or the next once this one's last session is over."""
    start = int(school_year_of(today)[:4])
    moment, _label, month, day, *_ = KEY_DATES[-1]
    if proposed_start(key_date=_date(start, month, day), moment=moment).date() < today:
        start += 1
    return start


def _date(start_year: int, month: int, day: int) -> datetime.date:
    return datetime.date(start_year if month >= 8 else start_year + 1, month, day)
