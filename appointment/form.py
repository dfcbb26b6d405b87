"""The contents of one 干部任免审批表, built from the cadre's record: the one source of the
PDF, the Word file and the .lrmx export.

Computed here, never stored: the age at the 计算年龄时间 (default today) and family members'
ages, both in calendar years (relativedelta, so 29 February and month ends count right); the
简历 lines from the postings; 奖惩情况 from commendations and the sanctions still in force (a
sanction a tolerance ruling waived, 免责, has status WAIVED and never appears: 四个不受影响);
the last three years' annual grades.

This module lives in the appointment app because it reads both cadres and assessment
(CadreGrade); cadres ← tolerance ← assessment is the dependency direction, so neither of
them may import it."""
import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from appointment.lrmx import resume_lines
from assessment.models import CadreGrade
from cadres.models import Cadre, FamilyMember, Posting, RecordStatus, Sanction, SanctionCategory

GRADE_YEARS = 3


@dataclass
class FormData:
    cadre: Cadre
    age_on: datetime.date
    filled_on: datetime.date
    age: int
    current_position: str
    resume: str
    rewards: str
    grades: str
    family: list  # FamilyMember, each with .age
    photo: bytes | None

    def month(self, d: datetime.date | None) -> str:
        return f"{d.year}.{d.month:02d}" if d else ""

    @property
    def birth_with_age(self) -> str:
        return f"{self.month(self.cadre.birth_date)}\n（{self.age}岁）"


def years_between(start: datetime.date, end: datetime.date) -> int:
    return relativedelta(end, start).years


def form_queryset(qs: QuerySet[Cadre]) -> QuerySet[Cadre]:
    """What form_data reads, in a fixed number of queries for any number of cadres."""
    return qs.select_related("unit").prefetch_related(
        Prefetch("postings", queryset=Posting.objects.select_related("unit").order_by("start_date", "id")),
        "commendations",
        Prefetch("sanctions", queryset=Sanction.objects.filter(status=RecordStatus.IN_FORCE)
                 .select_related("sanction_type").order_by("decision_date", "id"), to_attr="sanctions_in_force"),
        Prefetch("family_members", queryset=FamilyMember.objects.order_by("id")),
        Prefetch("assessment_grades", queryset=CadreGrade.objects.order_by("-year"), to_attr="grades_by_year"),
    )


def current_position_title(cadre: Cadre) -> str:
    """现任职务 as the form writes it, unit and post: 示例镇党委副书记 (an imported title that
    already names the unit stays as it was)."""
    if cadre.unit_id and cadre.unit.name and cadre.unit.name not in cadre.position:
        return f"{cadre.unit.qualified_name}{cadre.position}"
    return cadre.position


def posting_text(posting: Posting) -> str:
    if posting.resume_text:
        return posting.resume_text
    return f"{posting.unit.qualified_name if posting.unit_id else ''}{posting.position}"


def sanction_text(sanction: Sanction) -> str:
    kind = sanction.sanction_type
    name = kind.name
    if kind.category == SanctionCategory.PARTY:
        name = f"党内{name}处分" if name in ("警告", "严重警告") else f"{name}处分"
    elif kind.category == SanctionCategory.GOVERNMENT:
        name = f"政务{name}处分"
    d = sanction.decision_date
    return f"{d.year}年{d.month}月因{sanction.matter}受到{sanction.decided_by}{name}"


def commendation_text(c) -> str:
    if c.issuer:
        return f"{c.date.year}年{c.date.month}月被{c.issuer}评为{c.title}"
    return f"{c.date.year}年{c.date.month}月获{c.title}"


def rewards_text(cadre: Cadre) -> str:
    """Commendations and in-force sanctions by date; what an import kept as prose first."""
    dated = [(c.date, commendation_text(c)) for c in cadre.commendations.all()]
    sanctions = getattr(cadre, "sanctions_in_force", None)
    if sanctions is None:
        sanctions = cadre.sanctions.filter(status=RecordStatus.IN_FORCE).select_related("sanction_type")
    dated += [(s.decision_date, sanction_text(s)) for s in sanctions]
    lines = [line for line in cadre.rewards_text.split("\n") if line.strip()]
    lines += [text + "。" for _, text in sorted(dated, key=lambda x: x[0]) if text + "。" not in lines]
    return "\n".join(lines) or "无"


def grades_text(cadre: Cadre) -> str:
    grades = getattr(cadre, "grades_by_year", None)
    if grades is None:
        grades = list(CadreGrade.objects.filter(cadre=cadre).order_by("-year"))
    recent = sorted(grades[:GRADE_YEARS], key=lambda g: g.year)
    if recent:
        return "、".join(f"{g.year}年度考核{g.grade}" for g in recent) + "。"
    return cadre.grades_text


def resume_text(cadre: Cadre) -> str:
    if cadre.resume_text:
        return cadre.resume_text
    postings = sorted(cadre.postings.all(), key=lambda p: (p.start_date, p.id))
    return resume_lines((p.start_date, p.end_date, posting_text(p)) for p in postings)


def _photo(cadre: Cadre) -> bytes | None:
    if not cadre.photo:
        return None
    try:
        with cadre.photo.open("rb") as f:
            return f.read()
    except OSError:
        return None


def form_data(cadre: Cadre, *, on: datetime.date | None = None) -> FormData:
    today = timezone.localdate()
    age_on = on or cadre.age_reference_date or today
    family = list(cadre.family_members.all())
    for member in family:
        member.age = years_between(member.birth_date, age_on) if member.birth_date else None
    return FormData(
        cadre=cadre, age_on=age_on, filled_on=cadre.form_filled_on or today,
        age=years_between(cadre.birth_date, age_on), current_position=current_position_title(cadre),
        resume=resume_text(cadre), rewards=rewards_text(cadre), grades=grades_text(cadre),
        family=family, photo=_photo(cadre),
    )
