"""``manage.py send_session_reminders [--date YYYY-MM-DD]``: the daily workshop job, by hand."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from workshops.animators import animator_reminders_send
from workshops.services import series_feedback_request, session_reminders_send


class Command(BaseCommand):
    help = (
        "Remind registered laureates and the animators of the sessions starting in the next "
        "two days, and ask the attendees of finished sessions for feedback. Safe to run "
        "twice: nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Run as if today were this day (YYYY-MM-DD); default: today."
        )

    def handle(self, *args, date=None, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        reminders = session_reminders_send(day=day) + animator_reminders_send(day=day)
        end_of_day = timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
        feedback = series_feedback_request(now=min(end_of_day, timezone.now()))
        self.stdout.write(
            f"{day}: {reminders} reminder(s) and {feedback} feedback request(s) recorded "
            "(already sent ones are not sent again)."
        )
