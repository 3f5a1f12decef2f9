from django.apps import AppConfig

from imports.kinds import SheetKind, register


class HazardsConfig(AppConfig):
    """The major-hazard register (重大事故隐患台账)."""

    name = "hazards"
    verbose_name = "重大事故隐患"

    def ready(self):
        from .importers import HazardSheetImport

        register(SheetKind("hazards", "隐患台账", lambda batch: HazardSheetImport(batch.campaign)))
