"""Demo data for the partners app: two partner companies and a partner member."""

from laureates.demo import PARTNER_EMAIL, LaureatesDemo, demo_user
from partners.models import Company, PartnerMembership

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
    return membership
