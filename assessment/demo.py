"""Demo assessment data: the shipped rules; a staffed 城关镇 and 县财政局 in 清河县 with last
year's grades (a cap, an approved excess, a 不称职 told to the cadre); a team interview; a
priority situation; and this quarter's review with facts and two evaluators' rankings.
Safe to run again."""
import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from assessment import services
from assessment.catalogs import load_default_rules
from assessment.models import AssessmentYear, Grade, QuarterlyReview, TeamGrade
from assessment.selectors import quota_figures
from cadres.models import (
    Cadre,
    Commendation,
    MeasureKind,
    Rank,
    Sanction,
    SanctionType,
    SupervisionMeasure,
    Unit,
)
from cadres.services import cadre_create, cadre_record_add, posting_add
from cadres.validators import id_number_checksum

# name, position, rank, team member, main leader
TOWNSHIP_STAFF = [
    ("周建华", "党委书记", Rank.ZHENG_KE, True, True), ("吴立新", "镇长", Rank.ZHENG_KE, True, False),
    ("郑晓明", "党委副书记", Rank.FU_KE, True, False), ("王丽娟", "副镇长", Rank.FU_KE, True, False),
    ("冯志刚", "副镇长", Rank.FU_KE, True, False), ("陈海波", "纪委书记", Rank.FU_KE, True, False),
    ("褚文静", "组织委员", Rank.FU_KE, True, False), ("卫国强", "一级主任科员", Rank.YIJI_ZHUREN, False, False),
    ("蒋雪梅", "科员", Rank.KEYUAN, False, False), ("沈浩", "科员", Rank.KEYUAN, False, False),
    ("韩婷", "科员", Rank.KEYUAN, False, False), ("杨帆", "科员", Rank.KEYUAN, False, False),
]
BUREAU_STAFF = [
    ("朱明远", "局长", Rank.ZHENG_KE, True, True), ("秦晓燕", "副局长", Rank.FU_KE, True, False),
    ("尤建军", "副局长", Rank.FU_KE, True, False), ("许晨", "办公室主任", Rank.FU_KE, False, False),
    ("何敏", "二级主任科员", Rank.ERJI_ZHUREN, False, False), ("吕超", "四级主任科员", Rank.SIJI_ZHUREN, False, False),
    ("施磊", "科员", Rank.KEYUAN, False, False), ("张宇", "科员", Rank.KEYUAN, False, False),
    ("孔洋", "科员", Rank.KEYUAN, False, False), ("曹静", "科员", Rank.KEYUAN, False, False),
]
COUNTY_LEADERS = [("严正", "县委书记", Rank.ZHENG_CHU, True, True), ("华宏", "县长", Rank.ZHENG_CHU, True, False)]
SECRETARIES = [("东城镇", "金志远"), ("西河乡", "魏春生"), ("南山镇", "陶立军"), ("北岭乡", "姜红梅")]


def _staff(unit: Unit, people, by, serial: list) -> list[Cadre]:
    created = []
    for name, position, rank, team, main in people:
        serial[0] += 1
        birth = datetime.date(1975 + serial[0] % 20, 1 + serial[0] % 12, 1 + serial[0] % 27)
        first17 = f"130799{birth:%Y%m%d}{serial[0] % 1000:03d}"
        created.append(cadre_create(
            by=by, unit=unit, name=name, sex="女" if name[-1] in "娟静梅燕婷敏" else "男", birth_date=birth,
            work_start_date=datetime.date(birth.year + 22, 7, 1), party_join_date=datetime.date(birth.year + 21, 6, 1),
            id_number=first17 + id_number_checksum(first17), position=position, rank=rank,
            position_since=datetime.date(2019, 3, 1), is_team_member=team, is_main_leader=main,
            posting_start=datetime.date(2019, 3, 1)))
    return created


@transaction.atomic
def build_assessment_demo() -> None:
    load_default_rules()
    if AssessmentYear.objects.exists():
        return
    staff = User.objects.get(username="qinghe_staff")
    leader = User.objects.get(username="leader")
    county = Unit.objects.get(name="清河县", depth=2)
    township = Unit.objects.get(name="城关镇", path__startswith=county.path)
    bureau = Unit.objects.get(name="县财政局", path__startswith=county.path)
    today = timezone.localdate()
    year = today.year - 1
    serial = [0]

    town = _staff(township, TOWNSHIP_STAFF, staff, serial)
    office = _staff(bureau, BUREAU_STAFF, staff, serial)
    leaders = _staff(county, COUNTY_LEADERS, staff, serial)
    secretaries = [town[0]] + [
        _staff(Unit.objects.get(name=unit_name, path__startswith=county.path),
               [(name, "党委书记", Rank.ZHENG_KE, True, True)], staff, serial)[0]
        for unit_name, name in SECRETARIES]

    # Last year's record: an interview caps 冯志刚; a sanction's influence period caps 沈浩.
    cadre_record_add(record=SupervisionMeasure(cadre=town[4], kind=MeasureKind.INTERVIEW, date=datetime.date(year, 6, 3),
                                               issue="信访件办理不及时", by_whom="清河县委组织部"), by=staff)
    cadre_record_add(record=Sanction(cadre=town[9], sanction_type=SanctionType.objects.get(category="政务处分", name="记过"),
                                     matter="违规发放津补贴", decided_by="清河县纪委监委",
                                     decision_date=datetime.date(year, 9, 1)), by=staff)
    services.team_interview_record(unit=township, date=datetime.date(year, 5, 12), issue="落实安全生产责任不到位",
                                   by_whom="清河县委组织部", by=staff)

    # 城关镇: 12 assessed → 2 优秀 normally, 3 with approval.
    ay = services.assessment_year_open(unit=township, year=year, by=staff)
    figures = quota_figures(ay)
    if figures.normal_max < 3 <= figures.ceiling_max:  # with the 300 demo cadres: 13 assessed, 2 + 1
        approval = services.quota_excess_request(assessment_year=ay, excellent_count=3, by=staff,
                                                 reason="本镇全年完成防汛抢险和项目建设任务，实绩突出，申请增加1个优秀名额。")
        services.quota_excess_decide(approval=approval, approve=True, reason="同意，按不超过25%掌握。", by=leader)
    grades = {town[0].pk: Grade.EXCELLENT, town[2].pk: Grade.EXCELLENT, town[7].pk: Grade.EXCELLENT,
              town[4].pk: Grade.BASIC, town[11].pk: Grade.INCOMPETENT}
    services.grades_record_batch(assessment_year=ay, by=staff, team_grade=TeamGrade.FAIRLY_GOOD,
                                 rows=[{"cadre": c, "grade": grades.get(c.pk, Grade.COMPETENT), "remarks": ""}
                                       for c in town])
    weakest = ay.grades.get(cadre=town[11])
    services.grade_notify(grade=weakest, told_on=min(today, datetime.date(year + 1, 1, 15)), by=staff)

    # 县财政局: 10 assessed → 2 优秀; the third cadre is left for the demo's batch page.
    ay = services.assessment_year_open(unit=bureau, year=year, by=staff)
    services.grades_record_batch(assessment_year=ay, by=staff, team_grade=TeamGrade.GOOD, rows=[
        {"cadre": c, "grade": Grade.EXCELLENT if i < 2 else Grade.COMPETENT, "remarks": ""}
        for i, c in enumerate(office[:-1])])

    services.priority_record_add(
        cadre=town[2], situation="art3-4", facts="推进违建拆除触及固有利益，受到部分群众非议和信访。",
        organization_finding="经县委组织部专项考察，群众公认、实绩突出，确实优秀。", recorded_on=today, by=staff)
    cadre_record_add(record=Commendation(cadre=office[1], kind="记功", level="省级", title="全省财政工作先进个人",
                                         date=today.replace(day=1), issuer="河北省人民政府"), by=staff)
    cadre_record_add(record=SupervisionMeasure(cadre=town[5], kind=MeasureKind.REMINDER, date=today.replace(day=1),
                                               issue="工作作风", by_whom="清河县委组织部"), by=staff)

    # This quarter: open every department's review, collect, two evaluators rank the secretaries.
    services.quarterly_reviews_open(today)
    review = QuarterlyReview.objects.get(department=county, year=today.year, quarter=(today.month - 1) // 3 + 1)
    services.review_start_collecting(review=review, by=staff)
    services.information_item_add(review=review, cadre=town[0], source="frontline", date=today.replace(day=1),
                                  summary="防汛一线连续值守，组织转移群众 300 余人。", polarity="positive", by=staff)
    category = "乡镇（街道）党（工）委书记"
    orders = [secretaries, [secretaries[1], secretaries[0], secretaries[2], secretaries[4], secretaries[3]]]
    for evaluator, title, order in zip(leaders, ["县委书记", "县长"], orders):
        services.ranking_record(review=review, evaluator=evaluator, evaluator_title=title, category=category, by=staff,
                                entries=[(c, i, "推进征地拆迁敢抓敢管、不怕得罪人，测评靠后。" if c == secretaries[4] else "")
                                         for i, c in enumerate(order, start=1)])

    # Promotions this year, recorded with the postings: two with a priority reason on the day
    # (the art. 3(4) record, a provincial commendation) and one without.
    posting_add(cadre=town[2], by=staff, unit=township, position="人大主席", rank=Rank.ZHENG_KE, start_date=today,
                note="提拔")
    posting_add(cadre=office[1], by=staff, unit=bureau, position="党组副书记", rank=Rank.ZHENG_KE, start_date=today,
                note="提拔")
    posting_add(cadre=town[9], by=staff, unit=township, position="一级主任科员", rank=Rank.YIJI_ZHUREN,
                start_date=today, note="职级晋升")
