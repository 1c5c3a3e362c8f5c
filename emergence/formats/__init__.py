"""Date formats: British English dates (FORMAT_MODULE_PATH), and « 1er » for the first day of
the month in French, which Django's date formats cannot say (they have no French ordinal)."""

import re

from django.utils import dateformat, translation

# A day-of-month ``j`` (not escaped) followed by a month name: « 1 juin » becomes « 1er juin ».
DAY_BEFORE_MONTH = re.compile(r"(?<!\\)j(?=[\s\u00a0]*(?:\\.)*[FENbM])")
_django_format = dateformat.format


def format_with_french_ordinal(value, format_string):
    """``django.utils.dateformat.format``, saying « 1er » for the first of the month in French."""
    if (
        getattr(value, "day", None) == 1
        and (translation.get_language() or "").startswith("fr")
        and "j" in str(format_string)
    ):
        format_string = DAY_BEFORE_MONTH.sub(r"\\1\\e\\r", str(format_string))
    return _django_format(value, format_string)


def install_french_ordinal() -> None:
    """Every date shown in French (the ``date`` filter, forms, the console) goes through
    ``dateformat.format``: wrap it once, at start-up."""
    if dateformat.format is not format_with_french_ordinal:
        dateformat.format = format_with_french_ordinal
