"""Tenure in calendar years and months, never days ÷ 365.25: a township posting from
2020-03-01 to 2023-02-28 is 3 full years. Used by the cadre list filter (乡镇工作年限≥N年), the
cadre page, the promotion shortlist and its qualification rules."""
import datetime

from dateutil.relativedelta import relativedelta


def full_years(start: datetime.date | None, on: datetime.date) -> int:
    """Full calendar years from `start` (its first day) to `on` (not counted): 2024-11-29 to
    2026-11-29 is 2 years, to 2026-11-28 is 1."""
    if start is None or start > on:
        return 0
    return relativedelta(on, start).years


def years_months(start: datetime.date | None, on: datetime.date) -> tuple[int, int]:
    if start is None or start > on:
        return 0, 0
    span = relativedelta(on, start)
    return span.years, span.months


def township_start(anchor: datetime.date | None, closed_days: int, on: datetime.date) -> datetime.date | None:
    """The township service as one span ending at `on`: a running posting from its anchor
    (see Cadre), finished postings as their days counted back from `on`. A running posting
    is exact in calendar terms; finished ones are exact to the day of their own span."""
    if anchor is not None:
        return anchor
    if not closed_days:
        return None
    return on - datetime.timedelta(days=closed_days)


def township_full_years(anchor, closed_days: int, on: datetime.date) -> int:
    return full_years(township_start(anchor, closed_days, on), on)


def span_label(start: datetime.date | None, on: datetime.date) -> str:
    """3年 / 2年11个月 / 不满1个月."""
    years, months = years_months(start, on)
    if not years and not months:
        return "不满1个月" if start else "无"
    return f"{years}年" + (f"{months}个月" if months else "") if years else f"{months}个月"
