"""French typography on every page (the same page list as the accessibility check, through the
Django test client, in French) and in every e-mail:

- « 1er » for the first of a month, never « 1 juin »;
- a non-breaking space (U+00A0 or U+202F) between the groups of a number (« 1 000 ») and
  before « € », « % », « : », « ; », « ? » and « ! » — in the text, not in addresses, times
  (14:30) or code;
- no English word left on a French page (the short list ENGLISH below);
- curly apostrophes (’) in the project's French catalogue.

The catalogue's completeness (no fuzzy or untranslated entry) is tests/test_translations.py's.
"""

import datetime
import html as html_lib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from emergence.mail import render_email
from tests.site_pages import build_data, walk
from tests.test_translations import PO, catalogue_entries

MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
NBSP = "\u00a0\u202f"
# Words of the English interface that must not show on a French page (whole words, as written).
ENGLISH = [
    "Save",
    "Submit",
    "Search",
    "Cancel",
    "Delete",
    "Download",
    "Yes",
    "No",
    "None",
    "Sheet",
    "Edit",
    "Back",
    "Next",
    "Previous",
    "Loading",
    "Required",
    "Unknown",
    "Show",
    "Hide",
    "Remove",
    "Welcome",
    "Password",
    "Today",
    "Please",
    "Hello",
    "Filter",
    "Details",
]
ENGLISH_WORD = re.compile(r"(?<![\w'’-])(" + "|".join(ENGLISH) + r")(?![\w'’-])")
FIRST_OF_MONTH = re.compile(rf"(?<![\d,.])1[ {NBSP}]({MONTHS})\b")
# A space that is not a non-breaking one: between digit groups, or before the marks.
GROUP_SPACE = re.compile(r"(?<![\d,.])\d{1,3}( \d{3})+(?![\d,])")
SPACE_BEFORE = re.compile(r"\w ([€%;?!:])")
GLUED_BEFORE = re.compile(r"([^\W\d_]|\d)([€%;?!])(?=\s|$|[<»)])|([^\W\d_]{2,}):(?=\s|$)")
# What typography does not apply to: addresses, e-mails, times, code.
NOT_TEXT = re.compile(r"(https?://|/)\S*|\S+@\S+|\b\d{1,2}:\d{2}\b|\{[^}]*\}|%\([a-z_]+\)s|\bT\d\b")
SKIPPED_ELEMENTS = re.compile(
    r"<(script|style|code|pre|textarea|template|svg)\b.*?</\1>", re.S | re.I
)
# Django's console writes these in its code, not through a catalogue: the breadcrumbs cut an
# object's name with ``truncatewords`` (which turns a non-breaking space into a space), and
# its yes/no/unknown icons say "True", "False", "None".
DJANGO_MARKUP = re.compile(
    r'<div class="breadcrumbs">.*?</div>|<img[^>]*icon-(?:yes|no|unknown)\.svg[^>]*>', re.S
)
ATTRIBUTE_TEXTS = re.compile(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"')
BUTTON_VALUES = re.compile(r'<input[^>]*type="(?:submit|button)"[^>]*value="([^"]*)"', re.I)


def texts(page_html: str) -> list[str]:
    """The words a person reads on the page: text between tags and the labels in
    attributes, without scripts, styles and code."""
    body = DJANGO_MARKUP.sub(" ", SKIPPED_ELEMENTS.sub(" ", page_html))
    found = [m.group(1) for m in ATTRIBUTE_TEXTS.finditer(body)]
    found += [m.group(1) for m in BUTTON_VALUES.finditer(body)]
    found += re.findall(r">([^<]+)<", body)
    return [html_lib.unescape(text) for text in found if text.strip()]


def mistakes(text: str) -> list[str]:
    """What is wrong in one piece of French text."""
    found = []
    text = NOT_TEXT.sub(" ", text)
    for match in FIRST_OF_MONTH.finditer(text):
        found.append(f"« 1er » for the first: {match.group(0)!r}")
    for match in GROUP_SPACE.finditer(text):
        found.append(f"non-breaking space in a number: {match.group(0)!r}")
    for match in SPACE_BEFORE.finditer(text):
        found.append(f"non-breaking space before « {match.group(1)} »: {match.group(0)!r}")
    for match in GLUED_BEFORE.finditer(text):
        found.append(f"space missing before a mark: {match.group(0)!r}")
    return found


def english_words(text: str) -> list[str]:
    return [
        f"English word {m.group(1)!r} in {text.strip()[:60]!r}" for m in ENGLISH_WORD.finditer(text)
    ]


# Texts the project does not write, left as they are: each with its reason. Keep it short.
NOT_OURS = {
    # django-axes names its records in English, in its code: « Attempted Access: … ».
    "Attempted Access:",
    "Failed access:",
    "Access Log for",
    # A questionnaire keeps each question in English too, for English-speaking laureates: the
    # console shows both versions.
    "Are you happy with your housing?",
    "What are your plans for the summer?",
}


# On a console delete page, Django lists what goes with the object as « Groupe: <link> » or
# « Group-permission relationship: … », written in its code
# (django.contrib.admin.utils.get_deleted_objects).
DELETED_OBJECT_LABEL = re.compile(r"^[^:]{1,80}: ")


def page_mistakes(page_html: str, *, delete_page: bool = False) -> list[str]:
    found = []
    for text in texts(page_html):
        if any(fragment in text for fragment in NOT_OURS):
            continue
        if delete_page and DELETED_OBJECT_LABEL.match(text.strip(" \n") + " "):
            continue
        found += mistakes(text)
        found += english_words(text)
    return sorted(set(found))


# -- the rules themselves --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "le 1 juin 2027",
        "500 à 1 000 €",
        "1 000 €",
        "Statut : brouillon",
        "Statut: brouillon",
        "Prêt ?",
        "20 %",
        "Save",
    ],
)
def test_each_rule_finds_its_mistake(text):
    assert mistakes(text) + english_words(text)


@pytest.mark.parametrize(
    "text",
    [
        "le 1er juin 2027",
        "500 à 1\u00a0000\u00a0€",
        "Statut\u00a0: brouillon",
        "Prêt\u202f?",
        "à 14:30, https://emergence.example.org/reports/?page=2",
        "promotion 2026",
        "T4 2026",
        "Nom du projet",
    ],
)
def test_good_french_passes(text):
    assert mistakes(text) + english_words(text) == []


# -- pages ---------------------------------------------------------------------------------

PEOPLE = {
    "anonymous": None,
    "laureate": "laureate",
    "partner": "partner",
    "lead": "lead",
    "referent": "referent",
    "workshops": "workshops_staff",
    "partnerships": "partnerships_staff",
}


@pytest.fixture
def site(db, referent):
    return build_data(referent=referent)


@pytest.mark.parametrize("who", list(PEOPLE))
def test_every_french_page_is_set_in_french_typography(client, site, who, request):
    fixture = PEOPLE[who]
    if fixture is None:
        user = None
    elif fixture in site:
        user = site[fixture]
    else:
        user = request.getfixturevalue(fixture)
    wrong = []
    with translation.override("fr"):
        pages = walk(client, user, keep_html=True).pages
    assert pages
    for page in pages:
        for mistake in page_mistakes(page.html, delete_page=page.name.endswith("_delete")):
            wrong.append(f"{page.url}: {mistake}")
    assert not wrong, f"{len(wrong)} mistakes:\n" + "\n".join(wrong)


# -- e-mails -------------------------------------------------------------------------------

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"


def _email_names() -> list[str]:
    return sorted(p.name.removesuffix("_subject.txt") for p in EMAILS.glob("*_subject.txt"))


def _email_context(site) -> dict:
    """One context that every e-mail template finds its words in, from the demo programme,
    with a date on the 1st of a month and amounts of four digits."""
    from laureates.models import Laureate
    from partners.models import Donation, Introduction
    from workshops.models import Session

    laureate = Laureate.objects.select_related("user").get(user=site["laureate"])
    introduction = Introduction.objects.select_related(
        "company", "requested_by", "laureate"
    ).first()
    introduction.starts_on = datetime.date(2027, 6, 1)
    introduction.ends_on = datetime.date(2027, 8, 31)
    session = Session.objects.select_related("series").first()
    session.starts_at = timezone.make_aware(datetime.datetime(2027, 3, 1, 14, 0))
    session.ends_at = session.starts_at + datetime.timedelta(hours=2)
    row = {"name": "Inès Benali", "email": "ines@example.org", "status": "draft", "admin_url": "/"}
    return {
        "user": laureate.user,
        "first_name": laureate.user.first_name,
        "laureate": laureate,
        "laureate_user": laureate.user,
        "partner_user": site["partner"],
        "member": site["partner"],
        "introduction": introduction,
        "company": introduction.company,
        "session": session,
        "series": session.series,
        "donation": Donation.objects.select_related("referral").order_by("amount").last(),
        "period": {"slug": "2026-q4", "year": 2026, "quarter": 4},
        "opens_on": datetime.date(2026, 12, 1),
        "due_on": datetime.date(2027, 1, 15),
        "today": datetime.date(2027, 2, 1),
        "days": 3,
        "days_left": 3,
        "days_late": 2,
        "answer_days": 14,
        "count": 1200,
        "capacity": 1000,
        "laureates": [("late", [row]), ("draft", [row])],
        "rows": [row],
        "row": row,
        "url": "https://emergence.example.org/reports/2026-q4/",
        "staff_url": "https://emergence.example.org/admin/",
        "ics_url": "https://emergence.example.org/workshops/calendar/x.ics",
        "dashboard_path": "/partners/",
        "reset_path": "/accounts/reset/x/y/",
        "laureate_phone": "06 12 34 56 78",
        "laureate_message": "Avec plaisir.",
        "partner_job_title": "Responsable RH",
    }


def test_every_french_email_is_set_in_french_typography(site):
    context = _email_context(site)
    wrong = []
    names = _email_names()
    assert len(names) > 10
    for name in names:
        subject, text, html = render_email(name, context, language="fr")
        for part, content in (("subject", subject), ("text", text)):
            for line in content.splitlines():
                for mistake in mistakes(line) + english_words(line):
                    wrong.append(f"{name} ({part}): {mistake}")
        for mistake in page_mistakes(html):
            wrong.append(f"{name} (html): {mistake}")
    assert not wrong, f"{len(wrong)} mistakes:\n" + "\n".join(sorted(set(wrong)))


def test_dates_in_emails_say_1er_for_the_first_of_the_month(site):
    context = _email_context(site)
    subject, text, html = render_email("workshop_invitation", context, language="fr")
    assert "1er mars 2027" in text


# -- the catalogue -------------------------------------------------------------------------


def test_the_french_catalogue_uses_curly_apostrophes():
    straight = [
        entry["msgid"]
        for entry in catalogue_entries(PO)[1:]
        if any("'" in re.sub(r"<[^>]*>", "", msgstr) for msgstr in entry["msgstr"])
    ]
    assert straight == [], (
        f"{len(straight)} French entries with a straight apostrophe: {straight[:20]}"
    )


def test_an_opportunity_starting_on_the_first_says_1er():
    """French dates say « 1er » on their own: no template has to remember it."""
    with translation.override("fr"):
        rendered = render_to_string(
            "emails/introduction_opportunity.txt",
            {"introduction": {"starts_on": datetime.date(2027, 6, 1), "title": "Stage"}},
        )
    assert "1er juin 2027" in rendered
