"""``manage.py setup_beat``: write CELERY_BEAT_SCHEDULE into django-celery-beat's tables."""

from django.core.management.base import BaseCommand
from django_celery_beat.schedulers import ModelEntry

from emergence.celery import app


class Command(BaseCommand):
    help = (
        "Create or update the periodic tasks defined in CELERY_BEAT_SCHEDULE, so the admin "
        "shows them before beat first starts (beat does the same at each start). A task "
        "staff disabled in the admin stays disabled."
    )

    def handle(self, *args, **options):
        for name, entry in app.conf.beat_schedule.items():
            # The same call DatabaseScheduler makes for each entry when beat starts.
            ModelEntry.from_entry(name, app=app, **entry)
            self.stdout.write(f"{name}: {entry['task']} ({entry['schedule']})")
