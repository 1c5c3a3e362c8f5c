"""The staff console for reports: periods, questionnaires, the review of reports, and the
laureate list with its triage (which replaces the plain laureate list of ``laureates``)."""

from reports.admin import activity, laureates, periods, reads, reminders  # noqa: F401
