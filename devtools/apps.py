from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Benchmarks, the load check and seed_scale: tools for developers; no product module imports this app."""

    name = "devtools"
    verbose_name = "开发工具"
