from django.utils.functional import SimpleLazyObject

from emergence import roles as role_checks


def roles(request) -> dict:
    """Tell templates which role the visitor has, for the navigation."""
    user = request.user
    return {
        "is_staff_user": role_checks.is_staff(user),
        "is_laureate_user": role_checks.is_laureate(user),
        "is_partner_user": role_checks.is_partner(user),
        # Read only by the navigation of an account of no other kind: no query for the others.
        "is_sponsor_user": SimpleLazyObject(lambda: role_checks.is_sponsor(user)),
    }
