"""The partners app's models: partner companies and their members, their offers, the
introductions they ask for, what they looked at, co-optation and its donations. One module
per topic:

- :mod:`.companies`: partner companies and their members;
- :mod:`.offers`: the internships, work-study contracts and jobs companies offer;
- :mod:`.introductions`: a partner's request to meet a laureate, its statuses and origins;
- :mod:`.view_log`: who at a partner company looked at what, and when;
- :mod:`.referrals`: co-opters and the candidates they refer;
- :mod:`.donations`: the bonuses given to the programme and their tax receipts.

Import from here: ``from partners.models import Company, Introduction``.
"""

# In the order the models were declared in when this was one module, so that Django
# registers them (and lists them in ``apps.get_models()``) in the same order.
# isort: off
from partners.models.companies import Company, PartnerMembership  # noqa: F401
from partners.models.offers import Offer, OfferQuerySet  # noqa: F401
from partners.models.introductions import (  # noqa: F401
    INTRODUCTION_ANSWER_DAYS,
    OPEN_STATUSES,
    Introduction,
    IntroductionClosedReason,
    IntroductionOrigin,
    IntroductionQuerySet,
    IntroductionStatus,
)
from partners.models.view_log import PartnerViewKind, PartnerViewLog  # noqa: F401
from partners.models.referrals import (  # noqa: F401
    BONUS_MAX,
    BONUS_MIN,
    CoOpter,
    Referral,
    ReferralQuerySet,
    ReferralStatus,
)
from partners.models.donations import (  # noqa: F401
    Donation,
    DonationQuerySet,
    DonorKind,
    GiftForm,
    GiftNature,
    PaymentMeans,
    ReceiptCounter,
)
# isort: on
