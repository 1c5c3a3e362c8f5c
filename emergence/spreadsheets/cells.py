"""Cells: how a spreadsheet's text is compared, and what a spreadsheet would run as a formula."""

import re
import unicodedata

from django.conf import settings
from django.utils import translation

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def normalise(text) -> str:
    """Drop case, accents, spaces and punctuation: "Année d'études" -> "anneedetudes"."""
    text = unicodedata.normalize("NFKD", str(text or "")).casefold()
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]", "", text)


def neutralise(value):
    """Prefix a quote to a text cell a spreadsheet would otherwise run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Undo :func:`neutralise`, so that an export imports back to the same text."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def exports_in_french() -> bool:
    return (translation.get_language() or settings.LANGUAGE_CODE).startswith("fr")
