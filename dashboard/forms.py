import datetime

from django import forms

from cadres.forms import BootstrapMixin, UnitChoiceField
from cadres.models import Unit
from dashboard.periods import QUARTER_NAMES

FIRST_YEAR = 2018


class DashboardForm(BootstrapMixin, forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int)
    quarter = forms.TypedChoiceField(label="期间", required=False, coerce=int, empty_value=None,
                                     choices=[("", "全年")] + list(QUARTER_NAMES.items()))
    unit = UnitChoiceField(queryset=Unit.objects.none(), label="单位（含下级）", empty_label=None)

    def __init__(self, *args, units, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["year"].choices = [(y, f"{y}年") for y in range(today.year, FIRST_YEAR - 1, -1)]


class ReportForm(BootstrapMixin, forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int)
    unit = UnitChoiceField(queryset=Unit.objects.none(), label="单位（含下级）", empty_label=None)

    def __init__(self, *args, units, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["year"].choices = [(y, f"{y}年") for y in range(today.year, FIRST_YEAR - 1, -1)]
