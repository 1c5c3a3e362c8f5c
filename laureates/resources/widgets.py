"""Cells that name another row: a promotion, staff member, company, laureate or sponsor."""

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.utils.translation import gettext

from emergence.spreadsheets import EmailWidget, IntegerWidget, TextWidget
from laureates.models import Laureate, Promotion, Sponsor


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
