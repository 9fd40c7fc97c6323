"""The business event log (审计日志): who did what, when, from which request. Append-only."""

from django.conf import settings
from django.db import models


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: D401 - the log is append-only
        raise PermissionError("审计日志只能追加，不能修改")

    def delete(self):
        raise PermissionError("审计日志只能追加，不能删除")


class Event(models.Model):
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT
    )
    verb = models.CharField("操作", max_length=64)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象标识", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    # The org path the event belongs to, so that a committee sees the events of its subtree.
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [
            # "events about this object", newest first (history pages)
            models.Index(fields=["object_type", "object_id", "-at"], name="event_object_idx"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.verb} {self.object_repr}"
