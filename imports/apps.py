from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """The import engine: uploaded spreadsheets, their previews and the all-or-nothing save."""

    name = "imports"
    verbose_name = "导入"
