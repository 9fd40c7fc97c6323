"""Forms of the member pages: they parse and show input; the rules live in validation.py and actions.py,
whose errors are put back next to their fields with orgs.forms.add_action_error."""

from django import forms

from dangjian.orgs.forms import BootstrapMixin, date_field

from .choices import ETHNICITY_CHOICES, Category, Education, Gender, Status
from .models import CaseKind, DisposalOutcome, FollowUpOutcome, LeaveType


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
    # 流动 and 失联 are not typed here: the outflow registration and the follow-ups keep them (members.actions), so the
    # flags on the record never disagree with those records.

    def __init__(self, *args, branch_groups=None, **kwargs):
        super().__init__(*args, **kwargs)
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


# --- 流动党员, 失联党员, 党籍变更, 不合格党员处置 -------------------------------------------------------------


class MobileForm(BootstrapMixin, forms.Form):
    destination = forms.CharField(label="外出地点", max_length=200, error_messages=_req("外出地点"),
                                  help_text="如：广东省深圳市南山区某科技公司")
    since = date_field("外出日期")
    fixed_place = forms.BooleanField(label="地点相对固定", required=False, initial=True,
                                     help_text="外出地点相对固定且满6个月的，应转移组织关系")
    contact = forms.CharField(label="外出期间联系方式", max_length=100, error_messages=_req("外出期间联系方式"))
    certificate_no = forms.CharField(label="流动党员活动证编号", max_length=60, required=False)
    receiving_org = forms.CharField(label="流入地党组织编码（本平台）", max_length=40, required=False,
                                    help_text="流入地党组织在本平台的，填写其党组织编码")
    receiving_name = forms.CharField(label="流入地党组织名称（平台外）", max_length=200, required=False)
    note = forms.CharField(label="备注", max_length=300, required=False)


    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fixed_place"].widget.attrs["class"] = "form-check-input"


class MobileEndForm(BootstrapMixin, forms.Form):
    ended_on = date_field("返回日期")
    end_reason = forms.CharField(label="结束原因", max_length=200, error_messages=_req("结束原因"),
                                 initial="返回原地")


class FollowUpForm(BootstrapMixin, forms.Form):
    contacted_on = date_field("联系日期")
    method = forms.CharField(label="联系方式", max_length=50, error_messages=_req("联系方式"),
                             help_text="电话、上门、委托亲属、函询等")
    outcome = forms.ChoiceField(label="结果", choices=[("", "请选择")] + FollowUpOutcome.choices,
                                error_messages=_req("结果"))
    note = forms.CharField(label="情况说明", max_length=300, required=False)


class StatusCaseForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="变更类型", choices=[("", "请选择")] + CaseKind.choices, error_messages=_req("变更类型"))
    leave_type = forms.ChoiceField(label="出党方式（仅出党）", choices=[("", "—")] + LeaveType.choices, required=False)
    effective_on = date_field("变更日期", help_text="支部大会（或支部委员会）作出决定的日期；去世填写去世日期")
    reason = forms.CharField(label="原因", max_length=500, error_messages=_req("原因"),
                             widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label="审批意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DisposalForm(BootstrapMixin, forms.Form):
    decided_on = date_field("限期改正决定日期")
    deadline = date_field("改正期限", required=False, help_text="留空按规则：一般为决定之日起6个月，最长不超过1年")
    reason = forms.CharField(label="不合格情形", max_length=500, error_messages=_req("不合格情形"),
                             widget=forms.Textarea(attrs={"rows": 3}))


class DisposalOutcomeForm(BootstrapMixin, forms.Form):
    outcome = forms.ChoiceField(label="处置结果", choices=[("", "请选择")] + DisposalOutcome.choices,
                                error_messages=_req("处置结果"))
    outcome_on = date_field("结果日期")
    outcome_note = forms.CharField(label="结果说明", max_length=500, required=False,
                                   help_text="劝其退党、除名须写明支部大会讨论情况")
