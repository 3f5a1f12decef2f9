"""Records the requests the site refused."""

from .models import EventKind
from .services import audit_event_record

# 403: the access policy (or CSRF) refused; 429: django-axes refused a locked-out login (AXES_HTTP_RESPONSE_CODE).
DENIED_STATUSES = (403, 429)
# Below these prefixes a 404 for a signed-in user is how the access policy refuses another unit's object
# (campaign/access.py), so it is recorded as a denied request; elsewhere a 404 is just a wrong address.
POLICY_404_PREFIXES = ("/c/",)


class DeniedRequestMiddleware:
    """Stores an ``AuditEvent`` for each 403 or 429 response, and for each 404 a signed-in user gets under
    ``POLICY_404_PREFIXES``.

    Place it after AuthenticationMiddleware (it reads ``request.user``) and before AxesMiddleware (which
    turns a locked-out login into its 429 page on the way out).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if status in DENIED_STATUSES or (
            status == 404 and signed_in and request.path_info.startswith(POLICY_404_PREFIXES)
        ):
            audit_event_record(kind=EventKind.DENIED, request=request, user=user if signed_in else None,
                               username="" if signed_in else _username_tried(request, status), status=status)
        return response


def _username_tried(request, status: int) -> str:
    """The name a locked-out login form was sent with (the form has already been read by the view)."""
    if status != 429 or request.method != "POST":
        return ""
    try:
        return str(request.POST.get("username", ""))
    except Exception:  # an unreadable body is no reason to fail the response
        return ""
