"""Sign-in protection: the client's address behind the proxy, the lockout page (django-axes),
password-reset limits (django-ratelimit), staff sessions' idle timeout, the account page and
"sign out everywhere".

Two-factor sign-in for staff lives in :mod:`emergence.mfa`.
"""

import datetime
import ipaddress
import logging

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from emergence import roles
from emergence.accounts import user_invite, user_sign_out_everywhere
from emergence.forms import EmailPasswordResetForm

logger = logging.getLogger(__name__)


# The client's address -------------------------------------------------------------------------


def client_ip(request) -> str:
    """The client's address, for lockouts and limits: from ``CLIENT_IP_HEADER`` only, when the
    site runs behind a proxy that sets it, else the connection's own address.

    Each of the ``CLIENT_IP_PROXY_COUNT`` trusted proxies appends the address it saw to the
    header, so the client's is that many entries from the right; entries further left were
    sent by the client itself and may be forged.
    """
    header = settings.CLIENT_IP_HEADER
    if header:
        key = "HTTP_" + header.upper().replace("-", "_")
        values = [value.strip() for value in request.META.get(key, "").split(",")]
        values = [value for value in values if value]
        count = max(1, settings.CLIENT_IP_PROXY_COUNT)
        if len(values) >= count:
            try:
                return str(ipaddress.ip_address(values[-count]))
            except ValueError:
                logger.warning("unreadable client address in %s: %r", header, values[-count])
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


# Lockout (django-axes) ----------------------------------------------------------------------


class LockoutBackend(AxesStandaloneBackend):
    """axes' lockout check before the password is checked. Where there is no request, there is
    nobody to lock out (the test client's ``login()``, a shell): the check is skipped there and
    the next backend checks the password as usual."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def login_username(request, credentials: dict | None = None) -> str:
    """The e-mail a sign-in attempt is counted against, as the login compares it: trimmed and
    lower-case, so that "Ines@" and "ines@" are one account for the lockout too."""
    value = (credentials or {}).get("username")
    if value is None:
        value = request.POST.get("username", "")
    return str(value).strip().lower()[:254]


def lockout_response(request, original_response=None, credentials=None):
    """The page shown once an e-mail and an address are locked out: it reads the same whether
    an account exists for that e-mail or not."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


# Password reset -------------------------------------------------------------------------------


def password_reset_limited(request, email: str) -> bool:
    """Count one reset request for the client's address and for the e-mail; True when either is
    over its limit (``PASSWORD_RESET_LIMIT_PER_ADDRESS``, ``..._PER_EMAIL``)."""
    email = email.strip().lower()
    by_address = is_ratelimited(
        request,
        group="password-reset:address",
        key="ip",  # client_ip(), through RATELIMIT_IP_META_KEY; IPv6 grouped by /64
        rate=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
        increment=True,
    )
    by_email = is_ratelimited(
        request,
        group="password-reset:email",
        key=lambda group, request: email,
        rate=settings.PASSWORD_RESET_LIMIT_PER_EMAIL,
        increment=True,
    )
    if by_address or by_email:
        logger.warning(
            "password reset over the limit: address %s, e-mail %s",
            "over" if by_address else "ok",
            "over" if by_email else "ok",
        )
    return by_address or by_email


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page. Over the limit it answers the same "if an account exists, we sent
    an e-mail" and sends nothing; the e-mail itself goes through the outbox (the form's
    ``send_mail``), so a known and an unknown address take the same time."""

    form_class = EmailPasswordResetForm

    def form_valid(self, form):
        if password_reset_limited(self.request, form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        never_activated_invite(form.cleaned_data["email"])
        return super().form_valid(form)


def never_activated_invite(email: str) -> None:
    """An account that never had a password (an imported laureate who did not use their
    invitation) gets a fresh invitation: Django's reset skips accounts without a usable
    password, which left them no way in. Through the outbox, as the reset itself."""
    users = get_user_model().objects.by_email(email).filter(is_active=True)
    for user in users:
        if not user.has_usable_password():
            user_invite(user=user)


# Session ages -------------------------------------------------------------------------------

# A staff session's expiry is pushed back at most once a minute: not a session write per click.
REFRESH_EVERY = datetime.timedelta(seconds=60)


def staff_idle() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.STAFF_SESSION_IDLE_MINUTES)


def session_start_staff_clock(*, request, user) -> None:
    """At sign-in, a staff member's session gets its idle expiry at once (``user_logged_in``)."""
    if user.is_staff and hasattr(request, "session"):
        request.session.set_expiry(timezone.now() + staff_idle())


class SessionAgeMiddleware:
    """Staff sessions end after ``STAFF_SESSION_IDLE_MINUTES`` without a request; the others
    last ``SESSION_COOKIE_AGE`` (14 days). The expiry is a date in the session itself, so this
    holds with any session engine (database, cache or signed cookies)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.is_staff:
            now = timezone.now()
            expiry = _stored_expiry(request.session)
            if expiry is not None and expiry <= now:
                logout(request)  # a signed-cookie session is not dropped by its engine
            elif expiry is None or now + staff_idle() - expiry >= REFRESH_EVERY:
                request.session.set_expiry(now + staff_idle())
        return self.get_response(request)


def _stored_expiry(session) -> datetime.datetime | None:
    value = session.get("_session_expiry")
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


# The account page and "sign out everywhere" ---------------------------------------------------


@never_cache
@login_required
def account(request):
    """Every person's account page: their login, password, two-factor sign-in for staff, and
    "sign out everywhere"."""
    from emergence import mfa

    user = request.user
    return render(
        request,
        "registration/account.html",
        {
            "is_staff_account": roles.is_staff(user),
            "has_two_factor": roles.is_staff(user) and mfa.has_device(user),
            "staff_idle_minutes": settings.STAFF_SESSION_IDLE_MINUTES,
            "session_days": settings.SESSION_COOKIE_AGE // 86400,
        },
    )


@require_POST
@login_required
def sign_out_everywhere(request):
    """End every session of the person, on every device, this one included."""
    user_sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, gettext("You are signed out on every device."))
    return redirect("login")
