"""Forms of the staff pages. They parse input only; the rules live in the actions package, whose
ValidationErrors are put back onto the form (orgs.forms.add_action_error)."""

from django import forms

from dangjian.orgs.forms import BootstrapMixin, date_field
from dangjian.orgs.models import Domain

from .models import Category, Frequency, LineKind, QuestionKind, Review

BODY_HELP = ("可直接输入文字（空行分段），也可粘贴简单格式：段落、加粗、列表、表格、链接。"
             "脚本、样式、图片标签等会被自动去除。不得包含身份证号、手机号码。")


class DisclosureForm(BootstrapMixin, forms.Form):
    category = forms.ChoiceField(label="公开类别", choices=Category.choices,
                                 error_messages={"required": "请选择公开类别"})
    title = forms.CharField(label="标题", max_length=200, error_messages={"required": "请填写标题"})
    period_label = forms.CharField(label="公开期间", max_length=50, required=False,
                                   help_text="如“2025年第3季度”“2025年7月”；不填则按起止日期显示")
    period_start = date_field("期间开始", required=False)
    period_end = date_field("期间结束", required=False)
    body = forms.CharField(label="正文", required=False, help_text=BODY_HELP,
                           widget=forms.Textarea(attrs={"rows": 8}))
    declared_income = forms.CharField(label="收入合计（元）", required=False,
                                      help_text="仅财务公开：须等于下表各项收入之和；不填则自动合计")
    declared_expense = forms.CharField(label="支出合计（元）", required=False,
                                       help_text="仅财务公开：须等于下表各项支出之和；不填则自动合计")
    catalog_entry = forms.CharField(label="公开目录事项", required=False,
                                    help_text="按公开目录应公开的事项；需审核的事项先提交审核，通过后公开")
    period = forms.CharField(label="目录期间", max_length=10, required=False,
                             help_text="每月如 2025-07，每季度如 2025-Q3，每年如 2025；随时公开的事项不填")
    # Immediate (随时) entries: the registered matter this item publishes, or the day a new one occurred.
    matter = forms.CharField(label="待公开事项", required=False)
    occurred_on = date_field("事项发生日期", required=False,
                             help_text="随时公开的事项必填：会议表决、上级批复等事项发生之日；自该日起计算公开期限")


class CorrectionForm(DisclosureForm):
    correction_note = forms.CharField(label="更正说明", max_length=200,
                                      error_messages={"required": "请填写更正说明（更正了什么、为什么）"},
                                      help_text="将显示在公开页上，如“更正第2项支出金额”")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A correction keeps the category (see actions.correct).
        self.fields["category"].disabled = True


class LineForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="收支", choices=[("", "—")] + LineKind.choices, required=False)
    item = forms.CharField(label="项目", max_length=200, required=False)
    amount = forms.CharField(label="金额（元）", max_length=20, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def line(self) -> dict | None:
        """The row as a dict for actions, or None when the row was left empty."""
        d = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        if not any((d.get("kind"), d.get("item"), d.get("amount"), d.get("note"))):
            return None
        return {"kind": d.get("kind") or "", "item": d.get("item") or "", "amount": d.get("amount") or "",
                "note": d.get("note") or ""}


LineFormSet = forms.formset_factory(LineForm, extra=4, max_num=500, absolute_max=500)


class WithdrawForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="撤回原因", max_length=200, error_messages={"required": "请填写撤回原因"},
                             widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label="附件", error_messages={"required": "请选择要上传的文件"},
                           help_text="图片（JPG、PNG、GIF、WEBP）或 PDF，不超过10MB；如收据扫描件")


class CatalogEntryForm(BootstrapMixin, forms.Form):
    domain = forms.ChoiceField(label="适用领域", choices=Domain.choices)
    category = forms.ChoiceField(label="公开类别", choices=Category.choices)
    title = forms.CharField(label="公开事项", max_length=200, error_messages={"required": "请填写公开事项"})
    frequency = forms.ChoiceField(label="公开频次", choices=Frequency.choices)
    publisher = forms.CharField(label="公开责任主体", max_length=100, help_text="如 村民委员会、村党组织",
                                error_messages={"required": "请填写公开责任主体"})
    review = forms.ChoiceField(label="审核", choices=Review.choices)
    source = forms.CharField(label="依据", max_length=200, required=False)
    position = forms.IntegerField(label="顺序", min_value=0, required=False)
    effective_from = date_field("起始日期", required=False)
    active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        checkboxes(self)


def checkboxes(form):
    """Bootstrap's check style for the boolean fields (BootstrapMixin gives every widget form-control)."""
    for f in form.fields.values():
        if isinstance(f.widget, forms.CheckboxInput):
            f.widget.attrs["class"] = "form-check-input"


class SeatForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label="用户名", max_length=150, error_messages={"required": "请填写用户名"})
    title = forms.CharField(label="职务", max_length=50, required=False, initial="村务监督委员会成员")


class ReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("approve", "通过"), ("return", "退回修改")])
    note = forms.CharField(label="意见（退回时必填）", max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(BootstrapMixin, forms.Form):
    answer = forms.CharField(label="答复", widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "请填写答复内容"})
    public = forms.BooleanField(label="在公开页显示问题和答复（不显示电话）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        checkboxes(self)


class AskForm(forms.Form):
    """The villager's form on /gk/: `website` is a honeypot (hidden; bots fill it), `token` a signed
    timestamp of when the form was served."""

    kind = forms.ChoiceField(label="类型", choices=QuestionKind.choices, widget=forms.RadioSelect,
                             initial=QuestionKind.QUESTION)
    body = forms.CharField(label="您的问题或异议", widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
                           error_messages={"required": "请写下您的问题或异议"})
    phone = forms.CharField(label="手机号码（仅用于答复您，不会公开）", max_length=20,
                            widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel",
                                                          "autocomplete": "tel"}),
                            error_messages={"required": "请填写手机号码，用于答复您"})
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))
    token = forms.CharField(required=False, widget=forms.HiddenInput)


class MatterForm(BootstrapMixin, forms.Form):
    """登记待公开事项 (the entry's choices are the immediate entries binding the organization, set by the view)."""

    catalog_entry = forms.ChoiceField(label="公开目录事项", error_messages={"required": "请选择公开目录事项"})
    title = forms.CharField(label="事项", max_length=200, error_messages={"required": "请填写事项名称"},
                            help_text="如“村道硬化工程实施方案（村民代表会议表决通过）”")
    occurred_on = date_field("发生日期", help_text="会议表决、上级批复等事项发生之日；自该日起计算公开期限")
    note = forms.CharField(label="说明", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalog_entry"].choices = [("", "—")] + [
            (str(e.pk), f"{e.get_category_display()} · {e.title}") for e in entries]


class CancelMatterForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200, error_messages={"required": "请填写撤销原因"},
                             help_text="如重复登记、登记有误")
