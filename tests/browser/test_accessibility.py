"""Every page of every kind of person passes axe-core (WCAG 2.0 and 2.1, levels A and AA) with
no critical or serious violation, at 1280×800 and 390×844, and no page is wider than a
390 px phone screen.

The console's pages (Django's admin, used at a desk) go through axe at the desktop size only
and are checked for their width on the phone: axe's rules (names, labels, contrast, ARIA) read
the same markup at both sizes, and the console's narrow layout is Django's own stylesheet,
while its walk is most of the run's time. The site's pages, which laureates, partners and
sponsors open on their phones, go through axe at both sizes.

The pages come from the URL patterns and the console's registry (tests/site_pages.py says how
a pattern becomes a URL and what is not a page), over the demo programme: a new page is
checked without being listed here. One Chromium, one context per person and screen size.
Run it alone with ``pytest -m a11y``.
"""

import os
import time

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.site_pages import build_data, walk

pytestmark = [pytest.mark.browser, pytest.mark.a11y]

SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"critical", "serious"}
# After "load", the page's own scripts finish what they start there (the console names the
# select2 boxes it draws) before axe looks: a short pause and two frames.
SETTLE = """() => new Promise(done => setTimeout(
    () => requestAnimationFrame(() => requestAnimationFrame(done)), 50))"""
PEOPLE = ["anonymous", "laureate", "partner", "lead", "referent", "workshops", "partnerships"]
STAFF_FIXTURES = {
    "lead": "lead",
    "referent": "referent",
    "workshops": "workshops_staff",
    "partnerships": "partnerships_staff",
}

# Known violations left in pages whose owners could not fix them in time: (URL pattern name,
# axe rule or "width" for a page wider than the phone) with the reason. Keep it short.
ALLOWED: dict[tuple[str, str], str] = {}

_axe = Axe()
# Shapes of pages already checked in this run (tests/site_pages.py: shape): a page of the same
# markup as one checked for another person, words aside, is not checked again.
_checked_shapes: set[str] = set()


def _to_check(pages):
    """The pages worth a browser: one of each shape not checked yet, and one delete page and
    one history page per person (the console's delete and history pages are one template
    each, whatever the model; the others differ by their fields, filters and columns)."""
    unique, generic = {}, set()
    for page in pages:
        kind = page.name.rsplit("_", 1)[-1] if page.name.startswith("admin:") else ""
        if kind in ("delete", "history"):
            if kind in generic:
                continue
            generic.add(kind)
        if page.shape not in _checked_shapes:
            unique.setdefault(page.shape, page)
    return list(unique.values())


def _person(who, request, people):
    if who == "anonymous":
        return None
    if who in STAFF_FIXTURES:
        return request.getfixturevalue(STAFF_FIXTURES[who])
    return people[who]


def _sign_in(context, client, user, live_server) -> None:
    if user is None:
        return
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def _violations(page) -> list[tuple[str, str, str]]:
    """(rule, impact, first nodes) of the blocking violations on the page as it is."""
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    found = []
    for violation in results["violations"]:
        if violation["impact"] in BLOCKING:
            nodes = "; ".join(" ".join(n["target"]) for n in violation["nodes"][:3])
            found.append((violation["id"], violation["impact"], nodes))
    return found


# CI runs the site's people's walks (laureate, partner, sponsor, animator) with the PostgreSQL
# suite and the console's (the programme lead's first: the others then skip the pages of the
# same markup it checked) with the SQLite one, so that the two suites, side by side on CI's two
# cores, end at about the same time (.ci/run). `make test` runs all of it.
WITH_POSTGRESQL = ("laureate", "partner", "sponsor", "animator")


@pytest.mark.parametrize(
    "who",
    [
        pytest.param(who, marks=pytest.mark.a11y_postgresql) if who in WITH_POSTGRESQL else who
        for who in PEOPLE + ["sponsor", "animator"]
    ],
)
def test_every_page_passes_axe_and_fits_a_phone(
    who, browser, live_server, client, transactional_db, request
):
    people = build_data(referent=request.getfixturevalue("referent"))
    if who not in PEOPLE and who not in people:
        pytest.skip(f"no {who} in the demo yet")
    user = _person(who, request, people)
    pages = walk(client, user).pages
    only = os.environ.get("A11Y_ONLY")  # a part of a URL, to look at one page while fixing it
    if only:
        pages = [page for page in pages if only in page.url]
    assert pages, f"{who} opens no page"
    pages = _to_check(pages)

    failures, used = [], set()
    for screen, (width, height) in SCREENS.items():
        context = browser.new_context(
            base_url=live_server.url,
            locale="fr-FR",
            bypass_csp=True,  # axe adds its own script and styles to the page
            viewport={"width": width, "height": height},
            has_touch=screen == "phone",
        )
        context.set_default_timeout(15_000)
        # axe-core in every page the context opens, once compiled, rather than sent each time
        context.add_init_script(script=_axe.axe_script)
        _sign_in(context, client, user, live_server)
        tab = context.new_page()
        try:
            for page in pages:
                started = time.monotonic()
                response = tab.goto(page.url, wait_until="load")
                if response is None or response.status != 200:
                    failures.append(f"{screen} {page.url}: {response and response.status}")
                    continue
                console = page.name.startswith("admin:")
                if screen == "phone" and console:
                    violations = []
                else:
                    tab.evaluate(SETTLE)
                    violations = _violations(tab)
                for rule, impact, nodes in violations:
                    if (page.name, rule) in ALLOWED:
                        used.add((page.name, rule))
                        continue
                    failures.append(f"{screen} {page.url} ({page.name}): {impact} {rule} — {nodes}")
                if os.environ.get("A11Y_TIMES"):
                    print(f"{time.monotonic() - started:5.2f}s {screen} {page.url}")
                if screen == "phone":
                    scroll, inner = tab.evaluate(
                        "[document.documentElement.scrollWidth, window.innerWidth]"
                    )
                    if scroll > inner and (page.name, "width") not in ALLOWED:
                        failures.append(
                            f"phone {page.url} ({page.name}): {scroll} px wide, screen {inner} px"
                        )
        finally:
            context.close()
    _checked_shapes.update(page.shape for page in pages)
    assert not failures, f"{who}, {len(pages)} pages:\n" + "\n".join(failures)
