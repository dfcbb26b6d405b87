"""Reading and writing .lrmx files, the 干部任免审批表 interchange format of the 中组部
appointment-form software: XML, root <Person>, pinyin element names, the photo base64 in
<ZhaoPian>.

Reading is defensive: a file comes from anywhere. defusedxml refuses DTDs, entities and
external references before anything is read; sizes are bounded per file and per zip member
(read with a cap, never trusting the header); zip member names that climb out (../, /abs,
C:) refuse the whole zip; a photo must decode as an image. Whatever refuses a file raises
LrmxRefused, so nothing of it is used.

Real files vary and the reader takes them all: dates as 199001, 1990.01, 1990.1, 1990.01.15,
19900115 (full-width digits too); empty and self-closing elements; surrounding ASCII and
full-width spaces; UTF-8 with or without BOM, UTF-16 with BOM, GB18030."""
import base64
import binascii
import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from PIL import Image, UnidentifiedImageError

from cadres.models import EducationLevel, PoliticalStatus, Sex
from core.errors import DomainError

MAX_FILE_BYTES = 5 * 1024 * 1024  # a form with a large photo is well under 1 MB
MAX_ZIP_MEMBERS = 20000
MAX_ZIP_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_ZIP_RATIO = 200  # XML compresses ~10x and a JPEG not at all: 200x is a bomb
MAX_PHOTO_PIXELS = 6000 * 6000
LRMX_VERSION = "3.2.1.16"  # what the appointment-form software writes; readers ignore it

# Scalar elements in file order: (element, Cadre field, kind).
SCALARS = [
    ("XingMing", "name", "text"),
    ("XingBie", "sex", "sex"),
    ("ChuShengNianYue", "birth_date", "month"),
    ("MinZu", "ethnicity", "text"),
    ("JiGuan", "native_place", "text"),
    ("ChuShengDi", "birthplace", "text"),
    ("RuDangShiJian", "party_join_date", "month"),
    ("CanJiaGongZuoShiJian", "work_start_date", "month"),
    ("JianKangZhuangKuang", "health", "text"),
    ("ZhuanYeJiShuZhiWu", "professional_title", "text"),
    ("ShuXiZhuanYeYouHeZhuanChang", "speciality", "text"),
    ("QuanRiZhiJiaoYu_XueLi", "fulltime_education", "education"),
    ("QuanRiZhiJiaoYu_XueWei", "fulltime_degree", "text"),
    ("QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi", "fulltime_school", "text"),
    ("QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi", None, "text"),
    ("ZaiZhiJiaoYu_XueLi", "inservice_education", "education"),
    ("ZaiZhiJiaoYu_XueWei", "inservice_degree", "text"),
    ("ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi", "inservice_school", "text"),
    ("ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi", None, "text"),
    ("XianRenZhiWu", "position", "text"),
    ("NiRenZhiWu", "proposed_position", "text"),
    ("NiMianZhiWu", "proposed_removal", "text"),
    ("ZhengZhiMianMao", "political_status", "political"),
    ("RenMianLiYou", "appointment_reason", "text"),
    ("ChengBaoDanWei", "reporting_unit", "text"),
    ("JiSuanNianLingShiJian", "age_reference_date", "day"),
    ("TianBiaoShiJian", "form_filled_on", "day"),
    ("TianBiaoRen", "form_filler", "text"),
    ("ShenFenZheng", "id_number", "id"),
]
LABELS = {
    "name": "姓名", "sex": "性别", "birth_date": "出生年月", "ethnicity": "民族", "native_place": "籍贯",
    "birthplace": "出生地", "party_join_date": "入党时间", "work_start_date": "参加工作时间",
    "health": "健康状况", "professional_title": "专业技术职务", "speciality": "熟悉专业有何专长",
    "fulltime_education": "全日制教育学历", "fulltime_degree": "全日制教育学位",
    "fulltime_school": "全日制教育毕业院校系及专业", "inservice_education": "在职教育学历",
    "inservice_degree": "在职教育学位", "inservice_school": "在职教育毕业院校系及专业", "position": "现任职务",
    "proposed_position": "拟任职务", "proposed_removal": "拟免职务", "political_status": "政治面貌",
    "appointment_reason": "任免理由", "reporting_unit": "呈报单位", "age_reference_date": "计算年龄时间",
    "form_filled_on": "填表时间", "form_filler": "填表人", "id_number": "身份证号",
    "resume_text": "简历", "rewards_text": "奖惩情况", "grades_text": "年度考核结果", "photo": "照片",
}
FAMILY_FIELDS = [("ChengWei", "relation"), ("XingMing", "name"), ("ChuShengRiQi", "birth_date"),
                 ("ZhengZhiMianMao", "political_status"), ("GongZuoDanWeiJiZhiWu", "work_unit_post")]

# A 简历 line: "1990.09--1994.07  某某大学某某系学生"; the end is empty for the current post.
RESUME_LINE = re.compile(
    r"^(?P<sy>[0-9０-９]{4})[.．。](?P<sm>[0-9０-９]{1,2})\s*(?:[-－—–~～]+|至)\s*"
    r"(?:(?P<ey>[0-9０-９]{4})[.．。](?P<em>[0-9０-９]{1,2}))?\s*(?P<text>\S.*)$"
)
RESUME_DATES_WIDTH = 18  # "1990.09--1994.07  ": where the text starts, and where 其间 lines sit


class LrmxRefused(DomainError):
    """A file (or a zip) that is read no further."""


@dataclass
class ResumeEntry:
    start: datetime.date
    end: datetime.date | None
    text: str  # 其间 lines follow the first after "\n"


@dataclass
class ParsedPerson:
    values: dict = field(default_factory=dict)  # Cadre fields
    family: list[dict] = field(default_factory=list)
    resume: list[ResumeEntry] | None = None  # None: kept verbatim in values["resume_text"]
    photo: bytes | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- files

def _member_name(info: zipfile.ZipInfo) -> str:
    """Zip tools on Chinese Windows write names in GBK without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _unsafe_name(name: str) -> bool:
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    return (posix.is_absolute() or windows.is_absolute() or bool(windows.drive)
            or ".." in posix.parts or ".." in windows.parts)


def iter_lrmx(name: str, stream):
    """(file name, bytes) for each .lrmx in an upload: the file itself, or the .lrmx members
    of a zip, one at a time so that memory stays flat. A zip is checked whole (names, sizes,
    ratio) before any member is read."""
    head = stream.read(4)
    stream.seek(0)
    if head[:2] != b"PK":
        yield name, _read_capped(stream, name)
        return
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError):
        raise LrmxRefused(f"{name}：不是有效的 zip 压缩包。") from None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise LrmxRefused(f"{name}：压缩包内文件超过 {MAX_ZIP_MEMBERS} 个，请拆分后导入。")
        total = 0
        for info in infos:
            member = _member_name(info)
            if _unsafe_name(member):
                raise LrmxRefused(f"{name}：压缩包内的文件名“{member}”指向压缩包以外的位置，已拒绝整个压缩包。")
            total += info.file_size
            if info.file_size > MAX_FILE_BYTES or total > MAX_ZIP_TOTAL_BYTES or (
                    info.file_size > 1024 * 1024 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1)):
                raise LrmxRefused(f"{name}：压缩包解压后过大（疑似压缩炸弹），已拒绝整个压缩包。")
        for info in infos:
            member = _member_name(info)
            if not member.lower().endswith(".lrmx"):
                continue
            try:
                with archive.open(info) as f:
                    # The header's size may lie: read at most one byte past the cap.
                    data = f.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError):
                raise LrmxRefused(f"{name}：压缩包内“{member}”无法解压（已损坏或加密）。") from None
            if len(data) > MAX_FILE_BYTES:
                raise LrmxRefused(f"{name}：压缩包解压后过大（疑似压缩炸弹），已拒绝整个压缩包。")
            yield f"{name}/{member}", data


def count_lrmx(name: str, stream) -> int:
    """How many files iter_lrmx will yield for this upload (a refused zip counts as one), read
    from the zip's directory only; the stream is left at its start."""
    head = stream.read(4)
    stream.seek(0)
    if head[:2] != b"PK":
        return 1
    try:
        with zipfile.ZipFile(stream) as archive:
            count = sum(1 for i in archive.infolist() if not i.is_dir() and _member_name(i).lower().endswith(".lrmx"))
    except (zipfile.BadZipFile, OSError, ValueError):
        count = 1
    stream.seek(0)
    return max(count, 1)


def _read_capped(stream, name) -> bytes:
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise LrmxRefused(f"{name}：文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB，不是任免审批表文件。")
    return data


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _root(data: bytes, name: str) -> Element:
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        raise LrmxRefused(f"{name}：文件编码无法识别（应为 UTF-8 或 GB18030）。") from None
    # The bytes are decoded already: the declaration's encoding no longer applies.
    text = XML_DECLARATION.sub("", text, count=1)
    try:
        root = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise LrmxRefused(f"{name}：文件含有 DTD、实体声明或外部引用，出于安全原因拒绝读取。") from None
    except ParseError as e:
        raise LrmxRefused(f"{name}：不是有效的 XML 文件（{e.position[0]} 行附近格式错误）。") from None
    if _local(root.tag) != "Person":
        raise LrmxRefused(f"{name}：根元素不是 Person，不是干部任免审批表（.lrmx）文件。")
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# ---------------------------------------------------------------------------- values

def clean_text(value: str | None) -> str:
    """Trim ASCII and full-width spaces; inner line breaks stay (简历, 奖惩情况)."""
    if not value:
        return ""
    lines = [line.rstrip(" \t\u3000\r") for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip(" \t\u3000\n")


def parse_date(value: str) -> tuple[datetime.date, bool]:
    """(date, whether the day was given). Raises ValueError."""
    text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
    text = text.rstrip("日")
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})?", text) or re.fullmatch(r"(\d{4})[.\-/年](\d{1,2})(?:月?|[.\-/月](\d{1,2}))", text)
    if not m:
        raise ValueError(value)
    year, month, day = int(m.group(1)), int(m.group(2)), m.group(3)
    return datetime.date(year, month, int(day) if day else 1), day is not None


def month_text(d: datetime.date | None) -> str:
    return f"{d.year}{d.month:02d}" if d else ""


def day_text(d: datetime.date | None) -> str:
    return f"{d.year}{d.month:02d}{d.day:02d}" if d else ""


def education_level(text: str) -> str | None:
    for words, level in (
        (("博士",), EducationLevel.DOCTOR),
        (("硕士", "研究生"), EducationLevel.MASTER),
        (("本科", "大学"), EducationLevel.BACHELOR),
        (("专科", "大专"), EducationLevel.COLLEGE),
        (("中专", "高中", "初中", "中技", "技校", "小学", "中专及以下"), EducationLevel.SECONDARY),
    ):
        if any(w in text for w in words):
            return level
    return None


def political_status(text: str) -> str | None:
    if text in PoliticalStatus.values:
        return text
    if "预备" in text:
        return PoliticalStatus.PROBATIONARY
    if "中共" in text or "共产党" in text or text == "党员":
        return PoliticalStatus.PARTY
    if "团员" in text:
        return PoliticalStatus.LEAGUE
    if text in ("群众", "无党派人士", "无党派"):
        return PoliticalStatus.NONE
    if any(w in text for w in ("民革", "民盟", "民建", "民进", "农工", "致公", "九三", "台盟", "民主党派")):
        return PoliticalStatus.DEMOCRATIC
    return None


def parse_resume(text: str) -> tuple[list[ResumeEntry] | None, list[str]]:
    """The 简历 block as postings, or (None, the lines that do not follow the pattern)."""
    entries: list[ResumeEntry] = []
    odd: list[str] = []
    for raw in text.split("\n"):
        line = raw.rstrip()
        if not line.strip(" \u3000"):
            continue
        stripped = line.strip(" \t\u3000")
        # Indentation says nothing (pretty-printed files indent every line): a line that
        # starts with its dates is a posting, any other (（其间：…）) belongs to the one above.
        m = RESUME_LINE.match(stripped)
        if m:
            try:
                start = datetime.date(int(unicodedata.normalize("NFKC", m["sy"])),
                                      int(unicodedata.normalize("NFKC", m["sm"])), 1)
                end = (datetime.date(int(unicodedata.normalize("NFKC", m["ey"])),
                                     int(unicodedata.normalize("NFKC", m["em"])), 1) if m["ey"] else None)
            except ValueError:
                odd.append(stripped)
                continue
            if end and end < start:
                odd.append(stripped)
                continue
            entries.append(ResumeEntry(start, end, m["text"].strip()))
        elif entries:
            entries[-1].text += "\n" + stripped
        else:
            odd.append(stripped)
    if odd or not entries:
        return None, odd
    return entries, []


def resume_lines(entries) -> str:
    """The 简历 block from (start, end, text) entries, as the appointment-form software writes it."""
    out = []
    for start, end, text in entries:
        first, *rest = text.split("\n")
        dates = f"{start.year}.{start.month:02d}--" + (f"{end.year}.{end.month:02d}" if end else "")
        out.append(dates.ljust(RESUME_DATES_WIDTH) + first)
        out.extend(" " * RESUME_DATES_WIDTH + line for line in rest)
    return "\n".join(out)


def _check_photo(data: bytes, name: str) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG", "BMP", "GIF"):
                raise LrmxRefused(f"{name}：照片不是 JPEG、PNG、BMP 或 GIF 图片，拒绝读取。")
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise LrmxRefused(f"{name}：照片尺寸过大，拒绝读取。")
            image.verify()
    except LrmxRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise LrmxRefused(f"{name}：照片（ZhaoPian）不是有效的图片，拒绝读取整个文件。") from None


def parse_lrmx(data: bytes, name: str = "文件") -> ParsedPerson:
    """One .lrmx file as Cadre values, family members, 简历 entries and the photo, with
    per-field errors (the file is then not imported) and warnings. Raises LrmxRefused."""
    root = _root(data, name)
    elements = {}
    for child in root:
        elements.setdefault(_local(child.tag), child)
    person = ParsedPerson()

    def text(tag):
        el = elements.get(tag)
        return clean_text(el.text) if el is not None else ""

    for tag, attr, kind in SCALARS:
        value = text(tag)
        if attr is None or not value:
            continue
        label = LABELS[attr]
        if kind in ("month", "day"):
            try:
                person.values[attr], _ = parse_date(value)
            except ValueError:
                person.errors.append(f"{label}（{tag}）不是有效日期：{value}")
        elif kind == "sex":
            sex = value[:1]
            if sex not in Sex.values:
                person.errors.append(f"性别（XingBie）应为男或女：{value}")
            else:
                person.values[attr] = sex
        elif kind == "education":
            level = education_level(value)
            if level is None:
                person.warnings.append(f"{label}“{value}”无法对应学历层次，未导入该项")
            else:
                person.values[attr] = level
        elif kind == "political":
            status = political_status(value)
            if status is None:
                person.warnings.append(f"政治面貌“{value}”无法识别，未导入该项")
            else:
                person.values[attr] = status
        elif kind == "id":
            person.values[attr] = unicodedata.normalize("NFKC", value).replace(" ", "").upper()
        else:
            person.values[attr] = value
    if not person.values.get("fulltime_school") and text("QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi"):
        person.values["fulltime_school"] = text("QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi")
    if not person.values.get("inservice_school") and text("ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi"):
        person.values["inservice_school"] = text("ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi")
    _birth_from_id_number(person)
    for required, tag in (("name", "XingMing"), ("sex", "XingBie"), ("birth_date", "ChuShengNianYue"),
                          ("id_number", "ShenFenZheng")):
        if required not in person.values and not any(e.startswith(LABELS[required]) for e in person.errors):
            person.errors.append(f"{LABELS[required]}（{tag}）不能为空")

    resume = text("JianLi")
    if resume:
        person.resume, odd = parse_resume(resume)
        if person.resume is None:
            person.values["resume_text"] = resume
            shown = "；".join(odd[:3]) + ("……" if len(odd) > 3 else "")
            person.warnings.append(f"简历有 {len(odd)} 行不符合“1990.09--1994.07 单位及职务”的格式，已按原文保留：{shown}")
    rewards = text("JiangChengQingKuang")
    if rewards and rewards != "无":
        person.values["rewards_text"] = rewards
    grades = text("NianDuKaoHeJieGuo")
    if grades and grades != "无":
        person.values["grades_text"] = grades

    family = elements.get("JiaTingChengYuan")
    for number, item in enumerate(family if family is not None else [], start=1):
        member = {}
        for tag, attr in FAMILY_FIELDS:
            el = item.find(tag)
            value = clean_text(el.text) if el is not None else ""
            if not value:
                continue
            if attr == "birth_date":
                try:
                    member[attr], _ = parse_date(value)
                except ValueError:
                    person.warnings.append(f"家庭成员第 {number} 人的出生年月“{value}”无法识别，未导入该项")
            elif attr == "political_status":
                status = political_status(value)
                if status is None:
                    person.warnings.append(f"家庭成员第 {number} 人的政治面貌“{value}”无法识别，未导入该项")
                else:
                    member[attr] = status
            else:
                member[attr] = value
        if not member.get("relation") and not member.get("name"):
            continue  # the software writes empty rows to fill the table
        if not member.get("relation") or not member.get("name"):
            person.errors.append(f"家庭成员第 {number} 人缺少称谓或姓名")
            continue
        person.family.append(member)

    photo = text("ZhaoPian")
    if photo:
        try:
            person.photo = base64.b64decode(re.sub(r"\s+", "", photo), validate=True)
        except (binascii.Error, ValueError):
            raise LrmxRefused(f"{name}：照片（ZhaoPian）不是有效的 base64 编码，拒绝读取整个文件。") from None
        _check_photo(person.photo, name)
    return person


def _birth_from_id_number(person: ParsedPerson) -> None:
    """The form gives year and month; the ID number the day: use it when they agree."""
    birth, number = person.values.get("birth_date"), person.values.get("id_number", "")
    if birth and len(number) == 18 and number[6:14].isdigit():
        try:
            from_id = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            return
        if (from_id.year, from_id.month) == (birth.year, birth.month):
            person.values["birth_date"] = from_id


# ---------------------------------------------------------------------------- writing

def build_lrmx(data) -> bytes:
    """A .lrmx file from an appointment.form.FormData."""
    cadre = data.cadre
    root = Element("Person")

    def add(tag, value):
        SubElement(root, tag).text = value or ""

    values = {
        "XingMing": cadre.name, "XingBie": cadre.sex, "ChuShengNianYue": month_text(cadre.birth_date),
        "MinZu": cadre.ethnicity, "JiGuan": cadre.native_place, "ChuShengDi": cadre.birthplace,
        "RuDangShiJian": month_text(cadre.party_join_date), "CanJiaGongZuoShiJian": month_text(cadre.work_start_date),
        "JianKangZhuangKuang": cadre.health, "ZhuanYeJiShuZhiWu": cadre.professional_title,
        "ShuXiZhuanYeYouHeZhuanChang": cadre.speciality,
        "QuanRiZhiJiaoYu_XueLi": cadre.fulltime_education, "QuanRiZhiJiaoYu_XueWei": cadre.fulltime_degree,
        "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": cadre.fulltime_school,
        "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": cadre.fulltime_school if cadre.fulltime_degree else "",
        "ZaiZhiJiaoYu_XueLi": cadre.inservice_education, "ZaiZhiJiaoYu_XueWei": cadre.inservice_degree,
        "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": cadre.inservice_school,
        "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": cadre.inservice_school if cadre.inservice_degree else "",
        "XianRenZhiWu": data.current_position, "NiRenZhiWu": cadre.proposed_position,
        "NiMianZhiWu": cadre.proposed_removal, "ZhengZhiMianMao": cadre.political_status,
        "JianLi": data.resume, "JiangChengQingKuang": data.rewards, "NianDuKaoHeJieGuo": data.grades,
        "RenMianLiYou": cadre.appointment_reason, "ChengBaoDanWei": cadre.reporting_unit,
        "JiSuanNianLingShiJian": day_text(data.age_on), "TianBiaoShiJian": day_text(data.filled_on),
        "TianBiaoRen": cadre.form_filler, "ShenFenZheng": cadre.id_number,
    }
    order = [tag for tag, _, _ in SCALARS]
    for tag in order[:order.index("NiMianZhiWu") + 1] + ["ZhengZhiMianMao", "JianLi", "JiangChengQingKuang",
                                                          "NianDuKaoHeJieGuo", "RenMianLiYou"]:
        add(tag, values[tag])
    family = SubElement(root, "JiaTingChengYuan")
    for member in data.family:
        item = SubElement(family, "Item")
        SubElement(item, "ChengWei").text = member.relation
        SubElement(item, "XingMing").text = member.name
        SubElement(item, "ChuShengRiQi").text = month_text(member.birth_date)
        SubElement(item, "ZhengZhiMianMao").text = member.political_status or ""
        SubElement(item, "GongZuoDanWeiJiZhiWu").text = member.work_unit_post
    for tag in ("ChengBaoDanWei", "JiSuanNianLingShiJian", "TianBiaoShiJian", "TianBiaoRen", "ShenFenZheng"):
        add(tag, values[tag])
    add("ZhaoPian", base64.b64encode(data.photo).decode("ascii") if data.photo else "")
    add("Version", LRMX_VERSION)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").encode("utf-8")


def lrmx_filename(cadre) -> str:
    return f"{cadre.name}-{cadre.pk}.lrmx"


def write_zip(datas, out, progress=None, total=None) -> int:
    """Stream many cadres' .lrmx files into one zip (file object `out`)."""
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for data in datas:
            archive.writestr(lrmx_filename(data.cadre), build_lrmx(data))
            count += 1
            if progress:
                progress(count, total)
    return count
