"""Demo data for the partners app: two partner companies, a partner member, laureates who
share their profile, introductions, placements and co-optation."""

import datetime
from decimal import Decimal

from django.utils import timezone

from laureates.demo import PARTNER_EMAIL, LaureatesDemo, demo_user
from laureates.models import (
    CONSENT_VERSION,
    Laureate,
    PartnerConsent,
    Placement,
    PlacementSource,
    SearchKind,
    Situation,
    Status,
    add_months,
    search_set,
)
from partners.donations import donation_confirm
from partners.models import (
    Company,
    CoOpter,
    Donation,
    Introduction,
    IntroductionStatus,
    Offer,
    PartnerMembership,
    Referral,
    ReferralStatus,
)
from partners.offers import offer_save
from partners.services import coopter_register_staff

COMPANIES = [
    {
        "name": "Conseil Horizon",
        "sector": "Conseil",
        "city": "Paris",
        "contact_name": "Julien Marchand",
        "contact_email": PARTNER_EMAIL,
        "contact_phone": "01 40 12 34 56",
    },
    {
        "name": "Banque Solidaire",
        "sector": "Banque",
        "city": "Lyon",
        "contact_name": "Aurélie Vidal",
        "contact_email": "aurelie.vidal@banque-solidaire.example.com",
        "contact_phone": "04 72 98 76 54",
    },
]


def seed_companies() -> dict[str, Company]:
    """The partner companies, first: the laureates' sponsors work for them."""
    return {
        row["name"]: Company.objects.update_or_create(
            name=row["name"], defaults={**row, "active": True}
        )[0]
        for row in COMPANIES
    }


def seed(*, companies: dict[str, Company], laureates: LaureatesDemo) -> PartnerMembership:
    """The partner member who logs in as partner@example.org."""
    user = demo_user(PARTNER_EMAIL, "Julien", "Marchand")
    membership, _ = PartnerMembership.objects.update_or_create(
        user=user,
        defaults={"company": companies["Conseil Horizon"], "job_title": "Responsable RSE"},
    )
    today = timezone.localdate()
    sharing = seed_partner_sharing(laureates=laureates, today=today)
    seed_demo_laureate_sharing(laureate=laureates.laureate, today=today)
    seed_introductions(
        membership=membership,
        sharing=sharing,
        laureate=laureates.laureate,
        staff=laureates.partnerships,
    )
    seed_placements(companies=companies, laureates=laureates)
    seed_cooptation(laureates=laureates)
    seed_offers(companies=companies, membership=membership, today=today)
    return membership


# What partners see and what came of it -------------------------------------------------

# (kind, field, place, months from now, duration, pitch): the searches of the laureates who
# share their profile with partners.
DEMO_SEARCHES = [
    (SearchKind.INTERNSHIP, "Conseil en stratégie", "Lille", 6, 4,
     "Curieuse et rigoureuse, je cherche un stage de quatre mois en conseil."),
    (SearchKind.WORK_STUDY, "Contrôle de gestion", "Lyon", 8, 24,
     "Alternance de deux ans pour mon master, à l'aise avec Excel et les chiffres."),
    (SearchKind.INTERNSHIP, "Data et statistiques", "Paris", 5, 3,
     "Stage de fin de licence\u00a0: Python, SQL, visualisation."),
    (SearchKind.JOB, "Audit financier", "Paris", 9, None,
     "Diplômé cette année, je cherche un premier poste en audit."),
    (SearchKind.INTERNSHIP, "Santé publique", "Marseille", 7, 2,
     "Stage d'observation dans une agence régionale de santé."),
    (SearchKind.WORK_STUDY, "Développement logiciel", "Nantes", 8, 12,
     "Alternance en développement web, projets personnels sur GitHub."),
]  # fmt: skip
SHARING_COUNT = 10


def seed_partner_sharing(*, laureates: LaureatesDemo, today: datetime.date) -> list[Laureate]:
    """Consents and open searches for ten active laureates (not the demo laureate, who decides
    on their own page)."""
    chosen = [
        laureate
        for laureate in laureates.laureates
        if laureate.status == Status.ACTIVE and laureate != laureates.laureate
    ][::3][:SHARING_COUNT]
    given_at = datetime.datetime.combine(
        today - datetime.timedelta(days=40), datetime.time(9), tzinfo=datetime.UTC
    )
    for i, laureate in enumerate(chosen):
        kind, field, place, months, duration, pitch = DEMO_SEARCHES[i % len(DEMO_SEARCHES)]
        search_set(
            laureate=laureate,
            kind=kind,
            field=field,
            starts_on=add_months(today.replace(day=1), months),
            duration_months=duration,
            place=place,
            pitch=pitch,
        )
        PartnerConsent.objects.update_or_create(
            laureate=laureate,
            withdrawn_at=None,
            replaced_at=None,
            defaults={
                "version": CONSENT_VERSION,
                "given_at": given_at,
                "expires_on": add_months(given_at.date(), 12),
            },
        )
    return chosen


def seed_demo_laureate_sharing(*, laureate: Laureate, today: datetime.date) -> None:
    """laureate@example.org shares their profile (a company asked to meet them) and looks for a
    summer internship in Paris, away from the Lille internships the partner journey filters."""
    search_set(
        laureate=laureate,
        kind=SearchKind.INTERNSHIP,
        field="Recherche clinique",
        starts_on=add_months(today.replace(day=1), 7),
        duration_months=2,
        place="Paris",
        pitch="Étudiante en troisième année de médecine, je cherche un stage d'été en recherche.",
    )
    given_at = datetime.datetime.combine(
        today - datetime.timedelta(days=30), datetime.time(9), tzinfo=datetime.UTC
    )
    PartnerConsent.objects.update_or_create(
        laureate=laureate,
        withdrawn_at=None,
        replaced_at=None,
        defaults={
            "version": CONSENT_VERSION,
            "given_at": given_at,
            "expires_on": add_months(given_at.date(), 12),
        },
    )


def seed_introductions(
    *, membership: PartnerMembership, sharing: list[Laureate], laureate: Laureate, staff
) -> list[Introduction]:
    """A request in each state the partner's list shows; one waits for laureate@example.org's
    answer on their page. Staff decisions are the partnerships login's."""
    today = timezone.localdate()

    def days_ago(days: int | None) -> datetime.datetime | None:
        if days is None:
            return None
        day = today - datetime.timedelta(days=days)
        return datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)

    s = IntroductionStatus
    # (laureate, title, status, days ago: asked, passed on, answered, closed; their message)
    rows = [
        (sharing[2], "Stage data, équipe Lille", s.PENDING, 1, None, None, None, ""),
        (laureate, "Stage d'été, pôle santé", s.FORWARDED, 3, 2, None, None, ""),
        (sharing[3], "Auditeur junior", s.ACCEPTED, 20, 19, 17, 17,
         "Avec plaisir\u00a0! Je suis disponible les mardis et jeudis."),
        (sharing[4], "Stage conseil santé, été", s.DECLINED, 30, 29, 26, 26,
         "J'ai déjà trouvé un stage pour cet été, merci."),
        (sharing[5], "Alternance développement web", s.EXPIRED, 40, 38, None, 24, ""),
    ]  # fmt: skip
    introductions = []
    for who, title, status, asked, forwarded, answered, closed, answer in rows:
        search = who.searches.open().first()
        introduction, _ = Introduction.objects.update_or_create(
            company=membership.company,
            laureate=who,
            title=title,
            defaults={
                "requested_by": membership.user,
                "message": "Bonjour, votre profil correspond à ce que nous cherchons.",
                "kind": search.kind if search else SearchKind.INTERNSHIP,
                "place": search.place if search else "Paris",
                "status": status,
                "decided_at": days_ago(forwarded if forwarded is not None else closed),
                "decided_by": staff if status != s.PENDING else None,
                "forwarded_at": days_ago(forwarded),
                "answered_at": days_ago(answered),
                "laureate_message": answer,
                "closed_at": days_ago(closed),
            },
        )
        # "Asked at" is set on creation: date it like the rest of the story.
        Introduction.objects.filter(pk=introduction.pk).update(created_at=days_ago(asked))
        introductions.append(introduction)
    return introductions


def seed_placements(*, companies: dict[str, Company], laureates: LaureatesDemo) -> None:
    """Placements of alumni and older laureates, some at partner companies."""
    alumni = [laureate for laureate in laureates.laureates if laureate.status == Status.ALUMNI]
    rows = [
        ("Conseil Horizon", "", SearchKind.INTERNSHIP, "Stagiaire consultant", "Stratégie",
         "Lille", datetime.date(2024, 9, 2), 4),
        ("Banque Solidaire", "", SearchKind.WORK_STUDY, "Alternant contrôle de gestion",
         "Finance", "Lyon", datetime.date(2025, 9, 1), 24),
        ("", "Clinique des Lilas", SearchKind.JOB, "Infirmière", "Urgences",
         "Rouen", datetime.date(2025, 1, 6), None),
        ("Conseil Horizon", "", SearchKind.JOB, "Consultante junior", "Transformation",
         "Paris", datetime.date(2026, 1, 5), None),
    ]  # fmt: skip
    for laureate, (company, other, kind, title, department, city, starts_on, months) in zip(
        alumni, rows, strict=False
    ):
        Placement.objects.update_or_create(
            laureate=laureate,
            title=title,
            starts_on=starts_on,
            defaults={
                "company": companies.get(company),
                "other_company": other,
                "kind": kind,
                "department": department,
                "city": city,
                "duration_months": months,
                "source": PlacementSource.STAFF,
            },
        )


def seed_cooptation(*, laureates: LaureatesDemo) -> None:
    """An alumna in work who co-opts through Keycoopt, with referrals in every state, and
    the programme lead who co-opts too; a donation of each confirmed, with its receipt."""
    in_work = [
        laureate for laureate in laureates.laureates if laureate.situation == Situation.IN_WORK
    ]
    if not in_work:
        return
    coopter, _ = CoOpter.objects.update_or_create(
        laureate=in_work[0], defaults={"platforms": "Keycoopt"}
    )
    rows = [
        ("Samia Ouali", "Cabinet Lumière", "Analyste financière", "KC-2025-031",
         ReferralStatus.HIRED, datetime.date(2025, 3, 10), 1000, True),
        ("Lucas Perrin", "Transports Azur", "Chef de projet", "KC-2026-012",
         ReferralStatus.INTERVIEWING, datetime.date(2026, 2, 3), None, False),
        ("Inès Garnier", "Banque Solidaire", "Chargée de clientèle", "KC-2026-044",
         ReferralStatus.HIRED, datetime.date(2026, 4, 14), 750, True),
        ("Hugo Marchal", "Data Sud", "Développeur", "KC-2026-051",
         ReferralStatus.NOT_RETAINED, datetime.date(2026, 5, 2), None, False),
    ]  # fmt: skip
    referrals = {}
    for name, company, job, reference, status, day, bonus, pledged in rows:
        referrals[reference], _ = Referral.objects.update_or_create(
            coopter=coopter,
            platform_reference=reference,
            defaults={
                "candidate_name": name,
                "company": company,
                "job_title": job,
                "platform": "Keycoopt",
                "status": status,
                "referred_on": day,
                "bonus": bonus,
                "pledged_to_programme": pledged,
            },
        )
    lead = laureates.staff
    lead_referral, _ = Referral.objects.update_or_create(
        coopter=coopter_register_staff(user=lead, platforms="Keycoopt"),
        platform_reference="KC-2026-077",
        defaults={
            "candidate_name": "Thomas Lebrun",
            "company": "Conseil Horizon",
            "job_title": "Consultant junior",
            "platform": "Keycoopt",
            "status": ReferralStatus.HIRED,
            "referred_on": datetime.date(2026, 1, 12),
            "bonus": 1000,
            "pledged_to_programme": True,
        },
    )
    # (referral, donor's name and address, received on, confirmed on); the 2026 bonus of
    # KC-2026-044 waits for staff to confirm it.
    donor = in_work[0].user.get_full_name()
    donations = [
        (referrals["KC-2025-031"], donor, "5 rue des Tanneurs", "67000", "Strasbourg",
         datetime.date(2025, 7, 1), datetime.date(2025, 7, 3)),
        (lead_referral, lead.get_full_name(), "8 avenue Jean Jaurès", "69007", "Lyon",
         datetime.date(2026, 5, 4), datetime.date(2026, 5, 6)),
    ]  # fmt: skip
    for referral, name, address, postcode, city, received_on, confirmed_on in donations:
        if not Donation.objects.filter(referral=referral).exists():
            donation_confirm(
                referral=referral,
                by=lead,
                amount=Decimal(referral.bonus),
                received_on=received_on,
                donor_name=name,
                donor_address=address,
                donor_postcode=postcode,
                donor_city=city,
                today=confirmed_on,
            )


# (company, kind, title, field, place, months from now, duration, description): offers that
# fit some of the demo searches, the demo laureate's summer internship among them.
DEMO_OFFERS = [
    ("Conseil Horizon", SearchKind.INTERNSHIP, "Stage consultant·e stratégie", "Conseil",
     "Lille", 6, 4, "Quatre mois dans une équipe qui accompagne des collectivités du Nord."),
    ("Conseil Horizon", SearchKind.INTERNSHIP, "Stage d'été en recherche clinique",
     "Recherche clinique", "Paris", 7, 2,
     "Deux mois auprès de notre pôle santé, sur des essais cliniques en cours."),
    ("Conseil Horizon", SearchKind.INTERNSHIP, "Stage data analyst", "Data", "Paris", 5, 3,
     "Tableaux de bord et analyses pour nos missions, en Python et SQL."),
    ("Banque Solidaire", SearchKind.WORK_STUDY, "Alternance contrôle de gestion",
     "Contrôle de gestion", "Lyon", 8, 24,
     "Deux ans au sein de la direction financière régionale, pendant votre master."),
]  # fmt: skip


def seed_offers(
    *, companies: dict[str, Company], membership: PartnerMembership, today: datetime.date
) -> list[Offer]:
    """Open offers of both companies, posted by the partner member where it is their company,
    each closing two months from now."""
    offers = []
    for company_name, kind, title, field, place, months, duration, description in DEMO_OFFERS:
        company = companies[company_name]
        offer = Offer.objects.filter(company=company, title=title).first() or Offer(
            company=company,
            posted_by=membership.user if company == membership.company else None,
        )
        offers.append(
            offer_save(
                offer=offer,
                kind=kind,
                title=title,
                field=field,
                place=place,
                starts_on=add_months(today.replace(day=1), months),
                duration_months=duration,
                description=description,
                closes_on=add_months(today, 2),
                how_to_apply="Dites « je suis intéressé·e » : l’équipe du programme fait le lien.",
            )
        )
    return offers
