from django.apps import AppConfig


class AuditConfig(AppConfig):
    """操作日志: every change, login, failed login and denied request, for the office."""

    name = "audit"
    verbose_name = "操作日志"

    def ready(self):
        from . import signals  # noqa: F401  (connects the login/logout receivers)
