"""Writing security events. Called by the auth signal receivers and the denied-request middleware."""

from __future__ import annotations

import ipaddress
import logging

from django.db import DatabaseError

from core.middleware import client_ip as campaign_client_ip

from .models import AuditEvent, EventKind

logger = logging.getLogger(__name__)

USER_AGENT_LENGTH = AuditEvent._meta.get_field("user_agent").max_length
PATH_LENGTH = AuditEvent._meta.get_field("path").max_length
USERNAME_LENGTH = AuditEvent._meta.get_field("username").max_length


def client_ip(request) -> str | None:
    """The address the login lockout sees too (REMOTE_ADDR, or X-Forwarded-For from a trusted proxy only),
    when it is an IP address."""
    if request is None:
        return None
    address = (campaign_client_ip(request) or "").strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def audit_event_record(*, kind: EventKind, request=None, user=None, username: str = "",
                       status: int | None = None) -> AuditEvent | None:
    """Store one event. A failure to store it is logged and never breaks the request it describes."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is not None and not username:
        username = user.get_username()
    meta = request.META if request is not None else {}
    event = AuditEvent(
        kind=kind,
        user=user,
        username=(username or "")[:USERNAME_LENGTH],
        ip=client_ip(request),
        user_agent=(meta.get("HTTP_USER_AGENT") or "")[:USER_AGENT_LENGTH],
        method=(request.method or "")[:8] if request is not None else "",
        path=request.get_full_path()[:PATH_LENGTH] if request is not None else "",
        status=status,
    )
    try:
        event.save()
    except DatabaseError:
        logger.exception("could not store audit event %s for %r", kind, username)
        return None
    return event
