"""Demo data for the laureates app: staff referents, promotions, laureates, sponsors.

Everything is keyed on natural keys (e-mail, year, dates) and drawn from a
``random.Random`` seeded with a constant, so running the seed again rewrites
the same rows instead of adding new ones. All names are invented.
"""

import datetime
import random
import unicodedata
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone

from emergence import mfa, roles
from laureates.models import (
    CONSENT_VERSION,
    Channel,
    EndReason,
    FollowUp,
    Laureate,
    MeetingMode,
    MeetingTopic,
    PartnerConsent,
    Promotion,
    SearchKind,
    Side,
    Situation,
    Sponsor,
    SponsorMeeting,
    Sponsorship,
    Status,
    Track,
    add_months,
    search_set,
)

PASSWORD = "demo-emergence-2026"
STAFF_EMAIL = "staff@example.org"
LAUREATE_EMAIL = "laureate@example.org"
PARTNER_EMAIL = "partner@example.org"
# The demo laureate's current sponsor signs in to /sponsor/ (by a link, or the demo password).
SPONSOR_EMAIL = "sponsor@example.org"

FIRST_PROMOTION = 2009
LAST_PROMOTION = 2026
LAUREATE_COUNT = 60

# A fixed salt keeps the stored hash identical from one run to the next.
_SALT = "emergencedemo2026"

FIRST_NAMES = [
    "Amina", "Bilal", "Chloé", "Dylan", "Élodie", "Farid", "Gaëlle", "Hugo", "Imane", "Jordan",
    "Kenza", "Lucas", "Maëlys", "Nassim", "Océane", "Rayan", "Salomé", "Théo", "Yasmine", "Zoé",
    "Adrien", "Lina", "Mehdi", "Sarah", "Karim", "Léa", "Moussa", "Jade", "Samir", "Manon",
]  # fmt: skip
LAST_NAMES = [
    "Abadie", "Berthon", "Cissé", "Delorme", "Essafi", "Fontaine", "Guerrab", "Hamon",
    "Idrissi", "Joubert", "Kanté", "Lefranc", "Mebarki", "Nguyen", "Orsini", "Pasquier",
    "Quéméner", "Rahmani", "Sauvage", "Traoré", "Vasseur", "Wagner", "Yilmaz", "Zerrouki",
]  # fmt: skip
CITIES = [
    "Lille", "Roubaix", "Lyon", "Villeurbanne", "Marseille", "Saint-Denis", "Bobigny",
    "Toulouse", "Nantes", "Strasbourg", "Grenoble", "Rouen", "Montpellier", "Créteil",
]  # fmt: skip
SCHOOLS = {
    Track.MEDICINE: ["Faculté de médecine de Lille", "Faculté de santé de Créteil"],
    Track.PREPA: ["Lycée Jean-Perrin, CPGE MPSI", "Lycée Condorcet, CPGE ECG"],
    Track.ENGINEERING: ["École d'ingénieurs du Rhône", "Institut polytechnique de l'Isère"],
    Track.BUSINESS: ["École de commerce de Normandie", "Sup de Gestion Atlantique"],
    Track.UNIVERSITY: ["Université de la Métropole", "Université Sud-Méditerranée"],
    Track.IUT_BTS: ["IUT de Saint-Denis, GEA", "BTS Comptabilité, lycée Voltaire"],
}
# How long each track lasts: it caps the study year of active laureates.
TRACK_YEARS = {
    Track.MEDICINE: 9,
    Track.PREPA: 5,
    Track.ENGINEERING: 5,
    Track.BUSINESS: 5,
    Track.UNIVERSITY: 5,
    Track.IUT_BTS: 3,
}
LEAD_EMAIL = "lead@example.org"
REFERENT_EMAIL = "referent@example.org"
WORKSHOPS_EMAIL = "workshops@example.org"
PARTNERSHIPS_EMAIL = "partnerships@example.org"
# (e-mail, first name, last name, role). The superuser is the technical administrator:
# nothing in daily work needs one, the team works with roles.
STAFF = [
    (STAFF_EMAIL, "Claire", "Dubreuil", None),
    (LEAD_EMAIL, "Nadia", "Ferhat", roles.LEAD),
    (REFERENT_EMAIL, "Malik", "Haddad", roles.REFERENT),
    ("sophie.lemaire@example.org", "Sophie", "Lemaire", roles.REFERENT),
    (WORKSHOPS_EMAIL, "Julien", "Marchand", roles.WORKSHOPS),
    (PARTNERSHIPS_EMAIL, "Aurélie", "Besson", roles.PARTNERSHIPS),
]
# Who follows the laureates, in turn: referent@example.org has a third of them.
REFERENT_EMAILS = [REFERENT_EMAIL, "sophie.lemaire@example.org", LEAD_EMAIL]
# (first name, last name, company name): two partner companies, four sponsors each.
SPONSORS = [
    ("Antoine", "Garnier", "Conseil Horizon"),
    ("Béatrice", "Roussel", "Conseil Horizon"),
    ("Cédric", "Morvan", "Conseil Horizon"),
    ("Delphine", "Chauvet", "Conseil Horizon"),
    ("Émilie", "Brossard", "Banque Solidaire"),
    ("Franck", "Lambert", "Banque Solidaire"),
    ("Hélène", "Ferrand", "Banque Solidaire"),
    ("Olivier", "Texier", "Banque Solidaire"),
]
FOLLOW_UP_NOTES = [
    "Point d'étape\u00a0: les partiels se sont bien passés.",
    "Cherche un stage de deuxième année, CV relu ensemble.",
    "Fatigue en période d'examens, à rappeler dans un mois.",
    "Rencontre avec le parrain prévue le mois prochain.",
    "Hésite à se réorienter, rendez-vous pris avec la référente.",
    "Bourse CROUS obtenue, logement trouvé près du campus.",
]


@dataclass
class LaureatesDemo:
    """What the laureates seed made, for the seeds of the apps above."""

    staff: models.Model  # the programme lead, who decides what staff decide in the demo
    workshops: models.Model
    partnerships: models.Model
    referents: list = field(default_factory=list)
    laureate: Laureate | None = None
    laureates: list[Laureate] = field(default_factory=list)
    sponsors: list[Sponsor] = field(default_factory=list)


def password_hash() -> str:
    return make_password(PASSWORD, salt=_SALT)


def demo_user(email: str, first_name: str, last_name: str, **fields):
    """Create or reset a demo user whose password is the demo password."""
    user, _ = get_user_model().objects.update_or_create(
        email=email,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "password": fields.pop("password", None) or password_hash(),
            "is_active": True,
            **fields,
        },
    )
    return user


def seed(*, companies: Mapping[str, models.Model]) -> LaureatesDemo:
    """Seed staff, promotions, laureates, sponsors, sponsorships and follow-ups.

    ``companies`` maps a partner company's name to its row (seeded by partners).
    """
    rng = random.Random(2026)
    hashed = password_hash()

    roles.roles_sync()
    team = {}
    for email, first, last, role in STAFF:
        user = demo_user(
            email, first, last, is_staff=True, is_superuser=role is None, password=hashed
        )
        user.groups.set(Group.objects.filter(name=role))
        team[email] = user
    # Two-factor sign-in can be tried (STAFF_MFA_REQUIRED=true): `make demo` prints the secret.
    mfa.totp_device_set(user=team[STAFF_EMAIL], secret=mfa.DEMO_SECRET)
    referents = [team[email] for email in REFERENT_EMAILS]
    staff = team[LEAD_EMAIL]
    promotions = {
        year: Promotion.objects.get_or_create(year=year)[0]
        for year in range(FIRST_PROMOTION, LAST_PROMOTION + 1)
    }
    sponsors = [
        Sponsor.objects.update_or_create(
            email=SPONSOR_EMAIL
            if i == 0
            else f"{_slug(first)}.{_slug(last)}@{_slug(company)}.example.com",
            defaults={
                "first_name": first,
                "last_name": last,
                "phone": f"01 44 {10 + i:02d} {20 + i:02d} {30 + i:02d}",
                "company": companies[company],
            },
        )[0]
        for i, (first, last, company) in enumerate(SPONSORS)
    ]

    demo = LaureatesDemo(
        staff=staff,
        workshops=team[WORKSHOPS_EMAIL],
        partnerships=team[PARTNERSHIPS_EMAIL],
        referents=referents,
        sponsors=sponsors,
    )
    demo.laureate = _seed_laureate(
        user=demo_user(LAUREATE_EMAIL, "Nora", "Belkacem", password=hashed),
        promotion=promotions[2024],
        track=Track.MEDICINE,
        study_year=3,
        school="Faculté de médecine de Lille",
        city="Lille",
        status=Status.ACTIVE,
        situation=Situation.STUDYING,
        referent=referents[0],
    )
    demo.laureates.append(demo.laureate)
    _seed_sponsorships(demo.laureate, sponsors[0], 2024, current=True, previous=None)
    _seed_sponsor_page(demo.laureate, sponsors[0], hashed)
    _seed_follow_ups(demo.laureate, referents[0], rng, count=2)

    names = _names(rng, LAUREATE_COUNT - 1)
    for i, (first, last) in enumerate(names):
        year = FIRST_PROMOTION + i * (LAST_PROMOTION - FIRST_PROMOTION + 1) // len(names)
        track = list(SCHOOLS)[i % len(SCHOOLS)]
        status, situation = _status(rng, year)
        referent = referents[i % len(referents)]
        laureate = _seed_laureate(
            user=demo_user(
                f"{_slug(first)}.{_slug(last)}@example.org", first, last, password=hashed
            ),
            promotion=promotions[year],
            track=track,
            study_year=min(LAST_PROMOTION - year + 1, TRACK_YEARS[track]),
            school=rng.choice(SCHOOLS[track]),
            city=rng.choice(CITIES),
            status=status,
            situation=situation,
            referent=referent if status == Status.ACTIVE else None,
        )
        demo.laureates.append(laureate)
        sponsor = sponsors[i % len(sponsors)]
        previous = sponsors[(i + 3) % len(sponsors)] if i % 5 == 0 else None
        # One active laureate in six waits for a sponsor: staff see them in the filter.
        if status != Status.LEFT and not (status == Status.ACTIVE and i % 6 == 0):
            _seed_sponsorships(
                laureate, sponsor, year, current=status == Status.ACTIVE, previous=previous
            )
        if status == Status.ACTIVE:
            _seed_follow_ups(laureate, referent, rng, count=1 + i % 3)
    _seed_alumni_searches(demo.laureates, today=timezone.localdate())
    return demo


def _seed_laureate(*, user, promotion: Promotion, **fields) -> Laureate:
    degree, degree_year = _degree(fields["track"], fields["study_year"], fields["status"])
    return Laureate.objects.update_or_create(
        user=user,
        defaults={
            "promotion": promotion,
            "joined_on": datetime.date(promotion.year, 9, 1),
            "phone": f"06 {zlib.crc32(user.email.encode()) % 90 + 10:02d} 23 45 67",
            "degree": degree,
            "degree_year": degree_year,
            **fields,
        },
    )[0]


def _degree(track: str, study_year: int, status: str) -> tuple[str, int | None]:
    """The degree being prepared (or, for alumni, obtained) and its year: « Master 2 »."""
    if track == Track.MEDICINE:
        if status == Status.ALUMNI:
            return "Doctorat de médecine", None
        return "Médecine", min(study_year, 8)
    if track == Track.PREPA:
        return ("CPGE", study_year) if study_year <= 2 else ("Master", max(study_year - 3, 1))
    if track == Track.IUT_BTS:
        return "BUT", min(study_year, 3)
    if status == Status.ALUMNI or study_year > 3:
        return "Master", 2 if status == Status.ALUMNI else study_year - 3
    return "Licence", study_year


# (kind, field, place, pitch) of the alumni's searches, in turn.
ALUMNI_SEARCHES = [
    (SearchKind.JOB, "Contrôle de gestion", "Lyon",
     "Huit ans en cabinet, je cherche un poste de contrôleuse de gestion en entreprise."),
    (SearchKind.JOB, "Ingénierie des données", "Toulouse",
     "Ingénieur data, je cherche un poste plus proche de ma famille."),
    (SearchKind.WORK_STUDY, "Ressources humaines", "Paris",
     "En reprise d'études, je cherche une alternance en RH pour un master 2."),
    (SearchKind.JOB, "Santé publique", "Marseille",
     "Médecin, je cherche un poste en santé publique ou en prévention."),
]  # fmt: skip
# Which of those alumni consented to the older text (their page asks them to renew), and
# whose search was last confirmed seven months ago (partners no longer see it).
ALUMNI_OLDER_CONSENT, ALUMNI_STALE = 2, 3


def _seed_alumni_searches(laureates: list[Laureate], *, today: datetime.date) -> None:
    """Four alumni look for a job or a work-study contract and share their profile; they
    were asked about it by e-mail a month ago."""
    alumni = [laureate for laureate in laureates if laureate.status == Status.ALUMNI][:4]
    given_at = datetime.datetime.combine(
        today - datetime.timedelta(days=60), datetime.time(9), tzinfo=datetime.UTC
    )
    for i, laureate in enumerate(alumni):
        kind, field_, place, pitch = ALUMNI_SEARCHES[i % len(ALUMNI_SEARCHES)]
        Laureate.objects.filter(pk=laureate.pk).update(
            situation=Situation.SEEKING if kind == SearchKind.JOB else Situation.STUDYING,
            search_asked_on=today - datetime.timedelta(days=30),
        )
        search = search_set(
            laureate=laureate,
            kind=kind,
            field=field_,
            starts_on=add_months(today.replace(day=1), 2),
            place=place,
            pitch=pitch,
        )
        if i == ALUMNI_STALE:
            search.confirmed_on = add_months(today, -7)
            search.save(update_fields=["confirmed_on"])
        PartnerConsent.objects.update_or_create(
            laureate=laureate,
            withdrawn_at=None,
            replaced_at=None,
            defaults={
                "version": "2026-1" if i == ALUMNI_OLDER_CONSENT else CONSENT_VERSION,
                "given_at": given_at,
                "expires_on": add_months(given_at.date(), 12),
            },
        )


def _seed_sponsorships(
    laureate: Laureate, sponsor: Sponsor, year: int, *, current: bool, previous: Sponsor | None
) -> None:
    """A first sponsor from the first autumn; some laureates changed sponsor a year later."""
    start = datetime.date(year, 10, 1)
    if previous is not None:
        handover = datetime.date(year + 1, 9, 30)
        Sponsorship.objects.update_or_create(
            laureate=laureate,
            sponsor=previous,
            started_on=start,
            defaults={"ended_on": handover, "end_reason": EndReason.NO_TIME},
        )
        start = handover + datetime.timedelta(days=1)
    ended_on = None if current else datetime.date(min(year + 5, LAST_PROMOTION), 6, 30)
    Sponsorship.objects.update_or_create(
        laureate=laureate,
        sponsor=sponsor,
        started_on=start,
        defaults={
            "ended_on": ended_on,
            "end_reason": "" if current else EndReason.GRADUATED,
        },
    )


def _seed_sponsor_page(laureate: Laureate, sponsor: Sponsor, hashed: str) -> None:
    """sponsor@example.org signs in to /sponsor/: two past meetings with the demo laureate,
    the last one logged by the laureate and waiting for the sponsor's confirmation."""
    sponsor.user = demo_user(SPONSOR_EMAIL, sponsor.first_name, sponsor.last_name, password=hashed)
    sponsor.save(update_fields=["user"])
    Laureate.objects.filter(pk=laureate.pk).update(
        project_for_sponsor=(
            "Devenir médecin généraliste en zone rurale\u00a0; je cherche un stage d'été "
            "dans un cabinet ou une maison de santé."
        )
    )
    sponsorship = laureate.sponsorships.current().get()
    sponsorship.meetings.all().delete()
    today = timezone.localdate()
    SponsorMeeting.objects.create(
        sponsorship=sponsorship,
        date=today - datetime.timedelta(days=75),
        mode=MeetingMode.IN_PERSON,
        topics=[MeetingTopic.STUDIES, MeetingTopic.PROJECT],
        note="Déjeuner près de la fac\u00a0: point sur les partiels et le projet de stage.",
        logged_by=Side.SPONSOR,
        confirmed_at=timezone.now() - datetime.timedelta(days=74),
    )
    SponsorMeeting.objects.create(
        sponsorship=sponsorship,
        date=today - datetime.timedelta(days=12),
        mode=MeetingMode.VIDEO,
        topics=[MeetingTopic.WORK],
        note="Relecture de ma lettre de motivation pour le stage d'été.",
        logged_by=Side.LAUREATE,
    )


def _seed_follow_ups(laureate: Laureate, by, rng: random.Random, *, count: int) -> None:
    channels = list(Channel)
    for n in range(count):
        FollowUp.objects.update_or_create(
            laureate=laureate,
            date=datetime.date(2026, 1 + 3 * n, 5 + rng.randrange(20)),
            channel=rng.choice(channels),
            defaults={"note": rng.choice(FOLLOW_UP_NOTES), "by": by},
        )


def _status(rng: random.Random, year: int) -> tuple[str, str]:
    if year >= 2021:
        return Status.ACTIVE, Situation.STUDYING
    if rng.random() < 0.12:
        return Status.LEFT, Situation.SEEKING
    if year >= 2018:
        return Status.ACTIVE, rng.choice([Situation.STUDYING, Situation.SEEKING])
    return Status.ALUMNI, rng.choice([Situation.IN_WORK] * 4 + [Situation.SEEKING])


def _names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    pairs = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    return rng.sample(pairs, count)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(ascii_text.lower().replace("'", " ").split())
