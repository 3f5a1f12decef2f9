"""django-import-export resources for the admin (xlsx only): units, action lines, key tasks."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from .models import ActionLine, KeyTask, Plan, Unit


class UnitResource(resources.ModelResource):
    parent = fields.Field(attribute="parent", column_name="上级单位代码", widget=ForeignKeyWidget(Unit, "code"))

    class Meta:
        model = Unit
        fields = ("code", "name", "short_name", "aliases", "kind", "parent", "sort_order", "is_active")
        import_id_fields = ("code",)
        clean_model_instances = True  # model validation (kinds, the parent cycle check) on every row
        skip_unchanged = True


class ActionLineResource(resources.ModelResource):
    plan = fields.Field(attribute="plan", column_name="方案ID", widget=ForeignKeyWidget(Plan, "pk"))

    class Meta:
        model = ActionLine
        fields = ("plan", "number", "title", "description")
        import_id_fields = ("plan", "number")
        clean_model_instances = True
        skip_unchanged = True


class KeyTaskResource(resources.ModelResource):
    action_line = fields.Field(attribute="action_line", column_name="行动ID",
                               widget=ForeignKeyWidget(ActionLine, "pk"))

    class Meta:
        model = KeyTask
        fields = ("action_line", "number", "title")
        import_id_fields = ("action_line", "title")
        clean_model_instances = True
        skip_unchanged = True
