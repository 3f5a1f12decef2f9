from django.apps import AppConfig


class HazardsConfig(AppConfig):
    """The major-hazard register (重大事故隐患台账)."""

    name = "hazards"
    verbose_name = "重大事故隐患"
