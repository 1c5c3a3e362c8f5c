"""Invitations: an e-mail with a link to choose a password, valid PASSWORD_RESET_TIMEOUT."""

import uuid

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
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
