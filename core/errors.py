"""Errors every app's services raise."""

from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A rule of the domain said no; the message is for the user."""
