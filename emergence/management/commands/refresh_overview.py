from django.core.management.base import BaseCommand

from emergence.overview_snapshots import overview_snapshots_refresh


class Command(BaseCommand):
    help = (
        "Count the staff overview's figures now for every role and language, as the nightly "
        "task does (after a deployment or an import, say)."
    )

    def handle(self, *args, **options):
        stored = overview_snapshots_refresh()
        self.stdout.write(f"{stored} overview snapshots stored.")
