"""Every figure of the leaders' dashboard and the year-end report, defined once.

A figure counts records of one kind (cases, allegations, …) that the user may see in the
list page behind it, inside a unit subtree, meeting a condition for a period. The condition
is the list page's own filter (tolerance.selectors.case_filter_q and the like), and the base
queryset is the list page's own permission selector with its own unit filter, so the number
and the list it links to are the same records by construction.

Where a record stores the unit in which the event happened (a tolerance case's unit, an
assessment year's unit), the figure counts it there, so a cadre transferred later still
counts where the case arose. Allegations, concerns, priority records and follow-up visits
store no unit of their own: they follow the cadre's current unit, as their list pages do.

All figures of one kind are counted in one SQL query of conditional aggregates (COUNT …
FILTER), for the period, the same period a year earlier and the years of the trend chart."""
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from assessment.catalogs import PRIORITY_SITUATIONS
from assessment.models import Grade
from assessment.selectors import (
    CAP_CAUSES,
    REVIEW_RESULTS,
    TARGET_FREE_BLOCKS,
    TIMELINESS,
    TOWNSHIP_YEARS,
    grade_filter_q,
    grades_by_assessing_unit,
    is_county_level,
    priority_filter_q,
    priority_records_visible_to,
    promotion_filter_q,
    promotions_visible_to,
    ranking_entries_visible_to,
    ranking_entry_filter_q,
    review_timeliness_q,
    reviews_visible_to,
    shortlist_block_q,
    shortlist_candidates,
    shortlist_priority_q,
    team_interviews_visible_to,
)
from cadres.models import Cadre, Rank, Sanction, Unit
from cadres.selectors import cadres_visible_to, units_visible_to
from care.follow_ups import FOLLOW_UP_DUE_SOON_DAYS, FollowUpState, follow_up_state_q
from care.selectors import (
    cadre_filter,
    concern_filter_q,
    concerns_visible_to,
    consultation_unanswered_q,
    consultations_visible_to,
    follow_up_visits_visible_to,
)
from core.db import date_between
from dashboard.periods import Period
from tolerance.models import AllegationStatus, Conclusion, Outcome
from tolerance.selectors import (
    allegation_filter_q,
    allegations_in_subtree,
    allegations_visible_to,
    case_filter_q,
    cases_visible_to,
    notice_filter_q,
    notices_visible_to,
    reform_filings_visible_to,
    reform_filter_q,
    stage_limits,
)

TREND_YEARS = 5


@dataclass(frozen=True)
class Kind:
    """A record kind: its visible records in a subtree (the list page's selector and unit filter)."""

    base: Callable[[object, Unit], QuerySet]


KINDS = {
    "cases": Kind(lambda user, unit: cases_visible_to(user).filter(unit__path__startswith=unit.path)),
    "allegations": Kind(lambda user, unit: allegations_visible_to(user).filter(allegations_in_subtree(unit.path))),
    "reforms": Kind(lambda user, unit: reform_filings_visible_to(user).filter(unit__path__startswith=unit.path)),
    "notices": Kind(lambda user, unit: notices_visible_to(user).filter(cadre__unit__path__startswith=unit.path)),
    "grades": Kind(lambda user, unit: grades_by_assessing_unit(user).filter(
        assessment_year__unit__path__startswith=unit.path)),
    "interviews": Kind(lambda user, unit: team_interviews_visible_to(user).filter(unit__path__startswith=unit.path)),
    "priorities": Kind(lambda user, unit: priority_records_visible_to(user).filter(
        cadre__unit__path__startswith=unit.path)),
    "concerns": Kind(lambda user, unit: concerns_visible_to(user).filter(cadre_filter("cadre__", unit=unit))),
    "consultations": Kind(lambda user, unit: consultations_visible_to(user).filter(unit__path__startswith=unit.path)),
    "reviews": Kind(lambda user, unit: reviews_visible_to(user).filter(department__path__startswith=unit.path)),
    # A ranking counts with its review, in the review's department (研判单位).
    "rankings": Kind(lambda user, unit: ranking_entries_visible_to(user).filter(
        ranking__review__department__path__startswith=unit.path)),
    "follow_ups": Kind(lambda user, unit: Sanction.objects.filter(
        cadre__in=cadres_visible_to(user).filter(cadre_filter(unit=unit)))),
    "visits": Kind(lambda user, unit: follow_up_visits_visible_to(user).filter(
        cadre_filter("sanction__cadre__", unit=unit))),
    # A promotion counts in the unit of its new posting (where it was made).
    "promotions": Kind(lambda user, unit: promotions_visible_to(user).filter(unit__path__startswith=unit.path)),
    # The promotion shortlist's candidates for the highest target rank: every active cadre
    # with a rank to be promoted to, in the visible units of the subtree.
    "candidates": Kind(lambda user, unit: shortlist_candidates(
        units_visible_to(user).filter(path__startswith=unit.path).values("pk"), Rank.ZHENG_TING)),
    # The same candidates where the shortlist weighs township experience: the shortlist of a
    # county-level unit (assessment.selectors.is_county_level); above a county, none.
    "county_candidates": Kind(lambda user, unit: KINDS["candidates"].base(user, unit) if is_county_level(unit)
                              else Cadre.objects.none()),
}


@dataclass(frozen=True)
class Figure:
    key: str
    section: str
    label: str
    definition: str
    kind: str
    # (period, today) -> the list page's filter; params(period) -> the list page's GET parameters.
    condition: Callable[[Period, datetime.date], Q]
    url_name: str
    params: Callable[[Period], dict]
    # A count as of today (overdue now): no period, no comparison, no trend.
    live: bool = False
    # Counted for the whole year even when a quarter is chosen (annual assessment grades).
    annual: bool = False
    # A breakdown row the dashboard leaves out while it and last year's value are both 0.
    optional: bool = False
    # A share in per cent, (numerator key, denominator key) of figures counted before it:
    # no count of its own; None while the denominator is 0. It links to the numerator's list.
    ratio: tuple[str, str] | None = None
    # A setting of the database the condition needs, passed to it as a third argument: read
    # once per count, not once per period (tolerance.selectors.stage_limits).
    setting: Callable[[], object] | None = None

    def link(self, unit: Unit, period: Period) -> str:
        params = {"unit": unit.pk, **self.params(self._period(period))}
        return f"{reverse(self.url_name)}?{urlencode(params)}"

    def _period(self, period: Period) -> Period:
        return period.whole_year if self.annual else period

    def q(self, period: Period, today: datetime.date, settings: dict) -> Q:
        """`settings`: those read so far in this count, by reader; the figure's own is added."""
        if self.setting is None:
            return self.condition(self._period(period), today)
        if self.setting not in settings:
            settings[self.setting] = self.setting()
        return self.condition(self._period(period), today, settings[self.setting])


def _dates(p: Period) -> dict:
    return {"since": p.start.isoformat(), "until": p.end.isoformat()}


SECTIONS = [
    ("tolerance", "容错纠错"),
    ("clarification", "澄清正名"),
    ("assessment", "考核"),
    ("selection", "选拔"),
    ("care", "关心关爱"),
]

FIGURES: list[Figure] = []


def figure(**kwargs) -> Figure:
    f = Figure(**kwargs)
    FIGURES.append(f)
    return f


# ------------------------------------------------------------------------------ 容错纠错

figure(key="cases_filed", section="tolerance", label="立案", kind="cases", url_name="tolerance:list",
       definition="期间内立案的容错纠错案件数（按立案时间；单位为案件涉及单位）。",
       condition=lambda p, t: case_filter_q(event="filed", since=p.start, until=p.end),
       params=lambda p: {"event": "filed", **_dates(p)})
for outcome in Outcome:
    figure(key=f"cases_{outcome.value}", section="tolerance", label=f"认定{outcome.label}", kind="cases",
           url_name="tolerance:list",
           definition=(f"期间内作出现行认定、且有干部认定为“{outcome.label}”的案件数。复核后重新认定的，"
                       "只按现行认定的结论和日期计一次，原认定不再计入。"),
           condition=lambda p, t, o=outcome.value: case_filter_q(event="decided", outcome=o, since=p.start,
                                                                 until=p.end),
           params=lambda p, o=outcome.value: {"event": "decided", "outcome": o, **_dates(p)})
figure(key="cases_wrongly", section="tolerance", label="应容未容", kind="cases", url_name="tolerance:list",
       definition="期间内作出现行认定、且有干部被标记为“应容未容”（第十一条第四项）的案件数。",
       condition=lambda p, t: case_filter_q(event="decided", wrongly=True, since=p.start, until=p.end),
       params=lambda p: {"event": "decided", "wrongly": "on", **_dates(p)})
figure(key="cases_rereview", section="tolerance", label="申请复核", kind="cases", url_name="tolerance:list",
       definition="期间内有干部申请复核的案件数（按申请日期）。",
       condition=lambda p, t: case_filter_q(event="rereview", since=p.start, until=p.end),
       params=lambda p: {"event": "rereview", **_dates(p)})
REREVIEW_RULE = ("《张家口市激励干部担当干事的规定》第十条（容错认定结论作出后书面反馈）；"
                 "干部自收到书面反馈之日起30日内可申请复核，复核后重新作出的认定替代原认定")
for event, label, text in (
        ("rereview_upheld", "其中：复核维持原认定",
         "期间内对复核申请重新作出认定（按重新认定的日期）、且每名干部的认定结论与被替代的原认定相同的案件数。多次复核的，只按现行认定计一次"),
        ("rereview_changed", "其中：复核变更认定",
         "期间内对复核申请重新作出认定（按重新认定的日期）、且至少一名干部的认定结论与被替代的原认定不同的案件数。多次复核的，只按现行认定计一次"),
        ("rereview_pending", "其中：复核中",
         "期间内申请复核（按申请日期）、今天仍在等待重新认定的案件数")):
    figure(key=f"cases_{event}", section="tolerance", label=label, kind="cases", url_name="tolerance:list",
           optional=True,
           definition=f"{text}。依据：{REREVIEW_RULE}。",
           condition=lambda p, t, e=event: case_filter_q(event=e, since=p.start, until=p.end),
           params=lambda p, e=event: {"event": e, **_dates(p)})
figure(key="cases_overdue", section="tolerance", label="当前超期未办结", kind="cases", url_name="tolerance:list",
       definition="今天尚未办结、且已超过当前阶段办理期限的案件数（实时数，不分期间）。", live=True,
       condition=lambda p, t: case_filter_q(overdue=True, today=t), params=lambda p: {"overdue": "on"})
figure(key="cases_overdue_at_end", section="tolerance", label="期末超期未办结", kind="cases", url_name="tolerance:list",
       definition=("期末（期间最后一天终了时；期间尚未结束的按今天）尚未办结、且当时所处阶段已超过办理期限的案件数。"
                   "阶段按办理记录确定，期限为进入该阶段之日加该阶段办理时限（日历天，与“当前超期未办结”的计算相同），"
                   "期限当日办理的不算超期。当前期间的数字与“当前超期未办结”一致。"),
       condition=lambda p, t, limits: case_filter_q(overdue_on=p.end, today=t, limits=limits), setting=stage_limits,
       params=lambda p: {"overdue_on": p.end.isoformat()})

ZHEJIANG_OPINION = "《关于建立健全“干部为事业担当、组织为干部担当”良性互动机制的意见》"
RESEARCH_REPORT = "《关于激励干部担当作为干事创业制度体系调研报告》"
figure(key="reforms_filed", section="tolerance", label="改革风险防控事前备案", kind="reforms",
       url_name="tolerance:reform_list",
       definition=(f"期间内完成事前备案的重大改革创新事项数（按备案日期；单位为备案单位）。依据：{ZHEJIANG_OPINION}"
                   f"（浙江省委组织部答记者问第七问：出台重大举措前加强风险评估和备案）；{RESEARCH_REPORT}“防错”部分的改革风险防控备案制度。"),
       condition=lambda p, t: reform_filter_q(event="filed", since=p.start, until=p.end),
       params=lambda p: {"event": "filed", **_dates(p)})
figure(key="reforms_cited", section="tolerance", label="事前备案在案件中作为证据", kind="reforms",
       url_name="tolerance:reform_list",
       definition=("期间内立案的容错纠错案件所关联的事前备案数（按案件立案时间计入当年，不论备案于哪一年；单位为备案单位）。"
                   "备案只作为“履行了决策程序”这一容错条件的证据，不自动认定该条件成立。"),
       condition=lambda p, t: reform_filter_q(event="cited", since=p.start, until=p.end),
       params=lambda p: {"event": "cited", **_dates(p)})

# ------------------------------------------------------------------------------ 澄清正名

figure(key="allegations_received", section="clarification", label="受理问题线索", kind="allegations",
       url_name="tolerance:allegation_list",
       definition="期间内受理的问题线索数（按受理日期；单位为反映对象现所在单位）。",
       condition=lambda p, t: allegation_filter_q(event="received", since=p.start, until=p.end),
       params=lambda p: {"event": "received", **_dates(p)})
figure(key="allegations_closed", section="clarification", label="了结（未核查）", kind="allegations",
       url_name="tolerance:allegation_list",
       definition="期间内经审核直接了结、未立项核查的线索数（反映笼统、明显失实或已有结论）。",
       condition=lambda p, t: allegation_filter_q(status=AllegationStatus.CLOSED, event="ended", since=p.start,
                                                  until=p.end),
       params=lambda p: {"status": AllegationStatus.CLOSED.value, "event": "ended", **_dates(p)})
figure(key="allegations_concluded", section="clarification", label="核查办结", kind="allegations",
       url_name="tolerance:allegation_list",
       definition="期间内核查办结、作出核查结论的线索数（按办结日期）。",
       condition=lambda p, t: allegation_filter_q(status=AllegationStatus.CONCLUDED, event="ended", since=p.start,
                                                  until=p.end),
       params=lambda p: {"status": AllegationStatus.CONCLUDED.value, "event": "ended", **_dates(p)})
for conclusion in Conclusion:
    figure(key=f"allegations_{conclusion.value}", section="clarification", label=f"核查结论：{conclusion.label}",
           kind="allegations", url_name="tolerance:allegation_list",
           definition=f"期间内核查办结、结论为“{conclusion.label}”的线索数。"
                      + ("诬告陷害的，移送有关机关追究举报人责任。" if conclusion == Conclusion.FRAMED else ""),
           condition=lambda p, t, c=conclusion.value: allegation_filter_q(
               status=AllegationStatus.CONCLUDED, conclusion=c, event="ended", since=p.start, until=p.end),
           params=lambda p, c=conclusion.value: {"status": AllegationStatus.CONCLUDED.value, "conclusion": c,
                                                 "event": "ended", **_dates(p)})
figure(key="allegations_repeated", section="clarification", label="识别重复线索", kind="allegations",
       url_name="tolerance:allegation_list",
       definition="期间内受理时识别为同一对象同一问题此前已有线索的数量，用于避免重复函询、多头核查。",
       condition=lambda p, t: allegation_filter_q(repeated=True, event="received", since=p.start, until=p.end),
       params=lambda p: {"repeated": "on", "event": "received", **_dates(p)})
figure(key="allegations_overdue", section="clarification", label="当前核查超期", kind="allegations",
       url_name="tolerance:allegation_list", live=True,
       definition="今天仍在受理或核查中、且已超过核查期限的线索数（实时数，不分期间）。",
       condition=lambda p, t: allegation_filter_q(overdue=True, today=t), params=lambda p: {"overdue": "on"})
figure(key="notices_issued", section="clarification", label="印发澄清正名通知书", kind="notices",
       url_name="tolerance:notice_list",
       definition="期间内印发的澄清正名通知书份数（按印发日期；单位为澄清对象现所在单位）。",
       condition=lambda p, t: notice_filter_q(since=p.start, until=p.end), params=_dates)
figure(key="notices_published", section="clarification", label="其中纳入不实举报案例公开", kind="notices",
       url_name="tolerance:notice_list",
       definition=("期间内印发、且纳入不实举报案例定期公开的澄清正名通知书份数（《张家口市激励干部担当干事的规定》第十一条第三项："
                   "在一定范围内通报，澄清正名）。"),
       condition=lambda p, t: notice_filter_q(since=p.start, until=p.end, published=True),
       params=lambda p: {"published": "on", **_dates(p)})
figure(key="allegations_referred", section="clarification", label="诬告陷害移送追责", kind="allegations",
       url_name="tolerance:allegation_list",
       definition=("期间内将诬告陷害问题移送有关机关追究举报人责任的线索数（按移送日期；待移送的不计）。依据："
                   "《张家口市激励干部担当干事的规定》第十一条第三项；"
                   f"{ZHEJIANG_OPINION}（依纪依法严肃查处诬告陷害行为）。"),
       condition=lambda p, t: allegation_filter_q(event="referred", since=p.start, until=p.end),
       params=lambda p: {"event": "referred", **_dates(p)})
SCREEN_SOURCE = "《陕组信息》2015年汉中市“建立问题信息档案”做法：将记录在案干部屏蔽在组织视野之外，直至问题核实清楚"
figure(key="screened_now", section="clarification", label="当前因线索未核结暂缓提拔", kind="allegations",
       url_name="tolerance:allegation_list", live=True,
       definition=(f"今天仍在受理或核查中的线索数；其反映对象在核实清楚前不列入提拔人选（{SCREEN_SOURCE}）。"
                   "实时数，不分期间；单位为反映对象现所在单位。"),
       condition=lambda p, t: allegation_filter_q(open_days=0, today=t), params=lambda p: {"open_days": 0})
for days, label in ((90, "3个月"), (180, "6个月")):
    figure(key=f"screened_{days}", section="clarification", label=f"其中暂缓已满{label}", kind="allegations",
           url_name="tolerance:allegation_list", live=True,
           definition=f"今天仍未核结、且自受理之日起已满{days}天的线索数（反映对象暂缓提拔已达{label}以上）。",
           condition=lambda p, t, d=days: allegation_filter_q(open_days=d, today=t),
           params=lambda p, d=days: {"open_days": d})

# ------------------------------------------------------------------------------ 考核

for grade in Grade:
    figure(key=f"grades_{grade.value}", section="assessment", label=f"年度考核{grade.label}", kind="grades",
           url_name="assessment:grade_list", annual=True,
           definition=f"该年度考核中评定为“{grade.label}”的干部人次（按考核单位；选择季度时按全年计）。",
           condition=lambda p, t, g=grade.value: grade_filter_q(year=p.year, grade=g),
           params=lambda p, g=grade.value: {"year": p.year, "grade": g})
CAP_RULES = ("《咸阳市领导班子和领导干部约谈办法（试行）》：领导干部当年被约谈的，年度考核中不能评为优秀等次；"
             "考核基准日处于处分影响期内的，不得评为优秀等次")
figure(key="grades_capped", section="assessment", label="等次受限干部", kind="grades",
       url_name="assessment:grade_list", annual=True,
       definition=(f"该年度评定等次的干部中，按等次限制规则不能评为优秀的人次（{CAP_RULES}）。只计有效的约谈和处分；"
                   "按考核单位；选择季度时按全年计。"),
       condition=lambda p, t: grade_filter_q(year=p.year, capped="all"),
       params=lambda p: {"year": p.year, "capped": "all"})
for cause, cause_label in CAP_CAUSES.items():
    figure(key=f"grades_capped_{cause}", section="assessment", label=f"其中：{cause_label}", kind="grades",
           url_name="assessment:grade_list", annual=True, optional=True,
           definition=f"该年度评定等次的干部中，因“{cause_label}”而等次受限的人次（同时有两种原因的，各计一次）。",
           condition=lambda p, t, c=cause: grade_filter_q(year=p.year, capped=c),
           params=lambda p, c=cause: {"year": p.year, "capped": c})
for result, result_label in REVIEW_RESULTS.items():
    figure(key=f"grades_review_{result}", section="assessment",
           label="等次申请复核" if result == "any" else f"其中：{result_label}", kind="grades",
           url_name="assessment:grade_list", annual=True, optional=result != "any",
           definition=("该年度考核等次中，干部申请复核的人次（《中华人民共和国公务员法》第九十五条）；"
                       "按考核年度计，不论申请日期。" if result == "any" else
                       f"该年度考核等次中，复核状态为“{result_label}”的人次。"),
           condition=lambda p, t, r=result: grade_filter_q(year=p.year, review=r),
           params=lambda p, r=result: {"year": p.year, "review": r})
figure(key="team_interviews", section="assessment", label="班子约谈", kind="interviews",
       url_name="assessment:team_interview_list", annual=True,
       definition="该年度登记的领导班子约谈次数（被约谈班子的干部年度考核等次受限）。",
       condition=lambda p, t: Q(date__year=p.year), params=lambda p: {"year": p.year})

for key, label in TIMELINESS.items():
    figure(key=f"reviews_{key}", section="assessment", label=f"季度分析研判{label}", kind="reviews",
           url_name="assessment:review_list",
           definition=("期间内各季度的分析研判（市、县区组织部门各一项，《张家口市激励干部担当干事的规定》第十四条）中，"
                       + {"on_time": "在完成期限当日或之前完成研判报告的项数。",
                          "late": "超过完成期限才完成研判报告的项数。",
                          "missing": "已过完成期限、至今仍未完成研判报告的项数。"}[key]
                       + "按研判所属季度计；单位为研判单位（市或县区）。"),
           condition=lambda p, t, k=key: review_timeliness_q(k, t) & Q(year=p.year)
           & (Q(quarter=p.quarter) if p.quarter else Q()),
           params=lambda p, k=key: {"year": p.year, "timeliness": k, **({"quarter": p.quarter} if p.quarter else {})})

RANKING_RULE = ("《张家口市激励干部担当干事的规定》第十四条第二项（季度分析研判中，上级领导对下级干部进行综合评价排名，"
                "排出前几名、后几名）")
for key, label, bold, text in (
        ("entries", "综合评价排名人次", False,
         "期间内各季度分析研判录入的综合评价排名中，被排名干部的人次（每名评价人对一名干部的排名计一人次；"
         "按研判所属年度、季度计；单位为研判单位，即市、县区组织部门所在地区）"),
        ("bold", "其中：有敢抓敢管说明", True,
         "上述排名人次中，评价人写明因敢抓敢管、不怕得罪人而排名靠后的情况（敢抓敢管说明）的人次；评定年度考核等次时提示，"
         f"公正评定（{ZHEJIANG_OPINION}，浙江省委组织部答记者问第四问）")):
    figure(key=f"rankings_{key}", section="assessment", label=label, kind="rankings",
           url_name="assessment:ranking_list", optional=bold,
           definition=f"{text}。依据：{RANKING_RULE}。",
           condition=lambda p, t, b=bold: ranking_entry_filter_q(year=p.year, quarter=p.quarter, bold=b),
           params=lambda p, b=bold: {"year": p.year, **({"quarter": p.quarter} if p.quarter else {}),
                                     **({"bold": 1} if b else {})})

# ------------------------------------------------------------------------------ 选拔

figure(key="priorities_all", section="selection", label="登记优先提拔使用情形", kind="priorities",
       url_name="assessment:priority_list",
       definition="期间内登记的优先提拔使用情形（《张家口市激励干部担当干事的规定》第三条及附件1）条数。",
       condition=lambda p, t: priority_filter_q(since=p.start, until=p.end), params=_dates)
SITUATION_SHORT = re.compile(r"第三条（.）|附件1第\d+项")
for code, name in PRIORITY_SITUATIONS:
    # "第三条（一）" or "附件1第4项" as the label; the whole situation in the definition.
    figure(key=f"priorities_{code}", section="selection", label="其中：" + SITUATION_SHORT.match(name)[0],
           kind="priorities", url_name="assessment:priority_list", definition=f"期间内登记的“{name}”条数。",
           optional=True,
           condition=lambda p, t, c=code: priority_filter_q(situation=c, since=p.start, until=p.end),
           params=lambda p, c=code: {"situation": c, **_dates(p)})

RESEARCH_SHARE = f"{RESEARCH_REPORT}以优先提拔使用人数及其占提拔总数的比例反映激励导向"
figure(key="promotions_made", section="selection", label="提拔（职务职级晋升）", kind="promotions",
       url_name="assessment:promotion_list",
       definition=("期间内新任职务职级高于原职级的干部人次（按任职时间；单位为新任职单位，调动后仍计入作出提拔的单位）。"
                   "登记任职经历时由系统自动形成提拔记录。"),
       condition=lambda p, t: promotion_filter_q(since=p.start, until=p.end), params=_dates)
figure(key="promotions_priority", section="selection", label="其中有优先提拔使用情形", kind="promotions",
       url_name="assessment:promotion_list",
       definition=("期间内的提拔中，任职当日提拔人选研判列出至少一项优先提拔使用情形（第三条及附件1登记的情形、连续两年考核优秀或"
                   "获省级以上表彰、县级机关提拔副科级以上领导干部时3年以上乡镇工作经历）的人次；情形按任职当日留存，此后变化不影响统计。"),
       condition=lambda p, t: promotion_filter_q(since=p.start, until=p.end, priority=True),
       params=lambda p: {"priority": "on", **_dates(p)})
figure(key="promotions_priority_share", section="selection", label="优先提拔使用占提拔总数（%）", kind="promotions",
       url_name="assessment:promotion_list", ratio=("promotions_priority", "promotions_made"),
       definition=(f"“其中有优先提拔使用情形”人次除以“提拔（职务职级晋升）”人次，以百分比表示，保留一位小数；期间内没有提拔的不计算。"
                   f"{RESEARCH_SHARE}。"),
       condition=lambda p, t: Q(), params=lambda p: {"priority": "on", **_dates(p)})

for block in TARGET_FREE_BLOCKS:
    figure(key=f"blocked_{block.name}", section="selection", label=f"当前暂不能提名：{block.label}",
           kind="candidates", url_name="assessment:shortlist", live=True,
           definition=(f"今天因“{block.label}”暂不能列入提拔人选的在职干部人数（实时数，不分期间；单位为干部现所在单位；"
                       "同一干部有几种原因的，在每种原因下各计一次）。任职资格（逐级提拔、任职年限等）取决于拟任职级，"
                       "在“提拔人选研判”中按拟任职级研判，不在此统计。"),
           condition=lambda p, t, b=block.name: shortlist_block_q(b, on=t),
           params=lambda p, b=block.name: {"target_rank": Rank.ZHENG_TING.value, "show": "blocked", "block": b})

ZHANGJIAKOU = "《张家口市激励干部担当干事的规定》"
for name, label, kind, county, basis in (
        ("two_excellent", "当前优先情形：连续两年年度考核优秀", "candidates", False,
         f"近两个考核年度内连续两年年度考核为优秀等次（{RESEARCH_REPORT}：对连续两年年度考核“优秀”等次的领导干部，"
         "按照组织程序优先提拔重用）"),
        ("township", f"当前优先情形：{TOWNSHIP_YEARS}年以上乡镇工作经历", "county_candidates", True,
         f"乡镇工作经历满{TOWNSHIP_YEARS}年（按整年计）（{ZHANGJIAKOU}第十二条第四项：县级机关提拔副科级以上领导干部，"
         f"优先考虑具有{TOWNSHIP_YEARS}年以上乡镇工作经历的干部；只在县（区）及其下级单位统计，县级以上为0）")):
    figure(key=f"shortlist_{name}", section="selection", label=label, kind=kind, url_name="assessment:shortlist",
           live=True,
           definition=(f"今天在提拔人选研判中具有“{basis}”这一优先情形的在职干部人数（不论是否暂不能提名；实时数，不分期间；"
                       "单位为干部现所在单位）。按系统计算，不需登记。"),
           condition=lambda p, t, n=name, c=county: shortlist_priority_q(n, on=t, county=c),
           params=lambda p, n=name: {"target_rank": Rank.ZHENG_TING.value, "priority": n})

# ------------------------------------------------------------------------------ 关心关爱

figure(key="concerns_raised", section="care", label="干部提出诉求", kind="concerns", url_name="care:concern_list",
       definition="期间内干部在谈心谈话、走访或“说说心里话”中提出并登记的诉求数（按提出日期）。",
       condition=lambda p, t: concern_filter_q(since=p.start, until=p.end), params=_dates)
figure(key="concerns_on_time", section="care", label="诉求按期答复", kind="concerns", url_name="care:concern_list",
       definition="期间内提出的诉求中，在答复期限当日或之前答复的数量。",
       condition=lambda p, t: concern_filter_q(on_time=True, since=p.start, until=p.end),
       params=lambda p: {"on_time": "on", **_dates(p)})
figure(key="concerns_overdue", section="care", label="当前诉求超期未答复", kind="concerns",
       url_name="care:concern_list", live=True,
       definition="今天仍未答复、且已超过答复期限的诉求数（实时数，不分期间）。",
       condition=lambda p, t: concern_filter_q(overdue=True, today=t), params=lambda p: {"overdue": "on"})
figure(key="follow_up_visits", section="care", label="回访教育", kind="visits", url_name="care:follow_up_list",
       definition="期间内对受处分（处理）干部开展的回访教育次数（按回访日期）。",
       condition=lambda p, t: date_between("date", p.start, p.end),
       params=lambda p: {"show": "done", **_dates(p)})
for state, label, text in (
        (FollowUpState.OVERDUE, "当前回访已到期未开展", "今天已过应回访日期、尚未开展回访的受处分（处理）干部人次"),
        (FollowUpState.DUE, "近期应回访", f"今后{FOLLOW_UP_DUE_SOON_DAYS}天内到回访日期的受处分（处理）干部人次")):
    figure(key=f"follow_ups_{state}", section="care", label=label, kind="follow_ups", url_name="care:follow_up_list",
           live=True,
           definition=(f"{text}（按处分在影响期内、按回访间隔计算的应回访日期；实时数，不分期间；"
                       "单位为干部现所在单位）。"),
           condition=lambda p, t, s=state: follow_up_state_q(s, t), params=lambda p, s=state: {"state": s})

figure(key="consultations_held", section="care", label="开展“向组织说说心里话”活动", kind="consultations",
       url_name="care:consultation_list", annual=True,
       definition=(f"该年度各单位开展“向组织说说心里话”活动的次数（按开展日期；单位为开展单位；选择季度时按全年计）。依据：{ZHEJIANG_OPINION}"
                   "（浙江省委组织部答记者问第八问：每年开展一次“向组织说说心里话”活动）。"),
       condition=lambda p, t: Q(held_on__year=p.year), params=lambda p: {"year": p.year})
figure(key="consultations_unanswered", section="care", label="当前仍有反映未答复的活动", kind="consultations",
       url_name="care:consultation_list", live=True,
       definition="今天仍有干部反映的心里话未作答复的“说说心里话”活动数（实时数，不分期间；每条反映都应答复）。",
       condition=lambda p, t: consultation_unanswered_q(), params=lambda p: {"unanswered": "on"})

FIGURES_BY_KEY = {f.key: f for f in FIGURES}
assert len(FIGURES_BY_KEY) == len(FIGURES), "figure keys must be unique"


# ------------------------------------------------------------------------------ counting

@dataclass
class Value:
    figure: Figure
    value: int | float | None
    previous: int | float | None
    trend: list
    link: str

    @property
    def change(self) -> int | float | None:
        if self.previous is None or self.value is None:
            return None
        return round(self.value - self.previous, 1) if self.figure.ratio else self.value - self.previous

    @property
    def change_abs(self) -> str:
        if self.change is None:
            return "—"
        return f"{abs(self.change):.1f}个百分点" if self.figure.ratio else str(abs(self.change))

    @property
    def shown(self) -> str:
        return _shown(self.value, self.figure)

    @property
    def previous_shown(self) -> str:
        return _shown(self.previous, self.figure)


def _shown(value, f: Figure) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}%" if f.ratio else str(value)


def _share(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


@dataclass
class Section:
    key: str
    title: str
    values: list[Value] = field(default_factory=list)
    trend_labels: list[str] = field(default_factory=list)

    def chart(self) -> dict:
        """Data for the trend chart (Chart.js): the period's figures over the trend years,
        the figures that are still zero throughout left out."""
        shown = [v for v in self.values if not v.figure.live and not v.figure.ratio and any(v.trend)]
        return {"labels": self.trend_labels,
                "datasets": [{"label": v.figure.label, "data": v.trend} for v in shown[:8]]}


def _periods_of(f: Figure, periods: list[Period]) -> list[Period]:
    """A live figure has today's value only; a breakdown row (optional) this period's and
    last year's, without a trend: fewer conditions to count."""
    return periods[:1] if f.live else periods[:2] if f.optional else periods


def figure_counts(*, user, unit: Unit, periods: list[Period], today: datetime.date,
                  figures: list[Figure]) -> dict[str, int]:
    """The counts behind figure_values: one query per record kind."""
    counts: dict[str, int] = {}
    settings: dict = {}
    for kind_name, kind in KINDS.items():
        aggregates = {}
        for f in figures:
            if f.kind != kind_name or f.ratio:
                continue
            for i, p in enumerate(_periods_of(f, periods)):
                aggregates[f"{f.key}__{i}"] = Count("pk", filter=f.q(p, today, settings))
        if aggregates:
            counts.update(kind.base(user, unit).aggregate(**aggregates))
    return counts


def _periods(period: Period, trend: bool) -> list[Period]:
    return [period.shifted(-i) for i in range(TREND_YEARS if trend else 2)]


def _figures(only: set[str] | None) -> list[Figure]:
    return [f for f in FIGURES if only is None or f.key in only]


def period_counts(*, user, unit: Unit, period: Period, today: datetime.date, trend: bool = True,
                  only: set[str] | None = None) -> dict[str, int]:
    """figure_counts for figure_values with the same arguments (to be kept: plain numbers)."""
    return figure_counts(user=user, unit=unit, periods=_periods(period, trend), today=today, figures=_figures(only))


def figure_values(*, user, unit: Unit, period: Period, today: datetime.date, trend: bool = True,
                  only: set[str] | None = None, counts: dict[str, int] | None = None) -> list[Section]:
    """Every figure for the unit subtree and period, with last year's value and the trend;
    one query per record kind, none given `counts` (period_counts with the same arguments:
    the dashboard keeps them with its page, dashboard.selectors.kept_for)."""
    periods = _periods(period, trend)
    figures = _figures(only)
    if counts is None:
        counts = figure_counts(user=user, unit=unit, periods=periods, today=today, figures=figures)
    sections = {key: Section(key, title, trend_labels=[p.short_label for p in reversed(periods)])
                for key, title in SECTIONS}
    for f in figures:
        if f.ratio:
            num, den = f.ratio
            history = [_share(counts.get(f"{num}__{i}", 0), counts.get(f"{den}__{i}", 0))
                       for i in range(len(_periods_of(f, periods)))]
        else:
            history = [counts[f"{f.key}__{i}"] for i in range(len(_periods_of(f, periods)))]
        sections[f.section].values.append(Value(
            figure=f, value=history[0], previous=None if f.live else history[1],
            trend=list(reversed(history)) if len(history) == len(periods) else [], link=f.link(unit, period)))
    return [s for s in sections.values() if s.values]
