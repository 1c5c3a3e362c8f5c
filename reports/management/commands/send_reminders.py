"""``manage.py send_reminders [--date 2026-12-01] [--dry-run]``: the daily reminder job by hand."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.reminders import reminders_run
from reports.triage import triage_refresh


class Command(BaseCommand):
    help = (
        "Open the report periods and send the reminders due on a day (today by default), as "
        "the daily task does. What was already sent is not sent again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="The day to run for.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would be sent (kind, recipient, period); send and record nothing.",
        )

    def handle(self, *args, date: str | None, dry_run: bool, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        planned = reminders_run(today=today, dry_run=dry_run)
        if not dry_run:
            triage_refresh(today=today)  # as the daily task does
        for email in planned:
            self.stdout.write(f"{email.kind}\t{email.recipient}\t{email.period}")
        verb = "would be sent" if dry_run else "queued"
        self.stdout.write(self.style.SUCCESS(f"{today}: {len(planned)} e-mail(s) {verb}."))
