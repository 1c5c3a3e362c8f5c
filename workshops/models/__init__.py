"""The workshops app's models: médecine and prépa workshops, from the school year's key dates
to the laureates' feedback. One module per topic:

- :mod:`.key_dates`: the moments of a school year, school years, the windows sessions fall
  in, the school-holiday zones and the tracks' key dates;
- :mod:`.series`: a series, one school year of workshops for one track, led by a staff
  member and animated by the same senior laureates;
- :mod:`.sessions`: its sessions, the laureates' registrations and their feedback;
- :mod:`.animators`: the changes of a series' animators and their reasons;
- :mod:`.feeds`: the secret token of a laureate's personal calendar address.

The functions that change several rows at once live in ``workshops.services``. Import from
here: ``from workshops.models import Session, WorkshopSeries``; migrations refer to
``workshops.models.validate_school_year``, ``default_school_zone`` and ``new_feed_token``.
"""

# In the order the models were declared in when this was one module, so that Django
# registers them (and lists them in ``apps.get_models()``) in the same order.
# isort: off
from workshops.models.key_dates import (  # noqa: F401
    MOMENT_WINDOW_DAYS,
    KeyDate,
    Moment,
    SchoolZone,
    default_school_zone,
    moment_window,
    school_year_of,
    validate_school_year,
)
from workshops.models.series import (  # noqa: F401
    SESSIONS_PER_YEAR,
    WorkshopSeries,
    WorkshopSeriesQuerySet,
)
from workshops.models.sessions import (  # noqa: F401
    Feedback,
    Registration,
    RegistrationQuerySet,
    RegistrationStatus,
    Session,
    SessionQuerySet,
)
from workshops.models.animators import AnimatorChange, AnimatorChangeKind  # noqa: F401
from workshops.models.feeds import CalendarFeed, new_feed_token  # noqa: F401
# isort: on
