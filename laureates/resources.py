"""Spreadsheet import and export of laureates, sponsors and sponsorships."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext, ngettext
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
    EndReason,
    Laureate,
    Promotion,
    Situation,
    Sponsor,
    Sponsorship,
    Status,
    Track,
    search_sharing_refresh,
    search_text_refresh,
)

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


class PromotionWidget(IntegerWidget):
    """A promotion is its year; a year not seen before creates the promotion (when the
    import is written), and the preview lists those years so that a typo (1999) is not
    created without a word."""

    def __init__(self):
        super().__init__(minimum=1950, maximum=2100)
        #: year -> promotion, every promotion read in one query (a few dozen rows)
        self.by_year: dict[int, Promotion] | None = None
        self.new_years: set[int] = set()

    def clean(self, value, row=None, **kwargs):
        year = super().clean(value, row, **kwargs)
        if year is None:
            return None
        if self.by_year is None:
            self.by_year = {promotion.year: promotion for promotion in Promotion.objects.all()}
        promotion = self.by_year.get(year)
        if promotion is None:
            promotion = self.by_year[year] = Promotion(year=year)
            self.new_years.add(year)
        return promotion

    def new_promotions(self) -> list[Promotion]:
        return [self.by_year[year] for year in sorted(self.new_years)]

    def render(self, value, obj=None, **kwargs):
        return super().render(value.year if value else None, **kwargs)


class StaffWidget(EmailWidget):
    """A referent is named by the e-mail address of a staff member."""

    def __init__(self):
        super().__init__(required=False)
        #: lower-cased e-mail -> staff member, for the addresses of a file (see prepare)
        self.by_email: dict[str, object] | None = None

    def prepare(self, values) -> None:
        """Look up the staff members named in these cells, in one query per 5,000."""
        emails = set()
        for value in values:
            try:
                emails.add(EmailWidget.clean(self, value))
            except ValueError:
                continue
        emails.discard("")
        staff = users_by_email(emails, get_user_model().objects.filter(is_staff=True))
        self.by_email = staff

    def clean(self, value, row=None, **kwargs):
        email = super().clean(value, row, **kwargs)
        if not email:
            return None
        if self.by_email is not None:
            user = self.by_email.get(email)
        else:
            user = get_user_model().objects.by_email(email).filter(is_staff=True).first()
        if user is None:
            raise ValueError(
                gettext("No staff member has the e-mail address %(email)s.") % {"email": email}
            )
        return user

    def render(self, value, obj=None, **kwargs):
        return value.email if value else ""


def users_by_email(emails, queryset=None) -> dict:
    """The accounts of these (lower-cased) e-mail addresses, keyed by them: compared as
    ``lower(email)``, the unique index's expression, a few thousand at a time."""
    queryset = queryset if queryset is not None else get_user_model().objects.all()
    emails = sorted(emails)
    found = {}
    for start in range(0, len(emails), 5000):
        chunk = emails[start : start + 5000]
        for user in queryset.alias(email_lower=Lower("email")).filter(email_lower__in=chunk):
            found[user.email.lower()] = user
    return found


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


class CompanyWidget(TextWidget):
    """A sponsor's company, named as in the companies list."""

    def __init__(self):
        super().__init__(required=True, max_length=200)

    def prepare(self, values) -> None:
        """Look up the companies named in these cells, whatever their case, in one query."""
        names = set()
        for value in values:
            try:
                names.add(TextWidget.clean(self, value).lower())
            except ValueError:
                continue
        names.discard("")
        # partners sits above laureates: reach Company through the foreign key, not an import.
        Company = Sponsor._meta.get_field("company").related_model
        self.by_name = {
            company.name.lower(): company
            for company in Company.objects.alias(name_lower=Lower("name")).filter(
                name_lower__in=sorted(names)
            )
        }

    def clean(self, value, row=None, **kwargs):
        name = super().clean(value, row, **kwargs)
        if getattr(self, "by_name", None) is not None:
            company = self.by_name.get(name.lower())
        else:
            Company = Sponsor._meta.get_field("company").related_model
            company = Company.objects.filter(name__iexact=name).first()
        if company is None:
            raise ValueError(
                gettext("No company is called “%(name)s”: import the companies first.")
                % {"name": name}
            )
        return company

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class SponsorResource(SpreadsheetResource):
    first_name = Field(attribute="first_name", widget=TextWidget(required=True, max_length=100))
    last_name = Field(attribute="last_name", widget=TextWidget(required=True, max_length=100))
    email = Field(attribute="email", widget=EmailWidget())
    phone = Field(attribute="phone", widget=PhoneWidget())
    company = Field(attribute="company", widget=CompanyWidget())

    french_headers = {
        "first_name": "Prénom",
        "last_name": "Nom",
        "email": "E-mail",
        "phone": "Téléphone",
        "company": "Entreprise",
    }
    aliases = {
        "first_name": ("First name",),
        "last_name": ("Last name", "Nom de famille"),
        "email": ("Adresse e-mail", "Courriel", "Mail", "E-mail address"),
        "company": ("Société", "Entreprise marraine", "Company name"),
    }
    required_columns = ("email",)
    key_column = "email"

    class Meta:
        model = Sponsor
        fields = ("first_name", "last_name", "email", "phone", "company")
        export_order = fields

    def get_queryset(self):
        return self.filter_export(Sponsor.objects.all())

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("company")

    # Checked in memory, written in bulk: the file's sponsors and companies in two queries.
    bulk_import = True

    def row_email(self, row) -> str:
        try:
            return self.fields["email"].clean(row)
        except (KeyError, ValueError):
            return ""

    def import_prepare(self, rows):
        emails = sorted({self.row_email(row) for row in rows} - {""})
        self.existing = {}
        for start in range(0, len(emails), 5000):
            sponsors = (
                Sponsor.objects.select_related("company")
                .alias(email_lower=Lower("email"))
                .filter(email_lower__in=emails[start : start + 5000])
            )
            self.existing.update((sponsor.email.lower(), sponsor) for sponsor in sponsors)
        self.fields["company"].widget.prepare(row.get("company") for row in rows)

    def import_existing(self, row):
        return self.existing.get(self.row_email(row))

    def reset_notices(self):
        self.fields["company"].widget.by_name = None

    def get_instance(self, instance_loader, row):
        email = self.row_email(row)
        return Sponsor.objects.alias(email_lower=Lower("email")).filter(email_lower=email).first()


class LaureateEmailWidget(EmailWidget):
    """A laureate, named by the e-mail address of their account."""

    def clean(self, value, row=None, **kwargs):
        email = super().clean(value, row, **kwargs)
        laureate = Laureate.objects.filter(
            user__in=get_user_model().objects.by_email(email)
        ).first()
        if laureate is None:
            raise ValueError(
                gettext("No laureate has the e-mail address %(email)s: import them first.")
                % {"email": email}
            )
        return laureate

    def render(self, value, obj=None, **kwargs):
        return value.user.email if value else ""


class SponsorEmailWidget(EmailWidget):
    """A sponsor, named by their e-mail address."""

    def clean(self, value, row=None, **kwargs):
        email = super().clean(value, row, **kwargs)
        sponsor = Sponsor.objects.filter(email__iexact=email).first()
        if sponsor is None:
            raise ValueError(
                gettext("No sponsor has the e-mail address %(email)s: import the sponsors first.")
                % {"email": email}
            )
        return sponsor

    def render(self, value, obj=None, **kwargs):
        return value.email if value else ""


END_REASON_ALIASES = {
    EndReason.MOVED: ("déménagement", "a déménagé", "moved"),
    EndReason.NO_TIME: ("plus le temps", "pas le temps", "manque de temps", "no time"),
    EndReason.MISMATCH: ("mauvaise entente", "incompatibilité", "mismatch"),
    EndReason.LAUREATE_LEFT: ("départ du lauréat", "a quitté le programme", "laureate left"),
    EndReason.GRADUATED: ("diplômé", "diplômée", "diplômé·e", "fin d'études", "graduated"),
}


class SponsorshipResource(SpreadsheetResource):
    """One row per sponsorship, keyed by the laureate's e-mail, the sponsor's and the start:
    the same row imported again updates its end and reason. The company is the sponsor's (in
    the export; an import checks that it matches)."""

    laureate = Field(attribute="laureate", widget=LaureateEmailWidget())
    sponsor = Field(attribute="sponsor", widget=SponsorEmailWidget())
    company = Field(attribute="sponsor__company__name", readonly=True)
    started_on = Field(attribute="started_on", widget=DateWidget())
    ended_on = Field(attribute="ended_on", widget=DateWidget())
    end_reason = Field(
        attribute="end_reason",
        widget=ChoiceWidget(EndReason.choices, aliases=END_REASON_ALIASES),
        default="",
    )

    french_headers = {
        "laureate": "E-mail du lauréat",
        "sponsor": "E-mail du parrain",
        "company": "Entreprise",
        "started_on": "Début",
        "ended_on": "Fin",
        "end_reason": "Motif de fin",
    }
    aliases = {
        "laureate": ("Lauréat", "E-mail lauréat", "Laureate e-mail", "Laureate"),
        "sponsor": (
            "Parrain",
            "Marraine",
            "E-mail parrain",
            "E-mail de la marraine",
            "Sponsor e-mail",
            "Sponsor",
        ),
        "company": ("Société", "Company"),
        "started_on": ("Date de début", "Start", "Start date"),
        "ended_on": ("Date de fin", "End", "End date"),
        "end_reason": ("Raison de fin", "Motif", "Reason for ending", "End reason"),
    }
    required_columns = ("laureate", "sponsor", "started_on")

    class Meta:
        model = Sponsorship
        fields = ("laureate", "sponsor", "company", "started_on", "ended_on", "end_reason")
        export_order = fields

    def get_queryset(self):
        return self.filter_export(Sponsorship.objects.all())

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("laureate__user", "sponsor__company").order_by(
            "laureate__user__email", "started_on"
        )

    def get_instance(self, instance_loader, row):
        try:
            laureate = self.fields["laureate"].clean(row)
            sponsor = self.fields["sponsor"].clean(row)
            started_on = self.fields["started_on"].clean(row)
        except (KeyError, ValueError):
            return None
        return Sponsorship.objects.filter(
            laureate=laureate, sponsor=sponsor, started_on=started_on
        ).first()

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if instance.end_reason is None:
            instance.end_reason = ""
        if instance.started_on is None and "started_on" not in errors:
            errors["started_on"] = [gettext("This value is required.")]
        company = str(row.get("company") or "").strip()
        sponsor = instance.sponsor if instance.sponsor_id else None
        if company and sponsor and company.lower() != sponsor.company.name.lower():
            errors.setdefault("company", []).append(
                gettext("%(sponsor)s works for %(company)s, not for this company.")
                % {"sponsor": sponsor.email, "company": sponsor.company.name}
            )
        if errors:
            raise ValidationError(errors)
