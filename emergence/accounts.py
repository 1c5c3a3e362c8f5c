"""Invitations: an e-mail with a link to choose a password, valid PASSWORD_RESET_TIMEOUT."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from emergence.mail import send_email


def set_password_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.SITE_URL + path


def user_invite(*, user) -> None:
    """Queue the invitation e-mail once the current transaction commits."""
    from emergence.tasks import send_invitation

    transaction.on_commit(lambda: send_invitation.delay(user.pk))


def invitation_send(*, user) -> None:
    send_email(
        "invitation",
        {
            "user": user,
            "url": set_password_url(user),
            "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        },
        to=user.email,
        language=user.language,
    )
