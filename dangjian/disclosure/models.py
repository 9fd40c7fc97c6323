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
from dangjian.orgs.models import Domain


class Category(models.TextChoices):
    PARTY = "party", "党务公开"
    VILLAGE = "village", "村务公开"
    FINANCE = "finance", "财务公开"


CATEGORY_SHORT = {Category.PARTY: "党务", Category.VILLAGE: "村务", Category.FINANCE: "财务"}


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核待公开"
    PUBLISHED = "published", "已公开"
    SUPERSEDED = "superseded", "已更正（旧版本）"
    WITHDRAWN = "withdrawn", "已撤回"


# Statuses in which the author may still edit the item (a returned one goes back to draft when edited).
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
# Statuses of a version that was published once (a corrected item's old versions are superseded): when an item was
# first published. Whether it is on the public page now is status PUBLISHED alone (a withdrawn current version takes
# its superseded ones off the page too).
PUBLISHED_STATES = (Status.PUBLISHED, Status.SUPERSEDED)


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    YEARLY = "yearly", "每年"
    IMMEDIATE = "immediate", "随时（重大事项即时公开）"


class Review(models.TextChoices):
    NONE = "none", "无需审核"
    ABOVE = "above", "上级党组织审核"
    SUPERVISION = "supervision", "村务监督委员会审核"


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
    # The catalogue entry this item fulfils and its period label ("2025-Q3", "2025-07", "2025"; empty for an
    # immediate matter). The entry's review decides whether it must be approved before publication.
    catalog_entry = models.ForeignKey("CatalogEntry", verbose_name="公开目录事项", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="items")
    period = models.CharField("目录期间", max_length=10, blank=True)
    # The registered major matter (待公开事项) this item publishes, for an entry of frequency `immediate`: the
    # matter's date decides whether it was published in time (rules.disclosure.MAJOR_WITHIN_DAYS).
    matter = models.ForeignKey("Matter", verbose_name="待公开事项", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="items")
    submitted_at = models.DateTimeField("提交审核时间", null=True, blank=True)
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
            # overdue detection: has this org published this catalogue entry for this period?
            models.Index(fields=["catalog_entry", "period", "org", "status"], name="disclosure_catalog_idx"),
            # the review queue: submitted items over a subtree
            models.Index(fields=["status", "org_path"], name="disclosure_status_path_idx"),
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


class CatalogEntryQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """`view`: entries owned in the user's subtrees or above them (the catalogue that applies to
        them). Any other action: entries owned inside the subtrees where the user holds `action`."""
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if action != "view":
            return self.filter(scope.path_q("owner_path", action))
        q = scope.path_q("owner_path", "view")
        ancestors = {p[:k] for p in scope.prefixes("view") for k in range(4, len(p), 4)}
        if ancestors:
            q |= Q(owner_path__in=ancestors)
        return self.filter(q)

    def applying_to(self, org):
        """Active entries that bind `org`: owned by it or an organization above it, for its domain and type."""
        owners = [org.path[:k] for k in range(4, len(org.path) + 1, 4)]
        q = Q(org_type=org.org_type)
        if org.org_type in BASIC_ORG_TYPES:
            q |= Q(org_type="")
        return self.filter(active=True, owner_path__in=owners, domain=org.domain).filter(q)


# The organizations a catalogue entry with no org type binds: the 村/社区 level party organizations.
BASIC_ORG_TYPES = ("branch", "joint_branch", "general_branch")


class CatalogEntry(models.Model):
    """One line of a 公开目录: what an organization of a domain must publish, how often, who publishes it
    and whether it is reviewed first. Owned by the committee whose admins keep it; it binds the owner's
    subtree (党务公开条例 第十五条: items of the catalogue go 提出 → 审核 → 审批 → 实施)."""

    owner = models.ForeignKey("orgs.Org", verbose_name="制定单位", on_delete=models.PROTECT, related_name="+")
    owner_path = models.CharField(max_length=255, editable=False)
    domain = models.CharField("适用领域", max_length=20, choices=Domain.choices)
    org_type = models.CharField("适用组织类别", max_length=20, blank=True,
                                help_text="留空：村、社区一级的党支部、党总支")
    category = models.CharField("公开类别", max_length=20, choices=Category.choices)
    title = models.CharField("公开事项", max_length=200)
    frequency = models.CharField("公开频次", max_length=20, choices=Frequency.choices)
    publisher = models.CharField("公开责任主体", max_length=100)
    review = models.CharField("审核", max_length=20, choices=Review.choices, default=Review.NONE)
    source = models.CharField("依据", max_length=200, blank=True)
    position = models.PositiveIntegerField("顺序", default=0)
    active = models.BooleanField("启用", default=True)
    effective_from = models.DateField("起始日期", help_text="此日期以前结束的期间不检查")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CatalogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "公开目录事项"
        ordering = ["owner_path", "domain", "position", "id"]
        indexes = [
            # the entries binding one org: owner_path IN (its ancestors) AND domain
            models.Index(fields=["owner_path", "domain", "active"], name="catalog_owner_idx"),
        ]

    def __str__(self):
        return self.title


class MatterQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Matters `user` may perform `action` on: a prefix range on org_path, like items."""
        return self.filter(scope_for(user).path_q("org_path", action))

    def with_published_at(self):
        """Annotates `published_now` (an item of the matter is on the public page: the current version of a
        corrected item is, a withdrawn one is not) and `first_published_at` (when the first version of an item was
        published, for "in time"; None while none was)."""
        from django.db.models import Exists, Min, OuterRef

        published = DisclosureItem.objects.filter(matter=OuterRef("pk"), status=Status.PUBLISHED)
        return self.annotate(published_now=Exists(published),
                             first_published_at=Min("items__published_at", filter=Q(items__status__in=PUBLISHED_STATES)))


class Matter(models.Model):
    """待公开事项: a major matter (重大事项: a 四议两公开 decision, a 发展党员 公示, a land requisition …) that a
    catalogue entry of frequency `immediate` says must be published at once. Periodic entries are checked against
    their periods; an immediate one has none, so the organization (or the committee above) registers the matter and
    the day it occurred, and the items that publish it point to it. Unpublished MAJOR_WITHIN_DAYS after that day it
    is overdue. A matter registered by mistake is cancelled with a reason, never deleted."""

    org = models.ForeignKey("orgs.Org", verbose_name="公开单位", on_delete=models.PROTECT,
                            related_name="disclosure_matters")
    org_path = models.CharField(max_length=255, editable=False)  # copy of org.path, rewritten by orgs.move_org
    catalog_entry = models.ForeignKey(CatalogEntry, verbose_name="公开目录事项", on_delete=models.PROTECT,
                                      related_name="matters")
    title = models.CharField("事项", max_length=200)
    occurred_on = models.DateField("发生日期", help_text="如村民代表会议表决、上级批复的日期")
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    cancelled_at = models.DateTimeField("撤销时间", null=True, blank=True)
    cancel_reason = models.CharField("撤销原因", max_length=200, blank=True)

    objects = MatterQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "待公开事项"
        ordering = ["-occurred_on", "-id"]
        indexes = [
            # the overdue list and the reminders: open matters over a subtree by date
            models.Index(fields=["org_path", "occurred_on"], name="matter_path_date_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def deadline(self):
        from dangjian.rules.disclosure import matter_deadline

        return matter_deadline(self.occurred_on)


class SupervisorSeat(models.Model):
    """A user who sits on an organization's 村务监督委员会 (or 三务公开监督小组) and reviews its items where
    the catalogue says so. Designated by the admins above (村委会组织法 第三十二条: elected by the villagers)."""

    org = models.ForeignKey("orgs.Org", verbose_name="村（社区）党组织", on_delete=models.CASCADE,
                            related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="监督委员会成员", on_delete=models.CASCADE,
                             related_name="supervisor_seats")
    title = models.CharField("职务", max_length=50, default="村务监督委员会成员")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "村务监督委员会成员"
        constraints = [models.UniqueConstraint(fields=["org", "user"], name="supervisor_seat_once")]

    def __str__(self):
        return f"{self.org} {self.title}"


class ReviewStep(models.Model):
    """One step of an item's review: submitted, approved or returned (with the reason)."""

    class Kind(models.TextChoices):
        SUBMIT = "submit", "提交审核"
        APPROVE = "approve", "审核通过"
        RETURN = "return", "退回修改"

    item = models.ForeignKey(DisclosureItem, on_delete=models.CASCADE, related_name="review_steps")
    kind = models.CharField("步骤", max_length=10, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField("经办人", max_length=100, blank=True)
    note = models.CharField("意见", max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "审核记录"
        ordering = ["at", "id"]


class QuestionKind(models.TextChoices):
    QUESTION = "question", "询问"
    OBJECTION = "objection", "异议"


class Question(models.Model):
    """A villager's question or objection about a published item. The phone number is for the reply and
    is never shown on a public page; only an answered question the organization makes public is shown,
    with the text as masked when it was made public."""

    item = models.ForeignKey(DisclosureItem, on_delete=models.CASCADE, related_name="questions")
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField("类型", max_length=10, choices=QuestionKind.choices, default=QuestionKind.QUESTION)
    body = models.TextField("内容")
    phone = models.CharField("联系电话", max_length=20)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    public = models.BooleanField("在公开页显示", default=False)
    public_body = models.TextField("公开显示的内容", blank=True, help_text="隐去号码后的问题")

    class Meta:
        verbose_name = verbose_name_plural = "群众留言"
        ordering = ["-created_at", "-id"]
        indexes = [
            # the inbox over a subtree, unanswered first
            models.Index(fields=["org_path", "answered_at"], name="question_inbox_idx"),
            # the public item page: its public answered questions
            models.Index(fields=["item", "public"], name="question_public_idx"),
        ]

    @property
    def answered(self) -> bool:
        return self.answered_at is not None
