"""LRMX import: a dry-run preview (per file: new or update, what would change, errors and
warnings), then the import of the files without errors, each on its own and all-or-nothing.

A file is matched to a cadre by ID number (cadres.selectors.cadres_by_id_numbers). A match
inside the user's jurisdiction is updated through cadre_update (optimistic lock, history by
the acting user); a match outside it refuses the file without saying whose number it is;
no match creates a cadre in the chosen unit through cadre_create. The current unit, post and
rank never change by import: a transfer is a posting (交流 / 调动) with its own history.

Work over many files is a plain function with a progress callback, so it runs the same in a
request, in the command and as a background job."""
import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from appointment.lrmx import LABELS, LrmxRefused, ParsedPerson, iter_lrmx, parse_lrmx
from cadres.models import Cadre, FamilyMember, Posting, Rank, Unit
from cadres.selectors import cadres_by_id_numbers, cadres_editable_by
from cadres.services import _save_with_user, cadre_create, cadre_update
from core.errors import DomainError

# Fields an update may change; unit, post and rank move only through postings.
UPDATABLE = [f for f in LABELS if f not in ("position", "id_number", "photo")]
FORM_DATES = ("age_reference_date", "form_filled_on")
MAX_FIELD_LENGTHS = {f.name: f.max_length for f in Cadre._meta.fields if getattr(f, "max_length", None)}


@dataclass
class FileResult:
    name: str
    person: ParsedPerson | None = None
    cadre: Cadre | None = None  # the existing cadre an update applies to
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    outcome: str = ""  # after the import: 新增 / 更新 / 无变化 / 失败

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def action(self) -> str:
        if not self.ok:
            return "不导入"
        if self.cadre is None:
            return "新增"
        return "更新" if self.changes else "无变化"

    @property
    def display_name(self) -> str:
        return (self.person.values.get("name") if self.person else "") or "—"


@dataclass
class ImportPreview:
    files: list[FileResult]

    @property
    def good(self):
        return [f for f in self.files if f.ok]

    @property
    def bad(self):
        return [f for f in self.files if not f.ok]

    def count(self, action):
        return sum(1 for f in self.files if f.action == action)

    @property
    def new_count(self):
        return self.count("新增")

    @property
    def update_count(self):
        return self.count("更新")

    @property
    def unchanged_count(self):
        return self.count("无变化")


def _value_text(value) -> str:
    if value in (None, ""):
        return "（空）"
    if isinstance(value, datetime.date):
        return f"{value:%Y.%m.%d}"
    text = str(value).replace("\n", " ")
    return text if len(text) <= 30 else text[:30] + "…"


def _check_lengths(result: FileResult) -> None:
    for name, value in result.person.values.items():
        limit = MAX_FIELD_LENGTHS.get(name)
        if limit and isinstance(value, str) and len(value) > limit:
            result.errors.append(f"{LABELS.get(name, name)}超过 {limit} 个字")
    for number, member in enumerate(result.person.family, start=1):
        for name in ("relation", "name", "work_unit_post"):
            limit = FamilyMember._meta.get_field(name).max_length
            if len(member.get(name, "")) > limit:
                result.errors.append(f"家庭成员第 {number} 人的{FamilyMember._meta.get_field(name).verbose_name}超过 {limit} 个字")
    for entry in result.person.resume or []:
        if len(entry.text) > Posting._meta.get_field("resume_text").max_length:
            result.errors.append(f"简历“{entry.text[:20]}…”一条超过 300 个字")


def _diff(result: FileResult) -> None:
    cadre, person = result.cadre, result.person
    for name in UPDATABLE:
        if name not in person.values and name not in ("resume_text", "rewards_text", "grades_text"):
            continue  # an element missing or empty in the file leaves the field as it is
        new = person.values.get(name, "")
        if name in ("resume_text", "rewards_text", "grades_text") and not new:
            continue
        old = getattr(cadre, name)
        if name in FORM_DATES and old is None and new == timezone.localdate():
            continue  # what an export writes for an unset date: not a change
        if (old or "") != (new or ""):
            result.changes.append(f"{LABELS[name]}：{_value_text(old)} → {_value_text(new)}")
    if person.values.get("position") and person.values["position"] not in (cadre.position, f"{cadre.unit.name}{cadre.position}"):
        result.warnings.append(f"文件中的现任职务“{person.values['position']}”与系统不同；现任职务以任职经历为准，导入不修改，"
                               "如有调动请在“任职经历”中记录")
    known = {(m.relation, m.name) for m in cadre.family_members.all()}
    added = [m for m in person.family if (m["relation"], m["name"]) not in known]
    if added:
        result.changes.append("家庭成员：新增 " + "、".join(f"{m['relation']}{m['name']}" for m in added))
    starts = {(p.start_date.year, p.start_date.month) for p in cadre.postings.all()}
    new_entries = [e for e in person.resume or [] if (e.start.year, e.start.month) not in starts]
    if new_entries:
        result.changes.append(f"简历：新增 {len(new_entries)} 条任职经历")
    if person.photo is not None:
        old_photo = b""
        if cadre.photo:
            try:
                with cadre.photo.open("rb") as f:
                    old_photo = f.read()
            except OSError:
                pass
        if old_photo != person.photo:
            result.changes.append("照片：更换为文件中的照片")


CHUNK = 200  # files matched against the registry in one query, and held at once


def _checked(uploads, *, user):
    """Chunks of checked files, in upload order: parsed, then matched by ID number one chunk
    at a time, so that a zip of thousands of files is never all in memory."""
    seen: dict[str, str] = {}
    chunk: list[FileResult] = []
    for upload_name, stream in uploads:
        try:
            for name, data in iter_lrmx(upload_name, stream):
                result = FileResult(name=name)
                try:
                    result.person = parse_lrmx(data, name)
                except LrmxRefused as e:
                    result.errors.append(e.message)
                else:
                    result.errors += result.person.errors
                    result.warnings += result.person.warnings
                    _check_lengths(result)
                chunk.append(result)
                if len(chunk) >= CHUNK:
                    _match(chunk, user, seen)
                    yield chunk
                    chunk = []
        except LrmxRefused as e:
            chunk.append(FileResult(name=upload_name, errors=[e.message]))
    if chunk:
        _match(chunk, user, seen)
        yield chunk


def preview_files(uploads, *, user, progress=None) -> ImportPreview:
    """Check every .lrmx in `uploads` ((name, binary stream) pairs, zips unpacked) without
    writing anything. A hostile or unreadable file is one failed entry; a hostile zip, one
    failed entry for the zip (none of its files is read)."""
    results: list[FileResult] = []
    for chunk in _checked(uploads, user=user):
        for result in chunk:
            if result.person:
                result.person.photo = None  # compared already; the preview does not keep it
        results += chunk
        if progress:
            progress(len(results), None)
    return ImportPreview(files=results)


def _match(results: list[FileResult], user, seen: dict[str, str]) -> None:
    parsed = [r for r in results if r.person and r.person.values.get("id_number")]
    numbers = [r.person.values["id_number"] for r in parsed]
    anywhere = cadres_by_id_numbers(numbers)
    # No user: the management command, run by whoever runs the server, over the whole registry.
    scope = Cadre.objects.all() if user is None else cadres_editable_by(user)
    editable = cadres_by_id_numbers(numbers, scope.select_related("unit").prefetch_related("family_members", "postings"))
    for result in parsed:
        number = result.person.values["id_number"]
        if number in seen:
            result.errors.append(f"身份证号与“{seen[number]}”重复")
            continue
        seen[number] = result.name
        if number in editable:
            result.cadre = editable[number]
            if result.ok:
                _diff(result)
        elif number in anywhere:
            result.errors.append("身份证号已存在于您管辖范围以外的干部库中，不能导入；请联系该干部所在单位的组织部门")
        else:
            try:
                Cadre._meta.get_field("id_number").run_validators(number)
            except ValidationError as e:
                result.errors.extend(e.messages)
            if not result.person.values.get("position"):
                result.errors.append("现任职务（XianRenZhiWu）不能为空")


@transaction.atomic
def _create(person: ParsedPerson, *, unit: Unit, rank: str, by) -> Cadre:
    values = dict(person.values)
    current = person.resume[-1] if person.resume and person.resume[-1].end is None else None
    values.setdefault("position_since", current.start if current else None)
    if person.photo is not None:
        # Saved with the cadre: one write and one history row, not two.
        values["photo"] = ContentFile(person.photo, name=f"{values['id_number']}.jpg")
    cadre = cadre_create(by=by, unit=unit, rank=rank, posting_start=current.start if current else None, **values)
    if current:
        posting = cadre.postings.get()
        posting.resume_text = current.text
        _save_with_user(posting, by, update_fields=["resume_text"])
    for entry in person.resume or []:
        if entry is not current:
            _save_with_user(Posting(cadre=cadre, unit=None, resume_text=entry.text, start_date=entry.start,
                                    end_date=entry.end), by)
    _add_family(cadre, person, by)
    return cadre


@transaction.atomic
def _update(cadre: Cadre, person: ParsedPerson, *, by) -> Cadre:
    fields = {name: person.values[name] for name in UPDATABLE if name in person.values
              and not (name in FORM_DATES and getattr(cadre, name) is None
                       and person.values[name] == timezone.localdate())}
    cadre = cadre_update(cadre=cadre, by=by, expected_version=cadre.version, **fields)
    starts = {(p.start_date.year, p.start_date.month) for p in cadre.postings.all()}
    for entry in person.resume or []:
        if (entry.start.year, entry.start.month) not in starts:
            _save_with_user(Posting(cadre=cadre, unit=None, resume_text=entry.text, start_date=entry.start,
                                    end_date=entry.end), by)
    known = {(m.relation, m.name) for m in cadre.family_members.all()}
    person.family = [m for m in person.family if (m["relation"], m["name"]) not in known]
    _add_family(cadre, person, by)
    _set_photo(cadre, person, by)
    return cadre


def _add_family(cadre, person, by):
    for member in person.family:
        record = FamilyMember(cadre=cadre, **member)
        record.full_clean()
        _save_with_user(record, by)


def _set_photo(cadre, person, by):
    if person.photo is None:
        return
    if cadre.photo:
        try:
            with cadre.photo.open("rb") as f:
                if f.read() == person.photo:
                    return
        except OSError:
            pass
    cadre.photo.save(f"{cadre.pk}.jpg", ContentFile(person.photo), save=False)
    _save_with_user(cadre, by, update_fields=["photo"])


def import_files(uploads, *, user, unit: Unit, rank: str = Rank.KEYUAN, progress=None) -> ImportPreview:
    """Check the files again (the registry may have changed since the preview), then import
    each good file on its own; a file that fails at save time is reported and leaves nothing."""
    results: list[FileResult] = []
    for chunk in _checked(uploads, user=user):
        for result in chunk:
            if result.ok:
                _import_one(result, unit=unit, rank=rank, by=user)
            if result.person:
                result.person.photo = None  # keep memory flat over many files
        results += chunk
        if progress:
            progress(len(results), None)
    return ImportPreview(files=results)


def _import_one(result: FileResult, *, unit, rank, by) -> None:
    try:
        if result.cadre is None:
            _create(result.person, unit=unit, rank=rank, by=by)
            result.outcome = "新增"
        elif result.changes:
            _update(result.cadre, result.person, by=by)
            result.outcome = "更新"
        else:
            result.outcome = "无变化"
    except ValidationError as e:
        result.errors.append("；".join(e.messages))
        result.outcome = "失败"
    except (DomainError, IntegrityError) as e:
        result.errors.append(e.message if isinstance(e, DomainError) else "身份证号已存在于干部库中")
        result.outcome = "失败"


def summary_text(preview: ImportPreview) -> str:
    counts = {k: sum(1 for f in preview.files if f.outcome == k) for k in ("新增", "更新", "无变化", "失败")}
    skipped = sum(1 for f in preview.files if not f.outcome)
    return (f"导入完成：新增 {counts['新增']} 人，更新 {counts['更新']} 人，无变化 {counts['无变化']} 人，"
            f"跳过有错误的文件 {skipped} 个" + (f"，保存时失败 {counts['失败']} 个" if counts["失败"] else "") + "。")
