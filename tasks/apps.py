from django.apps import AppConfig

from imports.kinds import register


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "任务"

    def ready(self):
        from .importers import SHEET_KIND  # the models are ready only now

        register(SHEET_KIND)
