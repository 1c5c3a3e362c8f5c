"""Two-factor sign-in for staff (django-otp), staff and laureate session ages, and "sign out
everywhere"."""

import base64
import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from emergence import mfa
from tests.factories import PASSWORD
from tests.test_settings import PRODUCTION, manage
from tests.workshops_factories import SessionFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/"


@pytest.fixture
def mfa_on(settings):
    settings.STAFF_MFA_REQUIRED = True


def code(device: TOTPDevice) -> str:
    """The code the authenticator app shows now."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(value).zfill(device.digits)


def device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def sign_in(client, user, **extra):
    return client.post("/accounts/login/", {"username": user.email, "password": PASSWORD}, **extra)


# The second step -----------------------------------------------------------------------------


def test_after_the_password_a_staff_member_without_a_device_is_sent_to_the_setup_page(
    mfa_on, client, referent
):
    response = sign_in(client, referent)
    assert response.status_code == 302
    assert response.url == f"{SETUP}?next=/"
    assert client.get("/admin/").url == f"{SETUP}?next=/admin/"


def test_setup_shows_a_qr_code_made_here_and_the_key_then_the_backup_codes_once(
    mfa_on, client, referent, time_machine
):
    sign_in(client, referent)
    page = client.get(f"{SETUP}?next=/admin/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in html
    device = TOTPDevice.objects.get(user=referent, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in html
    assert "otpauth://totp/Emergence" in html
    assert client.get(SETUP).status_code == 200
    assert TOTPDevice.objects.get(user=referent).pk == device.pk  # same QR code on reload

    wrong = client.post(SETUP, {"token": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert client.get("/admin/").status_code == 302
    # After a wrong code, the device waits a moment before it checks another (django-otp).
    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=5))

    done = client.post(SETUP, {"token": code(device), "next": "/admin/"})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == mfa.BACKUP_CODES
    assert sorted(codes) == sorted(StaticToken.objects.values_list("token", flat=True))
    assert 'href="/admin/"' in done.content.decode()
    assert client.get("/admin/").status_code == 200

    again = client.get(SETUP, follow=True)
    assert not set(codes) & set(re.findall(r"[a-z2-7]{8}", again.content.decode()))


def test_the_console_answers_302_to_the_code_step_until_the_code_is_given(
    mfa_on, client, lead, time_machine
):
    device = device_for(lead)
    assert sign_in(client, lead).url == f"{VERIFY}?next=/"
    assert client.get("/admin/laureates/laureate/").url == (
        f"{VERIFY}?next=/admin/laureates/laureate/"
    )

    wrong = client.post(VERIFY, {"token": "abc", "next": "/admin/"})
    assert wrong.status_code == 200
    assert "alert" in wrong.content.decode() or "invalid-feedback" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302
    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=5))

    response = client.post(VERIFY, {"token": code(device), "next": "/admin/"})
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_staff_pages_outside_the_console_ask_for_the_code_too(mfa_on, client, workshops_staff):
    device_for(workshops_staff)
    client.force_login(workshops_staff)
    url = f"/workshops/sessions/{SessionFactory().pk}/attendance/"

    assert client.get(url).url == f"{VERIFY}?next={url}"


def test_the_code_step_sends_only_to_this_site(mfa_on, client, lead):
    device = device_for(lead)
    client.force_login(lead)
    response = client.post(VERIFY, {"token": code(device), "next": "https://evil.example.com/"})
    assert response.url == "/"


def test_a_backup_code_works_once(mfa_on, client, lead):
    device_for(lead)
    codes = mfa.backup_codes_renew(user=lead)

    sign_in(client, lead)
    assert client.post(VERIFY, {"token": codes[0].upper(), "next": "/admin/"}).url == "/admin/"
    assert client.get("/admin/").status_code == 200
    client.post("/accounts/logout/")

    sign_in(client, lead)
    refused = client.post(VERIFY, {"token": codes[0], "next": "/admin/"})
    assert refused.status_code == 200
    assert client.get("/admin/").status_code == 302
    assert StaticToken.objects.count() == mfa.BACKUP_CODES - 1


def test_laureates_and_partners_are_not_asked_for_a_second_step(
    mfa_on, client, laureate, partner_member
):
    assert sign_in(client, laureate.user).url == "/"
    assert client.get("/me/").status_code == 200
    client.force_login(partner_member.user)
    assert client.get("/partners/").status_code == 200
    assert client.get(SETUP).status_code == 403


def test_with_the_setting_off_staff_enter_the_console_with_their_password(client, lead):
    device_for(lead)
    assert sign_in(client, lead).url == "/"
    assert client.get("/admin/").status_code == 200


def test_the_setting_is_on_by_default_when_debug_is_off_and_off_in_debug():
    show = "from django.conf import settings; print(settings.STAFF_MFA_REQUIRED)"
    production = manage("shell", "-c", show, SECRET_KEY="x" * 50, **PRODUCTION)
    assert production.stdout.strip().endswith("True"), production.stderr
    laptop = manage("shell", "-c", show)
    assert laptop.stdout.strip().endswith("False"), laptop.stderr
    turned_off = manage(
        "shell", "-c", show, SECRET_KEY="x" * 50, STAFF_MFA_REQUIRED="false", **PRODUCTION
    )
    assert turned_off.stdout.strip().endswith("False"), turned_off.stderr


# Resetting a device ----------------------------------------------------------------------------


def test_the_programme_lead_resets_a_staff_members_device_from_the_user_list(
    client, lead, referent
):
    device_for(referent)
    mfa.backup_codes_renew(user=referent)
    client.force_login(lead)

    response = client.post(
        "/admin/emergence/user/",
        {"action": "reset_two_factor", "_selected_action": [referent.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert not mfa.has_device(referent)
    assert not StaticToken.objects.exists()
    assert "1" in response.content.decode()


def test_after_a_reset_the_staff_member_sets_up_a_new_device(mfa_on, client, referent):
    device_for(referent)
    mfa.devices_reset(users=[referent])
    assert sign_in(client, referent).url == f"{SETUP}?next=/"


def test_other_roles_are_not_offered_the_reset(client, referent, partnerships_staff):
    device_for(referent)
    client.force_login(partnerships_staff)
    page = client.get("/admin/emergence/user/")
    assert 'value="reset_two_factor"' not in page.content.decode()
    client.post(
        "/admin/emergence/user/",
        {"action": "reset_two_factor", "_selected_action": [referent.pk]},
    )
    assert mfa.has_device(referent)


def test_the_lead_cannot_reset_a_superusers_device(client, lead, staff):
    device_for(staff)
    client.force_login(lead)
    client.post(
        "/admin/emergence/user/",
        {"action": "reset_two_factor", "_selected_action": [staff.pk]},
    )
    assert mfa.has_device(staff)


def test_the_demo_staff_device_has_the_secret_make_demo_prints(staff):
    printed = re.search(r"secret \(TOTP\): ([A-Z2-7]+)", (ROOT / "Makefile").read_text())
    assert printed and printed.group(1) == mfa.DEMO_SECRET
    device = mfa.totp_device_set(user=staff, secret=printed.group(1))
    assert base64.b32encode(device.bin_key).decode() == mfa.DEMO_SECRET
    assert mfa.has_device(staff)
    assert (
        "totp_device_set(user=team[STAFF_EMAIL], secret=mfa.DEMO_SECRET)"
        in (ROOT / "laureates" / "demo.py").read_text()
    )


# Session ages -------------------------------------------------------------------------------


def test_a_staff_session_ends_after_30_minutes_without_activity(client, referent):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, referent)
    with time_machine.travel(start + datetime.timedelta(minutes=25), tick=False):
        assert client.get("/admin/").status_code == 200  # activity: 30 more minutes
    with time_machine.travel(start + datetime.timedelta(minutes=50), tick=False):
        assert client.get("/admin/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=81), tick=False):
        response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_the_staff_idle_time_is_a_setting(client, referent, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 5
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(referent)
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        assert client.get("/admin/").status_code == 302


def test_a_laureate_stays_signed_in_for_14_days(client, laureate):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, laureate.user)
    with time_machine.travel(start + datetime.timedelta(days=13), tick=False):
        assert client.get("/me/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(days=14, minutes=1), tick=False):
        assert client.get("/me/").status_code == 302


def test_a_partner_member_stays_signed_in_for_14_days(client, partner_member):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(partner_member.user)
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        assert client.get("/partners/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(days=15), tick=False):
        assert client.get("/partners/").status_code == 302


def test_the_staff_session_cookie_expires_with_the_idle_time(client, referent):
    response = sign_in(client, referent)
    assert 0 < int(response.cookies["sessionid"]["max-age"]) <= 30 * 60


# Sign out everywhere ---------------------------------------------------------------------------


def test_sign_out_everywhere_ends_the_other_sessions(laureate):
    phone, laptop = Client(), Client()
    phone.force_login(laureate.user)
    sign_in(laptop, laureate.user)
    assert phone.get("/me/").status_code == 200

    response = laptop.post("/accounts/sign-out-everywhere/", follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert phone.get("/me/").status_code == 302
    assert laptop.get("/me/").status_code == 302
    assert sign_in(phone, laureate.user).status_code == 302  # the password still works
    assert phone.get("/me/").status_code == 200


def test_sign_out_everywhere_ends_a_staff_members_other_sessions(lead):
    first, second = Client(), Client()
    first.force_login(lead)
    second.force_login(lead)
    second.post("/accounts/sign-out-everywhere/")
    assert first.get("/admin/").status_code == 302


def test_sign_out_everywhere_is_a_post(laureate_client):
    assert laureate_client.get("/accounts/sign-out-everywhere/").status_code == 405
    assert laureate_client.get("/me/").status_code == 200


def test_the_laureates_page_has_the_sign_out_everywhere_button(laureate_client):
    html = laureate_client.get("/me/").content.decode()
    assert 'action="/accounts/sign-out-everywhere/"' in html


@pytest.mark.parametrize("who", ["partner_client", "lead_client"])
def test_partners_and_staff_reach_their_account_page_from_the_navigation(request, who):
    client = request.getfixturevalue(who)
    start = "/partners/" if who == "partner_client" else "/accounts/"
    assert 'href="/accounts/"' in client.get(start).content.decode()
    page = client.get("/accounts/")
    assert page.status_code == 200
    assert 'action="/accounts/sign-out-everywhere/"' in page.content.decode()


def test_the_staff_account_page_offers_two_factor_setup(lead_client):
    html = lead_client.get("/accounts/").content.decode()
    assert f'href="{SETUP}?next=/accounts/"' in html


def test_the_account_page_needs_a_sign_in(client, db):
    assert client.get("/accounts/").url == "/accounts/login/?next=/accounts/"


def test_the_console_never_shows_a_two_factor_secret(staff_client, lead):
    device_for(lead)
    assert staff_client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert staff_client.get("/admin/otp_static/staticdevice/").status_code == 404
