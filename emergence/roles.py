"""Who may do and read what: the one place that says it.

Four kinds of people use the site: laureates (a Laureate profile, ``user.laureate``),
partner members (``user.partner_membership``), sponsors (``user.sponsor``, never anything
else) and staff (``is_staff``). Staff work in
roles, Django groups whose permissions are listed in :data:`STAFF_ROLES` and created by
a data migration (``roles_sync``). Confidential report answers are read by the programme
lead and by a laureate's referent only: :func:`may_read_confidential` and
:func:`confidential_readable` say so for one laureate and for a QuerySet.

Reading reverse accessors and lookups by name (``user.laureate``, ``triage__assigned_to``)
keeps this module free of imports from the apps above.
"""

from functools import wraps

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.management import create_permissions
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext

# Kinds of people -------------------------------------------------------------------------


def is_staff(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def is_laureate(user) -> bool:
    return user.is_authenticated and _has(user, "laureate")


def is_partner(user) -> bool:
    return user.is_authenticated and _has(user, "partner_membership")


def is_sponsor(user) -> bool:
    """A sponsor's account: theirs only (never staff, a laureate or a partner member)."""
    return (
        user.is_authenticated
        and user.is_active
        and not user.is_staff
        and _has(user, "sponsor")
        and not _has(user, "laureate")
        and not _has(user, "partner_membership")
    )


def _has(user, accessor: str) -> bool:
    try:
        getattr(user, accessor)
    except ObjectDoesNotExist:
        return False
    return True


def account_kind(user) -> str:
    """What an account already is, in words, or "" for a plain account (used to refuse
    giving a second kind of profile to someone by accident)."""
    if user is None or user.pk is None:
        return ""
    if user.is_staff:
        return gettext("a staff member's account")
    if _has(user, "partner_membership"):
        return gettext("a partner company member's account")
    if _has(user, "sponsor"):
        return gettext("a sponsor's account")
    if _has(user, "laureate"):
        return gettext("a laureate's account")
    return ""


def staff_with_permission(perm: str, *, include_superusers: bool = True):
    """Active staff members who hold ``perm`` through their roles (or as superusers), by pk:
    whom to tell when something waits for that permission's decision."""
    users = ModelBackend().with_perm(perm, is_active=True, include_superusers=include_superusers)
    return users.filter(is_staff=True).order_by("pk")


def _role_required(check):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = _role_required(is_staff)
laureate_required = _role_required(is_laureate)
partner_required = _role_required(is_partner)
sponsor_required = _role_required(is_sponsor)


def staff_permission_required(*, get: str, post: str | None = None):
    """A staff page outside the admin asks the admin's permissions: ``get`` to open it,
    ``post`` (default: ``get``) to send it."""

    def check_for(request) -> bool:
        needed = (post or get) if request.method == "POST" else get
        return is_staff(request.user) and request.user.has_perm(needed)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check_for(request):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Staff roles ------------------------------------------------------------------------------

LEAD = "Direction du programme"
REFERENT = "Référent·e"
WORKSHOPS = "Ateliers"
PARTNERSHIPS = "Entreprises"

READ_ALL_CONFIDENTIAL = "reports.read_all_confidential"
READ_FOLLOWED_CONFIDENTIAL = "reports.read_followed_confidential"
MANAGE_ROLES = "auth.change_group"


def _perms(app: str, models: dict[str, str]) -> list[str]:
    """``{"laureate": "vc"}`` -> view and change of laureates (v, a, c, d)."""
    actions = {"v": "view", "a": "add", "c": "change", "d": "delete"}
    return [
        f"{app}.{actions[letter]}_{model}"
        for model, letters in models.items()
        for letter in letters
    ]


ALL = "vacd"
# The apps whose every permission the programme lead has; the rest (celery beat's schedules,
# raw permissions, content types, sessions) is for the technical administrator, a superuser.
LEAD_APPS = ("emergence", "laureates", "reports", "workshops", "partners")

STAFF_ROLES: dict[str, list[str]] = {
    LEAD: [
        *[f"{app}.*" for app in LEAD_APPS],
        *_perms("auth", {"group": ALL}),
        # Sign-in lockouts (django-axes): see them, and unlock by deleting the attempt.
        *_perms("axes", {"accessattempt": "vd", "accesslog": "v", "accessfailurelog": "v"}),
    ],
    REFERENT: [
        *_perms("emergence", {"user": "v"}),
        *_perms(
            "laureates",
            {
                "promotion": "v",
                "laureate": "vc",
                "sponsor": "vac",
                "sponsorship": "vac",
                "followup": "vac",
                "search": "v",
                "partnerconsent": "v",
                "placement": "vac",
                # Meetings with their sponsor: read, logged for either side; the yearly fit
                # answers read.
                "sponsormeeting": "vac",
                "sponsorshipfit": "v",
            },
        ),
        *_perms(
            "reports",
            {
                "reportperiod": "v",
                "questionnaire": "v",
                "question": "v",
                "activityreport": "vc",
                "triage": "vc",
                "quietperiod": "v",
            },
        ),
        READ_FOLLOWED_CONFIDENTIAL,
        *_perms("workshops", {"keydate": "v", "workshopseries": "v", "session": "v"}),
        *_perms("partners", {"company": "v", "introduction": "vc"}),
    ],
    WORKSHOPS: [
        *_perms("emergence", {"user": "v"}),
        *_perms("laureates", {"promotion": "v", "laureate": "v"}),
        *_perms(
            "workshops",
            {
                "keydate": ALL,
                "workshopseries": ALL,
                "session": ALL,
                "registration": ALL,
                "feedback": "v",
            },
        ),
    ],
    PARTNERSHIPS: [
        *_perms("emergence", {"user": "vac"}),
        *_perms(
            "laureates",
            {
                "promotion": "v",
                "laureate": "v",
                "sponsor": "vac",
                "partnerconsent": "v",
                "placement": ALL,
            },
        ),
        *_perms(
            "partners",
            {
                "company": "vac",
                "partnermembership": ALL,
                # Offers: posted for any company, closed rather than deleted.
                "offer": "vac",
                "introduction": "vc",
                "partnerviewlog": "v",
                "coopter": "vac",
                "referral": "vac",
                # Donations: confirmed (the receipt issued), never changed nor deleted.
                "donation": "va",
            },
        ),
    ],
}


def roles_migrate(apps, schema_editor) -> None:
    """The body of every data migration that syncs the roles (``RunPython(roles_migrate)``).

    Permissions are created by ``post_migrate``, after every migration: on a fresh database
    they do not exist yet, so they are created first, for every app, from the historical
    models; then the roles get exactly theirs.
    """
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_sync(apps=apps)


def roles_sync(*, apps=None) -> None:
    """Create the staff roles' groups and give them exactly their permissions.

    Run by data migrations (with the historical ``apps``) whenever the list changes;
    safe to run again.
    """
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in STAFF_ROLES.items():
        query = Q(pk__in=[])
        for perm in wanted:
            app_label, codename = perm.split(".")
            if codename == "*":
                query |= Q(content_type__app_label=app_label)
            else:
                query |= Q(content_type__app_label=app_label, codename=codename)
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(query))


# Confidential answers -----------------------------------------------------------------------
# The wellbeing section (stress, "contact me", the note) and extra questions marked
# confidential are read by the laureate, the programme lead, and the referent of the laureate
# (their ``referent`` field, or whoever their triage is assigned to).


def may_read_confidential(user, laureate) -> bool:
    """Whether ``user`` may read ``laureate``'s confidential answers."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.pk == laureate.user_id:
        return True
    if not user.is_staff:
        return False
    if user.has_perm(READ_ALL_CONFIDENTIAL):
        return True
    if not user.has_perm(READ_FOLLOWED_CONFIDENTIAL):
        return False
    if laureate.referent_id == user.pk:
        return True
    try:
        return laureate.triage.assigned_to_id == user.pk
    except ObjectDoesNotExist:
        return False


def may_see_yearly_report(user) -> bool:
    """The programme lead and partnerships, who speak to funders and partner companies: the
    staff who see the programme's figures and how partners use the dashboard."""
    return (
        is_staff(user)
        and user.has_perm("laureates.view_laureate")
        and user.has_perm("partners.view_partnerviewlog")
    )


def may_read_some_confidential(user) -> bool:
    """Whether ``user`` is a staff member who may read some laureates' confidential answers
    (the lead, a referent): the others are not even offered them, in an export for instance."""
    return is_staff(user) and (
        user.has_perm(READ_ALL_CONFIDENTIAL) or user.has_perm(READ_FOLLOWED_CONFIDENTIAL)
    )


def confidential_readable(user, prefix: str = "") -> Q:
    """The condition on laureates (through ``prefix``, e.g. ``"laureate__"``) whose
    confidential answers ``user`` may read: everything, nothing, or those they follow."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return Q(pk__in=[])
    if user.has_perm(READ_ALL_CONFIDENTIAL):
        return Q()
    if not user.has_perm(READ_FOLLOWED_CONFIDENTIAL):
        return Q(pk__in=[])
    return Q(**{f"{prefix}referent": user}) | Q(**{f"{prefix}triage__assigned_to": user})
