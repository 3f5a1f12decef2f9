from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """The import engine: uploaded spreadsheets, their previews and the all-or-nothing save."""

    name = "imports"
    verbose_name = "导入"

    def ready(self):
        import rules

        from campaign.policy import declare

        from .kinds import kind_of

        @rules.predicate
        def confirms_batch(user, batch) -> bool:
            """Each kind of sheet says who may confirm its imports (tasks: who edits the plan; hazards: the office)."""
            return kind_of(batch.kind).may_confirm(user, batch)

        declare("batch.confirm", confirms_batch, "您无权确认这次导入。")
