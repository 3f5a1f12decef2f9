"""What the history tables do not hold: logins, failed logins, logouts and denied requests.

Changes to data are not copied here; the operations log reads them from django-simple-history's
tables (see ``selectors``). Rows are kept narrow (truncated strings, no request bodies) so the
table stays small, and every query the log makes is served by an index that starts with the time.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class EventKind(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGOUT = "logout", "退出登录"
    DENIED = "denied", "拒绝访问"


class AuditEvent(models.Model):
    """One security event, with the account it concerns and where the request came from."""

    at = models.DateTimeField("时间", default=timezone.now)
    kind = models.CharField("类型", max_length=16, choices=EventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,  # the (user, at) index serves lookups by user
    )
    username = models.CharField("用户名", max_length=150, blank=True, help_text="登录失败时为尝试的用户名")
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=200, blank=True)
    method = models.CharField("请求方法", max_length=8, blank=True)
    path = models.CharField("地址", max_length=300, blank=True)
    status = models.PositiveSmallIntegerField("状态码", null=True, blank=True)

    class Meta:
        verbose_name = "安全事件"
        verbose_name_plural = "安全事件"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["at"], name="audit_event_at"),
            models.Index(fields=["kind", "at"], name="audit_event_kind_at"),
            models.Index(fields=["user", "at"], name="audit_event_user_at"),
            models.Index(fields=["username", "at"], name="audit_event_username_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"
