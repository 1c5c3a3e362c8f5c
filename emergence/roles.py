"""The three roles, one check and one view guard each.

A laureate has a Laureate profile (``user.laureate``); a partner member has a
membership of a partner company (``user.partner_membership``). Reading the
reverse one-to-one accessors keeps this module free of imports from the apps above.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied


def is_staff(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def is_laureate(user) -> bool:
    return user.is_authenticated and _has(user, "laureate")


def is_partner(user) -> bool:
    return user.is_authenticated and _has(user, "partner_membership")


def _has(user, accessor: str) -> bool:
    try:
        getattr(user, accessor)
    except ObjectDoesNotExist:
        return False
    return True


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
