from . import access


def roles(request):
    """Role flags for the layout's navigation (what to show; the views still check)."""
    user = getattr(request, "user", None)  # absent when a page renders before authentication (a 400)
    if user is None:
        return {"user_role": None, "user_unit": None, "user_is_office": False}
    return {
        "user_role": access.role_of(user),
        "user_unit": access.unit_of(user),
        "user_is_office": access.is_office(user),
    }
