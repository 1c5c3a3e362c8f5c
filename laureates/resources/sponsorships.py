"""The sponsors' and the sponsorships' spreadsheets."""

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext
from import_export.fields import Field

from emergence.spreadsheets import (
    ChoiceWidget,
    DateWidget,
    EmailWidget,
    PhoneWidget,
    SpreadsheetResource,
    TextWidget,
)
from laureates.models import EndReason, Sponsor, Sponsorship
from laureates.resources.widgets import CompanyWidget, LaureateEmailWidget, SponsorEmailWidget


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
