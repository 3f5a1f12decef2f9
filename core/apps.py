from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Web plumbing every app shares: caching, sessions, widgets, the .xlsx writer, backups, the database adapter."""

    name = "core"
    verbose_name = "基础设施"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
