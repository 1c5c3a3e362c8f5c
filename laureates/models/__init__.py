"""The laureates app's models: laureates, their sponsors, the staff's follow-ups, what they
look for, their consent to partner sharing and their placements. One module per topic:

- :mod:`.people`: promotions, tracks, statuses, situations, and the Laureate itself;
- :mod:`.sponsorships`: sponsors and their sponsorships;
- :mod:`.follow_ups`: the programme team's follow-ups;
- :mod:`.searches`: what a laureate is looking for, and the folding of text partners
  search in;
- :mod:`.consent`: the consent to partner sharing and the functions that give and
  withdraw it;
- :mod:`.placements`: internships, work-study contracts and jobs obtained;
- :mod:`.meetings`: sponsors' meetings and yearly fit answers;
- :mod:`.dates`: the month arithmetic they share.

Import from here: ``from laureates.models import Laureate, search_set``.
"""

# In the order the models were declared in when this was one module (the meetings and fit
# answers came last), so that Django registers them
# (and lists them in ``apps.get_models()``) in the same order.
# isort: off
from laureates.models.dates import add_months  # noqa: F401
from laureates.models.people import (  # noqa: F401
    SHOWN_TO_PARTNERS,
    Laureate,
    LaureateQuerySet,
    Promotion,
    Situation,
    Status,
    Track,
)
from laureates.models.sponsorships import (  # noqa: F401
    EndReason,
    Sponsor,
    Sponsorship,
    SponsorshipQuerySet,
)
from laureates.models.follow_ups import Channel, FollowUp  # noqa: F401
from laureates.models.searches import (  # noqa: F401
    SEARCH_FRESH_MONTHS,
    Search,
    SearchKind,
    SearchQuerySet,
    search_confirm,
    search_fold,
    search_fresh_since,
    search_set,
    search_sharing_check,
    search_sharing_refresh,
    search_sharing_wrong,
    search_text_of,
    search_text_refresh,
)
from laureates.models.consent import (  # noqa: F401
    CONSENT_MONTHS,
    CONSENT_RENEW_PROMPT_DAYS,
    CONSENT_TEXT,
    CONSENT_VERSION,
    PartnerConsent,
    PartnerConsentQuerySet,
    consent_give,
    consent_withdraw,
)
from laureates.models.placements import (  # noqa: F401
    PLACEMENT_MAX_MONTHS,
    PLACEMENT_SITUATION_AHEAD_DAYS,
    SITUATION_OF_KIND,
    Placement,
    PlacementQuerySet,
    PlacementSource,
    placement_end,
    placement_record,
    situation_from_placements,
)
from laureates.models.meetings import (  # noqa: F401
    MeetingMode,
    MeetingTopic,
    Side,
    SponsorMeeting,
    SponsorMeetingQuerySet,
    SponsorshipFit,
)
# isort: on
