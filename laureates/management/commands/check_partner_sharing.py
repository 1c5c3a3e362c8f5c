from django.core.management.base import BaseCommand

from laureates.models import search_sharing_check


class Command(BaseCommand):
    help = (
        "Recompute who partner companies see (Search.shared_consent_until) for everyone now, "
        "as the nightly task does, and fix what differs (after a manual change in the "
        "database, say)."
    )

    def handle(self, *args, **options):
        fixed = search_sharing_check()
        self.stdout.write(f"{fixed} search(es) fixed.")
