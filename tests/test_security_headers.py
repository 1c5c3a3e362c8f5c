"""What every page says to the browser: the content security policy, the powerful features it
denies, no caching of personal data, the cookies' flags; where violations are reported; and
the security.txt that says whom to tell about a vulnerability."""

import datetime
import logging
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import Client

from tests.partner_factories import shared
from tests.report_data import TODAY, make_period
from tests.test_settings import PRODUCTION, manage

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
    "report-uri": ["/csp-report/"],
}
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "display-capture"]
# What the policy blocks, written into a page: a script without src, a style attribute, an
# event handler attribute (onclick=...), a javascript: link.
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"
    r"|<[^>]+\sstyle=|<[^>]+\son[a-z]+=|javascript:",
    re.IGNORECASE,
)


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture(autouse=True)
def empty_cache():
    """The report endpoint counts in the cache: each test starts with no count."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def open_period(db):
    return make_period(2026, 4)


@pytest.fixture
def consenting_laureate(db):
    return shared()


# One page per role and per app; each shows someone's data, except the login page.
PAGES = [
    ("client", "/accounts/login/"),
    ("laureate_client", "/me/"),
    ("laureate_client", "/me/edit/"),
    ("laureate_client", "/reports/"),
    ("laureate_client", "/reports/2026-q4/"),
    ("laureate_client", "/workshops/"),
    ("partner_client", "/partners/"),
    ("partner_client", "/partners/laureates/{laureate}/"),
    ("partner_client", "/partners/export.xlsx"),
    ("partner_client", "/partners/introductions/"),
    ("lead_client", "/admin/"),
    ("lead_client", "/admin/laureates/laureate/"),
    ("lead_client", "/admin/laureates/laureate/export/"),
    ("lead_client", "/admin/laureates/laureate/import/"),
    ("referent_client", "/admin/reports/activityreport/"),
]


@pytest.mark.parametrize(("who", "path"), PAGES)
def test_each_page_carries_the_strict_policy_and_is_never_cached(
    request, who, path, open_period, consenting_laureate
):
    client = request.getfixturevalue(who)
    response = client.get(path.format(laureate=consenting_laureate.pk))

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == POLICY
    permissions = response["Permissions-Policy"]
    for feature in DENIED_FEATURES:
        assert f"{feature}=()" in permissions
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    if response["Content-Type"].startswith("text/html"):
        assert not INLINE_CODE.findall(response.content.decode())


def test_the_export_page_of_the_console_needs_no_inline_handler(lead_client):
    html = lead_client.get("/admin/laureates/laureate/export/").content.decode()

    assert 'class="select-toggle"' in html  # the package's "Select all", still there
    assert "onchange" not in html
    assert "js/import_export_select_all.js" in html


def test_static_files_keep_their_cache(settings):
    settings.WHITENOISE_USE_FINDERS = True  # what `collectstatic` gives WhiteNoise in production
    assert finders.find("js/report_autosave.js")
    response = Client().get("/static/js/report_autosave.js")

    assert response.status_code == 200
    assert "max-age" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]


def test_a_page_that_sets_its_own_cache_control_keeps_it(client):
    response = client.get("/.well-known/security.txt")

    assert response["Cache-Control"] == "public, max-age=86400"


# Cookies -----------------------------------------------------------------------------------


def test_the_language_cookie_set_at_login_is_lax_and_http_only(client, laureate, password):
    response = client.post(
        "/accounts/login/", {"username": laureate.user.email, "password": password}
    )

    cookie = response.cookies["django_language"]
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True
    assert not cookie["secure"]  # DEBUG is on in the tests' settings: plain http works


def test_with_debug_off_every_cookie_is_secure_http_only_and_lax(
    settings, client, laureate, password
):
    # What emergence/settings.py sets when DEBUG is off (checked below in a real process).
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.LANGUAGE_COOKIE_SECURE = True

    cookies = {}
    cookies.update(client.get("/accounts/login/").cookies)
    cookies.update(
        client.post(
            "/accounts/login/", {"username": laureate.user.email, "password": password}
        ).cookies
    )
    cookies.update(client.post("/i18n/setlang/", {"language": "en", "next": "/me/"}).cookies)

    assert set(cookies) == {"csrftoken", "sessionid", "django_language"}
    for name, cookie in cookies.items():
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


def test_production_settings_make_every_cookie_secure():
    names = [
        f"{cookie}_COOKIE_{flag}"
        for cookie in ("SESSION", "CSRF", "LANGUAGE")
        for flag in ("SECURE", "HTTPONLY", "SAMESITE")
    ]
    code = "from django.conf import settings; " + "; ".join(
        f"print('{name}=' + str(settings.{name}))" for name in names
    )
    result = manage("shell", "-c", code, SECRET_KEY="x" * 50, **PRODUCTION)

    assert result.returncode == 0, result.stderr
    values = dict(re.findall(r"^([A-Z_]+)=(\S+)$", result.stdout, re.MULTILINE))
    for name in names:
        assert values[name] == ("Lax" if name.endswith("SAMESITE") else "True"), name


# The report endpoint -----------------------------------------------------------------------

REPORT = (
    b'{"csp-report": {"document-uri": "https://emergence.example.org/partners/?q=Benali",'
    b' "violated-directive": "script-src-elem", "effective-directive": "script-src-elem",'
    b' "blocked-uri": "inline", "source-file": "https://emergence.example.org/partners/",'
    b' "line-number": 12, "disposition": "enforce", "original-policy": "default-src"}}'
)


def post_report(client, body: bytes = REPORT, address: str = "192.0.2.1", **kwargs):
    return client.post(
        "/csp-report/",
        body,
        content_type=kwargs.pop("content_type", "application/csp-report"),
        REMOTE_ADDR=address,
        **kwargs,
    )


def csp_logs(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "emergence.csp"]


def test_a_violation_report_is_logged_without_the_query_string(caplog):
    client = Client(enforce_csrf_checks=True)  # browsers send no CSRF token
    with caplog.at_level(logging.INFO, logger="emergence.csp"):
        response = post_report(client)

    assert response.status_code == 204
    [record] = csp_logs(caplog)
    message = record.getMessage()
    assert "script-src-elem" in message
    assert "https://emergence.example.org/partners/ " in message
    assert "Benali" not in message  # what the partner searched for stays out of the log
    assert "192.0.2.1" in message
    assert record.csp_report["line-number"] == "12"


def test_a_reporting_api_batch_is_logged_too(caplog):
    body = (
        b'[{"type": "csp-violation", "url": "https://emergence.example.org/me/",'
        b' "body": {"documentURL": "https://emergence.example.org/me/",'
        b' "effectiveDirective": "style-src-attr", "blockedURL": "inline"}},'
        b' {"type": "deprecation", "body": {}}]'
    )
    with caplog.at_level(logging.INFO, logger="emergence.csp"):
        response = post_report(Client(), body, content_type="application/reports+json")

    assert response.status_code == 204
    [record] = csp_logs(caplog)
    assert "style-src-attr" in record.getMessage()


def test_reports_beyond_the_limit_of_an_address_are_not_logged(settings, caplog):
    settings.CSP_REPORTS_PER_MINUTE = 3
    client = Client()
    with caplog.at_level(logging.INFO, logger="emergence.csp"):
        statuses = {post_report(client).status_code for _ in range(6)}
        assert len(csp_logs(caplog)) == 3
        post_report(client, address="198.51.100.7")  # someone else is still heard

    assert statuses == {204}
    assert len(csp_logs(caplog)) == 4


def test_behind_a_proxy_the_limit_counts_each_client_not_the_proxy(settings, caplog):
    settings.CSP_REPORTS_PER_MINUTE = 1
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.CLIENT_IP_PROXY_COUNT = 1
    client = Client()
    with caplog.at_level(logging.INFO, logger="emergence.csp"):
        for forwarded in ("203.0.113.5", "203.0.113.6", "203.0.113.6"):
            post_report(client, address="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert [("203.0.113.5" in r.getMessage()) for r in csp_logs(caplog)] == [True, False]


def test_the_limit_starts_again_the_next_minute(settings, caplog, time_machine):
    settings.CSP_REPORTS_PER_MINUTE = 1
    client = Client()
    with caplog.at_level(logging.INFO, logger="emergence.csp"):
        post_report(client)
        post_report(client)
        time_machine.shift(datetime.timedelta(minutes=1))
        post_report(client)

    assert len(csp_logs(caplog)) == 2


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json at all",
        b"\xff\xfe\x00garbage",
        b'{"csp-report": "a string"}',
        b'{"csp-report": {"blocked-uri": {"nested": ["deep"]}}}',
        b"[1, 2, null]",
        b"null",
        b"[" * 100_000,
        b'{"csp-report": {"blocked-uri": "' + b"x" * 5_000_000 + b'"}}',
    ],
    ids=[
        "empty",
        "text",
        "binary",
        "string",
        "nested",
        "list",
        "null",
        "deep",
        "5-megabytes",
    ],
)
def test_garbage_is_answered_204_and_never_an_error(body, caplog):
    client = Client(raise_request_exception=True)
    with caplog.at_level(logging.INFO, logger="emergence.csp"):
        response = post_report(client, body)

    assert response.status_code == 204
    assert all("Traceback" not in record.getMessage() for record in csp_logs(caplog))


def test_a_report_cannot_forge_log_lines(caplog):
    body = b'{"csp-report": {"blocked-uri": "inline\\nCRITICAL fake line", "line-number": 1}}'
    with caplog.at_level(logging.INFO, logger="emergence.csp"):
        post_report(Client(), body)

    [record] = csp_logs(caplog)
    assert "\n" not in record.getMessage()
    assert "inline?CRITICAL fake line" in record.getMessage()


def test_the_report_endpoint_takes_post_only(client):
    assert client.get("/csp-report/").status_code == 405


# security.txt ------------------------------------------------------------------------------


def test_security_txt_says_whom_to_tell_in_french_or_english(client):
    response = client.get("/.well-known/security.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert fields["Contact"] == "mailto:security@example.org"
    assert fields["Preferred-Languages"] == "fr, en"
    assert fields["Canonical"].endswith("/.well-known/security.txt")
    expires = datetime.datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%S%z")
    assert expires == TODAY + datetime.timedelta(days=365)


def test_security_txt_expires_a_year_after_the_day_it_is_read(client, time_machine):
    time_machine.move_to(TODAY + datetime.timedelta(days=400), tick=False)
    text = client.get("/.well-known/security.txt").content.decode()

    assert "Expires: 2028-12-30T10:00:00Z" in text


def test_security_txt_contact_comes_from_the_setting(client, settings):
    settings.SECURITY_CONTACT = "https://emergence.example.org/securite"

    text = client.get("/.well-known/security.txt").content.decode()

    assert "Contact: https://emergence.example.org/securite\n" in text
