"""Notifications (the in-app inbox and email) and the outbox that keeps user requests away
from the broker."""
import pgtrigger
from django.conf import settings
from django.db import models

from core.historical import HistoricalRecords


class Notification(models.Model):
    """One reminder for one user. The natural key (kind, object, period or stage) is unique
    per recipient, so a sweep run twice, a retried task or two beat processes never send a
    duplicate."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications")
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
            # The workbench's newest unread few: read in index order, however many a user has
            # (a city clerk: 2,500 unread at a province's million cadres, 5 ms to sort each view).
            models.Index(fields=["recipient", "-created_at", "-id"], condition=models.Q(read_at__isnull=True),
                         name="notification_unread_recent"),
            models.Index(fields=["emailed_at"], name="notification_email_pending"),
            models.Index(fields=["key"], name="notification_key"),
        ]

    def __str__(self):
        return self.title


class OutboxMessage(models.Model):
    """Work for Celery, written in the same transaction as the change that causes it; the
    dispatcher moves it to the broker, so a broker outage never fails or hangs a save."""

    task = models.CharField(verbose_name="任务", max_length=100)
    kwargs = models.JSONField(verbose_name="任务参数", default=dict)
    created_at = models.DateTimeField(verbose_name="创建时间", auto_now_add=True)
    dispatched_at = models.DateTimeField(verbose_name="派发时间", null=True, blank=True)
    attempts = models.PositiveIntegerField(verbose_name="尝试次数", default=0)
    last_error = models.TextField(verbose_name="最近一次错误", blank=True)

    class Meta:
        verbose_name = "待发任务"
        verbose_name_plural = "待发任务"
        ordering = ["id"]
        indexes = [models.Index(fields=["dispatched_at", "id"], name="outbox_pending")]

    def __str__(self):
        return f"{self.task} #{self.pk}"


class AuditEvent(models.Model):
    """One security-relevant event (GB/T 22239-2019 8.1.4.3 安全审计). Append-only: rows are
    written by core.audit.audit_log in the transaction of the action they record, and each
    carries a keyed hash chained to the previous row, so an edit or a gap is detectable."""

    class Type(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出登录"
        SESSION_EXPIRED = "session_expired", "会话过期"
        LOCKOUT = "lockout", "账户锁定"
        PASSWORD_CHANGE = "password_change", "修改密码"
        SECOND_FACTOR = "second_factor", "双因素认证"
        GRANT = "grant", "授权"
        REVOKE = "revoke", "撤销授权"
        EXPORT = "export", "导出"
        IMPORT = "import", "导入"
        SENSITIVE_READ = "sensitive_read", "查看敏感信息"
        SEARCH = "search", "检索干部信息"
        ADMIN_ACTION = "admin_action", "后台操作"
        TRANSITION = "transition", "流程流转"
        API_CALL = "api_call", "接口调用"
        ARCHIVE = "archive", "审计日志归档"
        POLICY_CHANGE = "policy_change", "安全策略变更"

    class Outcome(models.TextChoices):
        SUCCESS = "成功", "成功"
        FAILURE = "失败", "失败"
        DENIED = "拒绝", "拒绝"

    created_at = models.DateTimeField("时间", db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                             null=True, blank=True, related_name="+", verbose_name="用户")
    # Copies, so the row still says who it was after the account is renamed or removed.
    username = models.CharField("用户名", max_length=150, blank=True)
    user_display = models.CharField("姓名", max_length=150, blank=True)
    role = models.CharField("角色", max_length=100, blank=True)
    ip_address = models.CharField("IP 地址", max_length=45, blank=True)
    event_type = models.CharField("事件类型", max_length=30, choices=Type.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    detail = models.TextField("详情", blank=True)
    count = models.PositiveIntegerField("记录数", null=True, blank=True)
    prev_hash = models.CharField("上一条摘要", max_length=64, blank=True)
    hash = models.CharField("摘要", max_length=64)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="audit_user_time"),
                   models.Index(fields=["object_type", "object_id"], name="audit_object")]
        # Append-only in the database itself: not even a superuser's ORM or SQL session can
        # change or remove a row (PostgreSQL). The retention archiver alone deletes, inside
        # pgtrigger.ignore (core.audit_archive).
        triggers = [pgtrigger.Protect(name="audit_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.user_display or self.username} {self.get_event_type_display()}"


class BackgroundJob(models.Model):
    """Long work (an export, a batch print, an import, a report) run by a Celery worker while
    the user watches its progress; the result file is kept for its owner only."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs",
                             verbose_name="发起人")
    kind = models.CharField("任务类型", max_length=60)
    label = models.CharField("任务", max_length=100)
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    message = models.TextField("说明", blank=True)
    result_name = models.CharField("结果文件名", max_length=200, blank=True)
    result_path = models.CharField("结果文件", max_length=500, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="job_user_recent")]

    def __str__(self):
        return f"{self.label}（{self.get_status_display()}）"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("job_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class SubmittedForm(models.Model):
    """One posted form, by its page token (static/js/submit_once.js puts a random token in
    every POST form). A double click or a resubmission of the same page finds its row and
    is answered with the first post's result instead of being saved again; the unique key
    makes two simultaneous posts resolve to one (core.idempotency)."""

    key = models.CharField(verbose_name="表单令牌", max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(verbose_name="提交时间", auto_now_add=True, db_index=True)
    location = models.CharField(verbose_name="提交页面", max_length=500, blank=True)

    class Meta:
        verbose_name = "已提交表单"
        verbose_name_plural = "已提交表单"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} 提交的表单"


class PasswordState(models.Model):
    """When a user's password was last set and whether it must be changed before anything
    else (GB/T 22239-2019 8.1.4.1 身份鉴别): set by an administrator, or older than the
    configured maximum age. Users without a row (loaded in bulk) get one at their next request."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_state",
                                verbose_name="用户")
    changed_at = models.DateTimeField("密码设置时间")
    must_change = models.BooleanField("须修改密码", default=False)

    class Meta:
        verbose_name = "密码状态"
        verbose_name_plural = "密码状态"

    def __str__(self):
        return f"{self.user} 的密码状态"


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords, so none of the last few can be reused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history",
                             verbose_name="用户")
    password = models.CharField("密码摘要", max_length=128)
    created_at = models.DateTimeField("设置时间")

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_recent")]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d}"


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


class UserSession(models.Model):
    """A signed-in session of a user, so that a new login can end the older ones beyond the
    configured limit (SESSION_CONCURRENT_LIMIT)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name="用户")
    session_key = models.CharField("会话", max_length=40, unique=True)
    created_at = models.DateTimeField("登录时间")

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"
        indexes = [models.Index(fields=["user", "created_at"], name="user_session_recent")]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class SecurityPolicy(models.Model):
    """The security policy the 安全管理员 sets in the UI (GB/T 22239-2019 8.1.5.3 b): one row
    (pk 1). Settings give the defaults and the bounds; the row overrides within them, never
    below the level-3 minimums (core.security_policy checks and explains each refusal). Read
    through core.security_policy.security_policy(), which caches it."""

    password_min_length = models.PositiveSmallIntegerField("口令最小长度（位）")
    password_min_classes = models.PositiveSmallIntegerField("口令至少包含的字符类别数")
    password_history_count = models.PositiveSmallIntegerField("不得重复使用的最近口令数")
    password_max_age_days = models.PositiveSmallIntegerField("口令有效期（天）")
    lockout_failure_limit = models.PositiveSmallIntegerField("连续登录失败锁定次数")
    lockout_minutes = models.PositiveSmallIntegerField("锁定时长（分钟）")
    session_idle_minutes = models.PositiveSmallIntegerField("闲置超时（分钟）")
    session_absolute_hours = models.PositiveSmallIntegerField("会话最长时长（小时）")
    session_concurrent_limit = models.PositiveSmallIntegerField("每个账号同时在线的会话数")
    second_factor_roles = models.JSONField("还须使用双因素认证的角色", default=list, blank=True)
    second_factor_for_all = models.BooleanField("所有用户均须使用双因素认证", default=False)
    second_factor_optional = models.BooleanField("其他用户可自愿启用双因素认证", default=True)
    updated_at = models.DateTimeField("修改时间", null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="修改人")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "安全策略"
        verbose_name_plural = "安全策略"

    def __str__(self):
        return "安全策略"
