"""软弱涣散基层党组织整顿: an organization identified by the committee above, its rectification with the monthly
progress (销号), the application to lift it (申请摘牌) and the acceptance that lifts it (验收摘牌)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.scope import scope_for


class RectificationQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Cases of the organizations in the user's grants' scope. A plain member sees none: the 整顿台账 is the
        committees' working file, not a member's record."""
        return self.filter(scope_for(user).path_q("org_path", action))


class RectificationStatus(models.TextChoices):
    RECTIFYING = "rectifying", "整顿中"
    APPLIED = "applied", "已申请摘牌"
    LIFTED = "lifted", "已摘牌"


class Rectification(models.Model):
    Status = RectificationStatus

    org = models.ForeignKey("orgs.Org", verbose_name="党组织", on_delete=models.PROTECT, related_name="rectifications")
    # Copy of org.path (rewritten by orgs.actions.move_org): a subtree's cases are one range scan.
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField("认定年度")
    identified_on = models.DateField("认定日期")
    situations = models.JSONField("认定情形", default=list, blank=True)  # keys of rules.assessments.SITUATIONS
    findings = models.JSONField("排查发现", default=list, blank=True)  # the screening's messages when identified
    note = models.TextField("认定说明", blank=True)
    leader = models.CharField("联系领导", max_length=100)
    measures = models.TextField("整顿措施（一村一策）")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RECTIFYING)
    applied_on = models.DateField("申请摘牌日期", null=True, blank=True)
    lifted_on = models.DateField("摘牌日期", null=True, blank=True)
    lift_note = models.TextField("验收意见", blank=True)
    identified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="认定人", null=True,
                                      on_delete=models.SET_NULL, related_name="+")
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="验收人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "软弱涣散整顿"
        ordering = ["-year", "org_path"]
        constraints = [
            # one open case per organization: a second identification waits until the first is lifted
            models.UniqueConstraint(fields=["org"], condition=~Q(status="lifted"), name="rectification_one_open"),
        ]
        indexes = [models.Index(fields=["org_path", "year"], name="rectification_path_year_idx")]

    def __str__(self):
        return f"{self.org.name} {self.year}年软弱涣散整顿"


class RectificationProgress(models.Model):
    """One entry of the 整顿台账: what was done, on which day (monthly 销号)."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="progress")
    on = models.DateField("日期")
    note = models.TextField("整顿进展")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", null=True, on_delete=models.SET_NULL,
                           related_name="+")
    created_at = models.DateTimeField("填报时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "整顿进展"
        ordering = ["-on", "-id"]
