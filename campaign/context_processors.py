from . import access


def roles(request):
    """Role flags for the layout's navigation (what to show; the views still check)."""
    user = getattr(request, "user", None)  # absent when a page renders before authentication (a 400)
    if user is None:
        return {"user_role": None, "user_unit": None, "user_is_office": False, "user_reads_from_above": False}
    return {
        "user_role": access.role_of(user),
        "user_unit": access.unit_of(user),
        "user_is_office": access.is_office(user),
        # An office account looking at a campaign below its own: it reads it, and changes nothing.
        "user_reads_from_above": access.account_role(user) == "office" and not access.is_office(user),
    }
