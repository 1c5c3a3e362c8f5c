"""How big an import may be: a bigger file is refused whole, nothing imported."""

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext


class ImportTooLarge(ValueError):
    """A file over IMPORT_MAX_BYTES or IMPORT_MAX_ROWS: refused whole, nothing imported."""


def import_size_check(size: int) -> None:
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportTooLarge(
            gettext(
                "This file weighs %(size)s: an import takes at most %(max)s. Nothing was "
                "imported; split the file into smaller files and import them one by one."
            )
            % {
                "size": filesizeformat(size),
                "max": filesizeformat(settings.IMPORT_MAX_BYTES),
            }
        )


def import_rows_check(count: int) -> None:
    if count > settings.IMPORT_MAX_ROWS:
        raise ImportTooLarge(
            gettext(
                "This file has %(count)s rows: an import takes at most %(max)s. Nothing was "
                "imported; split the file into smaller files and import them one by one."
            )
            % {
                "count": number_format(count, force_grouping=True),
                "max": number_format(settings.IMPORT_MAX_ROWS, force_grouping=True),
            }
        )
