"""Notifications (the in-app inbox and email) and the outbox that keeps user requests away
from the broker."""
from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One reminder for one user. The natural key (kind, object, period or stage) is unique
    per recipient, so a sweep run twice, a retried task or two beat processes never send a
    duplicate."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("类别", max_length=30)
    key = models.CharField("提醒键", max_length=200)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["emailed_at"], name="notification_email_pending"),
            models.Index(fields=["key"], name="notification_key"),
        ]

    def __str__(self):
        return self.title


class OutboxMessage(models.Model):
    """Work for Celery, written in the same transaction as the change that causes it; the
    dispatcher moves it to the broker, so a broker outage never fails or hangs a save."""

    task = models.CharField(max_length=100)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "待发任务"
        verbose_name_plural = "待发任务"
        ordering = ["id"]
        indexes = [models.Index(fields=["dispatched_at", "id"], name="outbox_pending")]

    def __str__(self):
        return f"{self.task} #{self.pk}"


class SweepRun(models.Model):
    """The last day each reminder sweep ran to the end, so a sweep down for any length of
    time catches up from there (an influence period that ended while it was down is still
    announced)."""

    name = models.CharField("提醒任务", max_length=100, unique=True)
    last_success_on = models.DateField("最近一次成功运行日期")

    class Meta:
        verbose_name = "提醒任务运行记录"
        verbose_name_plural = "提醒任务运行记录"

    def __str__(self):
        return f"{self.name}：{self.last_success_on:%Y-%m-%d}"
