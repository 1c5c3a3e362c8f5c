"""``manage.py create_periods --school-year 2026``: the four report periods of a school year."""

from django.core.management.base import BaseCommand
from django.db.models import Q

from reports.models import ReportPeriod, periods_create_for_school_year


class Command(BaseCommand):
    help = (
        "Create the report periods of a school year (Q4 of its first year, then Q1 to Q3) "
        "with their default dates. Periods that exist are kept as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--school-year",
            type=int,
            required=True,
            metavar="YEAR",
            help="The year the school year starts in: 2026 for 2026-2027.",
        )

    def handle(self, *args, school_year: int, **options):
        before = set(
            ReportPeriod.objects.filter(
                Q(year=school_year, quarter=4) | Q(year=school_year + 1, quarter__lte=3)
            ).values_list("year", "quarter")
        )
        for period in periods_create_for_school_year(start_year=school_year):
            dates = f"opens {period.opens_on}, due {period.due_on}"
            if (period.year, period.quarter) in before:
                self.stdout.write(f"{period.slug}: already there ({dates})")
            else:
                self.stdout.write(self.style.SUCCESS(f"{period.slug}: created ({dates})"))
