"""LRMX import: a dry-run preview (per file: new or update, what would change, errors and
warnings), then the import of the files without errors; a file that fails at save time is
reported and leaves nothing.

A file is matched to a cadre by ID number (cadres.selectors.cadres_by_id_numbers). A match
inside the user's jurisdiction is updated through cadre_update (optimistic lock, history by
the acting user); a match outside it refuses the file without saying whose number it is;
no match creates a cadre in the chosen unit as cadre_create would (with its current posting). The current unit, post and
rank never change by import: a transfer is a posting (交流 / 调动) with its own history.

Work over many files is a generator with a progress callback (one FileResult per file, the
photos dropped once compared), so it runs the same in the command and as the background jobs
(appointment.jobs), and memory stays flat: files are read one at a time and handled CHUNK at
a time. The import writes each chunk in one transaction: the chunk's ID numbers are looked up
in one query (their blind indexes), the new cadres, their postings and family members go in by
bulk insert with their history rows (simple-history's bulk_create_with_history, by the acting
user), and the statistics are refreshed after a large import (core.db.analyze)."""
import datetime
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from appointment.lrmx import LABELS, LrmxRefused, ParsedPerson, ResumeEntry, count_lrmx, iter_lrmx, parse_lrmx
from cadres.models import Cadre, FamilyMember, Posting, Rank, Unit, UnitKind
from cadres.selectors import cadres_by_id_numbers, cadres_editable_by
from cadres.services import _save_with_user, cadre_create, cadre_update
from core.db import ANALYZE_AFTER_ROWS, analyze
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
    if person.values.get("position") and person.values["position"] not in (
            cadre.position, f"{cadre.unit.name}{cadre.position}", f"{cadre.unit.qualified_name}{cadre.position}"):
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


CHUNK = 200  # files matched against the registry in one query, written in one transaction, held at once


def count_files(uploads) -> int:
    """How many files the uploads hold (a zip's .lrmx members), for the progress bar."""
    return sum(count_lrmx(name, stream) for name, stream in uploads)


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


def _report_progress(progress, done, total):
    if progress:
        progress(done, total)


def iter_preview(uploads, *, user, progress=None, total=None):
    """Check every .lrmx in `uploads` ((name, binary stream) pairs, zips unpacked) without
    writing anything, yielding one FileResult per file (its photo already dropped). A hostile
    or unreadable file is one failed entry; a hostile zip, one failed entry for the zip (none
    of its files is read)."""
    done = 0
    for chunk in _checked(uploads, user=user):
        for result in chunk:
            if result.person:
                result.person.photo = None  # compared already; the preview does not keep it
            yield result
        done += len(chunk)
        _report_progress(progress, done, total)


def preview_files(uploads, *, user, progress=None) -> ImportPreview:
    return ImportPreview(files=list(iter_preview(uploads, user=user, progress=progress)))


def _match(results: list[FileResult], user, seen: dict[str, str]) -> None:
    parsed = [r for r in results if r.person and r.person.values.get("id_number")]
    numbers = [r.person.values["id_number"] for r in parsed]
    if not numbers:
        return
    anywhere = cadres_by_id_numbers(numbers, Cadre.objects.only("pk", "id_number"))
    # No user: the management command, run by whoever runs the server, over the whole registry.
    scope = Cadre.objects.all() if user is None else cadres_editable_by(user)
    editable = (cadres_by_id_numbers(numbers, scope.select_related("unit").prefetch_related("family_members", "postings"))
                if anywhere else {})
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


def _current_entry(person: ParsedPerson) -> ResumeEntry | None:
    return person.resume[-1] if person.resume and person.resume[-1].end is None else None


def _photo_name() -> str:
    """A stored photo's file name: random, never the ID number (which is encrypted in the
    database and must not sit in clear in a file path)."""
    return f"{uuid.uuid4().hex}.jpg"


def _new_cadre(person: ParsedPerson, *, unit: Unit, rank: str) -> tuple[Cadre, datetime.date]:
    """An unsaved cadre as cadre_create would build it, and the start of its current posting.
    Validated field by field; the ID number's uniqueness was checked for the whole chunk by
    _match (one query), and the unique blind index still guards a concurrent import."""
    values = dict(person.values)
    current = _current_entry(person)
    values.setdefault("position_since", current.start if current else None)
    start = (current.start if current else None) or values.get("position_since") or timezone.localdate()
    if person.photo is not None:
        # Written by the insert itself (FileField.pre_save), with the cadre.
        values["photo"] = ContentFile(person.photo, name=_photo_name())
    cadre = Cadre(unit=unit, rank=rank, **values)
    if unit.kind == UnitKind.TOWNSHIP:
        cadre.township_anchor = start
    cadre.clean_fields(exclude=["unit"])  # the unit was read already: no query per file for its key
    return cadre, start


def _postings_of(cadre: Cadre, person: ParsedPerson, start: datetime.date, unit: Unit) -> list[Posting]:
    """The current posting in `unit` (what cadre_create writes) and one per other 简历 line."""
    current = _current_entry(person)
    postings = [Posting(cadre=cadre, unit=unit, position=cadre.position, rank=cadre.rank, start_date=start,
                        resume_text=current.text if current else "")]
    postings += [Posting(cadre=cadre, unit=None, resume_text=entry.text, start_date=entry.start, end_date=entry.end)
                 for entry in person.resume or [] if entry is not current]
    return postings


def _family_of(cadre: Cadre, members) -> list[FamilyMember]:
    records = [FamilyMember(cadre=cadre, **member) for member in members]
    for record in records:
        record.clean_fields(exclude=["cadre"])
    return records


def _create_chunk(results: list[FileResult], *, unit: Unit, rank: str, by) -> None:
    """The chunk's new cadres with their postings and family members: three bulk inserts and
    their history rows (by the acting user) instead of a save and a history row per record.
    A file whose values do not validate is reported and left out; the others go in together."""
    ready = []
    for result in results:
        try:
            cadre, start = _new_cadre(result.person, unit=unit, rank=rank)
            family = _family_of(cadre, result.person.family)
        except ValidationError as e:
            result.errors.append("；".join(e.messages))
            result.outcome = "失败"
            continue
        ready.append((result, cadre, start, family))
    if not ready:
        return
    cadres = bulk_create_with_history([cadre for _, cadre, _, _ in ready], Cadre, default_user=by)
    postings, family = [], []
    for (result, _, start, members), cadre in zip(ready, cadres, strict=True):
        postings += _postings_of(cadre, result.person, start, unit)
        for member in members:
            member.cadre = cadre
        family += members
        result.outcome = "新增"
    bulk_create_with_history(postings, Posting, default_user=by)
    bulk_create_with_history(family, FamilyMember, default_user=by)


@transaction.atomic
def _create(person: ParsedPerson, *, unit: Unit, rank: str, by) -> Cadre:
    """One cadre through cadre_create (the chunk's fallback when its bulk insert collides)."""
    values = dict(person.values)
    current = _current_entry(person)
    values.setdefault("position_since", current.start if current else None)
    if person.photo is not None:
        values["photo"] = ContentFile(person.photo, name=_photo_name())
    cadre = cadre_create(by=by, unit=unit, rank=rank, posting_start=current.start if current else None, **values)
    if current:
        posting = cadre.postings.get()
        posting.resume_text = current.text
        _save_with_user(posting, by, update_fields=["resume_text"])
    bulk_create_with_history([p for p in _postings_of(cadre, person, cadre.position_since, unit)[1:]], Posting,
                             default_user=by)
    bulk_create_with_history(_family_of(cadre, person.family), FamilyMember, default_user=by)
    return cadre


@transaction.atomic
def _update(cadre: Cadre, person: ParsedPerson, *, by) -> Cadre:
    fields = {name: person.values[name] for name in UPDATABLE if name in person.values
              and not (name in FORM_DATES and getattr(cadre, name) is None
                       and person.values[name] == timezone.localdate())}
    cadre = cadre_update(cadre=cadre, by=by, expected_version=cadre.version, **fields)
    starts = {(p.start_date.year, p.start_date.month) for p in cadre.postings.all()}
    bulk_create_with_history([Posting(cadre=cadre, unit=None, resume_text=entry.text, start_date=entry.start,
                                      end_date=entry.end)
                              for entry in person.resume or [] if (entry.start.year, entry.start.month) not in starts],
                             Posting, default_user=by)
    known = {(m.relation, m.name) for m in cadre.family_members.all()}
    bulk_create_with_history(_family_of(cadre, [m for m in person.family if (m["relation"], m["name"]) not in known]),
                             FamilyMember, default_user=by)
    _set_photo(cadre, person, by)
    return cadre


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


def _import_chunk(chunk: list[FileResult], *, unit, rank, by) -> None:
    """One transaction per chunk: the new cadres in bulk, then the updates one by one (each
    through cadre_update: optimistic lock, history of what changed). When the bulk insert
    collides (a concurrent import or edit wrote one of the ID numbers since the check), the
    chunk's new cadres go one by one instead, so that only the colliding file fails."""
    creates = [r for r in chunk if r.ok and r.cadre is None]
    with transaction.atomic():
        try:
            with transaction.atomic():
                _create_chunk(creates, unit=unit, rank=rank, by=by)
        except IntegrityError:
            for result in creates:
                if result.ok:
                    _import_one(result, unit=unit, rank=rank, by=by)
        for result in chunk:
            if result.ok and result.cadre is not None:
                _import_one(result, unit=unit, rank=rank, by=by)


def iter_import(uploads, *, user, unit: Unit, rank: str = Rank.KEYUAN, progress=None, total=None):
    """Check the files again (the registry may have changed since the preview), then import
    the good ones a chunk at a time, yielding one FileResult per file with its outcome."""
    done = created = 0
    for chunk in _checked(uploads, user=user):
        _import_chunk(chunk, unit=unit, rank=rank, by=user)
        for result in chunk:
            created += result.outcome == "新增"
            if result.person:
                result.person.photo = None  # keep memory flat over many files
            yield result
        done += len(chunk)
        _report_progress(progress, done, total)
    if created >= ANALYZE_AFTER_ROWS:
        analyze(Cadre, Posting, FamilyMember)  # the planner sees the new rows at once (core.db)


def import_files(uploads, *, user, unit: Unit, rank: str = Rank.KEYUAN, progress=None) -> ImportPreview:
    return ImportPreview(files=list(iter_import(uploads, user=user, unit=unit, rank=rank, progress=progress)))


def _import_one(result: FileResult, *, unit, rank, by) -> None:
    """One file on its own, all-or-nothing: a file that fails at save time is reported and
    leaves nothing."""
    try:
        with transaction.atomic():
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


@dataclass
class ImportCounts:
    """Counts of a preview (by action) or an import (by outcome), kept while the files stream."""
    total: int = 0
    actions: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)

    def add(self, result: FileResult) -> None:
        self.total += 1
        self.actions[result.action] = self.actions.get(result.action, 0) + 1
        key = result.outcome or "跳过"
        self.outcomes[key] = self.outcomes.get(key, 0) + 1

    def action(self, name) -> int:
        return self.actions.get(name, 0)

    def outcome(self, name) -> int:
        return self.outcomes.get(name, 0)


def summary_text(preview) -> str:
    """The import's one-line result, from an ImportPreview or ImportCounts."""
    counts = preview
    if isinstance(preview, ImportPreview):
        counts = ImportCounts()
        for file in preview.files:
            counts.add(file)
    return (f"导入完成：新增 {counts.outcome('新增')} 人，更新 {counts.outcome('更新')} 人，无变化 {counts.outcome('无变化')} 人，"
            f"跳过有错误的文件 {counts.outcome('跳过')} 个"
            + (f"，保存时失败 {counts.outcome('失败')} 个" if counts.outcome("失败") else "") + "。")
