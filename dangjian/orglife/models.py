"""Organization-life records (三会一课 and the rest): meetings and their attendance."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.scope import scope_for
from dangjian.rules.meetings import KINDS

KIND_CHOICES = list(KINDS.items())


class MeetingQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Meetings of the organizations in the user's scope; a plain member reads their own branch's."""
        scope = scope_for(user)
        q = scope.path_q("org_path", action)
        if action == "view" and scope.self_members and not scope.everything:
            # A subquery, not a join through org.members: no duplicate rows, no DISTINCT over the list.
            from dangjian.members.models import Member

            q |= Q(org_id__in=Member.objects.filter(user=user).values("org_id"))
        return self.filter(q)


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


class Attendance(models.Model):
    Status = AttendanceStatus

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField("出勤", max_length=10, choices=Status.choices)
    reason = models.CharField("请假原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "出勤"
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_unique")]
        indexes = [
            # a member's own attendance history
            models.Index(fields=["member", "meeting"], name="attendance_member_idx"),
        ]
