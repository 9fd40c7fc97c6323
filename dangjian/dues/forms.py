"""Forms of the dues pages: they parse and show input; the rules and writes are in actions.py, whose
ValidationError goes back onto the form with orgs.forms.add_action_error."""

from django import forms
from django.utils import timezone

from dangjian.orgs.forms import BootstrapMixin, date_field
from dangjian.rules.dues import CATEGORIES

from .models import PayMethod, ReminderMethod
from .months import parse_month


class MonthInput(forms.TextInput):
    input_type = "month"


def month_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, widget=MonthInput(), error_messages={"required": f"请填写{label}"})


class MemberChoiceMixin:
    """The member select lists only the branch members the page passes in (already restricted)."""

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "请选择党员")] + [(m.pk, m.name) for m in members]
        self.fields["member"].error_messages["invalid_choice"] = "请选择本支部的党员"
        self._members = {str(m.pk): m for m in members}

    def clean_member(self):
        m = self._members.get(str(self.cleaned_data["member"]))
        if m is None:
            raise forms.ValidationError("请选择本支部的党员")
        return m


class PaymentForm(MemberChoiceMixin, BootstrapMixin, forms.Form):
    member = forms.ChoiceField(label="党员", error_messages={"required": "请选择党员"})
    first_month = month_field("起始月份")
    count = forms.IntegerField(label="月数", min_value=1, max_value=24, initial=1,
                               error_messages={"required": "请填写月数", "min_value": "月数至少为1",
                                               "max_value": "一次最多登记24个月"})
    paid_on = date_field("交纳日期")
    method = forms.ChoiceField(label="交纳方式", choices=PayMethod.choices, initial=PayMethod.CASH)
    receipt = forms.CharField(label="收据号", required=False, max_length=50)
    amount = forms.DecimalField(label="实交金额（元）", required=False, max_digits=12, decimal_places=2,
                                help_text="不填则按台账应交金额", error_messages={"invalid": "实交金额应为数字"})
    explanation = forms.CharField(label="说明", required=False, max_length=300,
                                  help_text="实交金额与应交不符时必填")
    over_limit_reason = forms.CharField(label="超限说明", required=False, max_length=300,
                                        help_text="补交或预交超过规定月数时填写")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()

    def months(self) -> list:
        from dangjian.rules.base import add_months

        first = parse_month(self.cleaned_data["first_month"], field="起始月份")
        return [add_months(first, i) for i in range(self.cleaned_data["count"])]

    def clean_first_month(self):
        try:
            parse_month(self.cleaned_data["first_month"], field="起始月份")
        except ValueError as e:
            raise forms.ValidationError(str(e)) from None
        return self.cleaned_data["first_month"]


class MonthPaymentForm(BootstrapMixin, forms.Form):
    """本月交纳登记: this month's dues of the members ticked, each at the ledger's amount. `unpaid`: [(member, due)],
    the branch's members whose month is still unpaid (the only ones that can be ticked)."""

    members = forms.MultipleChoiceField(label="已交纳的党员", error_messages={
        "required": "请勾选已交纳的党员", "invalid_choice": "只能勾选本月尚未交纳的本支部党员"})
    paid_on = date_field("交纳日期")
    method = forms.ChoiceField(label="交纳方式", choices=PayMethod.choices, initial=PayMethod.CASH)

    def __init__(self, *args, unpaid=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unpaid = list(unpaid)
        self.fields["members"].choices = [(str(m.pk), m.name) for m, _due in self.unpaid]
        self.fields["paid_on"].initial = timezone.localdate()
        self._members = {str(m.pk): m for m, _due in self.unpaid}

    def clean_members(self):
        return [self._members[pk] for pk in self.cleaned_data["members"]]

    def ticked(self) -> set[str]:
        return set(self.data.getlist("members")) if self.is_bound else set()


class BaseForm(MemberChoiceMixin, BootstrapMixin, forms.Form):
    member = forms.ChoiceField(label="党员", error_messages={"required": "请选择党员"})
    from_month = month_field("起始月份")
    category = forms.ChoiceField(label="交纳类别", choices=list(CATEGORIES.items()))
    base = forms.CharField(label="月计算基数（元）", required=False, max_length=20,
                           help_text="在职：税后相对固定的工资收入；离退休：基本离退休费")
    farmer_amount = forms.CharField(label="农民党员每月金额（元）", required=False, max_length=10)
    note = forms.CharField(label="说明", required=False, max_length=200)


class ReminderForm(MemberChoiceMixin, BootstrapMixin, forms.Form):
    member = forms.ChoiceField(label="党员", error_messages={"required": "请选择党员"})
    reminded_on = date_field("提醒日期")
    method = forms.ChoiceField(label="提醒方式", choices=ReminderMethod.choices)
    note = forms.CharField(label="情况记录", required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reminded_on"].initial = timezone.localdate()


class ReverseForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="冲正原因", max_length=300, error_messages={"required": "请填写冲正原因"})


class ReportForm(forms.Form):
    year = forms.IntegerField(min_value=2008, max_value=2100, required=False)
    start = forms.IntegerField(min_value=1, max_value=12, required=False)
    end = forms.IntegerField(min_value=1, max_value=12, required=False)
