from emergence import roles as role_checks


def roles(request) -> dict:
    """Tell templates which role the visitor has, for the navigation."""
    user = request.user
    return {
        "is_staff_user": role_checks.is_staff(user),
        "is_laureate_user": role_checks.is_laureate(user),
        "is_partner_user": role_checks.is_partner(user),
    }
