"""Forms of the staff pages. They parse input only; the rules live in actions.py, whose
ValidationErrors are put back onto the form (orgs.forms.add_action_error)."""

from django import forms

from dangjian.orgs.forms import BootstrapMixin, date_field

from .models import Category, LineKind

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
