"""``manage.py seed_demo``: a small believable programme to log into, never in production."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from laureates import demo as laureates_demo
from laureates.models import search_sharing_refresh
from partners import demo as partners_demo
from reports import demo as reports_demo
from reports.triage import triage_refresh
from workshops import demo as workshops_demo

DEMO_LOGINS = [
    (laureates_demo.STAFF_EMAIL, "technical administrator (superuser) -> /admin/"),
    (laureates_demo.LEAD_EMAIL, "Direction du programme (programme lead) -> /admin/"),
    (laureates_demo.REFERENT_EMAIL, "Référent·e, referent of laureate@example.org -> /admin/"),
    (laureates_demo.WORKSHOPS_EMAIL, "Ateliers (workshops) -> /admin/"),
    (laureates_demo.PARTNERSHIPS_EMAIL, "Entreprises (partnerships) -> /admin/"),
    (laureates_demo.LAUREATE_EMAIL, "laureate -> /me/"),
    (laureates_demo.PARTNER_EMAIL, "partner company member -> /partners/"),
    (laureates_demo.SPONSOR_EMAIL, "sponsor of laureate@example.org -> /sponsor/"),
    (workshops_demo.ANIMATOR_EMAIL, "animator of the prépa workshops -> /workshops/animate/"),
]


class Command(BaseCommand):
    help = "Create or refresh the demo data and its logins (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DEBUG on: it writes demo logins with a public password."
            )
        # Each app seeds its own part, lowest app first; running it again rewrites the same rows.
        with transaction.atomic():
            companies = partners_demo.seed_companies()
            laureates = laureates_demo.seed(companies=companies)
            reports_demo.seed(laureates=laureates)
            workshops_demo.seed(laureates=laureates)
            partners_demo.seed(companies=companies, laureates=laureates)
            # The demo writes reports and absences directly: store everyone's triage.
            triage_refresh()
            # And consents and statuses directly: who partners see, for everyone.
            search_sharing_refresh()

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {len(laureates.laureates)} laureates, "
                f"{len(laureates.sponsors)} sponsors, {len(companies)} partner companies."
            )
        )
        self.stdout.write(f"Logins (password {laureates_demo.PASSWORD}):")
        for email, role in DEMO_LOGINS:
            self.stdout.write(f"  {email:<26} {role}")
