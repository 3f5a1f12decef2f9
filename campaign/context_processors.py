from . import access


def roles(request):
    """Role flags for the layout's navigation (what to show; the views still check)."""
    user = request.user
    return {
        "user_role": access.role_of(user),
        "user_unit": access.unit_of(user),
        "user_is_office": access.is_office(user),
    }
