"""Forms of the recruitment pages: they parse input; every rule and every write is in actions.py, whose
ValidationError goes back next to the field it names (orgs.forms.add_action_error)."""

from django import forms

from dangjian.members.choices import ETHNICITY_CHOICES, Education, Gender
from dangjian.orgs.forms import BootstrapMixin, date_field

from .models import Outcome


def _required(label: str) -> dict:
    return {"required": f"请填写{label}"}


def _count(label: str, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, min_value=0, max_value=100000,
                              error_messages={**_required(label), "invalid": f"{label}应为整数",
                                              "min_value": f"{label}不能为负数", "max_value": f"{label}过大"})


class ApplicantForm(BootstrapMixin, forms.Form):
    """建档: the person and the day the 入党申请书 reached the branch (step 1)."""

    org = forms.ChoiceField(label="接收申请书的党支部", error_messages=_required("党支部"))
    name = forms.CharField(label="姓名", max_length=50, error_messages=_required("姓名"))
    id_number = forms.CharField(label="公民身份号码", max_length=30, error_messages=_required("公民身份号码"),
                                help_text="出生日期和性别按号码核对")
    gender = forms.ChoiceField(label="性别", choices=[("", "按身份证号")] + Gender.choices, required=False)
    ethnicity = forms.ChoiceField(label="民族", choices=ETHNICITY_CHOICES, initial="汉族")
    education = forms.ChoiceField(label="学历", choices=[("", "请选择")] + Education.choices,
                                  error_messages=_required("学历"))
    job = forms.CharField(label="工作岗位", max_length=100, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    applied_on = date_field("递交入党申请书日期")
    document_no = forms.CharField(label="申请书编号", max_length=60, required=False)
    notes = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    PERSON = ("name", "id_number", "gender", "ethnicity", "education", "job", "phone")

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.code, f"{o.name}（{o.code}）") for o in branches]

    def person(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in self.PERSON}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several scans at once; the checks of type and size are actions.check_uploads'."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class StepForm(BootstrapMixin, forms.Form):
    """One step; which of the optional fields are shown depends on the step (see FIELDS_BY_STEP)."""

    on = date_field("日期")
    handled_by = forms.CharField(label="经办人", max_length=100, required=False,
                                 help_text="谈话人、培养联系人、审批单位或经办人")
    document_no = forms.CharField(label="文书编号", max_length=60, required=False)
    people = forms.MultipleChoiceField(label="党员", required=False, widget=forms.CheckboxSelectMultiple)
    training_days = forms.DecimalField(label="培训天数", required=False, min_value=0, max_digits=5, decimal_places=1,
                                       error_messages={"invalid": "培训天数应为数字", "min_value": "不能为负数"})
    training_hours = forms.DecimalField(label="培训学时", required=False, min_value=0, max_digits=5, decimal_places=1,
                                        error_messages={"invalid": "培训学时应为数字", "min_value": "不能为负数"})
    outcome = forms.ChoiceField(label="讨论结果", required=False, choices=[("", "请选择")] + Outcome.choices)
    extension_months = _count("延长预备期（月）")
    eligible = _count("应到会有表决权人数")
    present = _count("实到会有表决权人数")
    yes = _count("赞成")
    no = _count("反对")
    abstain = _count("弃权")
    written_yes = _count("书面赞成意见")
    notes = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label="附件（扫描件或照片）", required=False,
                              help_text="PDF、JPG、PNG、WEBP，可多选",
                              error_messages={"invalid": "附件上传失败，请重新选择文件"})

    VOTE = ("eligible", "present", "yes", "no", "abstain", "written_yes")
    FIELDS_BY_STEP = {5: ("people",), 9: ("people",), 11: ("training_days", "training_hours"),
                      15: VOTE, 23: ("outcome", "extension_months", *VOTE)}
    LABELS = {2: "谈话人", 5: "培养联系人（1至2名正式党员）", 9: "入党介绍人（2名正式党员）",
              14: "入党志愿书编号", 10: "政审材料编号", 13: "预审意见文号", 17: "审批文号", 24: "审批文号"}

    def __init__(self, *args, step: int, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.fields["people"].choices = [(str(m.pk), f"{m.name}（{m.get_category_display()}）") for m in people]
        self.fields["people"].widget.attrs["class"] = "form-check-input"
        if step in (5, 9):
            self.fields["people"].label = self.LABELS[step]
        if step == 2:
            self.fields["handled_by"].label = "谈话人"
        if step in self.LABELS and step not in (2, 5, 9):
            self.fields["document_no"].label = self.LABELS[step]
        if step == 14:
            self.fields["document_no"].required = True
            self.fields["document_no"].error_messages["required"] = "请填写入党志愿书编号"
        if step in (15, 23):
            for f in ("eligible", "present", "yes"):
                self.fields[f].required = True
        self._people = {str(m.pk): m for m in people}

    @property
    def extra_fields(self):
        return [self[f] for f in self.FIELDS_BY_STEP.get(self.step, ())]

    def data_for_action(self) -> dict:
        d = {k: v for k, v in self.cleaned_data.items() if k != "people"}
        d["people"] = [self._people[pk] for pk in self.cleaned_data.get("people") or []]
        return d


class PlanForm(BootstrapMixin, forms.Form):
    org = forms.ChoiceField(label="党组织", error_messages=_required("党组织"))
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100,
                              error_messages={**_required("年度"), "invalid": "年度应为数字"})
    planned = forms.IntegerField(label="计划发展人数", min_value=0,
                                 error_messages={**_required("计划发展人数"), "invalid": "应为整数",
                                                 "min_value": "不能为负数"})
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.code, f"{o.name}（{o.code}）") for o in orgs]
