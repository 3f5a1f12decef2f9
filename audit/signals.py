"""Auth signal receivers: they only hand over to ``services.audit_event_record``."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import EventKind
from .services import audit_event_record


@receiver(user_logged_in, dispatch_uid="audit.login")
def record_login(sender, request, user, **kwargs):
    audit_event_record(kind=EventKind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="audit.logout")
def record_logout(sender, request, user, **kwargs):
    audit_event_record(kind=EventKind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    # Only the username is kept; the credentials Django passes have the password masked anyway.
    username = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or ""
    audit_event_record(kind=EventKind.LOGIN_FAILED, request=request, username=str(username))
