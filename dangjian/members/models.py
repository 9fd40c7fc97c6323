"""The member registry (党员信息库)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
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
    history = HistoricalRecords(excluded_fields=["name_pinyin", "name_initials", "updated_at"])

    class Meta:
        verbose_name = verbose_name_plural = "党员"
        constraints = [
            # One active record per person; people who left keep theirs (never deleted).
            models.UniqueConstraint(fields=["id_number"], condition=Q(status="normal"), name="member_active_id_unique"),
        ]
        indexes = [
            # subtree member lists in keyset order (org_path prefix range, then id)
            models.Index(fields=["org_path", "id"], name="member_orgpath_idx"),
            # ID-number lookup (import matching, duplicate check)
            models.Index(fields=["id_number"], name="member_idnumber_idx"),
            # pinyin / initials prefix search inside a scope
            models.Index(fields=["name_pinyin"], name="member_pinyin_idx"),
            models.Index(fields=["name_initials"], name="member_initials_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == Status.NORMAL
