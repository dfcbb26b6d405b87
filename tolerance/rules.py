"""The outcome-consistency rule (DESIGN §3, seed 002 annex 2): 免责 / 从轻 / 减轻 need every
condition met with its evidence, at least one situation, and no exclusion. Anything else
allows only 不予容错."""
from tolerance.models import TOLERATED_OUTCOMES, ClauseKind


def tolerance_blockers(items) -> list[str]:
    """What stands between this checklist and a tolerated outcome, naming the clauses."""
    blockers = []
    situations = 0
    for item in items:
        kind, label = item.clause.kind, item.clause.label
        if kind == ClauseKind.CONDITION:
            if item.holds is not True:
                blockers.append(f"{label}未满足")
            elif not item.evidence.strip():
                blockers.append(f"{label}缺少依据和证据")
        elif kind == ClauseKind.SITUATION and item.holds:
            situations += 1
        elif kind == ClauseKind.EXCLUSION and item.holds:
            blockers.append(f"存在{label}")
    if not situations:
        blockers.append("没有适用的容错情形")
    return blockers


def outcome_refusal(items, outcome) -> str | None:
    """The refusal message for an inconsistent outcome, or None when it may be recorded."""
    if outcome not in TOLERATED_OUTCOMES:
        return None
    blockers = tolerance_blockers(items)
    if blockers:
        return "只能认定为“不予容错”：" + "；".join(blockers) + "。"
    return None
