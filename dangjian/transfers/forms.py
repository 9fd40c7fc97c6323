"""Forms of the transfer pages: they parse input; rules and writes are in actions.py."""

from django import forms

from dangjian.members.choices import ETHNICITY_CHOICES, Category, Education, Gender
from dangjian.orgs.forms import BootstrapMixin, date_field

from .models import Kind


def _required(label: str) -> dict:
    return {"required": f"请填写{label}"}


class StartForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="转接类型", choices=[(Kind.INTERNAL, "转到本平台内的党支部"),
                                                        (Kind.OUT, "转出本平台（开具纸质介绍信）")],
                             initial=Kind.INTERNAL, widget=forms.RadioSelect)
    to_org = forms.CharField(label="转入党支部编码", required=False, max_length=40,
                             help_text="输入党支部名称或编码查找，选中后自动填入")
    to_name = forms.CharField(label="转入单位名称", required=False, max_length=200,
                              help_text="转出本平台时填写，如“某省某市某区某街道党工委”")
    reason = forms.CharField(label="转接原因", max_length=500, error_messages=_required("转接原因"),
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"


class ApproveForm(BootstrapMixin, forms.Form):
    validity_days = forms.IntegerField(label="介绍信有效期（天）", required=False, min_value=1,
                                       error_messages={"invalid": "有效期应为整数天数",
                                                       "min_value": "有效期至少1天"})


class RejectForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="退回原因", max_length=500, error_messages=_required("退回原因"),
                             widget=forms.Textarea(attrs={"rows": 2}))


class ReceiptForm(BootstrapMixin, forms.Form):
    receipt_on = date_field("回执日期")


class IncomingForm(BootstrapMixin, forms.Form):
    """转入登记: the arriving member's registry fields plus the letter."""

    to_org = forms.ChoiceField(label="转入党支部")
    from_name = forms.CharField(label="原党组织（转出单位）", max_length=200, error_messages=_required("原党组织"))
    letter_no = forms.CharField(label="介绍信编号", max_length=60, error_messages=_required("介绍信编号"))
    letter_issued_on = date_field("介绍信开具日期", required=False)
    name = forms.CharField(label="姓名", max_length=50, error_messages=_required("姓名"))
    id_number = forms.CharField(label="公民身份号码", max_length=18, error_messages=_required("公民身份号码"))
    gender = forms.ChoiceField(label="性别", choices=[("", "按身份证号")] + Gender.choices, required=False)
    ethnicity = forms.ChoiceField(label="民族", choices=ETHNICITY_CHOICES, initial="汉族")
    education = forms.ChoiceField(label="学历", choices=[("", "请选择")] + Education.choices,
                                  error_messages=_required("学历"))
    category = forms.ChoiceField(label="人员类别", choices=Category.choices)
    joined_on = date_field("入党日期")
    confirmed_on = date_field("转正日期", required=False)
    job = forms.CharField(label="工作岗位", max_length=100, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    reason = forms.CharField(label="转入原因", max_length=500, required=False)

    MEMBER_FIELDS = ("name", "id_number", "gender", "ethnicity", "education", "category", "joined_on",
                     "confirmed_on", "job", "phone")

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].choices = [(o.code, f"{o.name}（{o.code}）") for o in branches]

    def member_data(self) -> dict:
        d = {k: self.cleaned_data.get(k) for k in self.MEMBER_FIELDS}
        if not d["gender"]:
            d.pop("gender")  # derived from the ID number by validate_member
        return d
