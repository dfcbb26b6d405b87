"""Excel import (template, dry-run preview, row-by-row import) and export of cadres."""
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from cadres.models import Cadre, EducationLevel, PoliticalStatus, Rank, Sex, Unit
from cadres.selectors import id_numbers_filter, masked_id_number, units_visible_to
from cadres.services import cadre_create, tags_by_names
from core.db import ANALYZE_AFTER_ROWS, analyze
from core.errors import DomainError
from core.validation import date_in_range

# (header, field, required)
COLUMNS = [
    ("姓名", "name", True),
    ("性别", "sex", True),
    ("出生日期", "birth_date", True),
    ("民族", "ethnicity", False),
    ("籍贯", "native_place", False),
    ("出生地", "birthplace", False),
    ("身份证号", "id_number", True),
    ("政治面貌", "political_status", False),
    ("入党时间", "party_join_date", False),
    ("参加工作时间", "work_start_date", False),
    ("全日制学历", "fulltime_education", False),
    ("现工作单位", "unit", True),
    ("现任职务", "position", True),
    ("职级", "rank", True),
    ("任现职时间", "position_since", False),
    ("任现职级时间", "rank_since", False),
    ("标签", "tags", False),
]
HEADERS = [c[0] for c in COLUMNS]
DATE_FIELDS = {"birth_date", "party_join_date", "work_start_date", "position_since", "rank_since"}
CHOICE_FIELDS = {
    "sex": Sex.values,
    "political_status": PoliticalStatus.values,
    "fulltime_education": EducationLevel.values,
    "rank": Rank.values,
}
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m", "%Y.%m", "%Y/%m"]
MAX_ROWS = 20000


@dataclass
class ImportRow:
    number: int  # the row number the user sees in Excel
    values: dict
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


@dataclass
class ImportPreview:
    rows: list[ImportRow]

    @property
    def good(self):
        return [r for r in self.rows if r.ok]

    @property
    def bad(self):
        return [r for r in self.rows if not r.ok]


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "干部信息"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(["张三", "男", "1985-03-12", "汉族", "河北张家口", "河北张家口", "130702198503120011", "中共党员",
               "2008-06-01", "2007-07-01", "大学本科", "示例县/示例镇", "党委副书记", "副科级",
               "2021-05-01", "2021-05-01", "优秀年轻干部"])
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "是否必填", "说明"])
    for header, name, required in COLUMNS:
        hint = "、".join(CHOICE_FIELDS[name]) if name in CHOICE_FIELDS else ""
        if name in DATE_FIELDS:
            hint = "日期，如 2020-01-31 或 2020.01"
        if name == "unit":
            hint = "您管辖范围内的单位名称；重名时写上级路径，如 某县/某镇"
        if name == "tags":
            hint = "多个标签用逗号分隔"
        notes.append([header, "必填" if required else "选填", hint])
    return _to_bytes(wb)


def _to_bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _unit_lookup(user) -> dict[str, list[Unit]]:
    """Visible units by their name and by their full path (a/b/c), for the unit column."""
    units = list(units_visible_to(user).only("id", "name", "path", "depth"))
    by_path = {u.path: u for u in units}
    steplen = Unit.steplen
    lookup: dict[str, list[Unit]] = {}
    for unit in units:
        lookup.setdefault(unit.name, []).append(unit)
        if unit.qualified_name != unit.name:  # as the export writes it (清河县城关镇)
            lookup.setdefault(unit.qualified_name, []).append(unit)
        names, path = [unit.name], unit.path[:-steplen]
        while path in by_path:
            names.insert(0, by_path[path].name)
            path = path[:-steplen]
        for i in range(len(names) - 1):
            lookup.setdefault("/".join(names[i:]), []).append(unit)
    return lookup


OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
NOT_XLSX = "文件不是有效的 Excel（.xlsx）文件，请使用下载的模板填写后上传。"
XML_DECLARATIONS = ("文件中含有文档类型定义或实体声明（DTD / ENTITY），这不是 Excel 正常保存的内容，已拒绝导入。"
                    "请把数据复制到下载的模板中再上传。")


def refuse_xml_declarations(file) -> None:
    """An .xlsx saved by Excel or WPS never declares a DTD or an entity; one that does is
    crafted. Refused with a clear message before openpyxl parses it (its parser would only
    raise ParseError halfway through the rows)."""
    try:
        with zipfile.ZipFile(file) as archive:
            for member in archive.infolist():
                if member.filename.endswith((".xml", ".rels", ".vml")):
                    with archive.open(member) as f:
                        head = f.read(8192)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head or b"<\x00!\x00" in head:
                        raise DomainError(XML_DECLARATIONS)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise DomainError(NOT_XLSX) from None
    finally:
        file.seek(0)


def preview_import(file, *, user) -> ImportPreview:
    """Validate every row without writing anything. Raises DomainError for a file that is
    not Excel, declares XML entities, or has the wrong headers."""
    refuse_xml_declarations(file)
    try:
        return _preview_import(file, user=user)
    except ParseError:
        raise DomainError(XML_DECLARATIONS) from None


def _preview_import(file, *, user) -> ImportPreview:
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, AttributeError,
            IndexError, EOFError):
        raise DomainError(NOT_XLSX) from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    while header and header[-1] == "":
        header.pop()
    if header != HEADERS:
        missing = [h for h in HEADERS if h not in header]
        extra = [h for h in header if h not in HEADERS]
        detail = []
        if missing:
            detail.append(f"缺少：{'、'.join(missing)}")
        if extra:
            detail.append(f"无法识别：{'、'.join(extra)}")
        if not detail:
            detail.append("列的顺序不对")
        raise DomainError(f"表头不正确（{'；'.join(detail)}）。应为：{'、'.join(HEADERS)}。")

    units = _unit_lookup(user)
    existing_ids = set()
    parsed: list[ImportRow] = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(parsed) >= MAX_ROWS:
            raise DomainError(f"一次最多导入 {MAX_ROWS} 行，请拆分文件。")
        parsed.append(_parse_row(number, values, units))
    ids = [r.values.get("id_number") for r in parsed if r.values.get("id_number")]
    for chunk_start in range(0, len(ids), 1000):
        chunk = ids[chunk_start:chunk_start + 1000]
        # The column is encrypted: the numbers are matched through their blind index.
        existing_ids.update(Cadre.objects.filter(id_numbers_filter(chunk)).values_list("id_number", flat=True))
    seen: dict[str, int] = {}
    for row in parsed:
        id_number = row.values.get("id_number")
        if not id_number:
            continue
        if id_number in existing_ids:
            row.errors.append("身份证号已存在于干部库中")
        elif id_number in seen:
            row.errors.append(f"身份证号与第 {seen[id_number]} 行重复")
        else:
            seen[id_number] = row.number
    wb.close()
    return ImportPreview(rows=parsed)


def _parse_row(number, values, units) -> ImportRow:
    row = ImportRow(number=number, values={})
    values = list(values) + [None] * (len(COLUMNS) - len(values))
    for (header, name, required), raw in zip(COLUMNS, values):
        # Control characters come back from xlsxwriter as OOXML escapes (_x000D_); read the literal.
        text = "" if raw is None else OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), str(raw)).strip()
        if not text:
            if required:
                row.errors.append(f"“{header}”不能为空")
            continue
        if name in DATE_FIELDS:
            try:
                row.values[name] = parse_date(raw)
                date_in_range(row.values[name])
            except ValueError:
                row.errors.append(f"“{header}”不是有效日期：{text}")
            except ValidationError as e:
                row.values.pop(name, None)
                row.errors.append(f"“{header}”{e.messages[0]}")
        elif name in CHOICE_FIELDS:
            if text not in CHOICE_FIELDS[name]:
                row.errors.append(f"“{header}”的值“{text}”无效，可选：{'、'.join(CHOICE_FIELDS[name])}")
            else:
                row.values[name] = text
        elif name == "unit":
            matches = units.get(text, [])
            if not matches:
                row.errors.append(f"单位“{text}”不存在或不在您的管辖范围内")
            elif len(matches) > 1:
                row.errors.append(f"单位“{text}”有重名，请写上级路径，如 某县/{text}")
            else:
                row.values["unit"] = matches[0]
        elif name == "tags":
            row.values["tags"] = [t for t in text.replace("，", ",").split(",") if t.strip()]
        elif name == "id_number":
            row.values[name] = text.upper()
        else:
            row.values[name] = text
    if row.values.get("id_number"):
        try:
            Cadre._meta.get_field("id_number").run_validators(row.values["id_number"])
        except ValidationError as e:
            row.errors.extend(e.messages)
    for name in ("name", "position", "ethnicity", "native_place", "birthplace"):
        limit = Cadre._meta.get_field(name).max_length
        if len(row.values.get(name, "")) > limit:
            row.errors.append(f"“{dict((c[1], c[0]) for c in COLUMNS)[name]}”超过 {limit} 个字")
    return row


def import_rows(preview: ImportPreview, *, by) -> dict:
    """Import the good rows, each on its own and all-or-nothing (the cadre with its
    posting and tags); a row that fails at save time is reported and leaves nothing."""
    created, failed = 0, []
    for row in preview.good:
        values = dict(row.values)
        tag_names = values.pop("tags", [])
        try:
            with transaction.atomic():
                cadre_create(by=by, tags=tags_by_names(tag_names), **values)
            created += 1
        except (ValidationError, IntegrityError, DomainError) as e:
            message = "；".join(e.messages) if isinstance(e, ValidationError) else "身份证号已存在于干部库中"
            failed.append((row.number, message))
    if created >= ANALYZE_AFTER_ROWS:
        analyze(Cadre, Cadre.tags.through)  # the planner sees the new rows at once (core.db)
    return {"created": created, "failed": failed, "skipped": len(preview.bad)}


def export_id_number(cadre) -> str:
    """The ID number as an export shows it: the one place to change how exports mask it."""
    return cadre.masked_id_number


EXPORT_COLUMNS = [
    ("姓名", lambda c: c.name),
    ("性别", lambda c: c.sex),
    ("出生日期", lambda c: c.birth_date),
    ("身份证号", export_id_number),
    ("政治面貌", lambda c: c.political_status),
    ("现工作单位", lambda c: c.unit.qualified_name),
    ("现任职务", lambda c: c.position),
    ("职级", lambda c: c.rank),
    ("任现职时间", lambda c: c.position_since),
    ("状态", lambda c: c.status),
    ("乡镇工作年限", lambda c: c.township_years),
]


def export_columns(user):
    """The export's columns for this user: the ID number masked unless the user may reveal it
    (cadres.selectors.masked_id_number, the one masking function every export calls)."""
    return [(header, (lambda c: masked_id_number(c.id_number, user)) if header == "身份证号" else get)
            for header, get in EXPORT_COLUMNS]


def export_rows(queryset, *, user):
    """The filtered list the user sees, row by row: chunked reads keep memory flat."""
    columns = export_columns(user)
    for cadre in queryset.select_related("unit").iterator(chunk_size=2000):
        yield [get(cadre) for _, get in columns]
