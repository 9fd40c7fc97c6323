"""Transfers of membership (组织关系转接).

A transfer is one request to move a member's organization relationship:
- within the platform: the member's branch starts it, the side managing the member's current
  organization approves (someone other than the starter, normally the committee above), the receiving
  branch accepts; completion moves the member in one transaction (members.actions.update_member);
- out of the platform: approval issues a numbered 介绍信 with its validity; recording the 回执 completes it
  and the member's 党籍 status becomes 转出;
- in from another system: registered, already completed, by the receiving branch with the letter's number.

The member stays in the sending branch until completion, so no member is ever in two branches or none.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dangjian.core.scope import scope_for


class Kind(models.TextChoices):
    INTERNAL = "internal", "平台内转接"
    OUT = "out", "转出本平台"
    IN = "in", "从平台外转入"


class Status(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "待接收"
    COMPLETED = "completed", "已完成"
    REJECTED = "rejected", "已退回"
    CANCELLED = "cancelled", "已撤销"


OPEN_STATUSES = (Status.PENDING, Status.APPROVED)
# Who may act on a transfer: whoever manages members on that side.
ACT = "change_member"


def side_q(user, action: str, *, sending: bool = True, receiving: bool = True) -> Q | None:
    """Transfers whose sending side (org_path) and/or receiving side (to_org.path) lie in the user's scope
    for `action`. None means "no restriction" (superuser)."""
    scope = scope_for(user)
    if scope.everything:
        return None
    q = Q(pk__in=[])
    if sending:
        q |= scope.path_q("org_path", action)
    if receiving:
        q |= scope.path_q("to_org__path", action)
    return q


class TransferQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Transfers with either side in the user's scope; a plain member sees their own."""
        q = side_q(user, action)
        if q is None:
            return self.all()
        scope = scope_for(user)
        if action == "view" and scope.self_members:
            q |= Q(member__user=user)
        return self.filter(q)

    def sending(self, user, action: str = ACT):
        q = side_q(user, action, receiving=False)
        return self.all() if q is None else self.filter(q)

    def receiving(self, user, action: str = ACT):
        q = side_q(user, action, sending=False)
        return self.all() if q is None else self.filter(q)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        """Approved, letter issued, its validity passed without acceptance (or receipt)."""
        today = today or timezone.localdate()
        return self.filter(status=Status.APPROVED, valid_until__lt=today)


class Transfer(models.Model):
    """组织关系转接."""

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="transfers")
    kind = models.CharField("转接类型", max_length=10, choices=Kind.choices, default=Kind.INTERNAL)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)

    # Sending side. `org_path` is a copy of from_org.path (orgs.actions.move_org rewrites every field of
    # this name), so "transfers out of this county" is one range scan. Empty for transfers in from
    # outside, whose sender is only a name.
    from_org = models.ForeignKey("orgs.Org", verbose_name="转出党组织", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="transfers_out")
    org_path = models.CharField(max_length=255, blank=True, editable=False)
    from_name = models.CharField("转出单位", max_length=200, blank=True)
    # Receiving side: read through the join (to_org.path), never copied, so a moved subtree needs no rewrite.
    to_org = models.ForeignKey("orgs.Org", verbose_name="转入党支部", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="transfers_in")
    to_name = models.CharField("转入单位", max_length=200, blank=True)

    reason = models.CharField("转接原因", max_length=500)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField("发起时间", default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办结人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    reject_reason = models.CharField("退回原因", max_length=500, blank=True)

    # 介绍信: our number is issued on approval (derived from the id: unique without a counter);
    # for a transfer in from outside it is the other system's number.
    letter_no = models.CharField("介绍信编号", max_length=60, blank=True)
    letter_issued_on = models.DateField("介绍信开具日期", null=True, blank=True)
    validity_days = models.PositiveSmallIntegerField("有效期(天)", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    receipt_on = models.DateField("回执日期", null=True, blank=True)
    receipt_recorded_at = models.DateTimeField("回执登记时间", null=True, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "组织关系转接"
        ordering = ["-started_at", "-id"]
        constraints = [
            # A member in transfer cannot be transferred again.
            models.UniqueConstraint(fields=["member"], condition=Q(status__in=["pending", "approved"]),
                                    name="transfer_one_open_per_member"),
        ]
        indexes = [
            # sending-side lists and to-do ("waiting for my approval under this committee")
            models.Index(fields=["org_path", "status"], name="transfer_orgpath_status_idx"),
            # receiving-side to-do ("waiting for acceptance at my branches")
            models.Index(fields=["to_org", "status"], name="transfer_toorg_status_idx"),
            # overdue list: approved with validity passed
            models.Index(fields=["status", "valid_until"], name="transfer_status_valid_idx"),
            # looking a letter up by its number
            models.Index(fields=["letter_no"], name="transfer_letter_idx"),
        ]

    def __str__(self):
        return f"组织关系转接 #{self.pk} {self.member.name if self.member_id else ''}".strip()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def from_display(self) -> str:
        return self.from_org.name if self.from_org_id else self.from_name

    @property
    def to_display(self) -> str:
        return self.to_org.name if self.to_org_id else self.to_name

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == Status.APPROVED and self.valid_until is not None and self.valid_until < today
