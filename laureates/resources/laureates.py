"""The laureates' spreadsheet: one row per laureate and their account, imported in bulk."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import ngettext
from import_export.fields import Field

from emergence.history import BY_IMPORT, stored_reason
from emergence.spreadsheets import (
    ChoiceWidget,
    DateWidget,
    EmailWidget,
    IntegerWidget,
    PhoneWidget,
    SpreadsheetResource,
    TextWidget,
    bulk_write,
)
from emergence.spreadsheets.bulk import new_instance
from laureates.models import (
    Laureate,
    Promotion,
    Situation,
    Status,
    Track,
    search_sharing_refresh,
    search_text_refresh,
)
from laureates.resources.widgets import PromotionWidget, StaffWidget, users_by_email

TRACK_ALIASES = {
    Track.MEDICINE: ("médecine", "medecine", "PASS", "LAS", "PASS/LAS", "santé"),
    Track.PREPA: ("prépa", "classe préparatoire", "classes préparatoires", "CPGE"),
    Track.UNIVERSITY: ("université", "fac", "faculté"),
    Track.ENGINEERING: ("école d'ingénieurs", "école d'ingénieur", "ingénieur", "engineering"),
    Track.BUSINESS: ("école de commerce", "commerce", "business"),
    Track.IUT_BTS: ("IUT", "BTS", "IUT / BTS", "BUT"),
    Track.OTHER: ("autre", "other"),
}
STATUS_ALIASES = {
    Status.ACTIVE: ("actif", "active", "en cours"),
    Status.ALUMNI: ("ancien", "ancienne", "ancien·ne", "ancien lauréat", "alumnus", "alumna"),
    Status.LEFT: ("parti", "partie", "parti·e", "a quitté le programme", "sorti", "left"),
}
SITUATION_ALIASES = {
    Situation.STUDYING: ("en études", "études", "étudiant", "étudiante", "studying"),
    Situation.INTERNSHIP: ("en stage", "stage", "stagiaire", "internship", "intern"),
    Situation.WORK_STUDY: (
        "en alternance",
        "alternance",
        "alternant",
        "alternante",
        "apprenti",
        "apprentie",
        "en apprentissage",
        "work-study",
    ),
    Situation.IN_WORK: ("en emploi", "emploi", "salarié", "salariée", "in work", "employed"),
    Situation.SEEKING: ("en recherche", "recherche", "en recherche d'emploi", "seeking"),
}


class LaureateResource(SpreadsheetResource):
    """One row per laureate, keyed by e-mail; the user is created or updated with it."""

    email = Field(attribute="user__email", column_name="email", widget=EmailWidget())
    first_name = Field(
        attribute="user__first_name", widget=TextWidget(required=True, max_length=150)
    )
    last_name = Field(attribute="user__last_name", widget=TextWidget(required=True, max_length=150))
    promotion = Field(attribute="promotion", widget=PromotionWidget())
    track = Field(attribute="track", widget=ChoiceWidget(Track.choices, aliases=TRACK_ALIASES))
    study_year = Field(
        attribute="study_year", widget=IntegerWidget(minimum=1, maximum=12), default=1
    )
    school = Field(attribute="school", widget=TextWidget(max_length=200))
    degree = Field(attribute="degree", widget=TextWidget(max_length=100))
    degree_year = Field(attribute="degree_year", widget=IntegerWidget(minimum=1, maximum=8))
    city = Field(attribute="city", widget=TextWidget(max_length=100))
    phone = Field(attribute="phone", widget=PhoneWidget())
    status = Field(
        attribute="status",
        widget=ChoiceWidget(Status.choices, aliases=STATUS_ALIASES),
        default=Status.ACTIVE,
    )
    situation = Field(
        attribute="situation",
        widget=ChoiceWidget(Situation.choices, aliases=SITUATION_ALIASES),
        default=Situation.STUDYING,
    )
    referent = Field(attribute="referent", widget=StaffWidget())
    joined_on = Field(attribute="joined_on", widget=DateWidget())
    current_sponsor = Field(attribute="current_sponsor_name", readonly=True)

    french_headers = {
        "email": "E-mail",
        "first_name": "Prénom",
        "last_name": "Nom",
        "promotion": "Promotion",
        "track": "Filière",
        "study_year": "Année d'études",
        "school": "École",
        "degree": "Diplôme",
        "degree_year": "Année du diplôme",
        "city": "Ville",
        "phone": "Téléphone",
        "status": "Statut",
        "situation": "Situation",
        "referent": "Référent",
        "joined_on": "Entrée le",
        "current_sponsor": "Parrain ou marraine",
    }
    aliases = {
        "email": ("Adresse e-mail", "Courriel", "Mail", "E-mail address"),
        "first_name": ("First name",),
        "last_name": ("Last name", "Nom de famille"),
        "promotion": ("Promo", "Année de promotion"),
        "track": ("Filiere", "Parcours"),
        "study_year": ("Année", "Study year", "Année d'étude"),
        "school": ("Établissement", "Etablissement"),
        "degree": ("Diplôme préparé", "Diplome", "Degree"),
        "degree_year": ("Année de diplôme", "Annee du diplome", "Year of the degree"),
        "referent": ("Référente", "Référent·e", "Chargé de suivi", "Chargée de suivi"),
        "joined_on": ("Entrée", "Date d'entrée", "Joined on"),
        "current_sponsor": ("Parrain", "Marraine", "Parrain/marraine", "Current sponsor"),
    }
    required_columns = ("email",)
    key_column = "email"
    validation_exclude = ("user",)

    #: the history's reason for this file's rows (before_save_instance)
    change_reason = None

    def reset_notices(self):
        self.change_reason = None
        self.fields["promotion"].widget.by_year = None
        self.fields["promotion"].widget.new_years = set()

    def notices(self):
        years = sorted(self.fields["promotion"].widget.new_years)
        if not years:
            return []
        return [
            ngettext(
                "New promotion, created when you confirm: %(years)s. Check that this "
                "year is not a typo.",
                "New promotions, created when you confirm: %(years)s. Check that these "
                "years are not typos.",
                len(years),
            )
            % {"years": ", ".join(str(year) for year in years)}
        ]

    class Meta:
        model = Laureate
        fields = (
            "email",
            "first_name",
            "last_name",
            "promotion",
            "track",
            "study_year",
            "school",
            "degree",
            "degree_year",
            "city",
            "phone",
            "status",
            "situation",
            "referent",
            "joined_on",
            "current_sponsor",
        )
        export_order = fields

    def get_queryset(self):
        return self.filter_export(Laureate.objects.all())

    def filter_export(self, queryset, **kwargs):
        # Joins and one subquery: an export costs the same queries whatever its length.
        return queryset.select_related("user", "promotion", "referent").with_current_sponsor_name()

    # Import in bulk: every account, promotion and referent the file names is read up front.

    bulk_import = True
    import_write_also = ("left_on",)

    def row_email(self, row) -> str:
        try:
            return self.fields["email"].clean(row)
        except (KeyError, ValueError):
            return ""

    def import_prepare(self, rows):
        emails = {self.row_email(row) for row in rows}
        emails.discard("")
        # An account's laureate (with what the preview shows of it) and what else it is
        # (Laureate.clean refuses a staff, partner or sponsor account) in the same query.
        accounts = get_user_model().objects.select_related(
            "laureate__promotion", "laureate__referent", "sponsor", "partner_membership"
        )
        self.accounts = users_by_email(emails, accounts)
        self.user_names = {}
        self.fields["promotion"].widget.by_year = {
            promotion.year: promotion for promotion in Promotion.objects.all()
        }
        self.fields["referent"].widget.prepare(row.get("referent") for row in rows)

    def import_existing(self, row):
        user = self.accounts.get(self.row_email(row))
        if user is None:
            return None
        try:
            laureate = user.laureate
        except ObjectDoesNotExist:
            return None
        self.user_names[user.pk] = user_names(user)
        return laureate

    def import_instance(self, instance, row, **kwargs):
        if instance.user_id is None:
            # A new laureate: reuse the account with this e-mail address, or make one.
            email = self.row_email(row)
            user = self.accounts.get(email) if email else None
            if user is None:
                # As set_unusable_password() does, with a faster random suffix (a file of
                # 10,000 rows would spend seconds in get_random_string).
                user = new_instance(
                    get_user_model(),
                    email=email,
                    password=UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20),
                )
            else:
                self.user_names[user.pk] = user_names(user)
            instance.user = user
        super().import_instance(instance, row, **kwargs)

    def validate_related(self, instance, errors):
        # The user is validated here and written just before the laureate (import_write).
        # Its e-mail and names were checked by their widgets (format, length, required), and
        # the file's e-mails looked up already: no query checks their uniqueness.
        try:
            self.full_clean(
                instance.user,
                exclude=["password", *USER_COLUMNS],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(f"user__{field}", []).extend(messages)
        return errors

    def errors_by_column(self, errors):
        # Laureate.clean() speaks of the account: the staff member knows it by its e-mail.
        if "user" in errors:
            errors = {**errors, "user__email": [*errors.get("user__email", []), *errors["user"]]}
            del errors["user"]
        return super().errors_by_column(errors)

    def before_save_instance(self, instance, row, **kwargs):
        # The history says where the change came from (the importer is the person signed in);
        # worded once per file, in the site's language.
        if self.change_reason is None:
            self.change_reason = stored_reason(BY_IMPORT)
        instance._change_reason = self.change_reason

    def import_write(self, row_results):
        User = get_user_model()
        laureates = [r.instance for r in row_results if r.import_type != "skip"]
        Promotion.objects.bulk_create(self.fields["promotion"].widget.new_promotions())
        new_users = [laureate.user for laureate in laureates if laureate.user.pk is None]
        changed_users = [
            laureate.user
            for laureate in laureates
            if laureate.user.pk is not None
            and user_names(laureate.user) != self.user_names.get(laureate.user.pk)
        ]
        bulk_write(User, new=new_users, changed=changed_users, fields=list(USER_COLUMNS))
        super().import_write(row_results)
        updated = [r.instance.pk for r in row_results if r.import_type == "update"]
        # A new name or school is what partners search by; a new status, whether they see.
        search_text_refresh(laureate_ids=updated)
        search_sharing_refresh(laureate_ids=updated)


#: the account's columns a laureate import writes
USER_COLUMNS = ("email", "first_name", "last_name")


def user_names(user) -> tuple:
    return tuple(getattr(user, name) for name in USER_COLUMNS)
