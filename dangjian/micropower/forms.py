"""Forms of the 小微权力 pages: they parse input; the rules live in actions.py."""

from django import forms

from dangjian.disclosure.forms import checkboxes
from dangjian.orgs.forms import BootstrapMixin, date_field


class PowerForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="权力事项", max_length=100, error_messages={"required": "请填写权力事项"})
    category = forms.CharField(label="类别", max_length=50, required=False)
    basis = forms.CharField(label="依据", max_length=200, required=False)
    steps = forms.CharField(label="流程步骤", widget=forms.Textarea(attrs={"rows": 8}),
                            help_text="每行一步：步骤名称|责任主体|时限天数（可不填），如“入户调查|村民委员会|10”",
                            error_messages={"required": "请至少填写一个流程步骤"})
    position = forms.IntegerField(label="顺序", min_value=0, required=False)
    active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        checkboxes(self)

    def step_list(self):
        out = []
        for line in self.cleaned_data["steps"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("｜", "|").split("|")]
            out.append({"name": parts[0], "responsible": parts[1] if len(parts) > 1 else "",
                        "days": parts[2] if len(parts) > 2 else None})
        return out


class CaseForm(BootstrapMixin, forms.Form):
    power = forms.ChoiceField(label="权力事项")
    subject = forms.CharField(label="事项名称", max_length=200, help_text="如“2025年低保申请（第三村民小组）”",
                              error_messages={"required": "请填写事项名称"})
    applicant = forms.CharField(label="申请人姓名", max_length=50, required=False, help_text="公开页显示为“张*”")
    opened_on = date_field("受理日期")
    public = forms.BooleanField(label="在公开页显示进度", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        checkboxes(self)


class StepForm(BootstrapMixin, forms.Form):
    position = forms.IntegerField(widget=forms.HiddenInput)
    done_on = date_field("完成日期")
    responsible = forms.CharField(label="责任人（职务和姓名）", max_length=100, help_text="如“村委会主任 王某”；不填身份证号",
                                  error_messages={"required": "请填写责任人"})
    note = forms.CharField(label="说明", max_length=300, required=False)
