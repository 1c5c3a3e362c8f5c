"""Two-factor sign-in for staff, with django-otp: a TOTP app (6-digit codes) and single-use
backup codes.

When ``STAFF_MFA_REQUIRED`` is on, a staff member signed in with their password alone is sent
to the setup page (no device yet: scan the QR code, type a code, note the backup codes) or to
the code step, before any staff page, the console included (``StaffMFAMiddleware``).
Laureates and partner members never see it. A programme lead resets a staff member's device
from the console's user list (``reset_two_factor``).
"""

import base64
import io
from collections.abc import Iterable

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from emergence import roles

BACKUP_CODES = 10
# Who may reset another staff member's two-factor devices: the programme lead's permission.
RESET_PERMISSION = roles.MANAGE_ROLES
# Demo only (laureates/demo.py, printed by `make demo`): the TOTP secret of staff@example.org.
DEMO_SECRET = "EMERGENCEDEMOSTAFFTOTPSECRETKEYS"


# Rules ---------------------------------------------------------------------------------------


def mfa_required(user) -> bool:
    """Whether ``user`` must pass the second step before any staff page."""
    return settings.STAFF_MFA_REQUIRED and roles.is_staff(user)


def is_verified(user) -> bool:
    """Whether this session passed the second step (django-otp's OTPMiddleware says so; a user
    just signed in with a password, not yet seen by it, has not)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def next_step_url(user, next_url: str) -> str | None:
    """Where a staff member goes before ``next_url``: the setup page or the code step, or None
    when they are verified or need not be."""
    if not mfa_required(user) or is_verified(user):
        return None
    step = "mfa_verify" if has_device(user) else "mfa_setup"
    return redirect_to_login(next_url, login_url=resolve_url(step)).url


# Devices -------------------------------------------------------------------------------------


def totp_device_for_setup(*, user) -> TOTPDevice:
    """The device being set up: the same secret until it is confirmed, so reloading the page
    does not change the QR code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


@transaction.atomic
def totp_confirm(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app and make fresh backup codes, returned to be
    shown once; None when the code is wrong."""
    if not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return backup_codes_renew(user=device.user)


def backup_codes_renew(*, user) -> list[str]:
    """Replace ``user``'s backup codes with BACKUP_CODES new ones, each good for one sign-in."""
    static, _created = StaticDevice.objects.get_or_create(
        user=user, name="Backup codes", defaults={"confirmed": True}
    )
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def totp_device_set(*, user, secret: str) -> TOTPDevice:
    """Give ``user`` one confirmed TOTP device with the base32 ``secret`` (the demo's)."""
    key = base64.b32decode(secret).hex()
    TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
    device, _created = TOTPDevice.objects.update_or_create(
        user=user, key=key, defaults={"name": "TOTP", "confirmed": True}
    )
    return device


def devices_reset(*, users: Iterable) -> int:
    """Delete the two-factor devices (app and backup codes) of ``users``; they set up a new one
    at their next sign-in. Returns how many people had one."""
    pks = [user.pk for user in users]
    had = set(TOTPDevice.objects.filter(user__in=pks).values_list("user", flat=True))
    had |= set(StaticDevice.objects.filter(user__in=pks).values_list("user", flat=True))
    TOTPDevice.objects.filter(user__in=pks).delete()
    StaticDevice.objects.filter(user__in=pks).delete()
    return len(had)


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// address as a QR code, an SVG made here, as a data: URI (no
    third-party service sees the secret, and the page needs no script)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


# The gate ------------------------------------------------------------------------------------

# Pages an unverified staff member may still open: signing in and out, the second step itself.
OPEN_VIEWS = {
    "login",
    "logout",
    "mfa_setup",
    "mfa_verify",
    "set_language",
    "healthz",
    "security_txt",
    "csp_report",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "admin:logout",
}


class StaffMFAMiddleware:
    """Before any page but OPEN_VIEWS, a staff member who has not passed the second step is
    sent to it (302), when ``STAFF_MFA_REQUIRED`` is on. Goes after django-otp's
    OTPMiddleware, which tells whether the session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.STAFF_MFA_REQUIRED or request.resolver_match.view_name in OPEN_VIEWS:
            return None
        url = next_step_url(request.user, request.get_full_path())
        return redirect(url) if url else None


# Pages ---------------------------------------------------------------------------------------


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The 6-digit code your authenticator app shows now, or a backup code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split()).lower()


def _next(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url("home")


@never_cache
@roles.staff_required
def setup(request):
    """Set up the authenticator app: the QR code (or the secret as text), then one code from
    the app confirms it; the backup codes are shown once, on the answer to that code."""
    if has_device(request.user):
        if is_verified(request.user):
            messages.info(request, gettext("Two-factor sign-in is already set up."))
            return redirect("account")
        return redirect_to_login(_next(request), login_url=resolve_url("mfa_verify"))
    device = totp_device_for_setup(user=request.user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        codes = totp_confirm(device=device, token=form.cleaned_data["token"])
        if codes is not None:
            django_otp.login(request, device)
            return render(
                request,
                "mfa/backup_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error("token", gettext("This code is not the one the app shows. Try again."))
    return render(
        request,
        "mfa/setup.html",
        {
            "form": form,
            "qr": qr_data_uri(device),
            "secret": secret_text(device),
            "otpauth": device.config_url,
            "next": _next(request),
        },
    )


@never_cache
@roles.staff_required
def verify(request):
    """The code step: a code from the app, or a backup code (which then stops working)."""
    if not has_device(request.user):
        return redirect_to_login(_next(request), login_url=resolve_url("mfa_setup"))
    form = TokenForm(request.POST or None)
    if form.is_valid():
        device = django_otp.match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            return redirect(_next(request))
        form.add_error(
            "token",
            gettext("This code does not work. Wait for the next one, or use a backup code."),
        )
    return render(request, "mfa/verify.html", {"form": form, "next": _next(request)})


# The console ---------------------------------------------------------------------------------


@admin.action(description=_("Reset two-factor sign-in"), permissions=["reset_two_factor"])
def reset_two_factor(modeladmin, request, queryset):
    """A user-list action for the programme lead: delete the selected people's devices (a
    superuser's only by a superuser, as for every other change to a superuser)."""
    if not request.user.is_superuser:
        queryset = queryset.filter(is_superuser=False)
    count = devices_reset(users=queryset)
    messages.success(
        request,
        ngettext(
            "Two-factor sign-in reset for %(count)d person: they set it up again at their next "
            "sign-in.",
            "Two-factor sign-in reset for %(count)d people: they set it up again at their next "
            "sign-in.",
            count,
        )
        % {"count": count},
    )


def may_reset_two_factor(user) -> bool:
    return roles.is_staff(user) and user.has_perm(RESET_PERMISSION)
