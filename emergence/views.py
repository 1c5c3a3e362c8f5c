import datetime

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from emergence import health, mfa, roles
from emergence.forms import EmailAuthenticationForm


def home(request):
    """Send each role to its place; anonymous visitors to the login page."""
    user = request.user
    if not user.is_authenticated:
        return redirect("login")
    if roles.is_staff(user):
        return redirect("admin:index")
    if roles.is_laureate(user):
        return redirect("laureates:home")
    if roles.is_partner(user):
        return redirect("partners:dashboard")
    if roles.is_sponsor(user):
        return redirect("sponsor:home")
    return redirect("no_role")


class LoginView(auth_views.LoginView):
    """Log in by e-mail; the site then speaks the user's own language."""

    authentication_form = EmailAuthenticationForm

    def form_valid(self, form):
        response = super().form_valid(form)
        _remember_language(response, form.get_user().language)
        return response

    def get_success_url(self):
        # A staff member who must pass the second step goes there straight after the password.
        url = super().get_success_url()
        return mfa.next_step_url(self.request.user, url) or url


@require_POST
def set_language(request):
    """Switch the site's language and, for a logged-in user, keep it for their e-mails too."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


def _remember_language(response, language: str) -> None:
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )


@never_cache
def healthz(request):
    """200 when the database (and the broker, if one is configured) answers, 503 otherwise."""
    checks = {"database": health.database_answers()}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = health.broker_answers()
    status = 200 if all(checks.values()) else 503
    return JsonResponse(
        {name: "ok" if ok else "down" for name, ok in checks.items()}, status=status
    )


@never_cache
def healthz_deep(request):
    """The database, the broker, the worker's and the beat's heartbeats and the outbox backlog,
    each with its age (emergence/health.py): for staff, or with HEALTHZ_TOKEN in the
    X-Healthz-Token header or ?token=. Anyone else gets a 404 that says nothing. 503 when the
    database or the broker is down, as /healthz; a late worker, beat or outbox is told by the
    report's "status" ("late"), the site itself still serving."""
    if not (roles.is_staff(request.user) or _healthz_token_given(request)):
        raise Http404
    report = health.health_deep()
    return JsonResponse(report, status=503 if report["status"] == "down" else 200)


def _healthz_token_given(request) -> bool:
    expected = settings.HEALTHZ_TOKEN
    given = request.headers.get("X-Healthz-Token") or request.GET.get("token") or ""
    return bool(expected) and constant_time_compare(given, expected)


@require_GET
@cache_control(public=True, max_age=60 * 60 * 24)
def security_txt(request):
    """RFC 9116: whom to tell about a vulnerability, valid for a year from today."""
    expires = timezone.now().replace(microsecond=0) + datetime.timedelta(days=365)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.astimezone(datetime.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: fr, en",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
