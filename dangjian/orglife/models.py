"""Organization-life records (三会一课 and the rest): meetings and their attendance."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.scope import scope_for
from dangjian.rules.meetings import KINDS

KIND_CHOICES = list(KINDS.items())


class BranchRecordQuerySet(models.QuerySet):
    """Records kept by an organization (meetings, plans, filings: each has `org` and an `org_path` copy)."""

    def restrict(self, user, action: str = "view"):
        """Records of the organizations in the user's scope; a plain member reads their own branch's."""
        scope = scope_for(user)
        q = scope.path_q("org_path", action)
        if action == "view" and scope.self_members and not scope.everything:
            # A subquery, not a join through org.members: no duplicate rows, no DISTINCT over the list.
            from dangjian.members.models import Member

            q |= Q(org_id__in=Member.objects.filter(user=user).values("org_id"))
        return self.filter(q)


MeetingQuerySet = BranchRecordQuerySet


class Meeting(models.Model):
    org = models.ForeignKey("orgs.Org", verbose_name="党组织", on_delete=models.PROTECT, related_name="meetings")
    # Copy of org.path (rewritten by orgs.actions.move_org): a subtree's meetings are one range scan.
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField("类型", max_length=32, choices=KIND_CHOICES)
    held_on = models.DateField("召开日期")
    place = models.CharField("地点", max_length=200, blank=True)
    host = models.CharField("主持人", max_length=50, blank=True)
    recorder = models.CharField("记录人", max_length=50, blank=True)
    topic = models.CharField("主题", max_length=200)
    minutes = models.TextField("会议内容", blank=True)
    late_entry = models.BooleanField("补录", default=False, help_text="会后超过规定天数才录入")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "组织生活记录"
        ordering = ["-held_on", "-id"]
        indexes = [
            # compliance: meetings of a subtree by kind within a year (org_path prefix range, kind, held_on)
            models.Index(fields=["org_path", "kind", "held_on"], name="meeting_path_kind_date_idx"),
        ]

    def __str__(self):
        return f"{self.org.name} {self.get_kind_display()} {self.held_on:%Y-%m-%d}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    LEAVE = "leave", "请假"
    ABSENT = "absent", "缺席"


class AttendanceQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        _copy_held_on(objs)
        return super().bulk_create(objs, *args, **kwargs)


def _copy_held_on(rows) -> None:
    """Fill each row's copy of its meeting's date: from the meeting object when the row has it, else one
    query for all of them."""
    missing = {r.meeting_id for r in rows if r.held_on is None and not Attendance.meeting.is_cached(r)}
    dates = dict(Meeting.objects.filter(pk__in=missing).values_list("pk", "held_on")) if missing else {}
    for r in rows:
        if r.held_on is None:
            r.held_on = r.meeting.held_on if Attendance.meeting.is_cached(r) else dates.get(r.meeting_id)


class Attendance(models.Model):
    Status = AttendanceStatus

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="attendance")
    # Copy of meeting.held_on (a recorded meeting's date is never edited), filled on save and bulk_create: the
    # key that partitions the table by year on PostgreSQL (dangjian.core.partitions), and a member's attendance
    # of a period without the join to meetings.
    held_on = models.DateField("召开日期", editable=False)
    status = models.CharField("出勤", max_length=10, choices=Status.choices)
    reason = models.CharField("请假原因", max_length=200, blank=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "出勤"
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_unique")]
        indexes = [
            # a member's own attendance history
            models.Index(fields=["member", "meeting"], name="attendance_member_idx"),
        ]

    def save(self, *args, **kwargs):
        if self.held_on is None:
            _copy_held_on([self])
        super().save(*args, **kwargs)


class AttendanceCorrection(models.Model):
    """A change to a meeting's attendance after it was recorded (更正): who made it, when, from what to what and why.
    The attendance row holds the corrected value; these rows keep what it was, and the meeting page lists them."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="corrections")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+")
    old_status = models.CharField("更正前", max_length=10, choices=AttendanceStatus.choices, blank=True)  # "": not listed
    new_status = models.CharField("更正后", max_length=10, choices=AttendanceStatus.choices, blank=True)  # "": removed
    old_reason = models.CharField("更正前请假原因", max_length=200, blank=True)
    new_reason = models.CharField("更正后请假原因", max_length=200, blank=True)
    note = models.CharField("更正原因", max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="更正人", null=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField("更正时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "出勤更正"
        ordering = ["-at", "-id"]

    def label(self, status: str) -> str:
        return AttendanceStatus(status).label if status else "未列入"

    @property
    def old_label(self) -> str:
        return self.label(self.old_status)

    @property
    def new_label(self) -> str:
        return self.label(self.new_status)


# The 支部党员大会 votes a record can carry (dangjian.rules.quorum kinds); elections have their own results.
VOTE_KIND_CHOICES = [
    ("general", "一般事项表决"),
    ("admission", "接收预备党员"),
    ("probation", "预备党员转正、延长预备期或取消资格"),
    ("disposal", "不合格党员组织处置"),
]


class Vote(models.Model):
    """A vote taken at a 支部党员大会 (应到, 实到, 赞成, 反对, 弃权). The quorum verdict of dangjian.rules.quorum is
    stored with it: a vote taken without quorum is kept and marked invalid, so the record shows what happened."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes")
    kind = models.CharField("表决类型", max_length=16, choices=VOTE_KIND_CHOICES, default="general")
    subject = models.CharField("表决事项", max_length=200)
    eligible = models.PositiveIntegerField("应到会有表决权人数")
    present = models.PositiveIntegerField("实到会有表决权人数")
    yes = models.PositiveIntegerField("赞成")
    no = models.PositiveIntegerField("反对", default=0)
    abstain = models.PositiveIntegerField("弃权", default=0)
    written_yes = models.PositiveIntegerField("书面赞成意见", default=0, help_text="因故缺席者会前提交的书面赞成意见")
    valid = models.BooleanField("会议有效", help_text="到会人数达到法定人数")
    passed = models.BooleanField("通过")
    reasons = models.JSONField("判定依据", default=list)
    warnings = models.JSONField("提示", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "表决"
        ordering = ["meeting", "id"]

    def __str__(self):
        return f"{self.subject}（{'通过' if self.passed else '未通过'}{'' if self.valid else '，会议无效'}）"


def attachment_path(instance, filename):
    # The stored name never carries the uploader's file name (a sign-in sheet scan is often named after people).
    import uuid
    from pathlib import Path

    return f"orglife/{instance.meeting.org_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class AttachmentCategory(models.TextChoices):
    PHOTO = "photo", "会议照片"
    SIGN_IN = "sign_in", "签到表"
    MINUTES = "minutes", "会议记录扫描件"
    OTHER = "other", "其他材料"


class MeetingAttachment(models.Model):
    """A photo, a scanned sign-in sheet or the minutes as PDF: the evidence of a meeting (纪实材料). Served only
    through the scoped view in views.attachment, never from a public media URL."""

    Category = AttachmentCategory

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    category = models.CharField("材料类型", max_length=16, choices=Category.choices, default=Category.PHOTO)
    file = models.FileField("文件", upload_to=attachment_path)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议附件"
        ordering = ["meeting", "id"]

    def __str__(self):
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Plan(models.Model):
    """A branch's yearly organization-life plan (年度计划): what it means to hold, when, on what topic."""

    org = models.ForeignKey("orgs.Org", verbose_name="党组织", on_delete=models.PROTECT, related_name="orglife_plans")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="制定人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = BranchRecordQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "组织生活计划"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="plan_one_per_org_year")]

    def __str__(self):
        return f"{self.org.name} {self.year}年组织生活计划"


class PlanItem(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField("类型", max_length=32, choices=KIND_CHOICES)
    planned_on = models.DateField("计划日期")
    topic = models.CharField("主题", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "计划事项"
        ordering = ["planned_on", "id"]


class FilingStatus(models.TextChoices):
    FILED = "filed", "已报备"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class Filing(models.Model):
    """An upcoming meeting filed in advance with the committee above (预约报备), which sees its subtree's filings on a
    calendar and may mark one for a spot check (抽查). Recording the meeting links it and marks it held."""

    Status = FilingStatus

    org = models.ForeignKey("orgs.Org", verbose_name="党组织", on_delete=models.PROTECT, related_name="orglife_filings")
    # Copy of org.path (rewritten by orgs.actions.move_org): a committee's calendar is one range scan.
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField("类型", max_length=32, choices=KIND_CHOICES)
    planned_on = models.DateField("召开日期")
    start_time = models.TimeField("开始时间", null=True, blank=True)
    place = models.CharField("地点", max_length=200, blank=True)
    topic = models.CharField("主题", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.FILED)
    short_notice = models.BooleanField("临时报备", default=False, help_text="报备晚于规定的提前天数")
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    meeting = models.OneToOneField(Meeting, verbose_name="会议记录", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="filing")
    spot_check = models.BooleanField("抽查", default=False)
    spot_check_note = models.CharField("抽查说明", max_length=200, blank=True)
    spot_check_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="抽查人", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报备人", null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    filed_at = models.DateTimeField("报备时间", auto_now_add=True)

    objects = BranchRecordQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "会议报备"
        ordering = ["planned_on", "start_time", "id"]
        indexes = [
            # a committee's calendar: its subtree's filings of a month (org_path prefix range, planned_on)
            models.Index(fields=["org_path", "planned_on"], name="filing_path_date_idx"),
        ]

    def __str__(self):
        return f"{self.org.name} {self.get_kind_display()} {self.planned_on:%Y-%m-%d}"


class CheckIn(models.Model):
    """A member's own check-in to a filed meeting from their phone (扫码签到); fills the attendance of the record."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="checkins")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="checkins")
    at = models.DateTimeField("签到时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "签到"
        ordering = ["filing", "at"]
        constraints = [models.UniqueConstraint(fields=["filing", "member"], name="checkin_once")]


class Reminder(models.Model):
    """An in-app reminder about organization life (事前提醒 to a branch, 逾期 notice to the committee above), written
    by dangjian.orglife.reminders through its channels. One per user and key: running the job twice adds nothing."""

    class Kind(models.TextChoices):
        DUE = "due", "即将到期"
        MISSED = "missed", "未按期召开"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="orglife_reminders")
    org = models.ForeignKey("orgs.Org", verbose_name="党支部", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    requirement = models.CharField("会议类型", max_length=32, choices=KIND_CHOICES)
    period = models.CharField("周期", max_length=10)
    title = models.CharField("内容", max_length=300)
    url = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "组织生活提醒"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="reminder_once_per_user")]
        indexes = [
            # a user's unread reminders, newest first (the reminders page and its count)
            models.Index(fields=["user", "read_at", "-created_at"], name="reminder_user_unread_idx"),
        ]
