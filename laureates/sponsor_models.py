"""The sponsors' meetings and fit answers now live in laureates/models/meetings.py, with
the app's other models; this name stays for the modules outside the app that import it."""

from laureates.models.meetings import (  # noqa: F401
    MeetingMode,
    MeetingTopic,
    Side,
    SponsorMeeting,
    SponsorMeetingQuerySet,
    SponsorshipFit,
)
