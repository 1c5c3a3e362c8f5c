from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergenceConfig(AppConfig):
    name = "emergence"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from emergence.formats import install_french_ordinal

        install_french_ordinal()  # « 1er juin », not « 1 juin »

        from emergence.security import session_start_staff_clock

        # A staff session's idle expiry starts at sign-in, whichever login view was used.
        user_logged_in.connect(
            lambda sender, request, user, **kwargs: session_start_staff_clock(
                request=request, user=user
            ),
            weak=False,
            dispatch_uid="emergence.staff_session_clock",
        )

        from emergence import data_rights
        from emergence.personal_data import personal_data_register

        # « Mes données »: the account, e-mails and sign-in logs (each app adds its part).
        personal_data_register(data_rights.PART)

        from emergence.spreadsheets.background import register_kinds

        # The console's imports and exports too big for a request run in a worker.
        register_kinds()
