from django import forms

from cadres.forms import BootstrapMixin, UnitChoiceField
from cadres.models import Rank, Unit

MAX_UPLOAD_FILES = 200  # more files: put them in one zip


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError("请选择要导入的 .lrmx 文件或 zip 压缩包。")
        if len(files) > MAX_UPLOAD_FILES:
            raise forms.ValidationError(f"一次最多选择 {MAX_UPLOAD_FILES} 个文件；更多文件请打包为一个 zip 压缩包。")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class LrmxImportForm(BootstrapMixin, forms.Form):
    files = MultipleFileField(label="任免审批表文件（.lrmx，可多选，或 zip 压缩包）",
                              widget=MultipleFileInput(attrs={"accept": ".lrmx,.zip"}))
    unit = UnitChoiceField(queryset=Unit.objects.none(), label="新建干部所在单位",
                           help_text="身份证号与干部库中已有干部一致的，更新该干部；其余在此单位新建")
    rank = forms.ChoiceField(choices=[("", "请选择")] + Rank.choices, label="新建干部的职级",
                             help_text="任免审批表文件中没有职级，新建的干部按此职级登记，导入后可逐人修改")

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
