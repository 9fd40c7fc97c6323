"""发展党员 (recruitment): an applicant's file from 入党申请 to 正式党员, one record per step.

A file (`Applicant`) belongs to the branch the application was handed to and carries a copy of its path
(orgs.actions.move_org rewrites every `org_path`), so "every file under this county" is one range scan.
The 25 steps are `rules.recruitment.STEPS`; a `StepRecord` is one of them done (steps 6 and 21, the
assessments, may be recorded many times). The file keeps its stage, the last step done and the next
deadline that follows from the rules (`next_due_on`), so the pipeline board and the due list are plain
indexed filters. At the 支部大会 (step 15) the member record is created as 预备党员; at the approval of
转正 (step 24) it becomes 正式党员 — both through members.actions, in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.scope import scope_for
from dangjian.members.choices import ETHNICITY_CHOICES, Education, Gender


class Stage(models.TextChoices):
    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"
    CANCELLED = "cancelled", "取消预备党员资格"


OPEN_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY)
# Who may record steps and add files: whoever manages the branch's members (its secretary, the admins above).
ACT = "change_member"


class Outcome(models.TextChoices):
    """The decision of the 支部大会 on a 预备党员 at the end of the 预备期 (step 23), approved at step 24."""

    CONVERT = "convert", "按期转正"
    EXTEND = "extend", "延长预备期"
    CANCEL = "cancel", "取消预备党员资格"


class OrgRecordQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Rows whose organization lies in the user's scope for `action` (a path range on org_path).

        The member role reaches nothing here: applicants are not members, and a member does not see the
        recruitment files of their branch."""
        return self.filter(scope_for(user).path_q("org_path", action))

    def in_subtree(self, org):
        return self.filter(org_path__startswith=org.path)


class ApplicantQuerySet(OrgRecordQuerySet):
    def open(self):
        return self.filter(stage__in=OPEN_STAGES)


class Applicant(models.Model):
    """入党申请人档案: the person and where the file stands."""

    org = models.ForeignKey("orgs.Org", verbose_name="所在党支部", on_delete=models.PROTECT,
                            related_name="recruitment_files")
    org_path = models.CharField(max_length=255, editable=False)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    id_number = models.CharField("公民身份号码", max_length=18)
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=10, choices=ETHNICITY_CHOICES, default="汉族")
    education = models.CharField("学历", max_length=20, choices=Education.choices)
    job = models.CharField("工作岗位", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)

    stage = models.CharField("阶段", max_length=20, choices=Stage.choices, default=Stage.APPLICANT)
    last_step = models.PositiveSmallIntegerField("已完成步骤", default=0)
    # Key dates copied from the step records (the rules' arithmetic starts from them).
    applied_on = models.DateField("递交申请书日期")
    activist_on = models.DateField("确定为入党积极分子日期", null=True, blank=True)
    candidate_on = models.DateField("确定为发展对象日期", null=True, blank=True)
    congress_on = models.DateField("支部大会接收日期", null=True, blank=True)
    extension_months = models.PositiveSmallIntegerField("延长预备期（月）", default=0)
    confirmed_on = models.DateField("转正日期", null=True, blank=True)
    # What is due next and by when, recomputed by the actions after every step (see actions.next_due).
    next_due_on = models.DateField("下一步期限", null=True, blank=True)
    next_due_label = models.CharField("下一步事项", max_length=100, blank=True)
    member = models.OneToOneField("members.Member", verbose_name="党员档案", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="recruitment_file")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="建档人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ApplicantQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "入党申请人档案"
        ordering = ["org_path", "applied_on", "id"]
        constraints = [
            # One open file per person: a second application while one is under way is refused.
            models.UniqueConstraint(fields=["id_number"], condition=Q(stage__in=list(OPEN_STAGES)),
                                    name="recruitment_one_open_file_per_id"),
        ]
        indexes = [
            # the board's GROUP BY stage over a subtree, and the file list (org_path prefix range)
            models.Index(fields=["org_path", "stage"], name="recruit_orgpath_stage_idx"),
            # the due/overdue list: open files of a subtree ordered by their next deadline
            models.Index(fields=["next_due_on", "org_path"], name="recruit_due_idx"),
            # the plan's use: files admitted (支部大会) in a year under a subtree
            models.Index(fields=["congress_on", "org_path"], name="recruit_congress_idx"),
            # duplicate check when a file is opened
            models.Index(fields=["id_number"], name="recruit_idnumber_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class StepRecord(models.Model):
    """One of the 25 steps done: when, who handled it, the document, the vote, the people named."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField("步骤")
    on = models.DateField("日期")
    handled_by = models.CharField("经办人（谈话人、审批单位等）", max_length=100, blank=True)
    document_no = models.CharField("文书编号", max_length=60, blank=True)
    notes = models.TextField("情况说明", blank=True)
    # 培养联系人 (step 5) or 入党介绍人 (step 9): members of the registry.
    people = models.ManyToManyField("members.Member", verbose_name="培养联系人/入党介绍人", blank=True,
                                    related_name="recruitment_roles")
    # 支部大会 votes (steps 15 and 23): figures as quorum.vote_result takes them.
    eligible = models.PositiveSmallIntegerField("应到会有表决权人数", null=True, blank=True)
    present = models.PositiveSmallIntegerField("实到会有表决权人数", null=True, blank=True)
    yes = models.PositiveSmallIntegerField("赞成", null=True, blank=True)
    no = models.PositiveSmallIntegerField("反对", null=True, blank=True)
    abstain = models.PositiveSmallIntegerField("弃权", null=True, blank=True)
    written_yes = models.PositiveSmallIntegerField("书面赞成意见", null=True, blank=True)
    # 集中培训 (step 11)
    training_days = models.DecimalField("培训天数", max_digits=5, decimal_places=1, null=True, blank=True)
    training_hours = models.DecimalField("培训学时", max_digits=5, decimal_places=1, null=True, blank=True)
    # 转正 (steps 23, 24)
    outcome = models.CharField("讨论结果", max_length=10, choices=Outcome.choices, blank=True)
    extension_months = models.PositiveSmallIntegerField("延长预备期（月）", null=True, blank=True)
    # Soft findings shown when the step was recorded, kept so the file shows them later: [{code, message, source}]
    warnings = models.JSONField("提醒", default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "发展党员步骤记录"
        ordering = ["applicant", "on", "id"]
        indexes = [
            # the file page's timeline and the "earlier step of this number" lookups
            models.Index(fields=["applicant", "number"], name="recruit_step_idx"),
        ]

    def __str__(self):
        return f"{self.applicant} 第{self.number}步"


def attachment_path(instance, filename):
    # The stored name never carries the uploader's file name (scans are often named after the person).
    import uuid
    from pathlib import Path

    return f"recruitment/{instance.step.applicant_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class StepAttachment(models.Model):
    """A scan of the step's document (申请书, 谈话记录, 政审材料, 入党志愿书 …). Served only through the scoped
    view in views.attachment, never from a public media URL."""

    step = models.ForeignKey(StepRecord, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "发展党员材料附件"
        ordering = ["step", "id"]

    def __str__(self):
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class RecruitmentPlan(models.Model):
    """发展计划: how many new 预备党员 an organization plans to admit in a year (its whole subtree)."""

    org = models.ForeignKey("orgs.Org", verbose_name="党组织", on_delete=models.PROTECT,
                            related_name="recruitment_plans")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    planned = models.PositiveIntegerField("计划发展人数")
    note = models.CharField("说明", max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="制定人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = OrgRecordQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "发展党员计划"
        ordering = ["-year", "org_path"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="recruitment_plan_org_year")]
        indexes = [
            # the plan page: a subtree's plans of a year
            models.Index(fields=["year", "org_path"], name="recruit_plan_year_idx"),
        ]

    def __str__(self):
        return f"{self.org} {self.year}年发展计划"
