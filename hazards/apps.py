from django.apps import AppConfig

from imports.kinds import register


class HazardsConfig(AppConfig):
    """The major-hazard register (重大事故隐患台账)."""

    name = "hazards"
    verbose_name = "重大事故隐患"

    def ready(self):
        from .importers import SHEET_KIND  # the models are ready only now

        register(SHEET_KIND)
        from . import policies  # noqa: F401  the register's actions, declared in campaign/policy.py's table
