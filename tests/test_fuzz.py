"""Odd input never answers 500: every URL pattern of the project, with odd values for each
of its parameters, as each kind of person.

The patterns are read from the resolver, so a new page is fuzzed without being listed here.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from emergence import roles
from tests.factories import (
    LaureateFactory,
    PartnerMembershipFactory,
    RoleStaffFactory,
    StaffFactory,
)
from tests.partner_factories import IntroductionFactory, shared
from tests.report_factories import ActivityReportFactory
from tests.workshops_factories import RegistrationFactory

HUGE = "9" * 30
# Odd values for a URL parameter. "{other}" is another person's object.
ODD_VALUES = ["%00", HUGE, "-1", "0", "%C3%A9%F0%9F%99%82", "a" * 3000, "..%2F..%2Fetc", "{other}"]
ADMIN_ODD_VALUES = ["%00", HUGE, "{other}"]
ODD_QUERY = "?q=" + "mot+" * 2000 + "&page=" + HUGE + "&o=-1&p=-1&promotion=" + HUGE
ODD_FORM = {
    "q": "\x00",
    "version": "\x00",
    "decision": "é" * 3000,
    "message": "\x00" * 10,
    "attended": ["\x00", HUGE],
    "email": "\x00@example.org",
    "next": "//evil.example.com/\x00",
}
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _routes(patterns, prefix: str = ""):
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            yield prefix + route


def _concrete(route: str, value: str) -> str | None:
    """The route with ``value`` for each parameter; None for a regular expression route that
    does not read as a path (the admin's catch-all and app index)."""
    if route.startswith("^") or "(?P" in route:
        route = route.replace("^", "").replace("$", "")
        route = re.sub(r"\(\?P<app_label>[^)]*\)", "laureates", route)
        route = re.sub(r"\(\?P<url>\.\*\)", value, route)
    if "(" in route:
        return None
    return "/" + PARAMETER.sub(value, route)


def _urls(other: str) -> list[str]:
    urls = set()
    for route in _routes(get_resolver().url_patterns):
        admin = route.startswith("admin/")
        if not PARAMETER.search(route) and "(?P" not in route:
            urls.add("/" + route + ("" if admin else ODD_QUERY))
            continue
        for value in ADMIN_ODD_VALUES if admin else ODD_VALUES:
            url = _concrete(route, value.replace("{other}", other))
            if url:
                urls.add(url)
    return sorted(urls)


@pytest.fixture
def people(db):
    """Someone of each kind, and objects that belong to others."""
    laureate = LaureateFactory()
    other = LaureateFactory()
    ActivityReportFactory(laureate=other)
    shared(other)
    registration = RegistrationFactory(laureate=other)
    IntroductionFactory(laureate=other)
    return {
        "anonymous": None,
        "laureate": laureate.user,
        "partner": PartnerMembershipFactory().user,
        "lead": RoleStaffFactory(role=roles.LEAD),
        "referent": RoleStaffFactory(role=roles.REFERENT),
        "workshops": RoleStaffFactory(role=roles.WORKSHOPS),
        "partnerships": RoleStaffFactory(role=roles.PARTNERSHIPS),
        "superuser": StaffFactory(),
        "_other": str(registration.pk),
    }


@pytest.mark.parametrize(
    "who",
    ["anonymous", "laureate", "partner", "lead", "referent", "workshops", "partnerships"],
)
def test_odd_urls_and_forms_never_answer_500(client, people, who):
    client.raise_request_exception = False
    if people[who] is not None:
        client.force_login(people[who])
    failures = []
    for url in _urls(people["_other"]):
        staff_page = url.startswith("/admin/")
        if staff_page and who in ("anonymous", "laureate", "partner"):
            continue  # the console's login redirect, checked once by the superuser run
        responses = [("GET", client.get(url))]
        if not staff_page:
            responses.append(("POST", client.post(url, ODD_FORM)))
        for method, response in responses:
            if response.status_code >= 500:
                failures.append(f"{method} {url[:120]}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_odd_console_urls_never_answer_500_for_the_technical_administrator(client, people):
    client.raise_request_exception = False
    client.force_login(people["superuser"])
    failures = [
        f"GET {url[:120]}: {status}"
        for url in _urls(people["_other"])
        if url.startswith("/admin/") and (status := client.get(url).status_code) >= 500
    ]
    assert not failures, "\n".join(failures)
