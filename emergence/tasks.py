from celery import shared_task
from django.contrib.auth import get_user_model

from emergence.accounts import invitation_send


@shared_task(acks_late=True)
def send_invitation(user_pk: int) -> None:
    user = get_user_model().objects.filter(pk=user_pk, is_active=True).first()
    if user is not None:
        invitation_send(user=user)
