"""Demo data for workshops: a médecine series with its key dates, four sessions, animators
and registrations, the demo laureate registered for one; a prépa series animated by
animator@example.org, whose first session is over with attendance and ratings.

The series is the current school year's (the next one once this year's last session has
passed), so the demo always has sessions to come. Rows are keyed on natural keys: running
the seed again rewrites the same rows. Nobody is e-mailed: rows are written directly.
"""

import datetime

from django.utils import timezone

from laureates.demo import LaureatesDemo, demo_user
from laureates.models import Laureate, Promotion, Track
from workshops.models import (
    Feedback,
    KeyDate,
    Moment,
    Registration,
    RegistrationStatus,
    Session,
    WorkshopSeries,
    school_year_of,
)
from workshops.services import (
    PROPOSED_DURATION,
    attendance_record,
    proposed_start,
    series_propose_sessions,
)

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
    seed_prepa(laureates=laureates)
    return series


# The prépa series: its key moments (moment, label, month, day), the themes its proposed
# sessions get, and its animators, one of them the demo login animator@example.org.
ANIMATOR_EMAIL = "animator@example.org"
PREPA_KEY_DATES = [
    (Moment.START_OF_YEAR, "Rentrée en classes préparatoires", 9, 1),
    (Moment.MIDTERM_EXAMS, "Concours blancs de janvier", 1, 11),
    (Moment.MOCK_EXAMS, "Concours blancs de mars", 3, 8),
    (Moment.COMPETITIVE_EXAMS, "Écrits des concours", 4, 19),
]
PREPA_THEMES = {
    Moment.START_OF_YEAR: "Tenir le rythme de la prépa dès septembre",
    Moment.MIDTERM_EXAMS: "Réviser pendant les vacances sans s'épuiser",
    Moment.MOCK_EXAMS: "Tirer parti des concours blancs",
    Moment.COMPETITIVE_EXAMS: "Aborder les écrits sereinement",
}
PREPA_PLACE = "Lycée Jean-Perrin, salle 204, Lille"
# First- and second-year prépa students of the demo (the programme's seed has few): the
# series' audience. (e-mail, first name, last name, study year)
PREPA_STUDENTS = [
    ("ines.kaddour@example.org", "Inès", "Kaddour", 1),
    ("mathis.lemoine@example.org", "Mathis", "Lemoine", 1),
    ("aya.diallo@example.org", "Aya", "Diallo", 1),
    ("hugo.perrin@example.org", "Hugo", "Perrin", 2),
    ("sofia.benchikh@example.org", "Sofia", "Benchikh", 2),
]
PREPA_NOTE = (
    "Beaucoup de questions sur l'organisation des khôlles ; prévoir un temps sur le sommeil "
    "à la prochaine séance."
)


def seed_prepa(*, laureates: LaureatesDemo) -> WorkshopSeries:
    """A prépa series of this school year, its four sessions proposed by
    series_propose_sessions (so they fall where it places them), published; the first one
    over with its attendance, ratings and the animators' note."""
    today = timezone.localdate()
    start_year = int(school_year_of(today)[:4])
    school_year = f"{start_year}-{start_year + 1}"
    for moment, label, month, day in PREPA_KEY_DATES:
        KeyDate.objects.update_or_create(
            track=Track.PREPA,
            school_year=school_year,
            kind=moment,
            defaults={"label": label, "date": _date(start_year, month, day)},
        )
    series, _created = WorkshopSeries.objects.update_or_create(
        track=Track.PREPA,
        school_year=school_year,
        defaults={
            "lead": laureates.workshops,
            "audience_from_year": 1,
            "audience_to_year": 2,
            "school_zone": "B",
        },
    )
    for email, first, last, year in PREPA_STUDENTS:
        Laureate.objects.update_or_create(
            user=demo_user(email, first, last),
            defaults={
                "promotion": Promotion.objects.get_or_create(year=start_year + 1 - year)[0],
                "track": Track.PREPA,
                "study_year": year,
                "school": "Lycée Jean-Perrin, CPGE MPSI",
                "city": "Lille",
                "joined_on": datetime.date(start_year + 1 - year, 9, 1),
                "referent": laureates.referents[0],
            },
        )
    prepa = Laureate.objects.active().filter(track=Track.PREPA)
    animator = Laureate.objects.update_or_create(
        user=demo_user(ANIMATOR_EMAIL, "Yanis", "Amrani"),
        defaults={
            "promotion": Promotion.objects.get_or_create(year=start_year - 3)[0],
            "track": Track.PREPA,
            "study_year": 4,
            "school": "École d'ingénieurs du Rhône",
            "city": "Lille",
            "joined_on": datetime.date(start_year - 3, 9, 1),
        },
    )[0]
    seniors = list(prepa.filter(study_year__gt=2).exclude(pk=animator.pk).order_by("pk")[:1])
    series.animators.set([animator, *seniors])

    series_propose_sessions(series=series)
    now = timezone.now()
    sessions = list(series.sessions.order_by("starts_at"))
    for session in sessions:
        session.theme = PREPA_THEMES.get(session.moment, session.theme)
        session.place = PREPA_PLACE
        session.capacity = CAPACITY
        session.published_at = min(session.starts_at - datetime.timedelta(days=30), now)
        session.save(update_fields=["theme", "place", "capacity", "published_at"])

    audience = list(prepa.filter(study_year__lte=2).order_by("pk"))
    past = [s for s in sessions if s.ends_at < now]
    upcoming = [s for s in sessions if s.ends_at >= now]
    if past:
        held = past[-1]
        for laureate in audience:
            _register(held, laureate, attended=None)
        registrations = list(held.registrations.order_by("pk"))
        # All came but the last one registered.
        attendance_record(session=held, attended={r.pk for r in registrations[:-1]})
        held.animator_note = PREPA_NOTE
        held.save(update_fields=["animator_note"])
        for n, registration in enumerate(registrations[:-1]):
            Feedback.objects.update_or_create(
                session=held,
                laureate=registration.laureate,
                defaults={
                    "series": series,
                    "rating": 5 - n % 2,
                    "helped": "Les conseils d'organisation des anciens de prépa.",
                    "created_at": held.ends_at,
                },
            )
    if upcoming:
        for laureate in audience[: max(len(audience) - 1, 1)]:
            _register(upcoming[0], laureate, attended=None)
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
