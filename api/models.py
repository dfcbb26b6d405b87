"""API tokens and the stored first answers of idempotent writes.

Partner bodies (纪检、监察、审计、信访、巡察) exchange information with the organization
department through the API (《张家口市激励干部担当干事的规定》第十四条): each call carries a
token that belongs to a person or to a partner body's service account, limited by scopes
and an expiry; the token's owner's own rights (roles, jurisdiction, assignments) still
decide which records it reaches."""
from django.conf import settings
from django.db import models
from django.utils import timezone

from core.historical import HistoricalRecords


class Scope(models.TextChoices):
    READ_CADRES = "read:cadres", "读取单位、干部信息和提拔人选名单"
    READ_ID_NUMBERS = "read:id_numbers", "读取完整身份证号（干部详情）"
    READ_CASES = "read:cases", "读取容错纠错案件"
    READ_ALLEGATIONS = "read:allegations", "读取问题线索和澄清正名通知书"
    READ_REVIEWS = "read:reviews", "读取季度分析研判及汇集的信息"
    WRITE_FACTS = "write:facts", "报送季度分析研判信息"
    WRITE_ALLEGATIONS = "write:allegations", "报送问题线索"


class PartnerBody(models.TextChoices):
    DISCIPLINE = "纪检", "纪委"
    SUPERVISION = "监察", "监委"
    AUDIT = "审计", "审计机关"
    PETITION = "信访", "信访部门"
    INSPECTION = "巡察", "巡察机构"


class TokenKind(models.TextChoices):
    PERSONAL = "personal", "个人令牌"
    SERVICE = "service", "合作单位服务账号"


class ApiToken(models.Model):
    """Shown once when created; only its SHA-256 digest is kept (a token has 190 bits of
    randomness, so a fast digest is enough and each call costs one indexed lookup)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="所属账号", on_delete=models.PROTECT,
                             related_name="api_tokens")
    kind = models.CharField("类型", max_length=10, choices=TokenKind.choices, default=TokenKind.PERSONAL)
    partner_body = models.CharField("合作单位", max_length=4, choices=PartnerBody.choices, blank=True)
    note = models.CharField("用途说明", max_length=200)
    prefix = models.CharField("令牌前缀", max_length=16, unique=True, editable=False)
    key_hash = models.CharField(verbose_name="令牌摘要", max_length=64, editable=False)
    scopes = models.JSONField("权限范围", default=list)
    expires_at = models.DateTimeField("有效期至")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="吊销人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True, editable=False)
    last_used_ip = models.CharField("最近使用地址", max_length=45, blank=True, editable=False)
    # Last use changes on every call and is in the audit trail already: no history row per call.
    history = HistoricalRecords(excluded_fields=["key_hash", "last_used_at", "last_used_ip"])

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.note}（{self.prefix}…）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state_label(self) -> str:
        if self.revoked_at is not None:
            return "已吊销"
        return "有效" if self.expires_at > timezone.now() else "已过期"

    @property
    def scope_labels(self) -> list[str]:
        labels = dict(Scope.choices)
        return [labels.get(s, s) for s in self.scopes]


class IdempotencyRecord(models.Model):
    """The first answer to a write carrying an Idempotency-Key, kept per caller and key: a
    repeat gets the same answer and creates nothing. Written in the transaction of the write,
    so the record and what it created commit together; the unique key makes a concurrent
    repeat wait for the first and then read its answer."""

    owner = models.CharField(verbose_name="调用方", max_length=30)  # "token:<id>" or "user:<id>" for the browser's session
    key = models.CharField(verbose_name="幂等键", max_length=100)
    fingerprint = models.CharField(verbose_name="请求指纹", max_length=64)  # method, path and body: a key reused for another request
    status_code = models.PositiveSmallIntegerField(verbose_name="响应状态码", default=0)
    body = models.JSONField(verbose_name="响应内容", default=dict)
    created_at = models.DateTimeField(verbose_name="记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "幂等请求记录"
        verbose_name_plural = "幂等请求记录"
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_once_per_key")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} 的接口写入请求"
