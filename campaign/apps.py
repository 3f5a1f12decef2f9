from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = "三年行动"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
