"""``manage.py apply_retention [--dry-run]``: the daily retention job, by hand."""

from django.core.management.base import BaseCommand

from emergence.personal_data import retention_apply, retention_days, retention_rules


class Command(BaseCommand):
    help = (
        "Apply every retention rule (RETENTION_DAYS): erase laureates who left long ago, empty "
        "old free text and e-mail bodies, delete old logs and expired data downloads. With "
        "--dry-run, say what would be done and change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        done = retention_apply(dry_run=dry_run)
        verb = "would be changed" if dry_run else "changed"
        for rule in retention_rules():
            self.stdout.write(
                f"{rule.name} ({retention_days(rule.name)} days; {rule.description}): "
                f"{done[rule.name]} row(s) {verb}"
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
