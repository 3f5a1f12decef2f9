from django.apps import AppConfig

from imports.kinds import SheetKind, register


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "任务"

    def ready(self):
        from .importers import TaskSheetImport

        register(SheetKind("tasks", "任务清单", lambda batch: TaskSheetImport(batch.plan)))
