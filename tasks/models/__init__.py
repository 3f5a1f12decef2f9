from .plan import Assignment, Milestone, QuantifiedTarget, TargetYearValue, Task, campaign_period_error
from .progress import Attachment, ExtensionRequest, FollowUp, ProgressReport, ProgressValue

__all__ = [
    "Assignment", "Attachment", "ExtensionRequest", "FollowUp", "Milestone", "ProgressReport", "ProgressValue",
    "QuantifiedTarget", "Task", "TargetYearValue", "campaign_period_error",
]
