"""``manage.py refresh_triage``: store every laureate's triage score now, as the daily job
does (after migrating an existing database, or after changing data behind the app's back)."""

from django.core.management.base import BaseCommand

from reports.triage import triage_refresh


class Command(BaseCommand):
    help = (
        "Recompute every laureate's triage score and reasons and store those that changed "
        "(the triage list reads them). Safe to run at any time."
    )

    def handle(self, *args, **options):
        written = triage_refresh()
        self.stdout.write(self.style.SUCCESS(f"{written} stored triage row(s) written."))
