from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo campaign (load_demo) built from the Weishan plan."""

    name = "demo"
    verbose_name = "演示数据"
