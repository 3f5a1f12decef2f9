"""Celery application.

With no ``CELERY_BROKER_URL`` in the environment, settings turn on eager mode so
that jobs run in-process (the demo and plain ``make test`` need no broker).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.celery.clear_expired_sessions", acks_late=True)
def clear_expired_sessions() -> None:
    """Beat, nightly: delete expired sessions (Django's ``clearsessions``); running it twice is harmless."""
    from django.core.management import call_command

    call_command("clearsessions")
