"""小微权力清单: the village-level powers (低保申请, 宅基地审批, 集体资产处置, 工程项目 …), each with its process steps,
and the cases that run through them.

A power belongs to the committee that keeps the list (an admin above) and binds its subtree. A case belongs to the
village organization that handles it and copies the power's steps when it is opened, so a later edit of the list
does not rewrite a running case. The public page /gk/{code}/ shows each case's progress with the applicant masked
(张*); responsible people are shown by role and name, never by ID number.
"""

from django.conf import settings
from django.db import models

from dangjian.core.scope import scope_for


class PowerQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """`view`: powers kept in the user's subtrees or above them (the list that applies to them)."""
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if action != "view":
            return self.filter(scope.path_q("owner_path", action))
        q = scope.path_q("owner_path", "view")
        ancestors = {p[:k] for p in scope.prefixes("view") for k in range(4, len(p), 4)}
        if ancestors:
            q |= models.Q(owner_path__in=ancestors)
        return self.filter(q)

    def applying_to(self, org):
        return self.filter(active=True, owner_path__in=[org.path[:k] for k in range(4, len(org.path) + 1, 4)])


class Power(models.Model):
    owner = models.ForeignKey("orgs.Org", verbose_name="制定单位", on_delete=models.PROTECT, related_name="+")
    owner_path = models.CharField(max_length=255, editable=False)
    name = models.CharField("权力事项", max_length=100)
    category = models.CharField("类别", max_length=50, blank=True, help_text="如 民生保障、资产资源、工程项目")
    basis = models.CharField("依据", max_length=200, blank=True)
    position = models.PositiveIntegerField("顺序", default=0)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PowerQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "小微权力事项"
        ordering = ["owner_path", "position", "id"]
        indexes = [
            # the powers that bind one org: owner_path IN (its ancestors)
            models.Index(fields=["owner_path", "active"], name="power_owner_idx"),
        ]

    def __str__(self):
        return self.name


class PowerStep(models.Model):
    power = models.ForeignKey(Power, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField("顺序")
    name = models.CharField("步骤", max_length=100)
    responsible = models.CharField("责任主体", max_length=100, help_text="职务或机构，如 村民委员会、村党组织书记")
    days = models.PositiveIntegerField("时限（天）", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "流程步骤"
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["power", "position"], name="powerstep_position_once")]


class CaseStatus(models.TextChoices):
    OPEN = "open", "办理中"
    DONE = "done", "已办结"
    REFUSED = "refused", "不予办理"


class CaseQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        return self.filter(scope_for(user).path_q("org_path", action))


class Case(models.Model):
    """One matter run through a power's steps (一件低保申请, 一宗宅基地审批 …)."""

    power = models.ForeignKey(Power, verbose_name="权力事项", on_delete=models.PROTECT, related_name="cases")
    org = models.ForeignKey("orgs.Org", verbose_name="办理单位", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    subject = models.CharField("事项名称", max_length=200)
    applicant = models.CharField("申请人", max_length=50, blank=True, help_text="公开页显示为 张*")
    status = models.CharField("状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_on = models.DateField("受理日期")
    closed_on = models.DateField("办结日期", null=True, blank=True)
    outcome = models.CharField("办理结果", max_length=300, blank=True)
    public = models.BooleanField("在公开页显示", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "小微权力办理事项"
        ordering = ["-opened_on", "-id"]
        indexes = [
            # staff list over a subtree, newest first
            models.Index(fields=["org_path", "-opened_on"], name="case_orgpath_idx"),
            # the public section of /gk/{code}/: an org's public cases, newest first
            models.Index(fields=["org", "public", "-opened_on"], name="case_public_idx"),
        ]

    def __str__(self):
        return self.subject

    @property
    def applicant_masked(self) -> str:
        return mask_name(self.applicant)


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the surname's first character and one star per further character."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


class CaseStep(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField("顺序")
    name = models.CharField("步骤", max_length=100)
    responsible = models.CharField("责任人", max_length=100, help_text="职务和姓名，如 村委会主任 王某；不填身份证号")
    days = models.PositiveIntegerField("时限（天）", null=True, blank=True)
    done_on = models.DateField("完成日期", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办理步骤"
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "position"], name="casestep_position_once")]
