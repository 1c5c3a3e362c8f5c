"""Invitations and password resets: an e-mail with a link to choose a password, valid
PASSWORD_RESET_TIMEOUT, through the outbox; "sign out everywhere"."""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db.models import F
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from emergence.models import OutboxEmail
from emergence.outbox import outbox_enqueue


def set_password_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.SITE_URL + path


def user_invite(*, user) -> OutboxEmail:
    """Record the invitation in the outbox; it is sent once the current transaction commits."""
    # A fresh nonce in the key: staff may invite the same person again (a lost or expired link).
    return outbox_enqueue(
        key=f"invitation:user-{user.pk}:{uuid.uuid4().hex[:12]}",
        kind="invitation",
        template="invitation",
        context={
            "user": user,
            "url": set_password_url(user),
            "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        },
        user=user,
    )


def password_reset_enqueue(*, user, uid: str, token: str) -> OutboxEmail:
    """Record the password-reset e-mail (Django's link: ``uid`` and ``token``) in the outbox.

    The request only writes this row; the e-mail is sent by the outbox's task, retried while
    the mail server is down, so a known address answers as fast as an unknown one.
    """
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return outbox_enqueue(
        key=f"password-reset:user-{user.pk}:{uuid.uuid4().hex[:12]}",
        kind="password-reset",
        template="password_reset",
        context={
            "user": user,
            "url": settings.SITE_URL + path,
            "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        },
        user=user,
    )


def user_sign_out_everywhere(*, user) -> None:
    """End every session of ``user``: the version is part of the hash each session carries
    (``User.get_session_auth_hash``), so none of them matches any more."""
    get_user_model().objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
    user.refresh_from_db(fields=["session_version"])
