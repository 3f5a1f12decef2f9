from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Monthly dispatch reports and rankings; built on the progress and hazard data."""

    name = "reporting"
    verbose_name = "月调度与排名"
