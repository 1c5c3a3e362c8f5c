"""The staff console for workshops: key dates, series, sessions, registrations, feedback.
One module per topic, each registering its models with the admin site:

- :mod:`.series`: key dates, and series with their form and their sessions inline;
- :mod:`.sessions`: sessions, their warnings, conflicts, attendance and publishing;
- :mod:`.registrations`: registrations, feedback, and a laureate's workshops on their page.
"""

from workshops.admin.registrations import (  # noqa: F401
    FeedbackAdmin,
    LaureateWorkshopInline,
    ReadOnlyFormSet,
    RegistrationAdmin,
)
from workshops.admin.series import (  # noqa: F401
    KeyDateAdmin,
    WorkshopSeriesAdmin,
    WorkshopSeriesForm,
)
from workshops.admin.sessions import (  # noqa: F401
    HTTPS_LINKS,
    ConflictFilter,
    RegistrationInline,
    SessionAdmin,
    SessionInline,
)
