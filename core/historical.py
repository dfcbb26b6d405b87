"""django-simple-history's HistoricalRecords, labelled in Chinese.

simple-history names its models "historical 干部" and its fields "history date", "history user"
…, with plain (untranslatable) strings; those names reach the admin, delete confirmations and
the history pages. Every domain model uses this class instead, so the labels are set once."""
from django.utils.functional import lazy
from django.utils.text import format_lazy
from simple_history.models import HistoricalRecords as _HistoricalRecords

HISTORY_FIELD_LABELS = {
    "history_id": "历史记录编号",
    "history_date": "变更时间",
    "history_change_reason": "变更原因",
    "history_type": "变更类型",
    "history_user": "操作人",
    "history": "所属历史记录",
    "m2m_history_id": "历史记录编号",
}


def _history_str(record) -> str:
    return f"{record.history_object}（{record.history_date:%Y-%m-%d %H:%M} 的记录）"


def _verbose_name_of(label: str) -> str:
    from django.apps import apps

    return str(apps.get_model(label)._meta.verbose_name)


def _model_label(field):
    """The related model's verbose name; a model still named by its label (an automatic
    through table's columns, before the registry is ready) is looked up when shown."""
    model = field.remote_field.model
    if isinstance(model, str):
        return lazy(_verbose_name_of, str)(model)
    return str(model._meta.verbose_name)


def _label(fields: dict) -> dict:
    for name, label in HISTORY_FIELD_LABELS.items():
        field = fields.get(name)
        if field is not None and hasattr(field, "verbose_name"):
            field.verbose_name = label
    return fields


class HistoricalRecords(_HistoricalRecords):
    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        options["verbose_name"] = format_lazy("{}历史记录", model._meta.verbose_name)
        options["verbose_name_plural"] = format_lazy("{}历史记录", model._meta.verbose_name_plural)
        return options

    def get_extra_fields(self, model, fields):
        extra = _label(super().get_extra_fields(model, fields))
        extra["__str__"] = _history_str
        return extra

    def get_meta_options_m2m(self, through_model):
        options = super().get_meta_options_m2m(through_model)
        # The through model of Cadre.tags is "干部-干部标签关系".
        source, target = (str(_model_label(f)) for f in through_model._meta.fields if f.is_relation)
        options["verbose_name"] = options["verbose_name_plural"] = f"{source}与{target}关系历史记录"
        return options

    def get_extra_fields_m2m(self, model, through_model, fields):
        extra = _label(super().get_extra_fields_m2m(model, through_model, fields))
        extra["__str__"] = lambda self: f"{self._meta.verbose_name}（{self.history.history_date:%Y-%m-%d %H:%M}）"
        # The copied columns of an automatic through table are named after their models.
        for field in fields.values():
            if field.is_relation:
                field.verbose_name = _model_label(field)
        return extra
