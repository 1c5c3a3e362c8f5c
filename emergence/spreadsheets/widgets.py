"""Widgets: how a cell reads and writes a value (text, phone, e-mail, number, date, choice,
yes/no)."""

import datetime
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext
from import_export import widgets

from emergence.spreadsheets.cells import exports_in_french, normalise, unneutralise


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Remembered:
    """A widget whose ``clean`` depends on the cell alone remembers what each cell read:
    a file of 10,000 rows names a few dates, choices and referents thousands of times, and
    validates each e-mail address in several places. Only values that read well are kept
    (a problem is worded again, in the language of the moment)."""

    #: cells remembered at most (then forgotten, so a long-lived widget stays small)
    REMEMBERED = 50_000

    def clean(self, value, row=None, **kwargs):
        try:
            # The type is part of the key: 1, 1.0 and True are equal, but read differently.
            key = (type(value), value)
            return self._remembered[key]
        except AttributeError:
            self._remembered = {}
        except (KeyError, TypeError):
            pass
        cleaned = self.read(value, row, **kwargs)
        try:
            if len(self._remembered) >= self.REMEMBERED:
                self._remembered.clear()
            self._remembered[key] = cleaned
        except TypeError:
            pass
        return cleaned

    def read(self, value, row=None, **kwargs):
        """What the cell holds (``clean`` without the memory)."""
        raise NotImplementedError

    def forget(self) -> None:
        self._remembered = {}


class TextWidget(widgets.CharWidget):
    def __init__(self, *, required: bool = False, max_length: int | None = None):
        super().__init__(coerce_to_string=True, allow_blank=True)
        self.required = required
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            if self.required:
                raise ValueError(gettext("This value is required."))
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a phone number or a year typed into a number cell
        text = unneutralise(str(value).strip())
        if self.max_length and len(text) > self.max_length:
            raise ValueError(
                gettext("At most %(max)d characters (this one has %(length)d).")
                % {"max": self.max_length, "length": len(text)}
            )
        return text


class PhoneWidget(TextWidget):
    """A phone number is text: a spreadsheet that stored 06 12 34 56 78 as the number
    612345678 dropped its leading 0, which is put back for a 9-digit French number."""

    def __init__(self, *, max_length: int = 30):
        super().__init__(max_length=max_length)

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if re.fullmatch(r"[1-79]\d{8}", text):
            return "0" + text
        if re.fullmatch(r"33[1-79]\d{8}", text):
            return "+" + text
        return text


class EmailWidget(Remembered, TextWidget):
    def __init__(self, *, required: bool = True):
        super().__init__(required=required, max_length=254)

    def read(self, value, row=None, **kwargs):
        email = TextWidget.clean(self, value, row, **kwargs).lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise ValueError(
                    gettext("“%(value)s” is not a valid e-mail address.") % {"value": email}
                ) from None
        return email


class IntegerWidget(Remembered, widgets.Widget):
    def __init__(self, *, minimum: int, maximum: int):
        super().__init__(coerce_to_string=True)
        self.minimum, self.maximum = minimum, maximum

    def read(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        try:
            number = float(str(value).strip().replace(",", "."))
        except ValueError:
            number = None
        if number is None or not number.is_integer():
            raise ValueError(gettext("“%(value)s” is not a whole number.") % {"value": value})
        if not self.minimum <= number <= self.maximum:
            raise ValueError(
                gettext("%(value)s is not between %(min)d and %(max)d.")
                % {"value": int(number), "min": self.minimum, "max": self.maximum}
            )
        return int(number)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else str(value)


class DateWidget(Remembered, widgets.Widget):
    """Accepts 01/09/2017 (France), 2017-09-01 (ISO) and spreadsheet dates."""

    INPUT_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")

    def read(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} ", text) else text
        for date_format in self.INPUT_FORMATS:
            try:
                return datetime.datetime.strptime(text, date_format).date()
            except ValueError:
                continue
        raise ValueError(
            gettext("“%(value)s” is not a date: write it like 01/09/2017 or 2017-09-01.")
            % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        if kwargs.get("force_native_type"):
            return value
        return value.strftime("%d/%m/%Y" if exports_in_french() else "%Y-%m-%d")


class ChoiceWidget(Remembered, widgets.Widget):
    """Accepts the stored value, the label in any language of the site, and ``aliases``.

    Exports the label in the active language.
    """

    def __init__(self, choices, *, aliases: dict[str, Iterable[str]] | None = None):
        super().__init__(coerce_to_string=True)
        self.choices = choices
        self.aliases = aliases or {}

    def lookup(self) -> dict[str, str]:
        if getattr(self, "_lookup", None):
            return self._lookup
        table = {}
        for value, label in self.choices:
            table[normalise(value)] = value
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    table[normalise(label)] = value
            for alias in self.aliases.get(value, ()):
                table[normalise(alias)] = value
        self._lookup = table
        return table

    def read(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        found = self.lookup().get(normalise(unneutralise(str(value).strip())))
        if found is None:
            accepted = ", ".join(str(label) for _value, label in self.choices)
            raise ValueError(
                gettext("“%(value)s” is not one of: %(accepted)s.")
                % {"value": value, "accepted": accepted}
            )
        return found

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class BooleanWidget(widgets.Widget):
    TRUE = {"1", "yes", "true", "oui", "vrai", "x", "active", "actif"}
    FALSE = {"0", "no", "false", "non", "faux", "inactive", "inactif"}

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, bool):
            return value
        text = normalise(value)
        if text in self.TRUE or text == normalise(gettext("yes")):
            return True
        if text in self.FALSE or text == normalise(gettext("no")):
            return False
        raise ValueError(gettext("“%(value)s” is neither yes nor no.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if exports_in_french():
            return "oui" if value else "non"
        return "yes" if value else "no"
