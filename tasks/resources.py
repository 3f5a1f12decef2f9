"""django-import-export resources: the admin's import/export of core models (xlsx only).

The task list's real import is the engine in tasks/importers.py; this resource is the
plain row-by-row import that the benchmark compares the engine with.
"""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from campaign.models import Plan

from .models import Task


class TaskResource(resources.ModelResource):
    plan = fields.Field(attribute="plan", column_name="方案ID", widget=ForeignKeyWidget(Plan, "pk"))
    code = fields.Field(attribute="code", column_name="序号")
    text = fields.Field(attribute="text", column_name="具体任务")

    class Meta:
        model = Task
        fields = ("plan", "code", "text")
        import_id_fields = ("plan", "code")
        clean_model_instances = True
