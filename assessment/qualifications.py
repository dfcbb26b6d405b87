"""Promotion qualifications of 《党政领导干部选拔任用工作条例》(2019), as data per target
level with small pure functions the shortlist (and its SQL rewrite) can call per cadre:

- art. 9: 一般应当逐级提拔 (one grade at a time); 副职 → 正职 needs 2 years in the 副职 post,
  下级正职 → 上级副职 needs 3 years;
- art. 8: a 县处级 post needs 5 years of work and 2 years of grassroots experience.

The figures below are the defaults; a QualificationRule row in admin for a unit (a county
setting its own rules for 科级, say) overrides the default for that unit's subtree.
Grassroots experience is read from the township service (乡镇工作经历) the registry keeps."""
import datetime
from dataclasses import dataclass

from cadres.models import Rank, Unit
from cadres.tenure import full_years, township_start

REGULATION = "《党政领导干部选拔任用工作条例》"


@dataclass(frozen=True)
class Qualification:
    target_rank: str
    min_years_in_rank: int  # years in the grade immediately below (art. 9)
    min_work_years: int = 0  # art. 8
    min_grassroots_years: int = 0  # art. 8
    citation: str = f"{REGULATION}第九条"


# Default figures per target rank (county-level and above from the regulation; 科级 with the
# same art. 9 figures, which a county may replace with its own in admin).
DEFAULT_QUALIFICATIONS = {
    Rank.FU_KE: Qualification(Rank.FU_KE, 3),
    Rank.ZHENG_KE: Qualification(Rank.ZHENG_KE, 2),
    Rank.FU_CHU: Qualification(Rank.FU_CHU, 3, 5, 2, f"{REGULATION}第八条、第九条"),
    Rank.ZHENG_CHU: Qualification(Rank.ZHENG_CHU, 2, 5, 2, f"{REGULATION}第八条、第九条"),
    Rank.FU_TING: Qualification(Rank.FU_TING, 3, 5, 2, f"{REGULATION}第八条、第九条"),
    Rank.ZHENG_TING: Qualification(Rank.ZHENG_TING, 2, 5, 2, f"{REGULATION}第八条、第九条"),
}


def qualification_for(unit: Unit, target_rank: str) -> Qualification | None:
    """The rule in force for promotions in `unit`: the nearest unit's own QualificationRule
    (admin), else the default. One query."""
    from assessment.models import QualificationRule
    from cadres.selectors import ancestor_paths

    row = (QualificationRule.objects.filter(unit__path__in=ancestor_paths(unit), target_rank=target_rank)
           .order_by("-unit__depth").first())
    if row is not None:
        return Qualification(row.target_rank, row.min_years_in_rank, row.min_work_years, row.min_grassroots_years,
                             row.citation)
    return DEFAULT_QUALIFICATIONS.get(target_rank)


def qualification_blocks(*, rule: Qualification | None, rank_level: int, target_level: int,
                         rank_since: datetime.date | None, work_start: datetime.date | None,
                         township_anchor: datetime.date | None, township_days_closed: int,
                         on: datetime.date) -> list[str]:
    """Why a cadre of `rank_level` is not nominable for `target_level` on `on` (empty: qualified).
    Pure: no query, so a set-based shortlist can call it per row."""
    blocks = []
    if rank_level < target_level - 1:
        blocks.append(f"一般应当逐级提拔，现职级低于拟任职级一级以上（{REGULATION}第九条）")
        return blocks
    if rule is None:
        return blocks
    if rule.min_years_in_rank:
        if rank_since is None:
            blocks.append(f"任现职级时间未登记，无法核对须任下一级职务满{rule.min_years_in_rank}年的要求（{rule.citation}）")
        elif full_years(rank_since, on) < rule.min_years_in_rank:
            blocks.append(f"任现职级不满{rule.min_years_in_rank}年（{rank_since:%Y-%m-%d}起任）（{rule.citation}）")
    if rule.min_work_years:
        if work_start is None:
            blocks.append(f"参加工作时间未登记，无法核对须工作满{rule.min_work_years}年的要求（{REGULATION}第八条）")
        elif full_years(work_start, on) < rule.min_work_years:
            blocks.append(f"参加工作不满{rule.min_work_years}年（{work_start:%Y-%m-%d}参加工作）（{REGULATION}第八条）")
    if rule.min_grassroots_years:
        start = township_start(township_anchor, township_days_closed, on)
        if full_years(start, on) < rule.min_grassroots_years:
            blocks.append(f"基层工作经历不满{rule.min_grassroots_years}年（{REGULATION}第八条）")
    return blocks
