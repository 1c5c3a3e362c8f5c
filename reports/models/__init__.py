"""Quarterly activity reports: periods, versioned questionnaires, the reports themselves,
and what staff keep about them. One module per topic:

- :mod:`.periods`: the quarters (ReportPeriod) and the dates of a school year's quarters;
- :mod:`.questions`: the versioned extra questions (Questionnaire, Question);
- :mod:`.activity_reports`: the reports, their statuses and their sections of answers;
- :mod:`.triage_records`: the triage of a laureate and its events (the rules are in
  ``reports/triage/``);
- :mod:`.quiet_periods`: the dates when no reminder goes out;
- :mod:`.reads`: who opened a report or its confidential answers;
- :mod:`.sponsor_checkins`: sponsors' answers to the quarterly question.

Import from here: ``from reports.models import ActivityReport, ReportPeriod``.
"""

# In the order the models were declared in when this was one module, so that Django
# registers them (and lists them in ``apps.get_models()``) in the same order.
# isort: off
from reports.models.periods import (  # noqa: F401
    ReportPeriod,
    ReportPeriodQuerySet,
    periods_create_for_school_year,
    quarter_dates,
)
from reports.models.questions import Question, QuestionKind, Questionnaire  # noqa: F401
from reports.models.activity_reports import (  # noqa: F401
    ANSWER_FIELDS,
    ANSWER_SECTIONS,
    ANSWER_TEXT_MAX_LENGTH,
    RATING_FIELDS,
    RATINGS,
    ActivityReport,
    ActivityReportQuerySet,
    Exams,
    ReportStatus,
    SearchChoice,
    rating_field,
)
from reports.models.triage_records import (  # noqa: F401
    ContactOutcome,
    FollowUpLevel,
    StoredTriage,
    Triage,
    TriageEvent,
    TriageEventKind,
    TriageState,
)
from reports.models.quiet_periods import QuietPeriod, QuietPeriodQuerySet  # noqa: F401
from reports.models.reads import ReadWhat, ReportRead, ReportReadQuerySet  # noqa: F401
from reports.models.sponsor_checkins import CheckinAnswer, SponsorCheckin  # noqa: F401
# isort: on
