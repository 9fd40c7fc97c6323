"""Forms of the organization pages. They only parse and show input; every rule and every write is in
actions.py, whose ValidationError is put back onto the form with `add_action_error`."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.members.models import Member

from .models import Domain, OrgType, Position

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"]


def _required(label: str) -> dict:
    return {"required": f"请填写{label}"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label: str, *, required: bool = True, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, input_formats=DATE_FORMATS, widget=DateInput(),
        error_messages={**_required(label), "invalid": f"{label}格式不正确，请按“2024-01-05”填写"}, **kwargs,
    )


class BootstrapMixin:
    """Bootstrap classes on every widget, and is-invalid where the field has an error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            w = f.widget
            css = "form-select" if isinstance(w, forms.Select) else "form-control"
            w.attrs["class"] = (w.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                w = self.fields[name].widget
                w.attrs["class"] = w.attrs.get("class", "") + " is-invalid"


def add_action_error(form: forms.Form, err: ValidationError) -> None:
    """Put an action's ValidationError next to the fields it names; the rest on top of the form."""
    if hasattr(err, "error_dict"):
        for name, errors in err.error_dict.items():
            for e in errors:
                msg = " ".join(e.messages)
                form.add_error(name if name in form.fields else None, msg)
    else:
        for msg in err.messages:
            form.add_error(None, msg)
    for name in form.errors:
        if name in form.fields:
            w = form.fields[name].widget
            if "is-invalid" not in w.attrs.get("class", ""):
                w.attrs["class"] = w.attrs.get("class", "") + " is-invalid"


class OrgForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label="党组织编码", max_length=40, error_messages=_required("党组织编码"),
                           help_text="全市唯一，导入导出时用它识别党组织")
    name = forms.CharField(label="党组织名称", max_length=200, error_messages=_required("党组织名称"))
    org_type = forms.ChoiceField(label="党组织类别", choices=OrgType.choices, error_messages=_required("党组织类别"),
                                 help_text="党支部、联合党支部、临时党支部下设党员；党委、党工委、党总支下设党组织")
    domain = forms.ChoiceField(label="所属领域", choices=Domain.choices, error_messages=_required("所属领域"))
    founded_on = date_field("成立日期", required=False)
    unit_name = forms.CharField(label="单位名称", max_length=200, required=False,
                                help_text="党组织所在单位，如村委会、企业、学校")
    unit_credit_code = forms.CharField(label="统一社会信用代码", max_length=18, min_length=18, required=False,
                                       error_messages={"min_length": "统一社会信用代码应为18位",
                                                       "max_length": "统一社会信用代码应为18位"})
    contact_person = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)

    def clean_unit_credit_code(self):
        return (self.cleaned_data.get("unit_credit_code") or "").strip().upper()

    def clean_founded_on(self):
        d = self.cleaned_data.get("founded_on")
        if d and d > timezone.localdate():
            raise ValidationError("成立日期不能晚于今天")
        return d


class MoveForm(BootstrapMixin, forms.Form):
    parent = forms.CharField(label="新的上级党组织", error_messages={"required": "请选择新的上级党组织"},
                             widget=forms.HiddenInput)
    reason = forms.CharField(label="调整原因", max_length=200, error_messages=_required("调整原因"),
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="如：乡镇区划调整、单位隶属关系变更（依据文件文号）")


class TermForm(BootstrapMixin, forms.Form):
    number = forms.IntegerField(label="届次", min_value=1, max_value=200, required=False,
                                help_text="留空自动按上一届加一",
                                error_messages={"invalid": "届次应为数字", "min_value": "届次应为正整数"})
    elected_on = date_field("换届(选举)日期")
    years = forms.IntegerField(label="任期(年)", min_value=1, max_value=10, error_messages={
        **_required("任期"), "invalid": "任期应为整数年", "min_value": "任期至少1年", "max_value": "任期不超过10年"})
    note = forms.CharField(label="备注", max_length=200, required=False)

    def clean_elected_on(self):
        d = self.cleaned_data.get("elected_on")
        if d and d > timezone.localdate():
            raise ValidationError("换届日期不能晚于今天")
        return d


class CommitteeMemberForm(BootstrapMixin, forms.Form):
    member = forms.ModelChoiceField(label="对应党员", queryset=Member.objects.none(), required=False,
                                    empty_label="（不关联党员档案）",
                                    help_text="本组织的党员可直接选择；上级委派等情况可只填姓名")
    name = forms.CharField(label="姓名", max_length=50, required=False)
    position = forms.ChoiceField(label="职务", choices=Position.choices, error_messages=_required("职务"))
    duty = forms.CharField(label="分工", max_length=50, required=False, help_text="如：组织委员、宣传委员、纪检委员")
    started_on = date_field("任职日期")

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is None:
            # Committees above branches: their people sit in branches below; the name is enough.
            del self.fields["member"]
        else:
            self.fields["member"].queryset = members
            self.fields["member"].error_messages["invalid_choice"] = "所选党员不在本组织"

    def clean(self):
        data = super().clean()
        if not data.get("name") and data.get("member"):
            data["name"] = data["member"].name
        if not data.get("name") and "name" not in self.errors:
            self.add_error("name", "请填写姓名或选择对应党员")
        return data


class EndServiceForm(BootstrapMixin, forms.Form):
    ended_on = date_field("离任日期", initial=timezone.localdate)
