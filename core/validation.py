"""Input that can never break a page: one date range for every date a user types, date
arithmetic that never overflows, ids that fit the database, NUL bytes gone.

Applied once, centrally:
- every DateField of every model of our apps gets `date_in_range` as a default validator
  (`install_model_date_validators`, called from CoreConfig.ready); model forms, admin,
  import and services all call full_clean, so they all refuse out-of-range dates. It is set
  as the field's default validator, not in `validators=`, so no migration changes.
- every form built on cadres.forms.BootstrapMixin gets the same range on its DateFields,
  a 32-bit bound on IntegerFields without one, and model choice fields that refuse ids
  the database cannot hold (`harden_form_fields`).
- StripNulMiddleware removes NUL from every query parameter and posted value.
"""
import calendar
import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

MIN_DATE = datetime.date(1900, 1, 1)
YEARS_AHEAD = 10  # plans, deadlines and terms may lie a few years ahead; nothing further
APPS = ("cadres", "tolerance", "assessment", "care", "core")
INT_MAX = 2**31 - 1  # the smallest integer column any backend gives us (PostgreSQL integer)
BIGINT_MAX = 2**63 - 1


def max_date(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return datetime.date(today.year + YEARS_AHEAD, 12, 31)


def date_in_range(value):
    """The validator: 1900-01-01 to the end of the year ten years ahead."""
    if value is None:
        return
    if isinstance(value, datetime.datetime):
        value = value.date()
    upper = max_date()
    if value < MIN_DATE or value > upper:
        raise ValidationError(
            f"日期超出合理范围：应在 {MIN_DATE:%Y-%m-%d} 至 {upper:%Y-%m-%d} 之间。", code="date_out_of_range")


def not_in_future(value):
    """For dates that record something done (a notice issued, a visit made)."""
    if value is not None and value > timezone.localdate():
        raise ValidationError("日期不能晚于今天。", code="date_in_future")


def safe_date_add(day: datetime.date, *, days: int = 0, months: int = 0) -> datetime.date:
    """`day + months + days` that clips at the calendar's ends instead of raising: a date
    already stored out of range (9999-12-31) must still let every page render."""
    if day is None:
        return None
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    if year > datetime.MAXYEAR:
        return datetime.date.max
    if year < datetime.MINYEAR:
        return datetime.date.min
    day = datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min


def install_model_date_validators():
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
                field.__dict__.pop("validators", None)  # a cached_property: recompute with ours
                if date_in_range not in field.default_validators:
                    field.default_validators = [*field.default_validators, date_in_range]


def _fits(value, limit) -> bool:
    try:
        return abs(int(str(value).strip())) <= limit
    except (TypeError, ValueError):
        return True  # not a number: the field's own validation answers


def _pk_limit(queryset) -> int | None:
    from django.db import models
    pk = queryset.model._meta.pk
    if isinstance(pk, (models.AutoField, models.IntegerField)) and not isinstance(pk, models.BigAutoField):
        return INT_MAX if isinstance(pk, models.AutoField) else BIGINT_MAX
    if isinstance(pk, (models.BigAutoField, models.BigIntegerField)):
        return BIGINT_MAX
    return None


def _guard_model_choice(field):
    """Wrap clean: an id larger than the database can hold is an invalid choice (SQLite
    raises OverflowError on `pk__in=[10**22]`), not a 500."""
    original = field.clean

    def clean(value):
        limit = _pk_limit(field.queryset)
        values = value if isinstance(value, (list, tuple)) else [value]
        if limit and any(v not in (None, "") and not _fits(v, limit) for v in values):
            raise ValidationError("所选项不存在，请重新选择。", code="invalid_choice")
        return original(value)

    field.clean = clean
    field._pk_guarded = True


def harden_form_fields(form):
    """Called by BootstrapMixin for every form of the project."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
            if date_in_range not in field.validators:
                field.validators.append(date_in_range)
        elif isinstance(field, forms.IntegerField):
            if field.max_value is None:
                field.max_value = INT_MAX
                field.validators.append(_max_int)
            if field.min_value is None:
                field.min_value = -INT_MAX
                field.validators.append(_min_int)
        if isinstance(field, forms.ModelChoiceField) and not getattr(field, "_pk_guarded", False):
            _guard_model_choice(field)


def _max_int(value):
    if value is not None and value > INT_MAX:
        raise ValidationError("数值过大。", code="max_value")


def _min_int(value):
    if value is not None and value < -INT_MAX:
        raise ValidationError("数值过小。", code="min_value")


def strip_nul(text: str) -> str:
    return text.replace("\x00", "") if "\x00" in text else text


class StripNulMiddleware:
    """NUL is never meaningful in what a user types, and PostgreSQL refuses it in text
    (ValueError → 500 on any search box). Removed here once, for every query parameter
    and every posted form value, before any view reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET):
            request.GET = _cleaned(request.GET)
        if request.method == "POST" and request.content_type in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            post = request.POST  # parses (and reads FILES) once, as the CSRF check would
            if _has_nul(post):
                request.POST = _cleaned(post)
        return self.get_response(request)


def _has_nul(querydict) -> bool:
    return any("\x00" in k or any("\x00" in v for v in querydict.getlist(k)) for k in querydict)


def _cleaned(querydict):
    from django.http import QueryDict

    cleaned = QueryDict(mutable=True)
    for key in querydict:
        cleaned.setlist(strip_nul(key), [strip_nul(v) for v in querydict.getlist(key)])
    cleaned._mutable = False
    return cleaned
