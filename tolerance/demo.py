"""Demo tolerance data: the shipped policy catalogs and a few cases at different stages."""
import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from cadres.models import Cadre, CadreStatus, Unit
from tolerance import allegation_services, services
from tolerance.catalogs import DEFAULT_STAGE_DAYS
from tolerance.management.commands.load_policy_catalogs import load_catalog
from tolerance.models import IssuingBody, Outcome, StageDeadline, ToleranceCase


def build_tolerance_demo(*, city_name: str, daye_unit_name: str) -> None:
    load_catalog("zhangjiakou", Unit.objects.get(name=city_name, depth=1))
    # The Daye set stands in for a county's own policy, to show "nearest ancestor wins".
    load_catalog("daye", Unit.objects.get(name=daye_unit_name, depth=2))
    for stage, days in DEFAULT_STAGE_DAYS.items():
        StageDeadline.objects.get_or_create(stage=stage, defaults={"days": days})
    if ToleranceCase.objects.exists():
        return
    staff = User.objects.get(username="qinghe_staff")
    officer = User.objects.get(username="officer")
    leader = User.objects.get(username="leader")
    county = Unit.objects.get(name="清河县", depth=2)
    today = timezone.localdate()
    # Three cadres of three different townships, so each case is titled for its own unit; each
    # in post there before the matter of the case (the earliest, 120 days ago).
    cadres, seen = [], set()
    serving = Cadre.objects.filter(unit__path__startswith=county.path, status=CadreStatus.ACTIVE,
                                   position_since__lte=today - datetime.timedelta(days=130))
    for cadre in serving.filter(unit__kind="township").select_related("unit").order_by("unit__path", "pk"):
        if cadre.unit_id not in seen:
            cadres.append(cadre)
            seen.add(cadre.unit_id)
    cadres += list(serving.exclude(pk__in=[c.pk for c in cadres]).select_related("unit")[:max(0, 3 - len(cadres))])

    # 1. Just filed.
    services.case_file(
        by=staff, title=f"{cadres[0].unit.qualified_name}防汛物资调拨程序瑕疵问责事项", unit=cadres[0].unit,
        cadres=[{"cadre": cadres[0]}], matter="汛期紧急调拨防汛物资，未履行完整审批手续即先行调拨。",
        error_date=today - datetime.timedelta(days=40), accountability_body="清河县纪委监委", origin="accountability",
        losses_impact="未造成损失")
    # 2. Walked to closing with an exemption.
    case = services.case_file(
        by=staff, title=f"{cadres[1].unit.qualified_name}容缺受理企业开办手续失误事项", unit=cadres[1].unit,
        cadres=[{"cadre": cadres[1]}], matter="为服务企业实施容缺受理，后补材料不齐导致一家企业证照被撤回。",
        error_date=today - datetime.timedelta(days=120), accountability_body="清河县纪委监委", origin="application",
        losses_impact="企业延误开业十五日，已协调补救")
    services.case_start_investigation(case=case, by=staff, investigators=[officer], reason="纪委监委与组织部联合调查")
    cc = case.case_cadres.get()
    answers = {}
    for item in cc.checklist.select_related("clause"):
        if item.clause.kind == "condition":
            answers[item.pk] = (True, "调查笔录及会议纪要")
        elif item.clause.kind == "situation":
            answers[item.pk] = (item.clause.number == 6, "属容缺受理服务创新" if item.clause.number == 6 else "")
        else:
            answers[item.pk] = (False, "")
    services.checklist_record(case_cadre=cc, by=officer, answers=answers)
    services.case_finish_investigation(case=case, by=officer, reason="调查核实完毕，清单齐全")
    services.case_submit_preliminary_opinion(case=case, by=officer, opinion="符合容错条件和第6项容错情形，建议免责。")
    services.case_record_consultation(case=case, by=staff, date=today - datetime.timedelta(days=30),
                                      bodies="县纪委监委、县委组织部、县市场监管局", minutes="一致同意提请免责。",
                                      proposed_outcome=Outcome.EXEMPT)
    services.defence_record(case_cadre=cc, by=officer, statement="出于提高办事效率，愿意吸取教训。",
                            recorded_on=today - datetime.timedelta(days=29))
    services.case_determine(case=case, by=leader, decision_number="清容认〔%d〕1号" % today.year,
                            decided_on=today - datetime.timedelta(days=20), deciding_body="中共清河县委",
                            reasons="符合容错条件第1至6项及容错情形第6项，无不予容错情形。",
                            outcomes={cc.pk: (Outcome.EXEMPT, None)})
    # Walked today, dated as the paper file: filed ten days after the error, before its consultation.
    filed = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=110), datetime.time(9)))
    ToleranceCase.objects.filter(pk=case.pk).update(created_at=filed)
    case.history.update(created_at=filed)
    build_allegation_demo(staff=staff, officer=officer, cadres=cadres, today=today)


def build_allegation_demo(*, staff, officer, cadres, today):
    """One report still being verified (its subject screened from promotion) and one found
    false, with its clarification notice."""
    days = datetime.timedelta
    open_one = allegation_services.allegation_receive(
        by=staff, source="信访", received_on=today - days(10), subjects=[cadres[2]], issue="违规使用公车",
        summary="反映其节假日私用公车。", reporter={"name": "李某", "contact": "139****0000"})
    allegation_services.allegation_assign(allegation=open_one, by=staff, verifiers=[officer], deadline=today + days(20))
    IssuingBody.objects.get_or_create(name="中共清河县纪律检查委员会", defaults={"code": "清纪澄"})
    IssuingBody.objects.get_or_create(name="中共清河县委组织部", defaults={"code": "清组澄"})
    cleared = allegation_services.allegation_receive(
        by=staff, source="网络舆情", received_on=today - days(60), subjects=[cadres[1]], issue="收受企业礼品",
        summary="网帖称其在企业开办审批中收受礼品。", reporter={"anonymous": True})
    allegation_services.allegation_assign(allegation=cleared, by=staff, verifiers=[officer], deadline=today - days(30))
    allegation_services.allegation_conclude(allegation=cleared, by=officer, conclusion="false",
                                            findings="经调阅审批档案、询问相关企业，未发现收受礼品情况。",
                                            concluded_on=today - days(35))
    allegation_services.clarification_issue(
        allegation=cleared, by=staff, cadre=cadres[1], form="notice", scope=f"{cadres[1].unit}全体干部大会",
        issuing_body="中共清河县纪律检查委员会", alleged="网帖反映其在企业开办审批中收受礼品。",
        finding="经核查，反映问题失实。", issued_on=today - days(30))
