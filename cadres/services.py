"""Writes to the registry. Every write names the acting user, so history records who did it
even outside a request (imports, commands, tasks)."""
import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from cadres.models import Cadre, MeasureKind, Posting, SupervisionMeasure, Tag, Unit, UnitKind
from core.errors import DomainError
from core.panels import INQUIRY_CHECKS, POSTING_HOOKS

CADRE_EDITABLE_FIELDS = [
    "name", "sex", "birth_date", "ethnicity", "native_place", "birthplace", "id_number",
    "political_status", "party_join_date", "work_start_date", "health", "professional_title",
    "speciality", "fulltime_education", "fulltime_degree", "fulltime_school", "inservice_education",
    "inservice_degree", "inservice_school", "photo", "position", "rank", "position_since",
    "rank_since", "status", "is_team_member", "is_main_leader",
    # 干部任免审批表 entries (issue #15)
    "proposed_position", "proposed_removal", "appointment_reason", "reporting_unit", "form_filler",
    "form_filled_on", "age_reference_date", "resume_text", "rewards_text", "grades_text",
]


def _save_with_user(instance, by, **kwargs):
    instance._history_user = by
    instance.save(**kwargs)
    return instance


@transaction.atomic
def cadre_create(*, by, unit: Unit, tags=(), posting_start: datetime.date | None = None, **fields) -> Cadre:
    """A new cadre, with the current posting that places them in `unit`."""
    start = posting_start or fields.get("position_since") or timezone.localdate()
    cadre = Cadre(unit=unit, **fields)
    if unit.kind == UnitKind.TOWNSHIP:
        cadre.township_anchor = start
    cadre.full_clean()
    try:
        with transaction.atomic():  # a savepoint: the race's loser can still answer cleanly
            _save_with_user(cadre, by)
    except IntegrityError:
        # Two simultaneous posts of one ID number: both passed the unique check, the
        # database kept the first. The loser gets the very message a sequential duplicate
        # gets (the winner is committed and visible now).
        cadre.pk = None
        cadre.clean()  # the ID number's uniqueness lives there (its blind index)
        cadre.validate_unique()
        raise
    if tags:
        cadre.tags.set(tags)
    _save_with_user(Posting(cadre=cadre, unit=unit, position=cadre.position, rank=cadre.rank, start_date=start), by)
    return cadre


@transaction.atomic
def cadre_update(*, cadre: Cadre, by, expected_version: int, tags=None, **fields) -> Cadre:
    """Save edits made on the version the user read; refuse if someone saved in between.
    The row lock serialises two saves racing on PostgreSQL."""
    current = Cadre.objects.select_for_update().get(pk=cadre.pk)
    if current.version != expected_version:
        raise DomainError("该干部信息已被他人修改，您的修改未保存。请刷新页面查看最新内容后重新编辑。")
    for name, value in fields.items():
        if name not in CADRE_EDITABLE_FIELDS:
            raise ValueError(f"field {name} is not editable here")
        setattr(current, name, value)
    current.full_clean()
    current.version = expected_version + 1
    _save_with_user(current, by)
    if tags is not None:
        current.tags.set(tags)
    return current


@transaction.atomic
def posting_add(*, cadre: Cadre, by, unit: Unit, position: str, rank: str, start_date: datetime.date,
                end_date: datetime.date | None = None, note: str = "") -> Posting:
    """Record a posting. One without an end date is a transfer or new appointment
    (交流 / 调动): it closes the current posting the day before and moves the cadre, so
    visibility follows the new unit. The cadre is saved once, leaving one history row."""
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    if end_date and end_date < start_date:
        raise DomainError("免职时间不能早于任职时间。")
    posting = Posting(cadre=cadre, unit=unit, position=position, rank=rank, start_date=start_date,
                      end_date=end_date, note=note)
    rank_before = cadre.rank
    if end_date is None:
        for current in cadre.postings.filter(end_date__isnull=True):
            if current.start_date >= start_date:
                raise DomainError(
                    f"新任职时间（{start_date:%Y-%m-%d}）须晚于现任职务的任职时间（{current.start_date:%Y-%m-%d}）。"
                )
            current.end_date = start_date - datetime.timedelta(days=1)
            _save_with_user(current, by, update_fields=["end_date"])
        cadre.unit = unit
        cadre.position = position
        cadre.rank = rank or cadre.rank
        cadre.position_since = start_date
        cadre.version += 1
    _save_with_user(posting, by)
    cadre.township_days_closed, cadre.township_anchor = township_fields(cadre)
    _save_with_user(cadre, by)
    if end_date is None:
        for hook in POSTING_HOOKS:
            hook(posting=posting, rank_before=rank_before, by=by)
    return posting


def township_fields(cadre: Cadre) -> tuple[int, datetime.date | None]:
    """The stored township-service fields, from the postings (see Cadre)."""
    closed_days, anchor_start = 0, None
    for posting in cadre.postings.filter(unit__kind=UnitKind.TOWNSHIP).only("start_date", "end_date"):
        if posting.end_date is None:
            anchor_start = posting.start_date
        else:
            closed_days += (posting.end_date - posting.start_date).days + 1
    return closed_days, (anchor_start - datetime.timedelta(days=closed_days) if anchor_start else None)


@transaction.atomic
def cadre_record_add(*, record, by, acknowledge_duplicate: bool = False):
    """Add a record to a cadre's file (commendation, sanction, measure, achievement,
    family member, follow-up visit) after model validation. A 函询 on an issue already
    inquired or reported for the cadre waits for the user's acknowledgement (seed 000 Q7)."""
    record.full_clean()
    if isinstance(record, SupervisionMeasure) and record.kind == MeasureKind.INQUIRY and not acknowledge_duplicate:
        earlier = [found for check in INQUIRY_CHECKS for found in check(record.cadre, record.issue)]
        if earlier:
            raise DomainError("同一问题已有线索或函询：" + "；".join(earlier)
                              + "。请勿重复函询；确需函询的，勾选“已知悉重复情况”后再提交。", field="acknowledge_duplicate")
    return _save_with_user(record, by)


def jurisdiction_grant(*, user, unit: Unit) -> None:
    assign_perm("cadres.manage_unit", user, unit)


def jurisdiction_revoke(*, user, unit: Unit) -> None:
    remove_perm("cadres.manage_unit", user, unit)


def tags_by_names(names) -> list[Tag]:
    return [Tag.objects.get_or_create(name=n.strip())[0] for n in names if n.strip()]
