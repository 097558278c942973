from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One row per audited write. Written by actions in the same transaction as the write."""

    occurred_at = models.DateTimeField("发生时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # An agent acting for a legal person is recorded as "agent X for company Y".
    on_behalf_of = models.CharField("代表主体", max_length=200, blank=True)
    action = models.CharField("操作", max_length=100, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象标识", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    client_address = models.GenericIPAddressField("客户端地址", null=True, blank=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_repr}"


class ScheduledJobRun(models.Model):
    """When each recurring job of ``yiwang.core.schedule`` was last put on the task queue.

    One row per job name. A scheduler claims a due job with a conditional UPDATE on this row,
    so two schedulers running at once enqueue it once."""

    name = models.CharField("任务名称", max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField("上次入队时间", null=True, blank=True)

    class Meta:
        verbose_name = "定时任务运行记录"
        verbose_name_plural = "定时任务运行记录"
        ordering = ["name"]

    def __str__(self):
        return self.name
