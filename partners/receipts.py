"""The tax receipt of a confirmed donation (« reçu au titre des dons à certains organismes
d'intérêt général », the fields of Cerfa n° 11580), as a PDF made by WeasyPrint from the
template partners/receipt.html; and the amount in French words that the receipt prints.

The receipt is a French tax document: it is always rendered in French, whatever the
language of the person who downloads it.
"""

import logging
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from partners.models import Donation, GiftForm, GiftNature, PaymentMeans

_UNITS = [
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
    "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf",
]  # fmt: skip
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _below_100(number: int, *, last: bool) -> str:
    if number < 20:
        return _UNITS[number]
    tens, unit = divmod(number, 10)
    if tens == 7:  # soixante-dix … soixante-dix-neuf, « soixante et onze »
        return "soixante et onze" if unit == 1 else f"soixante-{_UNITS[10 + unit]}"
    if tens == 9:  # quatre-vingt-dix … quatre-vingt-dix-neuf
        return f"quatre-vingt-{_UNITS[10 + unit]}"
    if tens == 8:  # « quatre-vingts » ends a number; « quatre-vingt mille », « quatre-vingt-un »
        return (
            ("quatre-vingts" if last else "quatre-vingt")
            if unit == 0
            else (f"quatre-vingt-{_UNITS[unit]}")
        )
    if unit == 0:
        return _TENS[tens]
    if unit == 1:
        return f"{_TENS[tens]} et un"
    return f"{_TENS[tens]}-{_UNITS[unit]}"


def _below_1000(number: int, *, last: bool = True) -> str:
    """``last``: nothing follows but a noun (million, milliard); « cent » and « vingt » take
    their s only then, never before « mille »."""
    hundreds, rest = divmod(number, 100)
    words = []
    if hundreds == 1:
        words.append("cent")
    elif hundreds > 1:
        words.append(f"{_UNITS[hundreds]} cent" + ("s" if rest == 0 and last else ""))
    if rest:
        words.append(_below_100(rest, last=last))
    return " ".join(words)


def number_in_french(number: int) -> str:
    """A whole number from 0 to 999,999,999,999 in French words, in the traditional spelling
    used on cheques: 21 « vingt et un », 80 « quatre-vingts », 200 « deux cents », 1,000
    « mille », 280,000 « deux cent quatre-vingt mille »."""
    if not 0 <= number < 10**12:
        raise ValueError(f"{number} is out of range")
    if number == 0:
        return "zéro"
    billions, number = divmod(number, 10**9)
    millions, number = divmod(number, 10**6)
    thousands, number = divmod(number, 1000)
    words = []
    if billions:
        words.append(f"{_below_1000(billions)} milliard" + ("s" if billions > 1 else ""))
    if millions:
        words.append(f"{_below_1000(millions)} million" + ("s" if millions > 1 else ""))
    if thousands:
        words.append("mille" if thousands == 1 else f"{_below_1000(thousands, last=False)} mille")
    if number:
        words.append(_below_1000(number))
    return " ".join(words)


def amount_in_french(amount: Decimal) -> str:
    """An amount of euros in French words: « huit cents euros », « un million d’euros »,
    « mille euros et cinquante centimes »."""
    cents_total = int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if cents_total < 0:
        raise ValueError("An amount is never negative.")
    euros, cents = divmod(cents_total, 100)
    words = []
    if euros or not cents:
        unit = "euro" if euros == 1 else "euros"
        # « un million d'euros »: after million or milliard, the noun takes « de ».
        joiner = " d’" if euros and euros % 10**6 == 0 else " "
        words.append(number_in_french(euros) + joiner + unit)
    if cents:
        words.append(f"{number_in_french(cents)} centime" + ("s" if cents > 1 else ""))
    return " et ".join(words)


def receipt_context(donation: Donation) -> dict:
    """What the receipt prints: the organisation (settings), the donor, the gift."""
    return {
        "donation": donation,
        "organisation": settings.DONATION_RECEIPT_ORGANISATION,
        "amount_in_words": amount_in_french(donation.amount),
        "article": donation.tax_article,
        # Every box of the form, the donation's ticked.
        "gift_forms": GiftForm.choices,
        "natures": GiftNature.choices,
        "means": PaymentMeans.choices,
    }


def receipt_html(donation: Donation) -> str:
    with translation.override("fr"):
        return render_to_string("partners/receipt.html", receipt_context(donation))


def receipt_pdf(donation: Donation) -> bytes:
    """The receipt as a PDF (A4, one page)."""
    # Imported here: WeasyPrint loads Pango when imported, which only this function needs.
    # WeasyPrint logs its steps at INFO, ten lines a receipt: only its warnings are news.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from weasyprint import HTML

    return HTML(string=receipt_html(donation)).write_pdf()


def receipt_filename(donation: Donation) -> str:
    return f"recu-fiscal-{donation.receipt_label}.pdf"
