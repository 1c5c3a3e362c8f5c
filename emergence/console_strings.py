"""French for the console where Django's or a package's own translation reads wrong.

The project's catalogue (locale/fr/LC_MESSAGES/django.po) comes before Django's and the
packages' catalogues, so an entry there with the same msgid wins. makemessages keeps only
the msgids it finds in our sources: they are listed here with gettext_noop, never called.
Compare with the packages' catalogues when upgrading them.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

OVERRIDDEN = [
    # django.contrib.admin: « Modification de entreprise », « Ajout de utilisateur »…
    gettext_noop("Change %s"),
    gettext_noop("Add %s"),
    gettext_noop("View %s"),
    gettext_noop("Add %(name)s"),
    gettext_noop("Select %s"),
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
    gettext_noop("Add another %(verbose_name)s"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    # The buttons beside a choice of a related row (their title is their accessible name).
    gettext_noop("Change selected %(model)s"),
    gettext_noop("Add another %(model)s"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("View selected %(model)s"),
    # The theme switch: an ordinary space before « : ».
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    # django-import-export: « Importation terminée: » without its space.
    gettext_noop("Import finished: {} new, {} updated, {} deleted and {} skipped {}."),
    # django-celery-beat: « Tâches périodique », « Intervales ».
    gettext_noop("periodic tasks"),
    gettext_noop("intervals"),
    gettext_noop("interval"),
    # django-import-export: « les champs suivants: » without its space.
    gettext_noop("This importer will import the following fields: "),
]

#: The outbox's kinds of e-mail (OutboxEmail.kind), as staff read them.
OUTBOX_KINDS = {
    "invitation": _("invitation to choose a password"),
    "password-reset": _("password reset"),
    "report-opening": _("report: period opens"),
    "report-reminder": _("report: reminder"),
    "report-overdue": _("report: overdue"),
    "report-escalation": _("report: to the referent, still overdue"),
    "report-digest": _("report: weekly digest for staff"),
    "triage-contacts": _("follow-up: next contacts due, to staff"),
    "sponsor-checkin": _("sponsor: quarterly question"),
    "workshop-invitation": _("workshop invitation"),
    "workshop-reminder": _("workshop reminder"),
    "workshop-promoted": _("workshop: place freed from the waiting list"),
    "workshop-feedback": _("workshop: feedback request"),
    "introduction": _("introduction request"),
    "data-export": _("data download ready"),
    "erasure": _("erasure request"),
}


def outbox_kind_label(kind: str) -> str:
    return str(OUTBOX_KINDS.get(kind, kind))
