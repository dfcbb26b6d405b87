"""Demo and benchmark data: a realistic city, the demo users of every role, and any number
of cadres built in batches (with history rows, as every write path must leave)."""
import datetime
import random

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cadres.models import (
    AchievementRecord,
    AchievementSource,
    Cadre,
    CadreStatus,
    Commendation,
    CommendationKind,
    CommendationLevel,
    EducationLevel,
    FamilyMember,
    MeasureKind,
    PoliticalStatus,
    Posting,
    Rank,
    Sanction,
    SanctionType,
    Sex,
    SupervisionMeasure,
    Tag,
    Unit,
    UnitKind,
)
from cadres.selectors import id_numbers_filter
from cadres.services import jurisdiction_grant
from cadres.validators import id_number_checksum
from core.passwords import mark_set_by_user
from core.roles import Role

DEMO_PASSWORD = "Dandang@2026"
CITY = "张垣市"
COUNTIES = ["清河县", "青山区", "云台县", "白石县", "龙泉县", "丰源县", "安平县", "宁远县", "长乐县", "永和县"]
TOWNSHIP_NAMES = ["城关镇", "东城镇", "西河乡", "南山镇", "北岭乡", "柳林镇", "杏花乡", "石桥镇", "桃园乡",
                  "新村镇", "黄土梁乡", "马营镇", "大营乡", "古城镇", "永宁镇"]
DEPARTMENTS = ["县委办公室", "县政府办公室", "县委组织部", "县发展和改革局", "县财政局", "县教育局",
               "县农业农村局", "县自然资源局", "县住房和城乡建设局", "县卫生健康局"]
CITY_DEPARTMENTS = ["市委办公室", "市政府办公室", "市委组织部", "市发展和改革委员会", "市财政局", "市国资委"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌辉鹏宇浩凯晨雪婷晓东海波峰俊"
TOWNSHIP_POSITIONS = [("党委书记", Rank.ZHENG_KE), ("镇长", Rank.ZHENG_KE), ("党委副书记", Rank.FU_KE),
                      ("副镇长", Rank.FU_KE), ("纪委书记", Rank.FU_KE), ("组织委员", Rank.FU_KE),
                      ("一级主任科员", Rank.YIJI_ZHUREN), ("科员", Rank.KEYUAN)]
DEPARTMENT_POSITIONS = [("局长", Rank.ZHENG_KE), ("副局长", Rank.FU_KE), ("办公室主任", Rank.FU_KE),
                        ("二级主任科员", Rank.ERJI_ZHUREN), ("四级主任科员", Rank.SIJI_ZHUREN), ("科员", Rank.KEYUAN)]
CITY_POSITIONS = [("部长", Rank.ZHENG_CHU), ("副部长", Rank.FU_CHU), ("处长", Rank.ZHENG_KE),
                  ("一级调研员", Rank.YIJI_DIAOYANYUAN), ("科员", Rank.KEYUAN)]
TAGS = ["优秀年轻干部", "后备干部", "女干部", "少数民族干部", "选调生"]
FAMILY_WORK = ["县第一中学教师", "县人民医院医生", "个体经营", "务农", "县供电公司职工", "退休", "在读学生"]
ACHIEVEMENTS = ["完成重点项目年度投资任务", "牵头化解信访积案", "推进人居环境整治", "完成招商引资签约",
                "抓好防汛救灾工作", "推进乡村振兴示范村建设"]

# username, full name, role (None = the bootstrap superuser), unit names granted
DEMO_USERS = [
    ("admin", "初始化超级用户", None, None),
    # 三权分立: the three administrators, none of whom sees case contents.
    ("sysadmin", "市委组织部信息中心 周伟", Role.ADMIN, None),
    ("secadmin", "市委组织部保密办 吴芳", Role.SECURITY_ADMIN, None),
    ("auditor", "市委组织部机关纪委 郑丽", Role.AUDIT_ADMIN, None),
    ("city_staff", "市委组织部干部科 刘敏", Role.CADRE_SECTION, [CITY]),
    ("qinghe_staff", "清河县委组织部干部科 王强", Role.CADRE_SECTION, ["清河县"]),
    ("qingshan_staff", "青山区委组织部干部监督科 赵静", Role.SUPERVISION_SECTION, ["青山区"]),
    ("leader", "市委组织部副部长 陈建国", Role.LEADER, [CITY]),
    ("officer", "市纪委监委第三审查调查室 孙涛", Role.DISCIPLINE_OFFICER, []),
]


def build_city() -> list[Unit]:
    if Unit.objects.filter(depth=1, name=CITY).exists():
        return list(Unit.objects.all())
    city = Unit.add_root(name=CITY, kind=UnitKind.CITY)
    for name in CITY_DEPARTMENTS:
        city.add_child(name=name, kind=UnitKind.DEPARTMENT)
    for county_name in COUNTIES:
        city.refresh_from_db()
        county = city.add_child(name=county_name, kind=UnitKind.COUNTY)
        for name in TOWNSHIP_NAMES:
            county.refresh_from_db()
            county.add_child(name=name, kind=UnitKind.TOWNSHIP)
        for name in DEPARTMENTS:
            county.refresh_from_db()
            prefix = "区" if county_name.endswith("区") else "县"
            county.add_child(name=name.replace("县", prefix, 1), kind=UnitKind.DEPARTMENT)
    return list(Unit.objects.all())


def build_users() -> list[tuple[str, str, str]]:
    rows = []
    for username, full_name, role, unit_names in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.first_name = full_name
            user.email = f"{username}@example.gov.cn"
            user.set_password(DEMO_PASSWORD)
            # The documented demo password meets the policy; demo users are not forced to change it.
            mark_set_by_user(user)
            user.is_staff = role in (None, Role.ADMIN)  # the admin site: superuser and 系统管理员
            user.is_superuser = role is None
            user.save()
            if role:
                user.groups.add(Group.objects.get(name=role))
            for name in unit_names or []:
                jurisdiction_grant(user=user, unit=Unit.objects.get(name=name, depth__lte=2))
        rows.append((username, DEMO_PASSWORD, f"{full_name}（{role or '超级用户'}）"))
    return rows


def _id_number(index: int, birth: datetime.date) -> str:
    region = f"{130701 + index // 1_000_000:06d}"
    first17 = f"{region}{birth:%Y%m%d}{(index // 1000) % 1000:03d}"[:17]
    return first17 + id_number_checksum(first17)


def _positions_for(unit: Unit):
    if unit.kind == UnitKind.TOWNSHIP:
        return TOWNSHIP_POSITIONS
    if unit.depth == 2 and unit.kind == UnitKind.DEPARTMENT:
        return CITY_POSITIONS
    return DEPARTMENT_POSITIONS


def _family_of(cadre: Cadre, rng: random.Random) -> list[FamilyMember]:
    """Spouse, a child or two and sometimes a parent, as the appointment form lists them."""
    surname = cadre.name[0]
    members = [FamilyMember(cadre=cadre, relation="妻子" if cadre.sex == Sex.MALE else "丈夫",
                            name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                            birth_date=cadre.birth_date + datetime.timedelta(days=rng.randint(-900, 900)),
                            political_status=rng.choice(PoliticalStatus.values), work_unit_post=rng.choice(FAMILY_WORK))]
    for _ in range(rng.choice((1, 1, 2))):
        members.append(FamilyMember(cadre=cadre, relation=rng.choice(("儿子", "女儿")), name=surname + rng.choice(GIVEN),
                                    birth_date=cadre.birth_date + datetime.timedelta(days=rng.randint(9000, 12000)),
                                    political_status=PoliticalStatus.NONE, work_unit_post=rng.choice(FAMILY_WORK)))
    if rng.random() < 0.4:
        members.append(FamilyMember(cadre=cadre, relation="父亲", name=surname + rng.choice(GIVEN) + rng.choice(GIVEN),
                                    birth_date=cadre.birth_date - datetime.timedelta(days=rng.randint(8000, 11000)),
                                    political_status=PoliticalStatus.NONE, work_unit_post="退休"))
    return members


def _quarter_before(day: datetime.date, back: int) -> tuple[int, int]:
    """(year, quarter) `back` quarters before the quarter of `day`."""
    index = day.year * 4 + (day.month - 1) // 3 - back
    return index // 4, index % 4 + 1


def build_cadres(count: int, *, by, seed: int = 2026, batch_size: int = 2000, log=print) -> int:
    """Create `count` cadres (in batches) with a career of postings, family members, recent
    achievement records and, for some, commendations, sanctions, supervision measures and
    tags: about seven related rows per cadre, twice that with their history. Returns the
    number created."""
    rng = random.Random(seed)
    units = [u for u in Unit.objects.all() if u.kind in (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT)]
    townships = [u for u in units if u.kind == UnitKind.TOWNSHIP]
    departments = [u for u in units if u.kind == UnitKind.DEPARTMENT]
    sanction_types = list(SanctionType.objects.all())
    tags = [Tag.objects.get_or_create(name=n)[0] for n in TAGS]
    start_index = Cadre.objects.count() + 1
    today = timezone.localdate()
    created = 0
    for batch_start in range(0, count, batch_size):
        size = min(batch_size, count - batch_start)
        cadres, first_postings = [], []
        for offset in range(size):
            i = start_index + batch_start + offset
            unit = rng.choice(units)
            position, rank = rng.choice(_positions_for(unit))
            birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=(i * 37) % (365 * 33))
            since = today - datetime.timedelta(days=rng.randint(60, 3000))
            # A third held an earlier township post, which counts toward township years.
            earlier = None
            if rng.random() < 0.35:
                e_start = since - datetime.timedelta(days=rng.randint(400, 2500))
                earlier = (rng.choice(townships), e_start, since - datetime.timedelta(days=1))
            closed = (earlier[2] - earlier[1]).days + 1 if earlier else 0
            anchor = since - datetime.timedelta(days=closed) if unit.kind == UnitKind.TOWNSHIP else None
            cadres.append(Cadre(
                name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))),
                sex=rng.choice((Sex.MALE, Sex.MALE, Sex.FEMALE)),
                birth_date=birth,
                id_number=_id_number(i, birth),
                political_status=rng.choice((PoliticalStatus.PARTY,) * 8 + (PoliticalStatus.NONE, PoliticalStatus.DEMOCRATIC)),
                party_join_date=birth + datetime.timedelta(days=365 * 22),
                work_start_date=birth + datetime.timedelta(days=365 * 22 + 180),
                native_place=rng.choice(["河北张家口", "河北保定", "山西大同", "河北石家庄", "内蒙古乌兰察布"]),
                fulltime_education=rng.choice((EducationLevel.BACHELOR,) * 3 + (EducationLevel.MASTER, EducationLevel.COLLEGE)),
                unit=unit, position=position, rank=rank, position_since=since, rank_since=since,
                status=CadreStatus.ACTIVE if rng.random() < 0.95 else CadreStatus.RETIRED,
                is_team_member=rank in (Rank.ZHENG_KE, Rank.FU_KE, Rank.ZHENG_CHU, Rank.FU_CHU),
                is_main_leader=position in ("党委书记", "局长", "部长"),
                township_days_closed=closed if unit.kind != UnitKind.TOWNSHIP else 0,
                township_anchor=anchor,
            ))
            first_postings.append((unit, position, rank, since, earlier))
        with transaction.atomic():
            cadres = bulk_create_with_history(cadres, Cadre, batch_size=batch_size, default_user=by)
            if not cadres[0].pk:  # backends without RETURNING: read the keys back
                ids = dict(Cadre.objects.filter(id_numbers_filter([c.id_number for c in cadres]))
                           .values_list("id_number", "id"))
                for c in cadres:
                    c.pk = c.id = ids[c.id_number]
            postings, related = [], {Commendation: [], Sanction: [], SupervisionMeasure: [], FamilyMember: [],
                                 AchievementRecord: []}
            tag_links = []
            for cadre, (unit, position, rank, since, earlier) in zip(cadres, first_postings):
                postings.append(Posting(cadre=cadre, unit=unit, position=position, rank=rank, start_date=since))
                if earlier:
                    postings.append(Posting(cadre=cadre, unit=earlier[0], position="副镇长", rank=Rank.FU_KE,
                                            start_date=earlier[1], end_date=earlier[2], note="交流任职"))
                # Earlier posts away from townships: they add career history but no township years.
                first_start = earlier[1] if earlier else since
                for _ in range(rng.choice((0, 1, 1, 2)) if departments else 0):
                    end = first_start - datetime.timedelta(days=1)
                    first_start = end - datetime.timedelta(days=rng.randint(700, 2200))
                    postings.append(Posting(cadre=cadre, unit=rng.choice(departments), position="科员", rank=Rank.KEYUAN,
                                            start_date=first_start, end_date=end, note="调动"))
                related[FamilyMember].extend(_family_of(cadre, rng))
                for quarter_back in range(rng.choice((0, 1, 2, 3, 4))):
                    year, quarter = _quarter_before(today, quarter_back + 1)
                    related[AchievementRecord].append(AchievementRecord(
                        cadre=cadre, year=year, quarter=quarter, description=rng.choice(ACHIEVEMENTS),
                        source=rng.choice(AchievementSource.values), recorded_by=by))
                if rng.random() < 0.5:
                    related[Commendation].append(Commendation(
                        cadre=cadre, kind=rng.choice(CommendationKind.values), level=rng.choice(CommendationLevel.values),
                        title=rng.choice(["年度考核优秀嘉奖", "脱贫攻坚先进个人", "担当作为好干部", "优秀共产党员"]),
                        date=today - datetime.timedelta(days=rng.randint(30, 2000)), issuer="中共张垣市委"))
                if rng.random() < 0.06:
                    st = rng.choice(sanction_types)
                    s = Sanction(cadre=cadre, sanction_type=st, matter=rng.choice(
                        ["违规发放津补贴", "落实安全生产责任不力", "违反中央八项规定精神", "工作失职造成损失"]),
                        decided_by="县纪委监委", decision_date=today - datetime.timedelta(days=rng.randint(30, 1500)))
                    s.influence_end = s.decision_date + relativedelta(months=st.influence_months)
                    related[Sanction].append(s)
                if rng.random() < 0.1:
                    related[SupervisionMeasure].append(SupervisionMeasure(
                        cadre=cadre, kind=rng.choice(MeasureKind.values),
                        date=today - datetime.timedelta(days=rng.randint(10, 900)),
                        issue=rng.choice(["群众反映工作作风问题", "年度考核排名靠后", "信访件反映问题"]), by_whom="县委组织部"))
                if rng.random() < 0.15:
                    tag_links.append(Cadre.tags.through(cadre_id=cadre.pk, tag_id=rng.choice(tags).pk))
            bulk_create_with_history(postings, Posting, batch_size=batch_size, default_user=by)
            for model, rows in related.items():
                if rows:
                    bulk_create_with_history(rows, model, batch_size=batch_size, default_user=by)
            Cadre.tags.through.objects.bulk_create(tag_links, batch_size=batch_size)
        created += size
        if count > batch_size:
            log(f"  已生成 {created}/{count} 名干部")
    return created
