"""Response headers that Django and django-csp do not set themselves."""

from django.http import HttpResponseNotFound
from django.utils.cache import add_never_cache_headers

# Powerful browser features the site never uses, denied to every page and any frame. Names a
# browser does not know are only a console warning (desktop Chromium does not know web-share,
# which phones do). Passkeys (publickey-credentials-*) keep their default, this origin only,
# for a second factor.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "web-share",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Adds ``Permissions-Policy`` to every response, and ``Cache-Control: no-store`` to every
    page the application renders that does not say how it may be cached.

    Every page behind a login shows someone's data, and so do the pages reached by a link with
    a token (a calendar feed, a password reset): no browser or proxy should keep a copy. Static
    files are answered by WhiteNoise before this middleware and keep their long cache; a view
    that may be cached says so with its own ``Cache-Control`` (security.txt does).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "Cache-Control" not in response.headers:
            add_never_cache_headers(response)
        return response


class RejectNulMiddleware:
    """Answers 404 to a URL whose path or query string holds a NUL character.

    No page has a use for one, and PostgreSQL refuses it in a query (a 500). Forms refuse it
    in their fields with a field error (Django's ``ProhibitNullCharactersValidator``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            # A plain answer: this runs before the user is known, which the 404 page reads.
            return HttpResponseNotFound("Not found", content_type="text/plain")
        return self.get_response(request)
