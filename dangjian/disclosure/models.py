"""党务村务财务公开: disclosure items, their finance tables and attachments.

An item belongs to an organization (the 村党组织, a committee, ...) and carries a copy of its path,
so "every item under this township" is one prefix range, like members. A published item is never
edited in place: a correction (更正) publishes a new version that points to the one it replaces
(`supersedes`), and the old one stays readable as "更正前版本".
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum

from dangjian.core.scope import scope_for


class Category(models.TextChoices):
    PARTY = "party", "党务公开"
    VILLAGE = "village", "村务公开"
    FINANCE = "finance", "财务公开"


CATEGORY_SHORT = {Category.PARTY: "党务", Category.VILLAGE: "村务", Category.FINANCE: "财务"}


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已公开"
    SUPERSEDED = "superseded", "已更正（旧版本）"
    WITHDRAWN = "withdrawn", "已撤回"


# Staff may write items of an organization where they hold change_member: admins of the subtree and
# the secretary of the branch (or 总支) itself, the people who manage that organization's affairs.
WRITE_ACTION = "change_member"


class DisclosureQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Items `user` may perform `action` on: a prefix range on org_path (see core.scope).

        The member role reaches nothing here: members read the public pages like everyone else.
        """
        return self.filter(scope_for(user).path_q("org_path", action))

    def public(self):
        """What /gk/ lists: the current published version of each item."""
        return self.filter(status=Status.PUBLISHED)


class DisclosureItem(models.Model):
    org = models.ForeignKey("orgs.Org", verbose_name="公开单位", on_delete=models.PROTECT,
                            related_name="disclosures")
    # Copy of org.path: subtree lists are one indexed range scan (kept in step by orgs.move_org's
    # path rewrite only if it rewrites this table too; see the report of issue 7).
    org_path = models.CharField(max_length=255, editable=False)
    category = models.CharField("公开类别", max_length=20, choices=Category.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", blank=True, help_text="经过安全过滤的 HTML")
    period_label = models.CharField("公开期间", max_length=50, blank=True, help_text="如 2025年第3季度")
    period_start = models.DateField("期间开始", null=True, blank=True)
    period_end = models.DateField("期间结束", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdraw_reason = models.CharField("撤回原因", max_length=200, blank=True)
    # Finance: the totals the village declares; each must equal the sum of its lines.
    declared_income = models.DecimalField("收入合计", max_digits=14, decimal_places=2, null=True, blank=True)
    declared_expense = models.DecimalField("支出合计", max_digits=14, decimal_places=2, null=True, blank=True)
    # Version chain: a correction points to the version it replaces.
    supersedes = models.OneToOneField("self", verbose_name="更正的原版本", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="superseded_by")
    version = models.PositiveIntegerField("版本", default=1)
    correction_note = models.CharField("更正说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "公开事项"
        indexes = [
            # the public page: an org's published items, newest first
            models.Index(fields=["org", "status", "-published_at"], name="disclosure_public_idx"),
            # staff lists over a subtree (org_path prefix range)
            models.Index(fields=["org_path", "-id"], name="disclosure_orgpath_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_finance(self) -> bool:
        return self.category == Category.FINANCE

    @property
    def category_short(self) -> str:
        return CATEGORY_SHORT.get(self.category, "")

    @property
    def period_text(self) -> str:
        if self.period_label:
            return self.period_label
        if self.period_start and self.period_end:
            return f"{self.period_start:%Y-%m-%d} 至 {self.period_end:%Y-%m-%d}"
        if self.period_start:
            return f"{self.period_start:%Y-%m-%d} 起"
        return ""

    def totals(self) -> dict:
        """{"income": Decimal, "expense": Decimal, "balance": Decimal} from the lines (one query)."""
        sums = dict(self.lines.values_list("kind").annotate(s=Sum("amount")).values_list("kind", "s"))
        income = sums.get(LineKind.INCOME) or Decimal("0.00")
        expense = sums.get(LineKind.EXPENSE) or Decimal("0.00")
        return {"income": income, "expense": expense, "balance": income - expense}


class LineKind(models.TextChoices):
    INCOME = "income", "收入"
    EXPENSE = "expense", "支出"


class FinanceLine(models.Model):
    """One row of a finance disclosure's income/expense table."""

    disclosure = models.ForeignKey(DisclosureItem, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField("收支", max_length=10, choices=LineKind.choices)
    item = models.CharField("项目", max_length=200)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "收支明细"
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="financeline_amount_nonnegative"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.item} {self.amount}"


def attachment_path(instance, filename):
    # The stored name never carries the uploader's file name (it may hold a person's name).
    import uuid
    from pathlib import Path

    return f"disclosure/{instance.disclosure.org_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Attachment(models.Model):
    """A scanned receipt, a photo of the notice board, a PDF table (images and PDF, at most 10 MB)."""

    disclosure = models.ForeignKey(DisclosureItem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
