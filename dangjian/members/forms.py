"""Forms of the member pages: they parse and show input; the rules live in validation.py and actions.py,
whose errors are put back next to their fields with orgs.forms.add_action_error."""

from django import forms

from dangjian.orgs.forms import BootstrapMixin, date_field

from .choices import ETHNICITY_CHOICES, Category, Education, Gender, Status


def _req(label):
    return {"required": f"请填写{label}"}


class MemberForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=50, error_messages=_req("姓名"))
    id_number = forms.CharField(label="公民身份号码", max_length=20, error_messages=_req("公民身份号码"),
                                help_text="18位，最后一位可以是X；出生日期和性别可留空，按号码自动填写")
    gender = forms.ChoiceField(label="性别", choices=[("", "按身份证号")] + Gender.choices, required=False)
    birth_date = date_field("出生日期", required=False)
    ethnicity = forms.ChoiceField(label="民族", choices=ETHNICITY_CHOICES, initial="汉族")
    education = forms.ChoiceField(label="学历", choices=[("", "请选择")] + Education.choices, error_messages=_req("学历"))
    category = forms.ChoiceField(label="人员类别", choices=Category.choices, error_messages=_req("人员类别"))
    joined_on = date_field("入党日期", help_text="支部大会通过接收为预备党员的日期")
    confirmed_on = date_field("转正日期", required=False, help_text="正式党员填写；预备党员留空")
    job = forms.CharField(label="工作岗位", max_length=100, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="家庭住址", max_length=200, required=False)
    is_mobile = forms.BooleanField(label="流动党员", required=False)
    mobile_destination = forms.CharField(label="外出流向", max_length=100, required=False)
    lost_contact = forms.BooleanField(label="失去联系", required=False)
    lost_contact_on = date_field("失去联系日期", required=False)

    def __init__(self, *args, branch_groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("is_mobile", "lost_contact"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        if branch_groups is not None:
            # [(parent name, [(code, branch name), ...]), ...] -> one <optgroup> per parent organization.
            self.fields["org"] = forms.ChoiceField(
                label="所在党支部", choices=[("", "请选择党支部")] + branch_groups,
                error_messages={**_req("所在党支部"), "invalid_choice": "请从列表中选择所在党支部"})
            self.fields["org"].widget.attrs["class"] = "form-select"
            self.order_fields(["org"])

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip().upper()


class SelfForm(BootstrapMixin, forms.Form):
    """What a plain member may change on their own record."""

    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="家庭住址", max_length=200, required=False)


class StatusForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label="党籍状态", choices=Status.choices)
    reason = forms.CharField(label="原因", max_length=200, error_messages=_req("原因"),
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="如：病故；经支部大会讨论并报上级批准，给予除名处置")
    on = date_field("变更日期")
