"""The member registry (党员信息库)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from dangjian.core.scope import scope_for

from .choices import ETHNICITY_CHOICES, Category, Education, Gender, Status


class MemberQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Members `user` may perform `action` on: a prefix range on org_path, or their own record.

        The member role's own-record link reaches "view" and "update_self" (the contact fields a member may
        change themselves, see actions.SELF_EDITABLE_FIELDS) and nothing else: "change_member" means
        managing members (admin, secretary), which a member never does for themselves.
        """
        scope = scope_for(user)
        if action == "update_self":
            q = scope.path_q("org_path", "change_member")
            if scope.self_members and not scope.everything:
                q |= Q(user=user)
            return self.filter(q)
        q = scope.path_q("org_path", action)
        if scope.self_members and not scope.everything and action == "view":
            q |= Q(user=user)
        return self.filter(q)

    def active(self):
        return self.filter(status=Status.NORMAL)

    def in_subtree(self, org):
        return self.filter(org_path__startswith=org.path)


class Member(models.Model):
    """党员. The 16 items of the national collection form plus 党籍 status."""

    org = models.ForeignKey("orgs.Org", verbose_name="所在党支部", on_delete=models.PROTECT, related_name="members")
    # Copy of org.path: "everyone under this county" is one indexed range scan.
    org_path = models.CharField(max_length=255, editable=False)
    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField(max_length=200, editable=False, blank=True)
    name_initials = models.CharField(max_length=50, editable=False, blank=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=10, choices=ETHNICITY_CHOICES, default="汉族")
    id_number = models.CharField("公民身份号码", max_length=18)
    birth_date = models.DateField("出生日期")
    education = models.CharField("学历", max_length=20, choices=Education.choices)
    category = models.CharField("人员类别", max_length=20, choices=Category.choices)
    joined_on = models.DateField("入党日期")
    confirmed_on = models.DateField("转正日期", null=True, blank=True)
    job = models.CharField("工作岗位", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("家庭住址", max_length=200, blank=True)
    status = models.CharField("党籍状态", max_length=20, choices=Status.choices, default=Status.NORMAL)
    status_reason = models.CharField("状态变更原因", max_length=200, blank=True)
    status_changed_on = models.DateField("状态变更日期", null=True, blank=True)
    lost_contact = models.BooleanField("失去联系", default=False)
    lost_contact_on = models.DateField("失去联系日期", null=True, blank=True)
    is_mobile = models.BooleanField("流动党员", default=False)
    mobile_destination = models.CharField("外出流向", max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="member",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = MemberQuerySet.as_manager()
    # No index on the versions' org and user columns: nothing looks versions up by them ("as of" lists
    # filter on org_path and history_date, a member's history on id), and each index costs every import.
    # No database constraint on who made a version (history_user): PostgreSQL checks one per row, ~0.6-1 s of a
    # 200,000-row web import's history rows (bench/README). Accounts are deactivated, not deleted; when one is,
    # Django's SET_NULL still clears its versions' user (tests/members/test_history_user.py), by the index kept.
    history = HistoricalRecords(excluded_fields=["name_pinyin", "name_initials", "updated_at"],
                                no_db_index=["org", "user"], user_db_constraint=False)

    class Meta:
        verbose_name = verbose_name_plural = "党员"
        constraints = [
            # One active record per person; people who left keep theirs (never deleted). It is also the
            # ID-number lookup of every query that has one (import matching, the form's and recruitment's
            # duplicate checks: all of active members). Byte-wise operator class: equality needs nothing else,
            # and an import inserts into it without a locale-aware comparison per tree level.
            models.UniqueConstraint(fields=["id_number"], condition=Q(status="normal"), name="member_active_id_unique",
                                    opclasses=["varchar_pattern_ops"]),
        ]
        indexes = [
            # subtree member lists in keyset order (org_path prefix range, then id)
            models.Index(fields=["org_path", "id"], name="member_orgpath_idx"),
            # pinyin / initials prefix search inside a scope (`name_pinyin LIKE 'zh%'`): the pattern operator
            # class is what lets LIKE use the index under a database collation other than "C".
            models.Index(fields=["name_pinyin"], name="member_pinyin_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_initials"], name="member_initials_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == Status.NORMAL


# --- 流动党员, 失联党员, 党籍 status cases, 不合格党员处置 ----------------------------------------------------
# These records concern one member and are scoped through the member's current branch (member.org_path,
# read through the join, so a transfer or a moved subtree needs no rewrite here).


def _member_side_q(user, action: str) -> Q | None:
    """Records whose member's branch lies in the user's scope for `action`; None means everything."""
    scope = scope_for(user)
    if scope.everything:
        return None
    return scope.path_q("member__org_path", action)


class MemberRecordQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        q = _member_side_q(user, action)
        return self.all() if q is None else self.filter(q)


class MobileMembershipQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Viewing: the home branch's side (the member's branch in scope), the receiving organization's side
        (receiving_org in scope: it organizes the member's organization life), or the member themself.
        Changing (register, end): the home side only — the member still belongs to the home branch."""
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        q = scope.path_q("member__org_path", action)
        if action == "view":
            q |= scope.path_q("receiving_org__path", "view")
            if scope.self_members:
                q |= Q(member__user=user)
        return self.filter(q)

    def current(self):
        return self.filter(ended_on__isnull=True)


class MobileMembership(models.Model):
    """流动党员外出登记: the member is away (working, studying, living elsewhere) but stays in their branch.

    `receiving_org` is an organization of the platform where the member takes part in organization life
    (流入地党组织); when it is outside the platform only its name (`receiving_name`) is known.
    """

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="mobile_records")
    destination = models.CharField("外出地点", max_length=200)
    since = models.DateField("外出日期")
    fixed_place = models.BooleanField("地点相对固定", default=True,
                                      help_text="外出地点相对固定的，满6个月应转移组织关系")
    contact = models.CharField("外出期间联系方式", max_length=100)
    certificate_no = models.CharField("流动党员活动证编号", max_length=60, blank=True)
    receiving_org = models.ForeignKey("orgs.Org", verbose_name="流入地党组织", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="inflow_members")
    receiving_name = models.CharField("流入地党组织（平台外）", max_length=200, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    ended_on = models.DateField("返回（结束）日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = MobileMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "流动党员外出登记"
        ordering = ["-since", "-id"]
        constraints = [
            # One current outflow per member: a change of place ends the old record and starts a new one.
            models.UniqueConstraint(fields=["member"], condition=Q(ended_on__isnull=True), name="mobile_one_current"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("since")),
                                   name="mobile_end_after_start"),
        ]
        indexes = [
            # the receiving side's list: current inflow members at these organizations
            models.Index(fields=["receiving_org", "ended_on"], name="mobile_receiving_idx"),
            # the transfer prompt: current, fixed place, away since before the cutoff
            models.Index(fields=["ended_on", "fixed_place", "since"], name="mobile_prompt_idx"),
        ]

    def __str__(self):
        return f"{self.member.name} 外出流动（{self.destination}）"

    @property
    def receiving_display(self) -> str:
        return self.receiving_org.name if self.receiving_org_id else self.receiving_name


class FollowUpOutcome(models.TextChoices):
    REACHED = "reached", "已联系上"
    UNREACHED = "unreached", "仍未联系上"


class ContactFollowUp(models.Model):
    """失联党员跟进记录: who tried to reach the member, when, how, and with what result."""

    Outcome = FollowUpOutcome

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="follow_ups")
    contacted_on = models.DateField("联系日期")
    method = models.CharField("联系方式", max_length=50)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices)
    note = models.CharField("情况说明", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = MemberRecordQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "失联党员跟进记录"
        ordering = ["-contacted_on", "-id"]
        indexes = [
            # a member's follow-ups, latest first (the lost-contact list shows the latest of each)
            models.Index(fields=["member", "-contacted_on"], name="followup_member_date_idx"),
        ]


class CaseKind(models.TextChoices):
    SUSPEND = "suspend", "停止党籍"
    LEAVE = "leave", "出党"
    DECEASED = "deceased", "去世"
    RESTORE = "restore", "恢复党籍"


class LeaveType(models.TextChoices):
    SELF_LAPSE = "self_lapse", "自行脱党"
    REMOVED = "removed", "除名"
    PERSUADED = "persuaded", "劝退"
    EXPELLED = "expelled", "开除党籍"


class CaseStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"
    CANCELLED = "cancelled", "已撤回"


class StatusCase(models.Model):
    """党籍变更申请: requested by the member's branch, approved by the committee above, then applied to
    Member.status through actions.change_status (so the member's history keeps the change)."""

    Kind = CaseKind
    LeaveType = LeaveType
    Status = CaseStatus

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="status_cases")
    kind = models.CharField("变更类型", max_length=10, choices=CaseKind.choices)
    leave_type = models.CharField("出党方式", max_length=12, choices=LeaveType.choices, blank=True)
    effective_on = models.DateField("变更日期")
    reason = models.CharField("原因", max_length=500)
    status = models.CharField("状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.PENDING)
    disposal = models.ForeignKey("DisposalCase", verbose_name="处置案件", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="status_cases")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)

    objects = MemberRecordQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "党籍变更申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One pending change per member: two at once could apply contradicting statuses.
            models.UniqueConstraint(fields=["member"], condition=Q(status="pending"), name="statuscase_one_pending"),
            models.CheckConstraint(
                condition=(Q(kind="leave") & ~Q(leave_type="")) | (~Q(kind="leave") & Q(leave_type="")),
                name="statuscase_leave_type_iff_leave"),
        ]
        indexes = [
            # the committee's to-do: pending cases (joined to the members' org_path range)
            models.Index(fields=["status", "requested_at"], name="statuscase_status_idx"),
        ]

    def __str__(self):
        return f"党籍变更 #{self.pk} {self.member.name}：{self.label}"

    @property
    def label(self) -> str:
        if self.kind == CaseKind.LEAVE and self.leave_type:
            return f"出党（{self.get_leave_type_display()}）"
        return self.get_kind_display()


class DisposalOutcome(models.TextChoices):
    CORRECTED = "corrected", "已改正"
    PERSUADED = "persuaded", "劝其退党"
    REMOVED = "removed", "除名"


class DisposalCase(models.Model):
    """不合格党员组织处置: 限期改正 with a deadline; after it, 改正 closes the case, 劝退 or 除名 go on as an
    出党 StatusCase for the committee above to approve."""

    Outcome = DisposalOutcome

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="disposal_cases")
    decided_on = models.DateField("限期改正决定日期")
    deadline = models.DateField("改正期限")
    reason = models.CharField("不合格情形", max_length=500)
    outcome = models.CharField("处置结果", max_length=10, choices=DisposalOutcome.choices, blank=True)
    outcome_on = models.DateField("结果日期", null=True, blank=True)
    outcome_note = models.CharField("结果说明", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="结果登记人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    objects = MemberRecordQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "不合格党员处置案件"
        ordering = ["deadline", "id"]
        constraints = [
            # One open case per member.
            models.UniqueConstraint(fields=["member"], condition=Q(outcome=""), name="disposal_one_open"),
            models.CheckConstraint(condition=Q(deadline__gt=F("decided_on")), name="disposal_deadline_after_decision"),
        ]
        indexes = [
            # open cases by deadline (the list, "期限已到" first)
            models.Index(fields=["outcome", "deadline"], name="disposal_open_deadline_idx"),
        ]

    def __str__(self):
        return f"不合格党员处置 #{self.pk} {self.member.name}"

    @property
    def is_open(self) -> bool:
        return not self.outcome


class NoticeKind(models.TextChoices):
    TRANSFER_DUE = "transfer_due", "流动党员应转移组织关系"
    LOST_CONTACT = "lost_contact", "疑似失联党员"


class MemberNotice(models.Model):
    """An in-app prompt about a member (流动满6个月应转接, 疑似失联), written by members.reminders through its
    channels; one per user and key, so a second run adds nothing."""

    Kind = NoticeKind

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_notices")
    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类型", max_length=20, choices=NoticeKind.choices)
    title = models.CharField("内容", max_length=300)
    url = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "党员管理提醒"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="membernotice_once_per_user")]
        indexes = [
            # a user's latest notices (shown on the mobile and lost-contact pages)
            models.Index(fields=["user", "-created_at"], name="membernotice_user_idx"),
        ]
