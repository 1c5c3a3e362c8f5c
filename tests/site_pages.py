"""Every page of the site, per kind of person, read from the URL patterns: the accessibility
check (tests/browser/test_accessibility.py) and the French typography check
(tests/test_typography.py) walk the same list, so a new page is checked without being listed.

How a pattern becomes concrete URLs:
- a console pattern ``admin/<app>/<model>/...`` takes its parameter from objects of that model;
- another pattern takes it from the model that the path segment before the parameter names
  (``laureates/<int:pk>/`` a Laureate, ``series/<int:pk>/`` a WorkshopSeries,
  ``reports/<period:period>/`` a ReportPeriod through its slug);
- a parameter that names no model (a reset link's ``<uidb64>/<token>``) gets ``x``: the page
  shown for an unknown link;
- the console's app pages get each app label; its catch-all pattern is no page.

What is not a page, by rule: a pattern ending in a file name (``.ics``, ``.xlsx``, ``.txt``);
an answer to GET that is not 200 (405: POST only; 3xx: a redirect; 403: not for this person;
404 for every candidate: none of the objects is this person's) or not HTML (JSON, JavaScript,
files). The first candidate URL answering 200 in HTML is the page; on the site, the next few
candidates are tried too and kept when they look different (a report read vs a report form).
"""

import datetime
import io
import logging
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

FILE_NAME = re.compile(r"\.(ics|xlsx|csv|txt|json|pdf|zip)$")
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
APP_LIST = re.compile(r"\^\(\?P<app_label>(?P<labels>[^)]*)\)/\$")
GENERIC_NAMES = {"pk", "id", "objectid", "token", "uidb64"}
# Candidate objects tried per parameter: enough to find one of this person's among others'.
MAX_CANDIDATES = 80
# On the site, candidates tried after the first page, for pages of another look.
MORE_CANDIDATES = 6


@dataclass
class Route:
    route: str  # "partners/laureates/<int:pk>/"
    name: str  # "partners:laureate"
    urls: list[str] = field(default_factory=list)  # candidate URLs, first ones preferred


@dataclass
class Page:
    url: str
    name: str
    html: str = ""
    shape: str = ""  # the markup of the page's main part, text and numbers aside


TAG = re.compile(r"<([a-zA-Z][\w-]*)([^>]*)>")
SHAPING_ATTRIBUTES = re.compile(r'\b(class|type|name|role|aria-[\w-]+)="([^"]*)"')


def shape(html: str) -> str:
    """The kinds of element in the page's ``<main>``: tag names with their class, type, name,
    role and aria attributes, numbers aside, however many times each appears. Two pages of one
    shape differ only in their words and in how many rows they list (the same console form
    shown to two roles, the delete page of two similar objects)."""
    start, end = html.find("<main"), html.rfind("</main>")
    if start < 0:
        start, end = 0, len(html)
    parts = set()
    for tag, attributes in TAG.findall(html[start:end]):
        kept = " ".join(f"{k}={v}" for k, v in SHAPING_ATTRIBUTES.findall(attributes))
        parts.add(re.sub(r"\d+", "N", f"{tag} {kept}"))
    return "\n".join(sorted(parts))


@dataclass
class Walk:
    pages: list[Page]
    # pattern name -> why it is not a page for this person (the last answer seen)
    skipped: dict[str, str]


def _patterns(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace + (pattern.name or ""), pattern


def _project_models() -> list:
    base = str(settings.BASE_DIR)
    return [
        model
        for model in apps.get_models()
        if model._meta.app_config.path.startswith(base) and "/.venv/" not in model.__module__
    ]


def _models_named(word: str) -> list:
    """The project models that a word names, best first: ``laureates`` a Laureate, ``series``
    a WorkshopSeries, ``period`` a ReportPeriod (and any other model ending in "period")."""
    word = word.lower().replace("-", "").replace("_", "")
    if word in GENERIC_NAMES:
        return []
    singular = word[:-1] if word.endswith("s") and not word.endswith("series") else word
    models = _project_models()
    exact = [m for m in models if m._meta.model_name in (word, singular)]
    ending = [m for m in models if m._meta.model_name.endswith(singular) and m not in exact]
    return exact + ending


def _values(models, converter: str | None) -> list[str]:
    """Candidate values: each object's pk, or its ``slug`` where the converter wants one."""
    regex = None
    if converter and converter not in ("int", "str", "path", "slug", "uuid"):
        from django.urls.converters import get_converters

        regex = re.compile(get_converters()[converter].regex)
    values = []
    for model in models:
        for obj in model._default_manager.order_by("pk")[:MAX_CANDIDATES]:
            value = str(getattr(obj, "slug", obj.pk)) if regex else str(obj.pk)
            if regex is None or regex.fullmatch(value):
                values.append(value)
    return values


def _sponsor_checkin_urls() -> list[str]:
    """The sponsor's quarterly link (reports/checkins.py), signed as its e-mail signs it: the
    current sponsorship asked about the latest opened period. Opening it records an answer."""
    from reports.checkins import checkin_token

    Sponsorship = apps.get_model("laureates", "Sponsorship")
    ReportPeriod = apps.get_model("reports", "ReportPeriod")
    sponsorship = Sponsorship.objects.filter(ended_on__isnull=True).order_by("pk").first()
    period = ReportPeriod.objects.opened().order_by("-opens_on").first()
    if sponsorship is None or period is None:
        return []
    token = checkin_token(sponsorship=sponsorship, period=period, answer="not_yet")
    return [reverse("reports:checkin", args=[token])]


#: Pages reached only by a signed link, which no object's pk makes: their candidate URLs.
SIGNED_LINKS = {"reports:checkin": _sponsor_checkin_urls}


def routes() -> list[Route]:
    """Every URL pattern of the project with its candidate URLs."""
    found = []
    for route, name, _pattern in _patterns(get_resolver().url_patterns):
        if FILE_NAME.search(route):
            continue
        if name in SIGNED_LINKS:
            found.append(Route(route, name, SIGNED_LINKS[name]()))
            continue
        if route.startswith("admin/") and "(?P<url>" in route:
            continue  # the console's catch-all: a redirect or a 404, never a page
        app_list = APP_LIST.search(route)
        if app_list:
            prefix = route[: app_list.start()]
            found.append(
                Route(
                    route, name, [f"/{prefix}{label}/" for label in app_list["labels"].split("|")]
                )
            )
            continue
        parameters = list(PARAMETER.finditer(route))
        if not parameters:
            found.append(Route(route, name, ["/" + route]))
            continue
        urls = [route]
        for parameter in parameters:
            if route.startswith("admin/"):
                app_label, model_name = route.split("/")[1:3]
                try:
                    models = [apps.get_model(app_label, model_name)]
                except LookupError:
                    models = []
            else:
                before = route[: parameter.start()].rstrip("/").rsplit("/", 1)[-1]
                models = _models_named(parameter["name"]) or _models_named(before)
            values = _values(models, parameter["converter"]) if models else ["x"]
            urls = [url.replace(parameter.group(0), value, 1) for url in urls for value in values]
        found.append(Route(route, name, ["/" + url for url in urls]))
    return found


def walk(client, user, *, keep_html: bool = False) -> Walk:
    """The pages ``user`` (None: anonymous) opens, through the Django test client."""
    client.logout()
    if user is not None:
        client.force_login(user)
    pages, skipped, seen = [], {}, set()
    quiet = logging.getLogger("django.request")
    level, quiet.level = quiet.level, logging.ERROR  # 403 and 404 are expected here
    try:
        for route in routes():
            _probe(client, route, pages, skipped, seen, keep_html)
    finally:
        quiet.setLevel(level)
    return Walk(pages, skipped)


def _probe(client, route: Route, pages, skipped, seen, keep_html: bool) -> None:
    """The first candidate URL answering 200 in HTML is a page. On the site (not the console),
    the next few candidates are tried too and kept when they look different: a submitted
    report is read, the open one is a form."""
    why, found, shapes = "no candidate", 0, set()
    for url in route.urls:
        if url in seen:
            return  # two patterns for one path (the console's and the site's login)
        if found and (route.route.startswith("admin/") or found > MORE_CANDIDATES):
            return
        response = client.get(url)
        kind = response.get("Content-Type", "")
        if response.status_code == 200 and kind.startswith("text/html"):
            html = response.content.decode()
            page = Page(url, route.name, html if keep_html else "", shape(html))
            found += 1
            if page.shape not in shapes:
                shapes.add(page.shape)
                pages.append(page)
                seen.add(url)
            continue
        why = f"{response.status_code} {kind.split(';')[0]}".strip()
        if response.status_code != 404:
            break  # refused, a redirect, POST only or a file: the same for every object
    if not found:
        skipped[route.name or route.route] = why


def build_data(*, referent=None) -> dict:
    """The demo programme (every kind of object, each person's own) and one object of each
    console model the demo does not make. Returns the people of the demo by kind."""
    from laureates.demo import LAUREATE_EMAIL, PARTNER_EMAIL

    settings_debug = settings.DEBUG
    settings.DEBUG = True  # seed_demo refuses to run with DEBUG off
    try:
        call_command("seed_demo", stdout=io.StringIO())
    finally:
        settings.DEBUG = settings_debug
    _console_extras()
    User = apps.get_model("emergence", "User")
    Laureate = apps.get_model("laureates", "Laureate")
    laureate = Laureate.objects.get(user__email=LAUREATE_EMAIL)
    if referent is not None:
        Laureate.objects.filter(pk=laureate.pk).update(referent=referent)
    _own_extras(laureate)
    people = {
        "laureate": laureate.user,
        "partner": User.objects.get(email=PARTNER_EMAIL),
    }
    for kind, email in (("sponsor", "sponsor@example.org"), ("animator", "animator@example.org")):
        user = User.objects.filter(email=email).first()
        if user is not None:
            people[kind] = user
    return people


def _own_extras(laureate) -> None:
    """The laureate's pages that the demo does not open: the co-optation of their referrals
    and the feedback on a series they attended."""
    from tests.workshops_factories import SeriesFactory, SessionFactory

    CoOpter = apps.get_model("partners", "CoOpter")
    if not CoOpter.objects.filter(laureate=laureate).exists():
        coopter = CoOpter.objects.order_by("pk").first()
        if coopter is not None:
            CoOpter.objects.filter(pk=coopter.pk).update(laureate=laureate)
    past = timezone.now() - datetime.timedelta(days=30)
    session = SessionFactory(
        series=SeriesFactory(school_year="2025-2026"),
        starts_at=past,
        ends_at=past + datetime.timedelta(hours=3),
        published_at=past - datetime.timedelta(days=30),
    )
    Registration = apps.get_model("workshops", "Registration")
    Registration.objects.create(
        session=session, laureate=laureate, status="confirmed", attended=True
    )


def _console_extras() -> None:
    """Objects of the console's models that the demo leaves empty, so their pages are seen."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from emergence.models import OutboxEmail

    Laureate = apps.get_model("laureates", "Laureate")
    laureate = Laureate.objects.order_by("pk").first()
    User = apps.get_model("emergence", "User")
    someone = User.objects.order_by("pk").first()
    OutboxEmail.objects.get_or_create(
        key="a11y:1",
        defaults={
            "kind": "invitation",
            "to": "ines@example.org",
            "language": "fr",
            "subject": "Bienvenue",
            "text": "Bonjour",
        },
    )
    Triage = apps.get_model("reports", "Triage")
    Triage.objects.get_or_create(laureate=laureate)
    QuietPeriod = apps.get_model("reports", "QuietPeriod")
    if not QuietPeriod.objects.exists():
        QuietPeriod.objects.create(
            name="Partiels", starts_on=datetime.date(2027, 1, 4), ends_on=datetime.date(2027, 1, 9)
        )
    ReportRead = apps.get_model("reports", "ReportRead")
    if not ReportRead.objects.exists():
        ReportRead.objects.create(
            user=someone, user_email=someone.email, laureate=laureate, what="report"
        )
    Registration = apps.get_model("workshops", "Registration")
    registration = Registration.objects.order_by("pk").first()
    Feedback = apps.get_model("workshops", "Feedback")
    if registration and not Feedback.objects.exists():
        Feedback.objects.create(
            series=registration.session.series, laureate=registration.laureate, rating=4
        )
    PartnerViewLog = apps.get_model("partners", "PartnerViewLog")
    Membership = apps.get_model("partners", "PartnerMembership")
    membership = Membership.objects.order_by("pk").first()
    if not PartnerViewLog.objects.exists():
        PartnerViewLog.objects.create(
            user=membership.user, company=membership.company, kind="dashboard"
        )
    if not AccessAttempt.objects.exists():
        AccessAttempt.objects.create(
            username="ines@example.org", ip_address="127.0.0.1", failures_since_start=1
        )
        AccessLog.objects.create(
            username="ines@example.org", ip_address="127.0.0.1", attempt_time=timezone.now()
        )
        AccessFailureLog.objects.create(
            username="ines@example.org", ip_address="127.0.0.1", attempt_time=timezone.now()
        )
