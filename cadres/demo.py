"""Demo and benchmark data: a realistic city, the demo users of every role, and any number
of cadres built in batches (with history rows, as every write path must leave)."""
import calendar
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
# Given names by sex, as Chinese parents give them: no 芳 or 娟 for a man, no 强 or 军 for a woman.
GIVEN = {"男": "伟强磊军洋勇杰涛明超刚建国志斌辉鹏宇浩凯晨东海波峰俊文华平",
         "女": "芳娜敏静丽艳娟秀霞桂英红雪婷晓燕梅玲慧琳颖倩萍"}
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


def _given(sex: str, rng: random.Random, length: int | None = None) -> str:
    return "".join(rng.choice(GIVEN[sex]) for _ in range(length or rng.choice((1, 2, 2))))


def _family_of(cadre: Cadre, rng: random.Random, today: datetime.date) -> list[FamilyMember]:
    """Spouse, a child or two (born when the cadre was 25 to 33, none yet for the youngest)
    and sometimes a parent, as the appointment form lists them."""
    surname = cadre.name[0]
    spouse_sex = Sex.FEMALE if cadre.sex == Sex.MALE else Sex.MALE
    members = [FamilyMember(cadre=cadre, relation="妻子" if cadre.sex == Sex.MALE else "丈夫",
                            name=rng.choice(SURNAMES) + _given(spouse_sex, rng, 2),
                            birth_date=cadre.birth_date + datetime.timedelta(days=rng.randint(-900, 900)),
                            political_status=rng.choice(PoliticalStatus.values), work_unit_post=rng.choice(FAMILY_WORK))]
    for _ in range(rng.choice((1, 1, 2))):
        born = cadre.birth_date + datetime.timedelta(days=rng.randint(9000, 12000))
        if born > today - datetime.timedelta(days=365):
            break
        relation = rng.choice(("儿子", "女儿"))
        members.append(FamilyMember(cadre=cadre, relation=relation,
                                    name=surname + _given(Sex.MALE if relation == "儿子" else Sex.FEMALE, rng),
                                    birth_date=born, political_status=PoliticalStatus.NONE,
                                    work_unit_post=rng.choice(FAMILY_WORK) if born < _plus(today, -22)
                                    else "在读学生"))
    if rng.random() < 0.4:
        members.append(FamilyMember(cadre=cadre, relation="父亲", name=surname + _given(Sex.MALE, rng, 2),
                                    birth_date=cadre.birth_date - datetime.timedelta(days=rng.randint(8000, 11000)),
                                    political_status=PoliticalStatus.NONE, work_unit_post="退休"))
    return members


def _quarter_before(day: datetime.date, back: int) -> tuple[int, int]:
    """(year, quarter) `back` quarters before the quarter of `day`."""
    index = day.year * 4 + (day.month - 1) // 3 - back
    return index // 4, index % 4 + 1


# Statutory retirement age (male 60, female 55) as the registry's older cadres reached it.
RETIREMENT_AGE = {Sex.MALE: 60, Sex.FEMALE: 55}
# Age at starting work after full-time education (graduating in summer).
WORK_AGE = {EducationLevel.COLLEGE: 21, EducationLevel.BACHELOR: 22, EducationLevel.MASTER: 25}
# Sanctions that end the cadre's service: 开除党籍 (with 开除公职, "双开") — the cadre is dismissed.
EXPULSION = {("党纪处分", "开除党籍")}
# Sanctions that take the cadre out of the post held (撤职, 免职 …): the cadre serves on in a
# lower, non-leading post from after the decision.
REMOVAL = {("党纪处分", "撤销党内职务"), ("政务处分", "撤职"), ("政务处分", "降级"), ("组织处理", "调整职务"),
           ("组织处理", "责令辞职"), ("组织处理", "免职"), ("组织处理", "降职")}
SANCTION_MATTERS = ["违规发放津补贴", "落实安全生产责任不力", "违反中央八项规定精神", "工作失职造成损失"]
DAY = datetime.timedelta(days=1)


def _plus(day: datetime.date, years: int, months: int = 0) -> datetime.date:
    """`day` moved by whole years and months, clipped to the month's end as relativedelta does,
    at a fraction of its cost in a loop over 100,000 cadres."""
    index = day.year * 12 + day.month - 1 + years * 12 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _days(rng: random.Random, low: datetime.date, high: datetime.date) -> datetime.date:
    """A day in [low, high] (low when the range is empty)."""
    return low + datetime.timedelta(days=rng.randint(0, max((high - low).days, 0)))


def _career(i: int, rng: random.Random, *, units, townships, departments, sanction_types, today) -> dict:
    """One cadre's life in order: birth, education, work, party, postings (none overlapping,
    the current one last), and a sanction that fits it. Retirement and 开除党籍 close the last
    posting; a removal from post (撤职, 免职 …) starts a lower post after the decision."""
    sex = rng.choice((Sex.MALE, Sex.MALE, Sex.FEMALE))
    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=(i * 37) % (365 * 33))
    education = rng.choice((EducationLevel.BACHELOR,) * 3 + (EducationLevel.MASTER, EducationLevel.COLLEGE))
    work_start = datetime.date(birth.year + WORK_AGE[education], rng.choice((7, 8)), 1)
    member = rng.random() < 0.8
    political = PoliticalStatus.PARTY if member else rng.choice((PoliticalStatus.NONE, PoliticalStatus.DEMOCRATIC))
    party_join = None
    if member:  # during university or in the first years of work, at 19 or later; a full member for a year
        joined = _plus(birth, 19 + rng.randint(0, WORK_AGE[education] - 15), rng.randint(0, 11))
        party_join = max(min(joined, _plus(today, -1) - datetime.timedelta(days=rng.randint(0, 300))), _plus(birth, 18))
    retire = _plus(birth, RETIREMENT_AGE[sex])
    status = CadreStatus.RETIRED if retire <= today else CadreStatus.ACTIVE
    career_end = min(today, retire - DAY)

    sanction = None
    if rng.random() < 0.06:
        st = rng.choice([t for t in sanction_types if member or t.category != "党纪处分"])
        low = max(_plus(work_start, 3), today - datetime.timedelta(days=1500),
                  _plus(party_join, 1) if st.category == "党纪处分" else work_start)
        high = career_end - datetime.timedelta(days=30)
        if low < high:
            sanction = (st, _days(rng, low, high))
    kind = (sanction[0].category, sanction[0].name) if sanction else None
    if kind in EXPULSION:
        status, political, career_end = CadreStatus.DISMISSED, PoliticalStatus.NONE, sanction[1]

    unit = rng.choice(units)
    positions = _positions_for(unit)
    position, rank = rng.choice(positions)
    since = max(career_end - datetime.timedelta(days=rng.randint(60, 3000)), work_start)
    earlier = []  # (unit, position, rank, start, end, note), latest first
    if kind in REMOVAL:
        # The post held when the decision came ends that day; a lower post follows.
        decided = sanction[1]
        since = min(decided + datetime.timedelta(days=rng.randint(1, 30)), today)
        position, rank = positions[-1]
        old_unit = rng.choice(units)
        old_position, old_rank = _positions_for(old_unit)[1]
        old_start = max(decided - datetime.timedelta(days=rng.randint(400, 2000)), work_start)
        if old_start >= decided:
            sanction = kind = None
        else:
            earlier.append((old_unit, old_position, old_rank, old_start, decided, "免去职务"))
    elif rng.random() < 0.35 and since > work_start + datetime.timedelta(days=400):
        # A third held an earlier township post, which counts toward township years.
        start = max(since - datetime.timedelta(days=rng.randint(400, 2500)), work_start)
        earlier.append((rng.choice(townships), "副镇长", Rank.FU_KE, start, since - DAY, "交流任职"))
    # Earlier posts away from townships: career history, no township years; back to work start.
    first = earlier[-1][3] if earlier else since
    for _ in range(rng.choice((0, 1, 1, 2)) if departments else 0):
        if first <= work_start + datetime.timedelta(days=365):
            break
        start = max(first - datetime.timedelta(days=rng.randint(700, 2200)), work_start)
        earlier.append((rng.choice(departments), "科员", Rank.KEYUAN, start, first - DAY, "调动"))
        first = start
    current_end = None if status == CadreStatus.ACTIVE else career_end
    closed = sum((end - start).days + 1 for u, _, _, start, end, _ in earlier if u.kind == UnitKind.TOWNSHIP)
    anchor = None
    if unit.kind == UnitKind.TOWNSHIP:
        if current_end is None:
            anchor = since - datetime.timedelta(days=closed)
        else:
            closed += (current_end - since).days + 1
    return {"sex": sex, "birth": birth, "education": education, "work_start": work_start, "political": political,
            "party_join": party_join, "status": status, "career_end": career_end, "sanction": sanction,
            "unit": unit, "position": position, "rank": rank, "since": since, "current_end": current_end,
            "earlier": earlier, "closed": closed, "anchor": anchor}


def build_cadres(count: int, *, by, seed: int = 2026, batch_size: int = 2000, log=print) -> int:
    """Create `count` cadres (in batches) with a career of postings, family members, recent
    achievement records and, for some, commendations, sanctions, supervision measures and
    tags: about seven related rows per cadre, twice that with their history. Returns the
    number created. Every date follows the cadre's life (see _career)."""
    rng = random.Random(seed)
    units = [u for u in Unit.objects.all() if u.kind in (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT)]
    townships = [u for u in units if u.kind == UnitKind.TOWNSHIP]
    departments = [u for u in units if u.kind == UnitKind.DEPARTMENT]
    sanction_types = list(SanctionType.objects.all())
    tags = {n: Tag.objects.get_or_create(name=n)[0] for n in TAGS}
    start_index = Cadre.objects.count() + 1
    today = timezone.localdate()
    created = 0
    for batch_start in range(0, count, batch_size):
        size = min(batch_size, count - batch_start)
        cadres, careers = [], []
        for offset in range(size):
            i = start_index + batch_start + offset
            c = _career(i, rng, units=units, townships=townships, departments=departments,
                        sanction_types=sanction_types, today=today)
            unit, position, rank = c["unit"], c["position"], c["rank"]
            minority = rng.random() < 0.04
            cadres.append(Cadre(
                name=rng.choice(SURNAMES) + _given(c["sex"], rng),
                sex=c["sex"],
                birth_date=c["birth"],
                ethnicity=rng.choice(("满族", "蒙古族", "回族")) if minority else "汉族",
                id_number=_id_number(i, c["birth"]),
                political_status=c["political"],
                party_join_date=c["party_join"],
                work_start_date=c["work_start"],
                native_place=rng.choice(["河北张家口", "河北保定", "山西大同", "河北石家庄", "内蒙古乌兰察布"]),
                fulltime_education=c["education"],
                unit=unit, position=position, rank=rank, position_since=c["since"], rank_since=c["since"],
                status=c["status"],
                is_team_member=rank in (Rank.ZHENG_KE, Rank.FU_KE, Rank.ZHENG_CHU, Rank.FU_CHU),
                is_main_leader=position in ("党委书记", "局长", "部长"),
                township_days_closed=c["closed"],
                township_anchor=c["anchor"],
            ))
            careers.append(c)
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
            for cadre, c in zip(cadres, careers):
                active = c["status"] == CadreStatus.ACTIVE
                postings.append(Posting(cadre=cadre, unit=c["unit"], position=c["position"], rank=c["rank"],
                                        start_date=c["since"], end_date=c["current_end"],
                                        note="" if active else cadre.get_status_display()))
                for unit, position, rank, start, end, note in c["earlier"]:
                    postings.append(Posting(cadre=cadre, unit=unit, position=position, rank=rank,
                                            start_date=start, end_date=end, note=note))
                related[FamilyMember].extend(_family_of(cadre, rng, today))
                for quarter_back in range(rng.choice((0, 1, 2, 3, 4)) if active else 0):
                    year, quarter = _quarter_before(today, quarter_back + 1)
                    if datetime.date(year, 3 * quarter, 1) < c["since"]:
                        break
                    related[AchievementRecord].append(AchievementRecord(
                        cadre=cadre, year=year, quarter=quarter, description=rng.choice(ACHIEVEMENTS),
                        source=rng.choice(AchievementSource.values), recorded_by=by))
                first_year, career_end = c["work_start"] + datetime.timedelta(days=365), c["career_end"]
                recent = max(first_year, today - datetime.timedelta(days=2000))
                if rng.random() < 0.5 and recent < career_end:
                    titles = ["年度考核优秀嘉奖", "脱贫攻坚先进个人", "担当作为好干部"]
                    related[Commendation].append(Commendation(
                        cadre=cadre, kind=rng.choice(CommendationKind.values), level=rng.choice(CommendationLevel.values),
                        title=rng.choice(titles + ["优秀共产党员"] if c["party_join"] else titles),
                        date=_days(rng, recent, career_end),
                        issuer="中共张垣市委"))
                if c["sanction"]:
                    st, decided = c["sanction"]
                    s = Sanction(cadre=cadre, sanction_type=st, matter=rng.choice(SANCTION_MATTERS),
                                 decided_by="县纪委监委", decision_date=decided)
                    s.influence_end = s.decision_date + relativedelta(months=st.influence_months)
                    related[Sanction].append(s)
                recent = max(first_year, today - datetime.timedelta(days=900))
                if rng.random() < 0.1 and recent < career_end:
                    related[SupervisionMeasure].append(SupervisionMeasure(
                        cadre=cadre, kind=rng.choice(MeasureKind.values),
                        date=_days(rng, recent, career_end),
                        issue=rng.choice(["群众反映工作作风问题", "年度考核排名靠后", "信访件反映问题"]), by_whom="县委组织部"))
                tag = _tag_for(cadre, c, rng, today) if active and rng.random() < 0.15 else None
                if tag:
                    tag_links.append(Cadre.tags.through(cadre_id=cadre.pk, tag_id=tags[tag].pk))
            bulk_create_with_history(postings, Posting, batch_size=batch_size, default_user=by)
            for model, rows in related.items():
                if rows:
                    bulk_create_with_history(rows, model, batch_size=batch_size, default_user=by)
            Cadre.tags.through.objects.bulk_create(tag_links, batch_size=batch_size)
        created += size
        if count > batch_size:
            log(f"  已生成 {created}/{count} 名干部")
    return created


def _tag_for(cadre: Cadre, career: dict, rng: random.Random, today: datetime.date) -> str | None:
    """A tag that fits the cadre (女干部 for a woman, 少数民族干部 for a minority cadre …), or None."""
    age = relativedelta(today, cadre.birth_date).years
    fitting = ["后备干部"]
    if cadre.sex == Sex.FEMALE:
        fitting.append("女干部")
    if cadre.ethnicity != "汉族":
        fitting.append("少数民族干部")
    if age <= 40:
        fitting.append("优秀年轻干部")
    if career["education"] in (EducationLevel.BACHELOR, EducationLevel.MASTER) and career["party_join"]:
        fitting.append("选调生")
    return rng.choice(fitting)
