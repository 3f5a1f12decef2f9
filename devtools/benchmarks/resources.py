"""django-import-export at its fastest, for the task-import comparison in ``make bench``.

Every speed option its documentation offers for large imports: bulk inserts (``use_bulk``), no row diffs
(``skip_diff``, ``skip_html_diff``), no look-up of existing rows for a file of new ones
(``force_init_instance``; ``CachedInstanceLoader`` otherwise), no per-row model validation, and the plan
foreign key resolved once instead of once per row (the cached widget the documentation suggests writing).
"""

from import_export import fields
from import_export.instance_loaders import CachedInstanceLoader
from import_export.widgets import ForeignKeyWidget

from campaign.models import Plan
from tasks.resources import TaskResource


class CachedForeignKeyWidget(ForeignKeyWidget):
    """A ForeignKeyWidget that fetches each distinct value once per import."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cache = {}

    def clean(self, value, row=None, **kwargs):
        if value not in self._cache:
            self._cache[value] = super().clean(value, row, **kwargs)
        return self._cache[value]


class CachedBulkTaskResource(TaskResource):
    plan = fields.Field(attribute="plan", column_name="方案ID", widget=CachedForeignKeyWidget(Plan, "pk"))

    class Meta(TaskResource.Meta):
        instance_loader_class = CachedInstanceLoader
        use_bulk = True
        batch_size = 2000
        skip_diff = True
        skip_html_diff = True
        force_init_instance = True
        clean_model_instances = False
        use_transactions = True
