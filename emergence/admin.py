"""The user admin, adapted to the e-mail login, the invitation action shared by the apps, and
the mail outbox."""

from collections.abc import Iterable

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from emergence.accounts import user_invite
from emergence.admin_confirm import email_confirmation
from emergence.admin_overview import overview_install
from emergence.admin_paginator import EstimatedCountPaginator
from emergence.console_strings import OUTBOX_KINDS, outbox_kind_label
from emergence.history import HistoryAdmin
from emergence.mfa import may_reset_two_factor, reset_two_factor
from emergence.models import OutboxEmail, User
from emergence.outbox import outbox_resend
from emergence.roles import MANAGE_ROLES

# Two-factor devices hold secrets: not in the console; the lead resets them from the user list.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)

admin.site.site_header = _("Emergence — staff console")
admin.site.site_title = _("Emergence staff console")
admin.site.index_title = _("The programme at a glance")


def object_error(obj, error: ValidationError) -> str:
    """An action's error about one row, in the staff member's language: "row: why"."""
    return gettext("%(object)s: %(error)s") % {"object": obj, "error": " ".join(error.messages)}


def confirm_and_invite(modeladmin, request, queryset, users: Iterable[User]):
    """The invitation action of a list: first the page saying who will be e-mailed, then,
    once confirmed, the invitations."""
    users = list(users)
    recipients = [f"{user.get_full_name()} <{user.email}>" for user in users if user.is_active]
    page = email_confirmation(
        modeladmin,
        request,
        queryset,
        title=_("Send the invitations?"),
        intro=_(
            "Each person below receives an e-mail with a link to choose their password. "
            "Inactive accounts are not invited."
        ),
        groups=[("", recipients)],
        submit=_("Yes, send the invitations"),
    )
    if page is None:
        invite(request, users)
    return page


def invite(request, users: Iterable[User]) -> int:
    """Invite each active user in ``users`` and tell the staff member how many were invited."""
    invited = skipped = 0
    for user in users:
        if user.is_active:
            user_invite(user=user)
            invited += 1
        else:
            skipped += 1
    if invited:
        messages.success(
            request,
            ngettext(
                "%(count)d invitation will be sent: a link to choose a password.",
                "%(count)d invitations will be sent: a link to choose a password.",
                invited,
            )
            % {"count": invited},
        )
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d inactive user was not invited.",
                "%(count)d inactive users were not invited.",
                skipped,
            )
            % {"count": skipped},
        )
    return invited


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "language")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class UserForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


@admin.register(User)
class UserAdmin(HistoryAdmin, BaseUserAdmin):
    form = UserForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "language",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("email", "first_name", "last_name", "language", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "is_superuser", "language", "groups")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    actions = ["send_invitation", reset_two_factor]

    @admin.action(description=_("Send an invitation"), permissions=["change"])
    def send_invitation(self, request, queryset):
        return confirm_and_invite(self, request, queryset, queryset)

    def has_reset_two_factor_permission(self, request):
        return may_reset_two_factor(request.user)

    # Who changes whom: only a superuser touches superusers and raw permissions; making
    # someone staff or giving a role takes the right to manage roles (the programme lead).

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj)]
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
            if not request.user.has_perm(MANAGE_ROLES):
                readonly += ["is_staff", "groups"]
        return readonly

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_manage(request, obj)

    def _may_manage(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        if obj.is_superuser:
            return False
        return not obj.is_staff or request.user.has_perm(MANAGE_ROLES)


# The mail outbox ----------------------------------------------------------------------------

# (The sponsors' quarterly question too: its links answer for the sponsor, reports/checkins.py.)
SIGN_IN_LINK_KINDS = ("invitation", "password-reset", "sponsor-checkin")


class OutboxKindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind, label) for kind, label in OUTBOX_KINDS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ("kind_label", "to", "subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", OutboxKindFilter, "language", "created_at")
    search_fields = ("to", "key", "subject")
    search_help_text = _("Recipient, key or subject.")
    date_hierarchy = "created_at"
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 100
    actions = ["resend"]
    fields = (
        "key",
        "kind",
        "user",
        "to",
        "language",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
        "subject",
        "text",
        "html",
    )
    readonly_fields = (*fields, "body_withheld")

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, email):
        return outbox_kind_label(email.kind)

    def get_fields(self, request, obj=None):
        # An invitation or a password reset carries a link that lets its holder into the
        # account: nobody reads it in the console, not even the programme lead.
        if obj is not None and obj.kind in SIGN_IN_LINK_KINDS:
            return [
                *[name for name in self.fields if name not in ("text", "html")],
                "body_withheld",
            ]
        return self.fields

    @admin.display(description=_("text"))
    def body_withheld(self, email):
        return _("Not shown: this e-mail holds a link that signs its recipient in.")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Read-only: the staff look at e-mails and re-send failed ones, never edit them.
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description=_("Re-send the failed e-mails"), permissions=["change"])
    def resend(self, request, queryset):
        count = outbox_resend(emails=queryset)
        messages.success(
            request,
            ngettext(
                "%(count)d failed e-mail will be sent again.",
                "%(count)d failed e-mails will be sent again.",
                count,
            )
            % {"count": count},
        )


# Erasure requests (« Mes données ») live in their own module.
from emergence import data_admin  # noqa: E402, F401

# The index page is the staff overview (emergence/admin_overview.py).
overview_install(admin.site)
