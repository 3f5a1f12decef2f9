from .home import CampaignDetailView, PlanTreeView
from .imports import (
    ImportTemplateView,
    ImportUploadView,
    TaskExportView,
)
from .lists import LedgerView, ProblemListView, TaskListView
from .plan import AssignmentDetailView, TaskCreateView, TaskDeleteView, TaskDetailView, TaskUpdateView
from .progress import (
    AttachmentDownloadView,
    CloseOutView,
    ExtensionDecideView,
    ExtensionQueueView,
    ExtensionRequestView,
    FollowUpCreateView,
    FollowUpPrintView,
    MonthlyEntryView,
    ReportDetailView,
    ReviewQueueView,
)

__all__ = [
    "CampaignDetailView", "PlanTreeView",
    "AssignmentDetailView", "AttachmentDownloadView", "CloseOutView", "ExtensionDecideView", "ExtensionQueueView",
    "ExtensionRequestView", "FollowUpCreateView", "FollowUpPrintView", "LedgerView", "MonthlyEntryView",
    "ProblemListView", "ReportDetailView", "ReviewQueueView", "TaskCreateView", "TaskDeleteView", "TaskDetailView",
    "TaskListView", "TaskUpdateView",
    "ImportTemplateView", "ImportUploadView", "TaskExportView",
]
