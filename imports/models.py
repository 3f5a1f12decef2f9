"""An uploaded spreadsheet and what became of it: the one record every kind of import shares."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from campaign.models import Campaign, Plan


def import_upload_path(instance, filename):
    return f"imports/{instance.created_at:%Y/%m}/{filename}"


class ImportBatch(models.Model):
    """One uploaded spreadsheet: the original file, its preview, and what confirming it did."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        READING = "reading", "读取中"
        PREVIEW = "preview", "待确认"
        INVALID = "invalid", "有错误"
        SAVED = "saved", "已导入"
        CANCELLED = "cancelled", "已取消"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=20, default="tasks")
    campaign = models.ForeignKey(Campaign, verbose_name="三年行动", on_delete=models.CASCADE, related_name="imports")
    plan = models.ForeignKey(Plan, verbose_name="方案", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="imports")
    file = models.FileField("原始文件", upload_to=import_upload_path, max_length=300)
    original_name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("上传时间", default=timezone.now)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    preview = models.JSONField("预览", default=dict, blank=True)
    counts = models.JSONField("数量", default=dict, blank=True)
    remove_missing = models.BooleanField("删除文件中没有的任务", default=False)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    message = models.TextField("结果说明", blank=True)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["campaign", "-created_at"])]

    def __str__(self):
        return f"{self.original_name}（{self.created_at:%Y-%m-%d %H:%M}）"

    @property
    def problems(self) -> list[dict]:
        return self.preview.get("problems", [])
