"""Party dues (党费): declared bases, exemptions, the monthly ledger of what is owed, payments, reminders.

Money is Decimal yuan with two places. Payments are an append-only ledger: a correction is a
reversing entry that points to the entry it reverses; money is never edited in place. Every table
that a user reaches carries a copy of the member's org path (`org_path`) so a subtree is one range
scan, and orgs.move_org rewrites those copies with the members'.

The amounts and limits come from dangjian.rules.dues; nothing here knows a bracket or a limit.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.scope import scope_for
from dangjian.rules.dues import CATEGORIES

MONEY = {"max_digits": 12, "decimal_places": 2}

CATEGORY_CHOICES = list(CATEGORIES.items())


class PayMethod(models.TextChoices):
    CASH = "cash", "现金"
    WECHAT = "wechat", "微信"
    ALIPAY = "alipay", "支付宝"
    BANK = "bank", "银行转账"
    OTHER = "other", "其他"


class ExemptionKind(models.TextChoices):
    EXEMPT = "exempt", "免交"
    REDUCED = "reduced", "减交"


class ReminderMethod(models.TextChoices):
    TALK = "talk", "当面谈话"
    PHONE = "phone", "电话"
    MESSAGE = "message", "短信或微信"
    LETTER = "letter", "书面通知"


# Who writes dues records: the branch secretary and the admins above (DESIGN roles: "secretary —
# manage the branch's own members, meetings, dues and records").
WRITE_ACTION = "change_member"


class DuesQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Rows `user` may perform `action` on: org_path prefix range, or (member role) their own, read only."""
        scope = scope_for(user)
        q = scope.path_q("org_path", action)
        if scope.self_members and not scope.everything and action == "view":
            q |= Q(member__user=user)
        return self.filter(q)


class DuesBase(models.Model):
    """党费基数申报: the monthly base a member declares for a year, in force from `effective_from`.

    The monthly amount is computed from the rule when declared and stays fixed until a newer
    declaration (a re-declaration from month M applies from M). Only confirmed declarations (the
    branch confirms) feed the ledger.
    """

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="dues_bases")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    effective_from = models.DateField("起始月份", help_text="该月1日")
    category = models.CharField("交纳类别", max_length=20, choices=CATEGORY_CHOICES)
    base = models.DecimalField("月计算基数（元）", null=True, blank=True, **MONEY)
    monthly_amount = models.DecimalField("每月应交（元）", **MONEY)
    note = models.CharField("说明", max_length=200, blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申报人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    declared_at = models.DateTimeField("申报时间", auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    objects = DuesQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "党费基数"
        constraints = [
            models.CheckConstraint(condition=Q(base__gte=0) | Q(base__isnull=True), name="dues_base_not_negative"),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="dues_base_amount_not_negative"),
        ]
        indexes = [
            # the base in force for (member, month): latest confirmed effective_from <= month (ledger SQL)
            models.Index(fields=["member", "effective_from"], name="dues_base_member_from_idx"),
            # a branch's declarations of a year (branch page, restrict)
            models.Index(fields=["org_path", "year"], name="dues_base_path_year_idx"),
        ]

    def __str__(self):
        return f"{self.member} {self.effective_from:%Y年%m月}起 {self.monthly_amount}元/月"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class DuesExemption(models.Model):
    """党费减免: the branch studies the case, the committee above approves (2008规定)."""

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="dues_exemptions")
    org_path = models.CharField(max_length=255, editable=False)
    start_month = models.DateField("起始月份")
    end_month = models.DateField("截止月份")
    kind = models.CharField("减免方式", max_length=10, choices=ExemptionKind.choices)
    amount = models.DecimalField("减交后每月金额（元）", null=True, blank=True, **MONEY)
    reason = models.CharField("减免理由", max_length=300)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField("提出时间", auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)

    objects = DuesQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "党费减免"
        constraints = [
            models.CheckConstraint(condition=Q(end_month__gte=models.F("start_month")), name="dues_exemption_range"),
            models.CheckConstraint(condition=Q(kind="exempt") | Q(amount__gte=0), name="dues_exemption_amount"),
        ]
        indexes = [
            # the approved exemption covering (member, month) (ledger SQL)
            models.Index(fields=["member", "start_month"], name="dues_exempt_member_idx"),
            # pending approvals under a committee (org_path prefix)
            models.Index(fields=["org_path"], name="dues_exempt_path_idx"),
        ]

    def __str__(self):
        return f"{self.member} {self.start_month:%Y-%m}至{self.end_month:%Y-%m} {self.get_kind_display()}"


class DuesLedger(models.Model):
    """应交台账: one row per member and month they owe dues for, generated set-based (INSERT … SELECT).

    `due` is what the base in force and any approved exemption make owed that month; reports sum it
    as 应交. The org is the member's branch when the row was generated, so a transferred member's
    past months stay with the branch they were owed to.
    """

    # The monthly run inserts a row per member, so every index here costs a million inserts a month:
    # member is covered by the unique (member, month) below; bases and exemptions are never deleted, so
    # their PROTECT checks (the only query by base_id / exemption_id) need no index of their own.
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="dues_ledger", db_index=False)
    month = models.DateField("月份")
    org = models.ForeignKey("orgs.Org", verbose_name="党支部", on_delete=models.PROTECT, related_name="+",
                            db_index=False)  # served by dues_ledger_month_org_idx below
    org_path = models.CharField(max_length=255, editable=False)
    # Which base and exemption priced the row: derived data, rewritten by every run. No database constraint
    # (a deferred check per member per month at commit; bases and exemptions are never deleted, and Django
    # still refuses to delete one a row points to: PROTECT is enforced by the ORM).
    base = models.ForeignKey(DuesBase, null=True, on_delete=models.PROTECT, related_name="+", db_index=False,
                             db_constraint=False)
    exemption = models.ForeignKey(DuesExemption, null=True, on_delete=models.PROTECT, related_name="+",
                                  db_index=False, db_constraint=False)
    due = models.DecimalField("应交（元）", **MONEY)
    generated_at = models.DateTimeField("生成时间")

    objects = DuesQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "应交台账"
        constraints = [
            # one owed amount per member-month; the generator upserts on it
            models.UniqueConstraint(fields=["member", "month"], name="dues_ledger_member_month"),
        ]
        # Both lead with the month: the monthly run appends a whole new month, so its index entries land
        # together at the right edge instead of next to each member's or branch's earlier months all over the
        # index (with (org_path, month) the run spent most of its time reading and writing index pages).
        indexes = [
            # one month of a subtree: arrears candidates (month = M AND org_path LIKE 'p%')
            models.Index(fields=["month", "org_path"], name="dues_ledger_month_path_idx"),
            # one month of some organizations: dues.totals.refresh, the branch page's count, PROTECT on org
            models.Index(fields=["month", "org"], name="dues_ledger_month_org_idx"),
        ]


class DuesPayment(models.Model):
    """党费交纳记录, append-only. One row per month paid for; a payment of several months shares `batch`.

    A correction is a reversing entry (negative amount, `reverses` → the original) and marks the
    original `is_reversed`; the money of a row never changes.
    """

    # member's own index would duplicate dues_pay_member_month_idx below (a row per member-month is written)
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="dues_payments", db_index=False)
    org = models.ForeignKey("orgs.Org", verbose_name="收缴党组织", on_delete=models.PROTECT, related_name="+")
    # Copy of the org's path at payment time (rewritten by move_org with the org, like members').
    org_path = models.CharField(max_length=255, editable=False)
    month = models.DateField("所交月份", help_text="该月1日")
    amount = models.DecimalField("实交金额（元）", **MONEY)
    due = models.DecimalField("应交金额（元）", **MONEY)
    paid_on = models.DateField("交纳日期")
    method = models.CharField("交纳方式", max_length=10, choices=PayMethod.choices)
    receipt = models.CharField("收据号", max_length=50, blank=True)
    explanation = models.CharField("说明", max_length=300, blank=True)
    batch = models.UUIDField("交纳批次", editable=False)
    reverses = models.OneToOneField("self", verbose_name="冲正的记录", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversed_by")
    is_reversed = models.BooleanField("已冲正", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = DuesQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "党费交纳记录"
        constraints = [
            # paying a month twice is refused: one live (neither reversed nor reversing) entry per member-month
            models.UniqueConstraint(fields=["member", "month"], condition=Q(is_reversed=False, reverses__isnull=True),
                                    name="dues_payment_month_once"),
        ]
        indexes = [
            # reports: a subtree and a month range, grouped by org and month
            models.Index(fields=["org_path", "month"], name="dues_pay_path_month_idx"),
            # a member's payments (phone page, branch grid, arrears)
            models.Index(fields=["member", "month"], name="dues_pay_member_month_idx"),
        ]

    def __str__(self):
        return f"{self.member} {self.month:%Y年%m月} {self.amount}元"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def save(self, *args, **kwargs):
        # Append-only: money is never edited in place (the reversal flag is set by a queryset update).
        if self.pk is not None and not self._state.adding:
            raise ValueError("党费交纳记录不能修改，请以冲正方式更正")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("党费交纳记录不能删除，请以冲正方式更正")


class DuesReminder(models.Model):
    """催缴记录: who reminded an arrears member, when and how."""

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="dues_reminders")
    org_path = models.CharField(max_length=255, editable=False)
    reminded_on = models.DateField("提醒日期")
    method = models.CharField("提醒方式", max_length=10, choices=ReminderMethod.choices)
    unpaid_months = models.PositiveSmallIntegerField("当时连续未交月数")
    note = models.CharField("情况记录", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提醒人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = DuesQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "党费催缴记录"
        indexes = [
            # reminder history of the members on an arrears list
            models.Index(fields=["member", "reminded_on"], name="dues_remind_member_idx"),
            models.Index(fields=["org_path"], name="dues_remind_path_idx"),
        ]


class DuesMonthTotal(models.Model):
    """应交 / 实交 / 欠交 of one organization and month, kept by the actions that write the ledger and the
    payments (dues.totals.refresh), so that a report over a province reads one row per branch and month
    instead of every member-month (6,000,000 ledger rows for a half-year of 1,000,000 members).

    due, owed, member_months and settled sum the ledger rows owed to `org` (owed and settled net every
    payment of that member-month, reversals included); paid sums the payments `org` collected.
    """

    org = models.ForeignKey("orgs.Org", verbose_name="党组织", on_delete=models.PROTECT, related_name="+",
                            db_index=False)  # the unique (org, month) below serves org_id lookups
    month = models.DateField("月份")
    due = models.DecimalField("应交（元）", **MONEY)
    paid = models.DecimalField("实交（元）", **MONEY)
    owed = models.DecimalField("欠交（元）", **MONEY)
    member_months = models.PositiveIntegerField("应交人次")
    settled = models.PositiveIntegerField("已交清人次")

    class Meta:
        verbose_name = verbose_name_plural = "党费月度汇总"
        constraints = [
            # one row per org and month; also the report's join from the subtree's orgs (org_id, month range)
            models.UniqueConstraint(fields=["org", "month"], name="dues_total_org_month"),
        ]
        indexes = [
            # the report of a large subtree: the months' rows first, hash-joined to the subtree's orgs
            models.Index(fields=["month"], name="dues_total_month_idx"),
        ]


class DuesArrears(models.Model):
    """One member's run of unpaid months as of the snapshot month (DuesArrearsMark.month): the arrears list
    of a province read as rows instead of recomputed from every member's whole ledger history.

    Written only by dangjian.dues.arrears: the whole table by `snapshot` (the monthly run), one member's or
    one subtree's rows by `sync` inside every action that writes the ledger or payments of a month up to the
    snapshot month. A reader uses it only while the mark says it answers the question asked (same month,
    threshold at most the one asked for); otherwise it computes the list live (arrears.compute).
    """

    member = models.OneToOneField("members.Member", verbose_name="党员", on_delete=models.CASCADE,
                                  related_name="+")
    month = models.DateField("截至月份")
    # the ledger row's branch and path in `month` (the branch the dues were owed to), as the live list
    org = models.ForeignKey("orgs.Org", verbose_name="党支部", on_delete=models.CASCADE, related_name="+",
                            db_index=False)
    org_path = models.CharField(max_length=255, editable=False)
    unpaid_months = models.PositiveSmallIntegerField("连续未交月数")
    first_unpaid = models.DateField("连续未交起始月")
    owed = models.DecimalField("欠交合计（元）", **MONEY)

    class Meta:
        verbose_name = verbose_name_plural = "党费欠交名单"
        indexes = [
            # a subtree's list, longest runs first (org_path prefix range, then the sort)
            models.Index(fields=["org_path", "unpaid_months"], name="dues_arrears_path_idx"),
        ]


class DuesArrearsMark(models.Model):
    """The month and threshold the DuesArrears rows answer for (at most one row: the latest snapshot)."""

    month = models.DateField("截至月份", unique=True)
    min_months = models.PositiveSmallIntegerField("最少连续未交月数")
    computed_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = verbose_name_plural = "党费欠交名单快照"
