"""The fault run's settings: the project's, with a killed worker's work back within seconds.

Redis hands an unacknowledged task to another worker after ``visibility_timeout`` (checked
every ``unacked_restore_interval`` seconds); the outbox sends again a row left "sending" after
OUTBOX_SENDING_TIMEOUT. Production keeps an hour and 15 minutes.
"""

from emergence.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 20,
    "unacked_restore_interval": 2,
    "unacked_restore_throttle": 1,
}
OUTBOX_SENDING_TIMEOUT = 10
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
