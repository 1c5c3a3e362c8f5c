"""Where browsers report Content-Security-Policy violations (the policy's ``report-uri``).

Anyone can post here, so the view trusts nothing: it reads at most ``MAX_BODY`` bytes, logs at
most ``CSP_REPORTS_PER_MINUTE`` reports a minute per client address (and ``TOTAL_PER_MINUTE``
in all), keeps only the fields that say what was blocked where, and always answers 204.
"""

import json
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from emergence.security import client_ip

logger = logging.getLogger("emergence.csp")

MAX_BODY = 16 * 1024
MAX_FIELD = 300
# However many addresses post, the log gets at most this many lines a minute.
TOTAL_PER_MINUTE = 200
# Reports in one Reporting API batch beyond this many are dropped.
MAX_REPORTS_PER_REQUEST = 5

# report-uri sends {"csp-report": {kebab-case}}; the Reporting API (report-to) sends a list of
# {"type": "csp-violation", "body": {camelCase}}. Both end up under the kebab-case names.
FIELDS = {
    "document-uri": "documentURL",
    "effective-directive": "effectiveDirective",
    "violated-directive": "effectiveDirective",
    "blocked-uri": "blockedURL",
    "source-file": "sourceFile",
    "line-number": "lineNumber",
    "column-number": "columnNumber",
    "script-sample": "sample",
    "disposition": "disposition",
}


@csrf_exempt
@require_POST
def csp_report(request):
    """Log a browser's violation report, within the limits; 204 whatever was posted."""
    try:
        address = client_ip(request)[:64]  # behind a proxy, from CLIENT_IP_HEADER, as lockouts
        if not _over_limit(address):
            for report in _reports(request.read(MAX_BODY + 1))[:MAX_REPORTS_PER_REQUEST]:
                if not _count(address):
                    break
                logger.warning(
                    "CSP violation: %s blocked %s on %s (%s:%s) from %s",
                    report.get("effective-directive") or report.get("violated-directive"),
                    report.get("blocked-uri"),
                    report.get("document-uri"),
                    report.get("source-file"),
                    report.get("line-number"),
                    address,
                    extra={"csp_report": report},
                )
    except Exception:
        # A report is a hint, never worth an error page: a broken body or cache is dropped.
        logger.debug("CSP report dropped", exc_info=True)
    return HttpResponse(status=204)


def _reports(body: bytes) -> list[dict[str, str]]:
    if len(body) > MAX_BODY:  # a real report is a few hundred bytes
        return []
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return []
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [_clean(data["csp-report"], reporting_api=False)]
    if isinstance(data, list):
        return [
            _clean(item["body"], reporting_api=True)
            for item in data
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
    return []


def _clean(raw: dict, *, reporting_api: bool) -> dict[str, str]:
    report = {}
    for name, api_name in FIELDS.items():
        value = raw.get(api_name if reporting_api else name)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            # One printable line, short: a report must not forge or flood log lines.
            text = "".join(char if char.isprintable() else "?" for char in str(value))
            report[name] = text[:MAX_FIELD]
    if "document-uri" in report:
        # The query string may hold what someone searched for (a laureate's name): not logged.
        report["document-uri"] = report["document-uri"].split("?", 1)[0].split("#", 1)[0]
    return report


def _keys(address: str) -> tuple[str, str]:
    minute = int(time.time() // 60)
    return f"csp-report:{minute}:{address}", f"csp-report:{minute}:all"


def _over_limit(address: str) -> bool:
    mine, everyone = _keys(address)
    counts = cache.get_many([mine, everyone])
    return (
        counts.get(mine, 0) >= settings.CSP_REPORTS_PER_MINUTE
        or counts.get(everyone, 0) >= TOTAL_PER_MINUTE
    )


def _count(address: str) -> bool:
    """Count one report against both limits; True while both allow it."""
    allowed = True
    for key, limit in zip(
        _keys(address), (settings.CSP_REPORTS_PER_MINUTE, TOTAL_PER_MINUTE), strict=True
    ):
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add() and incr()
            cache.set(key, 1, timeout=120)
            count = 1
        allowed = allowed and count <= limit
    return allowed
