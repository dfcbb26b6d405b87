"""The dashboard's tables, each defined once here with its definition (shown as
a tooltip and in the year-end report) and its links to the list pages behind the cells:

- 优秀等次名额使用 (考核): each assessment year of the subtree, 优秀 granted against the quota
  the policy allows (assessment.selectors.quota_use, the rule quota_figures applies when
  grades are saved), with the year's other grades (the grade distribution per unit), each
  linking to the grade list of that unit, year and grade;
- 关心关爱任务完成情况 (关心关爱): each obligation × subordinate unit, from the compliance
  selector of the care module (care.compliance.compliance), each cell linking to the
  compliance page filtered to that unit and obligation;
- 各阶段办理天数 (容错纠错): for each stage of a case, the stays that ended in the period and
  their median length (tolerance.selectors.stage_stays), the count linking to the case list
  of the cases that left the stage in the period."""
import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from assessment.models import Grade
from assessment.selectors import grades_by_assessing_unit, quota_use
from cadres.models import Unit
from care.compliance import compliance
from care.models import ObligationApplies
from dashboard.periods import Period
from tolerance.models import Stage
from tolerance.selectors import cases_visible_to, stage_limits, stage_stays

QUOTA_ROWS = 12
QUOTA_DEFINITION = (
    "各单位该年度考核中评定为优秀的人数，与优秀等次比例允许的名额相比（《公务员考核规定》：优秀等次人数一般掌握在参加年度考核人数的"
    "20%以内，最多不超过25%；各类单位的比例以系统“优秀等次比例”规则为准）。参加考核人数为单位在职干部及已在本单位评定等次的干部；"
    "允许名额为常规比例名额，经领导批准超出的以批准数为准（不超过最高比例）。单位为考核单位。"
    "同表列出各单位该年度评定为称职、基本称职、不称职的人数（《中华人民共和国公务员法》第三十八条：定期考核的结果分为优秀、称职、"
    "基本称职和不称职四个等次），点击打开该单位、年度、等次的考核等次清单；下设其他考核单位的，清单含其下级单位，故不设链接。")
# The grades counted beside 优秀 in the quota table (the grade distribution per unit).
OTHER_GRADES = [Grade.COMPETENT, Grade.BASIC, Grade.INCOMPETENT]
COMPLIANCE_DEFINITION = (
    "截至今天（所选年度已过去的按全年），各下级单位在职干部中未完成各项年度关爱任务的人数与应完成人数；"
    "“说说心里话”活动按单位计（有在职干部的单位每年开展）。任务及要求以系统“关心关爱年度任务”规则为准；单位为干部现所在单位。")

STAGE_DAYS_DEFINITION = (
    "容错纠错案件各办理阶段（立案至备案，已办结除外）在期间内办完的次数（离开该阶段、转入下一阶段的办理记录日期在期间内，"
    "进入该阶段可在期间之前），及每次在该阶段停留天数的中位数。停留天数为离开日期减进入日期（按北京时间的日历日，"
    "当日进入当日办完的为0天）；进入日期为此前最近一次转入该阶段的办理记录日期，没有的按立案时间。"
    "同一案件在期间内两次办完同一阶段的计两次，点击次数打开的案件清单中只列一次。办理时限为系统“阶段办理时限”（日历天）。"
    "单位为案件涉及单位。")

# (section, label, definition) for the year-end report's last page.
TABLE_DEFINITIONS = [("tolerance", "各阶段办理天数（中位数）", STAGE_DAYS_DEFINITION),
                     ("assessment", "优秀等次名额使用", QUOTA_DEFINITION),
                     ("care", "关心关爱任务完成情况", COMPLIANCE_DEFINITION)]


@dataclass
class QuotaRow:
    unit_name: str
    assessed: int
    excellent: int
    allowed: int
    ceiling: int
    link: str
    # The counts of OTHER_GRADES in that order, and their grade-list links ("" when the
    # list, which takes the unit's subtree, would add subordinate assessing units).
    grades: list[int] = field(default_factory=list)
    grade_links: list[str] = field(default_factory=list)

    @property
    def grade_cells(self) -> list[tuple[int, str]]:
        return list(zip(self.grades, self.grade_links, strict=True))

    @property
    def over(self) -> bool:
        return self.excellent > self.allowed


@dataclass
class QuotaTable:
    rows: list[QuotaRow]
    units: int  # assessment years in the subtree (rows shows at most QUOTA_ROWS)
    excellent: int = 0
    allowed: int = 0
    assessed: int = 0
    list_link: str = ""
    definition: str = QUOTA_DEFINITION
    # OTHER_GRADES over every unit-year, each linking to the grade list of the subtree.
    grades: list[int] = field(default_factory=list)
    grade_links: list[str] = field(default_factory=list)
    grade_headers: tuple[str, ...] = tuple(g.label for g in OTHER_GRADES)

    @property
    def grade_cells(self) -> list[tuple[int, str]]:
        return list(zip(self.grades, self.grade_links, strict=True))


def quota_table(*, user, unit: Unit, year: int, limit: int | None = QUOTA_ROWS) -> QuotaTable:
    """Every unit-year's use of its 优秀 quota; with a limit, the rows shown are those nearest
    their limit (the year-end report lists them all)."""
    figures = quota_use(user=user, unit=unit, year=year)
    # The other grades of each year in one query, from the grade list's own selector.
    counted = {(ay_id, grade): n for ay_id, grade, n in grades_by_assessing_unit(user).filter(
        assessment_year__in=[ay.pk for ay, _ in figures], grade__in=OTHER_GRADES).order_by()
        .values("assessment_year_id", "grade").annotate(n=Count("pk")).values_list("assessment_year_id", "grade", "n")}
    paths = [ay.unit.path for ay, _ in figures]

    def grade_link(target: Unit, grade: str) -> str:
        return f"{reverse('assessment:grade_list')}?{urlencode({'unit': target.pk, 'year': year, 'grade': grade})}"

    rows = []
    for ay, f in figures:
        nested = any(p != ay.unit.path and p.startswith(ay.unit.path) for p in paths)
        rows.append(QuotaRow(unit_name=f.unit_name, assessed=f.assessed, excellent=f.excellent, allowed=f.allowed,
                             ceiling=f.ceiling_max, link=reverse("assessment:year_detail", args=[ay.pk]),
                             grades=[counted.get((ay.pk, g.value), 0) for g in OTHER_GRADES],
                             grade_links=["" if nested else grade_link(ay.unit, g.value) for g in OTHER_GRADES]))
    table = QuotaTable(rows=[], units=len(rows), excellent=sum(r.excellent for r in rows),
                       allowed=sum(r.allowed for r in rows), assessed=sum(r.assessed for r in rows),
                       list_link=f"{reverse('assessment:year_list')}?{urlencode({'year': year, 'unit': unit.pk})}",
                       grades=[sum(r.grades[i] for r in rows) for i in range(len(OTHER_GRADES))],
                       grade_links=[grade_link(unit, g.value) for g in OTHER_GRADES])
    # Nearest the limit first (the share of the allowed places used), then unit order.
    ranked = sorted(enumerate(rows), key=lambda ir: (-(ir[1].excellent / ir[1].allowed if ir[1].allowed
                                                       else ir[1].excellent * 2), ir[0]))
    table.rows = [r for _, r in sorted(ranked[:limit])]
    return table


@dataclass
class ComplianceCell:
    behind: int
    total: int
    rate: int | None
    link: str = ""


@dataclass
class ComplianceTableRow:
    label: str
    cells: list[ComplianceCell] = field(default_factory=list)


@dataclass
class ComplianceTable:
    headers: list[str]
    rows: list[ComplianceTableRow]
    total: ComplianceTableRow
    page_link: str
    definition: str = COMPLIANCE_DEFINITION


def _compliance_link(unit: Unit, year: int, kind: str) -> str:
    return f"{reverse('care:compliance')}?{urlencode({'year': year, 'unit': unit.pk, 'only': kind})}"


def compliance_table(*, user, unit: Unit, year: int, today: datetime.date) -> ComplianceTable:
    """Obligation × subordinate unit: cadres behind / cadres obliged. A cell of a per-cadre
    obligation links to the compliance page for that unit and obligation, which lists exactly
    the cadres behind (the unit's own cadres without its subtree have no such page: unlinked)."""
    result = compliance(user=user, year=year, today=today, scope=unit)

    def row(label, r, target: Unit | None) -> ComplianceTableRow:
        cells = []
        for rule, behind, total, rate in r.cells(result.rules):
            link = _compliance_link(target, year, rule.kind) \
                if target is not None and rule.applies_to == ObligationApplies.CADRE else ""
            cells.append(ComplianceCell(behind, total, rate, link))
        return ComplianceTableRow(label, cells)

    rows = [row(("（本级）" if r.own_only else "") + r.unit.name, r, None if r.own_only else r.unit)
            for r in result.rows]
    return ComplianceTable(
        headers=[r.get_kind_display() for r in result.rules], rows=rows,
        total=row(f"合计（{unit.name}）", result.total, unit),
        page_link=f"{reverse('care:compliance')}?{urlencode({'year': year, 'unit': unit.pk})}")


@dataclass
class StageDaysRow:
    label: str
    stays: int
    median_days: float | None
    limit_days: int
    link: str

    @property
    def median_shown(self) -> str:
        if self.median_days is None:
            return "—"
        return f"{self.median_days:g}"


@dataclass
class StageDaysTable:
    rows: list[StageDaysRow]
    definition: str = STAGE_DAYS_DEFINITION


def stage_days_table(*, user, unit: Unit, period: Period) -> StageDaysTable:
    """Each stage's stays that ended in the period, in the cases the user may see in the subtree
    (the case list's own selector and unit filter, so the count and its list agree)."""
    cases = cases_visible_to(user).filter(unit__path__startswith=unit.path)
    limits = stage_limits()
    rows = []
    for s in stage_stays(cases, since=period.start, until=period.end):
        params = {"unit": unit.pk, "left_stage": s.stage, "since": period.start.isoformat(),
                  "until": period.end.isoformat()}
        rows.append(StageDaysRow(Stage(s.stage).label, s.stays, s.median_days, limits[s.stage],
                                 f"{reverse('tolerance:list')}?{urlencode(params)}"))
    return StageDaysTable(rows)
