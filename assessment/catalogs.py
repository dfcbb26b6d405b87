"""Rule sets shipped with the product, loaded by a data migration and editable in admin.

- Grade caps: the Xianyang interview rules (seed 004, 《咸阳建立干部经常性约谈机制》) plus the
  influence-period rule of DESIGN §3. Loaded as the default set (no unit: it applies wherever
  no jurisdiction has entered its own).
- 优秀 quota: 20 % normally, never above 25 % (《公务员考核规定》, DESIGN §3), per unit type.
- Priority-promotion situations: seed 002 art. 3 and annex 1 (Zhangjiakou).
"""
import datetime

XIANYANG_SOURCE = "陕组信息（2015-04-20）《咸阳建立干部经常性约谈机制》（seed 004）"

# subject, trigger, min_count, allowed grades, citation
XIANYANG_CAPS = {
    "title": "咸阳市领导班子和领导干部约谈办法（试行）· 考核等次限制",
    "issuing_body": "中共咸阳市委组织部",
    "effective_from": datetime.date(2015, 4, 20),
    "source": XIANYANG_SOURCE,
    "rules": [
        ("cadre", "cadre_interviews", 1, ["称职", "基本称职", "不称职"],
         "领导干部当年被约谈的，年度考核中不能评为优秀等次。"),
        ("cadre", "cadre_interviews", 2, ["基本称职", "不称职"],
         "领导干部当年被约谈2次以上的，直接评为“基本称职”或“不称职”等次。"),
        ("team", "team_interviews", 2, ["较好", "一般", "较差"],
         "对领导班子当年被约谈2次的，年度目标责任考核中被考核单位不得评为“优秀”等次（班子不得评为“好”）。"),
        ("main_leader", "team_interviews", 2, ["称职", "基本称职", "不称职"],
         "对领导班子当年被约谈2次的，单位主要负责人不得评为“优秀”等次。"),
        ("team", "team_interviews", 3, ["一般", "较差"],
         "领导班子当年被约谈3次以上的，被考核单位直接评为“一般”或“较差”等次。"),
        ("cadre", "influence_period", 1, ["称职", "基本称职", "不称职"],
         "考核基准日处于处分影响期内的，年度考核不得评为优秀等次（《中国共产党纪律处分条例》《中华人民共和国公职人员政务处分法》关于处分影响期的规定）。"),
    ],
}

QUOTA_CITATION = "《公务员考核规定》：优秀等次人数一般掌握在参加年度考核人数的20%以内，最多不超过25%。"
DEFAULT_NORMAL_PERCENT = 20
DEFAULT_CEILING_PERCENT = 25

# Seed 002 art. 3 (five situations) and annex 1 (thirteen concrete situations; item 14 only
# says the list is adjusted over time, so it is not a situation of its own).
PRIORITY_SITUATIONS = [
    ("art3-1", "第三条（一）深入学习习近平新时代中国特色社会主义思想，在“做实”上成绩显著"),
    ("art3-2", "第三条（二）中心任务、重点工作受到上级批示肯定、表彰奖励，全国有影响、全省有名次、全市排前列"),
    ("art3-3", "第三条（三）在关键时刻、重大任务、突发性事件中不怕风险、敢于担当"),
    ("art3-4", "第三条（四）因敢抓敢管、敢闯敢试遭遇挫折失误、受到非议，经组织考察确实优秀"),
    ("art3-5", "第三条（五）其他实绩突出、群众公认"),
    ("annex1-1", "附件1第1项 学习贯彻习近平新时代中国特色社会主义思想成效明显"),
    ("annex1-2", "附件1第2项 冬奥会筹办中作出突出贡献"),
    ("annex1-3", "附件1第3项 环境保护、生态建设成效显著"),
    ("annex1-4", "附件1第4项 精准扶贫工作实绩突出"),
    ("annex1-5", "附件1第5项 招商引资、产业结构调整成效显著"),
    ("annex1-6", "附件1第6项 城乡建设管理成效显著"),
    ("annex1-7", "附件1第7项 综治维稳、化解信访问题成效显著"),
    ("annex1-8", "附件1第8项 安全生产表现突出"),
    ("annex1-9", "附件1第9项 全面深化改革取得突破"),
    ("annex1-10", "附件1第10项 组织工作取得显著成效"),
    ("annex1-11", "附件1第11项 宣传工作成效显著"),
    ("annex1-12", "附件1第12项 全面从严治党、党风廉政建设名列前茅"),
    ("annex1-13", "附件1第13项 其他实绩突出、成效显著"),
]
# Art. 3(4) needs the organization's finding that the cadre is truly excellent; no tolerance
# ruling is needed (DESIGN §3).
BOLD_WORK_SITUATION = "art3-4"


def load_default_rules(policy_model=None, rule_model=None, quota_model=None) -> None:
    """Load the Xianyang caps as the default set and the quota for every unit type; safe to
    run again. The data migration passes its historical models; demo data and tests call it
    with none (the current models)."""
    if policy_model is None:
        from assessment.models import GradeCapPolicy as policy_model
        from assessment.models import GradeCapRule as rule_model
        from assessment.models import QuotaRule as quota_model
    from cadres.models import UnitKind

    policy, _ = policy_model.objects.get_or_create(
        title=XIANYANG_CAPS["title"], unit=None,
        defaults={k: XIANYANG_CAPS[k] for k in ("issuing_body", "effective_from", "source")})
    for number, (subject, trigger, min_count, allowed, citation) in enumerate(XIANYANG_CAPS["rules"], start=1):
        rule_model.objects.get_or_create(policy=policy, number=number, defaults={
            "subject": subject, "trigger": trigger, "min_count": min_count, "allowed_grades": allowed,
            "citation": citation})
    for kind in UnitKind.values:
        quota_model.objects.get_or_create(unit_kind=kind, defaults={
            "normal_percent": DEFAULT_NORMAL_PERCENT, "ceiling_percent": DEFAULT_CEILING_PERCENT,
            "citation": QUOTA_CITATION})
