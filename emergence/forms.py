from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, _unicode_ci_compare
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    """The login form, with an e-mail field so phones show the e-mail keyboard."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    # Django's says both fields may be case-sensitive: the e-mail is not.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Enter a correct e-mail address and password."),
    }


class EmailPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the same e-mail wording as everywhere else on the site."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_users(self, email):
        """Django's, looked up through the unique index on lower(email) (Django's own compares
        UPPER(email), which reads the whole user table on PostgreSQL)."""
        users = get_user_model().objects.by_email(email).filter(is_active=True)
        return (
            user
            for user in users
            if user.has_usable_password() and _unicode_ci_compare(email, user.email)
        )

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # Through the outbox, like every e-mail: the request writes a row, a task sends it.
        from emergence.accounts import password_reset_enqueue

        password_reset_enqueue(user=context["user"], uid=context["uid"], token=context["token"])
