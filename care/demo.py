"""Demo care data in 清河县 (the demo staff member's jurisdiction): group and individual
activities, a confidential talk, concerns (one overdue), consultations with answered and
unanswered submissions, and a follow-up visit. Run again, it adds nothing."""
import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from cadres.models import Cadre, CadreStatus, RecordStatus, Sanction, Unit, UnitKind
from care import services
from care.defaults import load_defaults
from care.models import CareActivity, CareKind, ConcernCategory, ConsultationMode


def _in_year(today: datetime.date, days_ago: int) -> datetime.date:
    """A date `days_ago` before today, kept inside this year so the compliance view shows it."""
    return max(datetime.date(today.year, 1, 1), today - datetime.timedelta(days=days_ago))


def build_care_demo() -> None:
    load_defaults()
    if CareActivity.objects.exists():
        return
    staff = User.objects.get(username="qinghe_staff")
    leader = User.objects.get(username="leader")
    county = Unit.objects.get(name="清河县", depth=2)
    # The county's township cadres, those of the best-staffed township first.
    pool = list(Cadre.objects.filter(status=CadreStatus.ACTIVE, unit__path__startswith=county.path,
                                     unit__kind=UnitKind.TOWNSHIP).select_related("unit").order_by("unit__path", "id"))
    if len(pool) < 12:
        return  # too few cadres to show anything (demo_data builds 300 by default)
    by_unit = {}
    for cadre in pool:
        by_unit.setdefault(cadre.unit, []).append(cadre)
    town = max(by_unit, key=lambda u: (len(by_unit[u]), -len(u.path), u.path))
    pool.sort(key=lambda c: (c.unit != town, c.unit.path, c.pk))
    town_cadres = by_unit[town]
    today = timezone.localdate()
    last_year = datetime.date(today.year - 1, 11, 20)

    # A group health check: one activity for every cadre of the township.
    services.care_activity_record(
        by=staff, kind=CareKind.HEALTH_CHECK, date=_in_year(today, 90), cadres=pool[:-3], conducted_by=staff,
        title="全县乡镇干部年度集体体检", location="县人民医院体检中心", notes="在职乡镇干部参加，体检报告已反馈本人。")
    # Last year's check, to show counting by year.
    services.care_activity_record(
        by=staff, kind=CareKind.HEALTH_CHECK, date=last_year, cadres=pool, conducted_by=staff,
        title="上年度乡镇干部集体体检", location="县人民医院体检中心")
    # Talks by the county secretary with township cadres; one with a confidential note.
    secretary = pool[0]
    services.care_activity_record(
        by=staff, kind=CareKind.TALK, date=_in_year(today, 60), cadres=[secretary], conducted_by=leader,
        conductor_names="县委书记", title="年度谈心谈话", notes="谈工作思路和班子建设，思想稳定，干劲足。",
        follow_up_actions="协调县直部门支持镇里的项目用地。",
        confidential_note="本人反映配偶身体状况不佳，希望组织在工作安排上适当考虑，不愿让班子其他成员知道。",
        concern={"cadre": secretary, "category": ConcernCategory.WORK, "content": "希望增加镇农业技术岗位编制。",
                 "responder": "县委编办", "deadline": _in_year(today, 60) + datetime.timedelta(days=30)})
    services.care_activity_record(
        by=staff, kind=CareKind.TALK, date=_in_year(today, 45), cadres=pool[1:3], conducted_by=staff,
        conductor_names="县委组织部部长", title="新提任干部任职谈话", notes="明确岗位职责和廉政要求。")
    # A home visit with a concern raised in it.
    visited = pool[1]
    services.care_activity_record(
        by=staff, kind=CareKind.HOME_VISIT, date=_in_year(today, 20), cadres=[visited], conducted_by=staff,
        conductor_names="县委组织部副部长、镇党委书记", title="政治家访", location="干部家中",
        notes="了解家庭情况，家属支持其工作。", follow_up_actions="协调子女就近入学。",
        concern={"cadre": visited, "category": ConcernCategory.SCHOOLING, "content": "孩子明年上小学，希望就近入学。",
                 "responder": "县教育局", "deadline": today + datetime.timedelta(days=20)})
    # Hardship aid, leave, psychological assessment, departing-cadre care.
    services.care_activity_record(
        by=staff, kind=CareKind.HARDSHIP_AID, date=_in_year(today, 30), cadres=[pool[3]], conducted_by=staff,
        title="家属重病困难帮扶", amount=Decimal("5000.00"), fund="党内关怀帮扶基金", notes="家属患重病，家庭负担重。")
    services.care_activity_record(
        by=staff, kind=CareKind.LEAVE, date=_in_year(today, 100), cadres=pool[4:6], conducted_by=staff,
        title="优秀基层干部疗休养", days=5, location="省总工会疗休养基地")
    services.care_activity_record(
        by=staff, kind=CareKind.PSYCH_ASSESSMENT, date=_in_year(today, 75), cadres=pool[6:12], conducted_by=staff,
        title="乡镇干部心理健康测评", notes="测评结果已个别反馈，2人建议心理疏导。")
    retired = Cadre.objects.filter(unit__path__startswith=county.path, status=CadreStatus.RETIRED).first()
    if retired:
        services.care_activity_record(
            by=staff, kind=CareKind.DEPARTURE, date=_in_year(today, 15), cadres=[retired], conducted_by=staff,
            title="离任干部走访", notes="了解退休生活，听取对班子建设的意见。")
    # A follow-up visit to a sanctioned cadre still in the influence period.
    sanction = (Sanction.objects.filter(cadre__unit__path__startswith=county.path, status=RecordStatus.IN_FORCE,
                                        cadre__status=CadreStatus.ACTIVE,
                                        decision_date__lt=today - datetime.timedelta(days=30),
                                        influence_end__gt=today).select_related("cadre").first())
    if sanction:
        services.care_activity_record(
            by=staff, kind=CareKind.FOLLOW_UP, date=today - datetime.timedelta(days=10), cadres=[sanction.cadre],
            conducted_by=staff, conductor_names="县纪委监委、县委组织部", title="受处分干部回访教育",
            notes="本人认识到位，工作状态良好。")

    # 向组织说说心里话 (seed 000 Q8) in the township: answered, with a concern, and waiting.
    consultation = services.consultation_hold(
        by=staff, unit=town, title=f"{today.year}年{town.name}“向组织说说心里话”座谈会", held_on=_in_year(today, 40),
        mode=ConsultationMode.BOTH, organizer=f"{town.name}党委", notes="座谈会与书面征集相结合。")
    first = services.submission_record(
        consultation=consultation, by=staff, cadre=town_cadres[0], submitted_on=consultation.held_on,
        content="村里工作任务重，希望减少重复填报的表格。")
    services.submission_answer(submission=first, by=staff, answer="已梳理填报事项，合并报表6张，下月起执行。",
                               answered_on=consultation.held_on + datetime.timedelta(days=7))
    # The county's own consultation hears cadres of all its townships.
    county_consultation = services.consultation_hold(
        by=staff, unit=county, title=f"{today.year}年清河县乡镇干部“向组织说说心里话”书面征求意见",
        held_on=_in_year(today, 35), mode=ConsultationMode.WRITTEN, organizer="县委组织部")
    services.submission_record(
        consultation=county_consultation, by=staff, cadre=pool[-1], submitted_on=county_consultation.held_on,
        content="夫妻双方都在乡镇工作，住房困难。",
        concern={"category": ConcernCategory.HOUSING, "content": "申请乡镇周转房一套。", "responder": "县住房和城乡建设局",
                 "deadline": county_consultation.held_on + datetime.timedelta(days=15)})
    services.submission_record(
        consultation=county_consultation, by=staff, cadre=pool[-2], submitted_on=county_consultation.held_on,
        content="希望多组织到发达地区学习考察的机会。")
    services.submission_record(
        consultation=county_consultation, by=staff, cadre=pool[-3], submitted_on=county_consultation.held_on,
        content="年轻干部想找对象，工作忙没有机会认识人。",
        concern={"category": ConcernCategory.MARRIAGE, "content": "希望组织青年干部联谊活动。", "responder": "团县委",
                 "deadline": today + datetime.timedelta(days=10)})
    services.consultation_hold(
        by=staff, unit=county, title=f"{today.year - 1}年“向组织说说心里话”座谈会", held_on=last_year,
        mode=ConsultationMode.ORAL, organizer="县委组织部")
