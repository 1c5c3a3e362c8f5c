"""One helper renders and sends an e-mail in the recipient's language.

Each e-mail is three templates: ``emails/<name>_subject.txt``,
``emails/<name>.txt`` and ``emails/<name>.html``.
"""

import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def render_email(name: str, context: dict, *, language: str | None = None) -> tuple[str, str, str]:
    """Return (subject, text, html) rendered in ``language``."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    # One line, keeping French non-breaking spaces (str.split() would take them for spaces).
    return re.sub(r"[ \t\r\n]+", " ", subject).strip(), text, html


def send_email(name: str, context: dict, *, to: str, language: str | None = None) -> None:
    subject, text, html = render_email(name, context, language=language)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()
