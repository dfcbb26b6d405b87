"""The effective security policy (GB/T 22239-2019 8.1.4.1 身份鉴别, 8.1.5.3 b 安全管理员配置安全参数).

Settings give each parameter's default and its bounds; the 安全管理员 overrides them in the UI
(one `SecurityPolicy` row), only within the bounds, never weaker than the level-3 minimums.
Everything that applies a rule — the password validators and expiry, axes' lockout, the
session middleware, the second-factor check — reads `security_policy()`.

No query per request: the row's values are kept in Django's cache (60 s, and deleted when a
change commits), so every process picks a change up within a minute even with a per-process
cache, and at once with a shared one. The settings part is merged at each read, so a changed
setting (and a test's `settings` fixture) applies immediately."""
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core import roles
from core.roles import Role

CACHE_KEY = "core:security_policy:v1"
CACHE_SECONDS = 60

# Roles whose holders may be told to use a second factor (the three administrators, the
# bootstrap superuser and leaders always must, whatever the policy says).
SECOND_FACTOR_ROLE_CHOICES = [(r.value, r.label) for r in (Role.CADRE_SECTION, Role.SUPERVISION_SECTION,
                                                          Role.DISCIPLINE_OFFICER)]


@dataclass(frozen=True)
class Rule:
    label: str
    unit: str
    bounds: tuple[int, int]
    # Which way is weaker: "low" (a smaller value is weaker) or "high".
    weaker: str
    why: str


# The level-3 minimums are the weak-side bound of each rule. settings.SECURITY_POLICY_BOUNDS may
# narrow a range (a site stricter than the standard), never widen its weak side (checked below).
RULES = {
    "password_min_length": Rule("口令最小长度", "位", (8, 64), "low", "口令应具有复杂度要求（至少 8 位）"),
    "password_min_classes": Rule("口令至少包含的字符类别数", "类", (3, 4), "low",
                                 "口令应由大写字母、小写字母、数字、符号中的至少 3 类组成"),
    "password_history_count": Rule("不得重复使用的最近口令数", "次", (5, 24), "low", "不得重复使用最近 5 次的口令"),
    "password_max_age_days": Rule("口令有效期", "天", (1, 90), "high", "口令应定期更换（至多 90 天）"),
    "lockout_failure_limit": Rule("连续登录失败锁定次数", "次", (3, 5), "high",
                                  "应具有登录失败处理功能（连续失败不超过 5 次即锁定）"),
    "lockout_minutes": Rule("锁定时长", "分钟", (10, 1440), "low", "登录失败锁定应不少于 10 分钟"),
    "session_idle_minutes": Rule("闲置超时", "分钟", (5, 30), "high", "登录连接超时应自动退出（闲置不超过 30 分钟）"),
    "session_absolute_hours": Rule("会话最长时长", "小时", (1, 12), "high", "会话最长不超过 12 小时"),
    "session_concurrent_limit": Rule("每个账号同时在线的会话数", "个", (1, 3), "high",
                                     "应限制单个账号的多重并发会话"),
}
CITATION = "《信息安全技术 网络安全等级保护基本要求》（GB/T 22239-2019）第三级"


def bounds(name: str) -> tuple[int, int]:
    """The allowed range of a rule: the standard's, narrowed by settings.SECURITY_POLICY_BOUNDS."""
    lo, hi = RULES[name].bounds
    custom = getattr(settings, "SECURITY_POLICY_BOUNDS", {}).get(name)
    if custom:
        lo, hi = max(lo, custom[0]), min(hi, custom[1])
    return lo, hi


@dataclass(frozen=True)
class Policy:
    password_min_length: int
    password_min_classes: int
    password_history_count: int
    password_max_age_days: int
    lockout_failure_limit: int
    lockout_minutes: int
    session_idle_seconds: int
    session_absolute_seconds: int
    session_concurrent_limit: int  # 0: no limit (only settings can say so; the UI cannot)
    second_factor_roles: frozenset
    second_factor_for_all: bool
    second_factor_optional: bool
    # When the row last changed (0: never), so answers kept in a session are recomputed.
    version: float

    def form_initial(self) -> dict:
        return {
            "password_min_length": self.password_min_length, "password_min_classes": self.password_min_classes,
            "password_history_count": self.password_history_count,
            "password_max_age_days": self.password_max_age_days,
            "lockout_failure_limit": self.lockout_failure_limit, "lockout_minutes": self.lockout_minutes,
            "session_idle_minutes": self.session_idle_seconds // 60,
            "session_absolute_hours": self.session_absolute_seconds // 3600,
            "session_concurrent_limit": self.session_concurrent_limit,
            "second_factor_roles": sorted(self.second_factor_roles),
            "second_factor_for_all": self.second_factor_for_all,
            "second_factor_optional": self.second_factor_optional,
        }


def _defaults() -> dict:
    """What the settings say (the policy when the 安全管理员 has set nothing)."""
    return {
        "password_min_length": getattr(settings, "PASSWORD_MIN_LENGTH", 8),
        "password_min_classes": getattr(settings, "PASSWORD_MIN_CLASSES", 3),
        "password_history_count": getattr(settings, "PASSWORD_HISTORY_COUNT", 5),
        "password_max_age_days": getattr(settings, "PASSWORD_MAX_AGE_DAYS", 90),
        "lockout_failure_limit": getattr(settings, "LOCKOUT_FAILURE_LIMIT", 5),
        "lockout_minutes": getattr(settings, "LOCKOUT_MINUTES", 30),
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "session_absolute_seconds": getattr(settings, "SESSION_ABSOLUTE_AGE", 12 * 3600),
        "session_concurrent_limit": getattr(settings, "SESSION_CONCURRENT_LIMIT", 1),
        "second_factor_roles": frozenset(),
        "second_factor_for_all": getattr(settings, "SECOND_FACTOR_FOR_ALL", False),
        "second_factor_optional": True,
        "version": 0.0,
    }


def _stored() -> dict | None:
    """The row's values (None when there is no row), from the cache when it has them."""
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return cached["row"]
    from core.models import SecurityPolicy

    row = SecurityPolicy.objects.filter(pk=1).values(*RULES, "second_factor_roles", "second_factor_for_all",
                                                     "second_factor_optional", "updated_at").first()
    cache.set(CACHE_KEY, {"row": row}, CACHE_SECONDS)
    return row


def _clamp(name: str, value: int) -> int:
    lo, hi = bounds(name)
    return min(max(value, lo), hi)


def security_policy() -> Policy:
    values = _defaults()
    row = _stored()
    if row:
        # Clamped again on read: bounds narrowed in settings after the row was saved still hold.
        for name in RULES:
            value = _clamp(name, row[name])
            if name == "session_idle_minutes":
                values["session_idle_seconds"] = min(value * 60, settings.SESSION_COOKIE_AGE)
            elif name == "session_absolute_hours":
                values["session_absolute_seconds"] = value * 3600
            else:
                values[name] = value
        values["second_factor_roles"] = frozenset(row["second_factor_roles"] or [])
        values["second_factor_for_all"] = values["second_factor_for_all"] or row["second_factor_for_all"]
        values["second_factor_optional"] = row["second_factor_optional"]
        values["version"] = row["updated_at"].timestamp() if row["updated_at"] else 0.0
    return Policy(**values)


def security_policy_forget():
    cache.delete(CACHE_KEY)


# --- axes reads the lockout rules through these (settings AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME)

def axes_failure_limit(request=None, credentials=None) -> int:
    return security_policy().lockout_failure_limit


def axes_cool_off(request=None) -> datetime.timedelta:
    return datetime.timedelta(minutes=security_policy().lockout_minutes)


# --- the 安全管理员's change ------------------------------------------------------------------

def policy_problems(data: dict) -> dict[str, str]:
    """Each value outside its bounds, with the reason in Chinese (empty when all are allowed)."""
    problems = {}
    for name, rule in RULES.items():
        value = data.get(name)
        if value is None:
            problems[name] = f"请填写{rule.label}。"
            continue
        lo, hi = bounds(name)
        if value < lo:
            problems[name] = (f"{rule.label}不得少于 {lo} {rule.unit}：{CITATION}要求{rule.why}。"
                              if rule.weaker == "low" else f"{rule.label}不得少于 {lo} {rule.unit}。")
        elif value > hi:
            problems[name] = (f"{rule.label}不得超过 {hi} {rule.unit}：{CITATION}要求{rule.why}。"
                              if rule.weaker == "high" else f"{rule.label}不得超过 {hi} {rule.unit}。")
    allowed_roles = {value for value, _ in SECOND_FACTOR_ROLE_CHOICES}
    if not set(data.get("second_factor_roles") or []) <= allowed_roles:
        problems["second_factor_roles"] = "只能选择列出的角色。"
    if data.get("second_factor_for_all") is False and getattr(settings, "SECOND_FACTOR_FOR_ALL", False):
        problems["second_factor_for_all"] = "本系统的部署配置要求所有用户使用双因素认证，不能在此关闭。"
    return problems


def _describe(name: str, value) -> str:
    if name in RULES:
        return f"{value} {RULES[name].unit}"
    if name == "second_factor_roles":
        labels = dict(SECOND_FACTOR_ROLE_CHOICES)
        return "、".join(labels[r] for r in sorted(value)) or "无"
    return "是" if value else "否"


FIELD_LABELS = {**{name: rule.label for name, rule in RULES.items()},
                "second_factor_roles": "还须使用双因素认证的角色",
                "second_factor_for_all": "所有用户均须使用双因素认证",
                "second_factor_optional": "其他用户可自愿启用双因素认证"}


def security_policy_save(*, by, data: dict, request=None):
    """Save the policy the 安全管理员 set. Refuses anyone else and any value weaker than the
    bounds (DomainError with the reasons); records the change in the row's history (acting
    user) and in the audit trail, old and new values side by side."""
    from core.audit import audit_log
    from core.errors import DomainError
    from core.models import AuditEvent, SecurityPolicy

    if not roles.is_security_admin(by):
        raise DomainError("只有安全管理员可以设置安全策略（三权分立）。")
    problems = policy_problems(data)
    if problems:
        raise DomainError(" ".join(problems.values()))
    before = security_policy().form_initial()
    with transaction.atomic():
        policy = SecurityPolicy.objects.select_for_update().filter(pk=1).first() or SecurityPolicy(pk=1)
        for name in FIELD_LABELS:
            value = data[name]
            setattr(policy, name, sorted(value) if name == "second_factor_roles" else value)
        policy.updated_by = by
        policy.updated_at = timezone.now()
        policy._history_user = by
        policy.save()
        changes = [f"{FIELD_LABELS[name]}：{_describe(name, before[name])} → {_describe(name, data[name])}"
                   for name in FIELD_LABELS
                   if (sorted(before[name]) if name == "second_factor_roles" else before[name])
                   != (sorted(data[name]) if name == "second_factor_roles" else data[name])]
        audit_log(AuditEvent.Type.POLICY_CHANGE, user=by, request=request, obj=policy,
                  detail="；".join(changes) or "未改变任何参数")
        transaction.on_commit(security_policy_forget)
    security_policy_forget()
    return policy
