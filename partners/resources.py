"""Spreadsheet import and export of partner companies."""

from django.db.models.functions import Lower
from import_export.fields import Field

from emergence.spreadsheets import (
    BooleanWidget,
    EmailWidget,
    PhoneWidget,
    SpreadsheetResource,
    TextWidget,
)
from partners.models import Company


class CompanyResource(SpreadsheetResource):
    """One row per company, keyed by its name (whatever its case)."""

    name = Field(attribute="name", widget=TextWidget(required=True, max_length=200))
    sector = Field(attribute="sector", widget=TextWidget(max_length=100))
    city = Field(attribute="city", widget=TextWidget(max_length=100))
    contact_name = Field(attribute="contact_name", widget=TextWidget(max_length=200))
    contact_email = Field(attribute="contact_email", widget=EmailWidget(required=False))
    contact_phone = Field(attribute="contact_phone", widget=PhoneWidget())
    active = Field(attribute="active", widget=BooleanWidget(), default=True)

    french_headers = {
        "name": "Nom",
        "sector": "Secteur",
        "city": "Ville",
        "contact_name": "Contact",
        "contact_email": "E-mail du contact",
        "contact_phone": "Téléphone du contact",
        "active": "Active",
    }
    aliases = {
        "name": ("Entreprise", "Raison sociale", "Company"),
        "sector": ("Secteur d'activité",),
        "contact_name": ("Nom du contact", "Contact name"),
        "contact_email": ("Contact e-mail", "Courriel du contact"),
        "contact_phone": ("Contact phone",),
        "active": ("Actif", "Active ?"),
    }
    required_columns = ("name",)
    key_column = "name"

    class Meta:
        model = Company
        fields = (
            "name",
            "sector",
            "city",
            "contact_name",
            "contact_email",
            "contact_phone",
            "active",
        )
        export_order = fields

    # Checked in memory, written in bulk: the file's companies are read in one query.
    bulk_import = True

    def row_name(self, row) -> str:
        try:
            return self.fields["name"].clean(row).lower()
        except (KeyError, ValueError):
            return ""

    def import_prepare(self, rows):
        names = sorted({self.row_name(row) for row in rows} - {""})
        self.existing = {}
        for start in range(0, len(names), 5000):
            chunk = names[start : start + 5000]
            companies = Company.objects.alias(name_lower=Lower("name")).filter(name_lower__in=chunk)
            self.existing.update((company.name.lower(), company) for company in companies)

    def import_existing(self, row):
        return self.existing.get(self.row_name(row))

    def get_instance(self, instance_loader, row):
        return self.import_existing(row)
