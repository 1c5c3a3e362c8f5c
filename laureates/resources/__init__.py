"""Spreadsheet import and export of laureates, sponsors and sponsorships. One module per
topic:

- :mod:`.widgets`: the cells that name another row (a promotion by its year, a staff member,
  a company, a laureate or a sponsor), looked up once per file;
- :mod:`.laureates`: the laureates' spreadsheet, their accounts written in bulk with them;
- :mod:`.sponsorships`: the sponsors' and the sponsorships' spreadsheets.

Import from here: ``from laureates.resources import LaureateResource``.
"""

from laureates.resources.laureates import (  # noqa: F401
    SITUATION_ALIASES,
    STATUS_ALIASES,
    TRACK_ALIASES,
    USER_COLUMNS,
    LaureateResource,
    user_names,
)
from laureates.resources.sponsorships import (  # noqa: F401
    END_REASON_ALIASES,
    SponsorResource,
    SponsorshipResource,
)
from laureates.resources.widgets import (  # noqa: F401
    CompanyWidget,
    LaureateEmailWidget,
    PromotionWidget,
    SponsorEmailWidget,
    StaffWidget,
    users_by_email,
)
