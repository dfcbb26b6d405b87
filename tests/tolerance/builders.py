"""Cases built through the real services, to any stage."""
import datetime

from tests.factories import sanction_type
from tolerance import services
from tolerance.management.commands.load_policy_catalogs import load_catalog
from tolerance.models import ClauseKind, Outcome, Stage

D = datetime.date


def load_policy(world, catalog="zhangjiakou", unit=None):
    return load_catalog(catalog, unit or world.city)


def answers_for(case_cadre, *, conditions=True, situation=1, exclusion=None, evidence="调查笔录"):
    answers = {}
    for item in case_cadre.checklist.select_related("clause"):
        kind, n = item.clause.kind, item.clause.number
        if kind == ClauseKind.CONDITION:
            met = conditions is True or (conditions is not False and n not in conditions)
            answers[item.pk] = (met, evidence if met else "")
        elif kind == ClauseKind.SITUATION:
            answers[item.pk] = (n == situation, "")
        else:
            answers[item.pk] = (n == exclusion, "")
    return answers


def file_case(world, *, cadres=None, by=None, error_date=D(2026, 3, 1), **entry):
    cadres = cadres or [world.cadre_a]
    return services.case_file(
        by=by or world.users["staff_a"], title="防汛物资调拨问责事项", unit=cadres[0].unit,
        cadres=[{"cadre": c, **entry} for c in cadres], matter="紧急调拨物资未履行审批",
        error_date=error_date, accountability_body="清河县纪委监委", origin="accountability")


def walk_case(world, to=Stage.DETERMINATION, *, outcome=Outcome.EXEMPT, checklist=None, **file_kwargs):
    """File a case for cadre A and walk it to the stage `to` (the stage it is then in)."""
    staff, officer = world.users["staff_a"], world.users["officer_assigned"]
    case = file_case(world, **file_kwargs)
    def investigate():
        for cc in case.case_cadres.all():
            services.checklist_record(case_cadre=cc, by=officer, answers=answers_for(cc, **(checklist or {})))
        services.case_finish_investigation(case=case, by=officer, reason="调查完毕")

    def consult():
        for cc in case.case_cadres.all():
            services.defence_record(case_cadre=cc, by=officer, statement="本人陈述", recorded_on=D(2026, 5, 1))
        services.case_record_consultation(case=case, by=staff, date=D(2026, 5, 2), bodies="纪委、组织部",
                                          minutes="纪要", proposed_outcome=outcome)

    steps = [
        (Stage.INVESTIGATION, lambda: services.case_start_investigation(
            case=case, by=staff, investigators=[officer], reason="联合调查")),
        (Stage.PRELIMINARY, investigate),
        (Stage.CONSULTATION, lambda: services.case_submit_preliminary_opinion(case=case, by=officer, opinion="建议免责")),
        (Stage.DETERMINATION, consult),
        (Stage.FEEDBACK, lambda: determine(world, case, outcome)),
        (Stage.FILING, lambda: services.case_record_feedback(
            case=case, by=staff, feedback_date=D(2026, 5, 12), method="送达", received_on=D(2026, 5, 13))),
        (Stage.CLOSED, lambda: services.case_record_filing(
            case=case, by=staff, discipline_on=D(2026, 5, 20), organization_on=D(2026, 5, 20),
            accountability_on=D(2026, 5, 21))),
    ]
    for stage, step in steps:
        if list(Stage.values).index(stage) > list(Stage.values).index(to):
            break
        step()
    case.refresh_from_db()
    return case


def determine(world, case, outcome, *, by=None, number="清容认〔2026〕1号", decided_on=D(2026, 5, 10)):
    final = sanction_type("政务处分", "警告") if outcome in (Outcome.LIGHTER, Outcome.REDUCED) else None
    return services.case_determine(
        case=case, by=by or world.users["leader"], decision_number=number, decided_on=decided_on,
        deciding_body="中共清河县委", reasons="依据条款", outcomes={cc.pk: (outcome, final) for cc in case.case_cadres.all()})


def receive_allegation(world, *, cadres=None, issue="违规发放津补贴", **kwargs):
    from tolerance import allegation_services

    return allegation_services.allegation_receive(
        by=world.users["staff_a"], source="信访", received_on=D(2026, 4, 1), subjects=cadres or [world.cadre_a],
        issue=issue, summary="反映其违规发放津补贴", reporter={"name": "王举报", "contact": "13800000000"}, **kwargs)


def verifying_allegation(world, **kwargs):
    from tolerance import allegation_services

    allegation = receive_allegation(world, **kwargs)
    return allegation_services.allegation_assign(allegation=allegation, by=world.users["staff_a"],
                                                 verifiers=[world.users["officer_assigned"]], deadline=D(2026, 5, 1))


def issuing_bodies():
    """The 发文机关代字 configured in admin (GB/T 9704 document numbers)."""
    from tolerance.models import IssuingBody

    for name, code in [("中共清河县纪委", "清纪澄"), ("中共青山区纪委", "青纪澄")]:
        IssuingBody.objects.get_or_create(name=name, defaults={"code": code})


def cleared_allegation(world, conclusion="false"):
    """An allegation on cadre A verified by officer_assigned, found false, with a notice."""
    from tolerance import allegation_services

    issuing_bodies()
    allegation = verifying_allegation(world)
    allegation_services.allegation_conclude(allegation=allegation, by=world.users["officer_assigned"],
                                            conclusion=conclusion, findings="经核查，所反映问题不存在",
                                            concluded_on=D(2026, 4, 20))
    notice = allegation_services.clarification_issue(
        allegation=allegation, by=world.users["staff_a"], cadre=world.cadre_a, form="notice", scope="城关镇全体干部",
        issuing_body="中共清河县纪委", alleged="违规发放津补贴", finding="反映问题失实", issued_on=D(2026, 4, 25))
    allegation.refresh_from_db()
    return allegation, notice
