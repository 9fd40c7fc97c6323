"""The organization tree (党组织设置与隶属关系), its committees (班子) and terms (届次).

The tree is a materialized path (django-treebeard MP_Node): every organization's `path` begins with
its parent's, so a whole subtree is one indexed prefix range. Members carry a copy of their branch's
path (members.Member.org_path) for the same reason.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from dangjian.core.dates import add_years
from dangjian.core.scope import scope_for
from dangjian.rules import terms


class OrgType(models.TextChoices):
    COMMITTEE = "committee", "党委"
    WORK_COMMITTEE = "work_committee", "党工委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"
    TEMP_BRANCH = "temp_branch", "临时党支部"


BRANCH_TYPES = frozenset({OrgType.BRANCH, OrgType.JOINT_BRANCH, OrgType.TEMP_BRANCH})


class Domain(models.TextChoices):
    RURAL = "rural", "农村"
    COMMUNITY = "community", "社区"
    GOVERNMENT = "government", "机关"
    INSTITUTION = "institution", "事业单位"
    SOE = "soe", "国有企业"
    PRIVATE = "private", "非公有制企业"
    SOCIAL = "social", "社会组织"
    SCHOOL = "school", "学校"
    HOSPITAL = "hospital", "医院"
    OTHER = "other", "其他"


class OrgQuerySet(MP_NodeQuerySet):
    def restrict(self, user, action: str = "view"):
        """Organizations `user` may perform `action` on (see core.scope)."""
        scope = scope_for(user)
        q = scope.path_q("path", action)
        if action == "view" and scope.self_members and not scope.everything:
            # A plain member sees the branch they belong to.
            q |= Q(members__user=user)
            return self.filter(q).distinct()
        return self.filter(q)


class OrgManager(MP_NodeManager):
    def get_queryset(self):
        return OrgQuerySet(self.model, using=self._db).order_by("path")

    def restrict(self, user, action: str = "view"):
        return self.get_queryset().restrict(user, action)


class Org(MP_Node):
    """党组织."""

    steplen = 4
    code = models.CharField("党组织编码", max_length=40, unique=True)
    name = models.CharField("党组织名称", max_length=200, db_index=True)
    org_type = models.CharField("党组织类别", max_length=20, choices=OrgType.choices)
    domain = models.CharField("所属领域", max_length=20, choices=Domain.choices, default=Domain.OTHER)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    # 党组织所在单位 (the unit the organization is set up in)
    unit_name = models.CharField("单位名称", max_length=200, blank=True)
    unit_credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)

    # Member counters, maintained by members.actions and rebuilt by `dangjian rebuild_counts`:
    # the org page and the unfiltered member list read them instead of counting a million rows.
    direct_full = models.PositiveIntegerField("本级正式党员", default=0, editable=False)
    direct_probationary = models.PositiveIntegerField("本级预备党员", default=0, editable=False)
    subtree_full = models.PositiveIntegerField("正式党员(含下级)", default=0, editable=False)
    subtree_probationary = models.PositiveIntegerField("预备党员(含下级)", default=0, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgManager()
    # No database constraint on the version's user (as members' versions): an org import writes a version per
    # organization, and PostgreSQL would check the account once for each; Django's SET_NULL still clears it.
    history = HistoricalRecords(excluded_fields=["direct_full", "direct_probationary", "subtree_full",
                                                 "subtree_probationary", "numchild", "updated_at"],
                                user_db_constraint=False)

    node_order_by = ["code"]

    class Meta:
        verbose_name = verbose_name_plural = "党组织"
        indexes = [
            # children of a node: depth = d + 1 AND path LIKE 'p%' (org page, tree levels); without it the
            # root's children scan the whole table.
            models.Index(fields=["depth", "path"], name="org_depth_path_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.org_type in BRANCH_TYPES

    @property
    def direct_total(self) -> int:
        return self.direct_full + self.direct_probationary

    @property
    def subtree_total(self) -> int:
        return self.subtree_full + self.subtree_probationary

    def ancestor_paths(self) -> list[str]:
        """Own path and every ancestor's (the prefixes of the path), root first."""
        return [self.path[:i] for i in range(self.steplen, len(self.path) + 1, self.steplen)]

    def parent_org(self):
        """The parent organization, or None for a root (one query by primary path)."""
        if self.depth <= 1:
            return None
        return Org.objects.filter(path=self.path[: -self.steplen]).first()

    def current_term(self):
        return self.terms.order_by("-elected_on").first()


class Term(models.Model):
    """届次: one elected (or appointed) committee and its term of office."""

    org = models.ForeignKey(Org, verbose_name="党组织", on_delete=models.CASCADE, related_name="terms")
    number = models.PositiveSmallIntegerField("届次", null=True, blank=True)
    elected_on = models.DateField("换届(选举)日期")
    years = models.PositiveSmallIntegerField("任期(年)", help_text="留空按规定：基层党委5年，总支、支部3年，村和社区5年")
    approved_extension_months = models.PositiveSmallIntegerField("经批准延期(月)", default=0)
    note = models.CharField("备注", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "届次"
        ordering = ["-elected_on"]

    def __str__(self):
        n = f"第{self.number}届" if self.number else "本届"
        return f"{self.org.name} {n}"

    @property
    def ends_on(self):
        end = add_years(self.elected_on, self.years)
        if self.approved_extension_months:
            months = end.month - 1 + self.approved_extension_months
            year, month = end.year + months // 12, months % 12 + 1
            day = min(end.day, 28)
            end = end.replace(year=year, month=month, day=day)
        return end

    def status(self, today):
        return terms.term_status(self.ends_on, today)


class Position(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY = "deputy", "副书记"
    MEMBER = "member", "委员"


class CommitteeMember(models.Model):
    """班子成员: a person holding a position in one term. Ended service keeps its row (历史沿革)."""

    term = models.ForeignKey(Term, verbose_name="届次", on_delete=models.CASCADE, related_name="committee")
    member = models.ForeignKey(
        "members.Member", verbose_name="党员", null=True, blank=True, on_delete=models.PROTECT,
        related_name="committee_roles",
    )
    name = models.CharField("姓名", max_length=50)
    position = models.CharField("职务", max_length=16, choices=Position.choices)
    duty = models.CharField("分工", max_length=50, blank=True, help_text="如：组织委员、宣传委员、纪检委员")
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "班子成员"
        ordering = ["position", "started_on", "id"]

    def __str__(self):
        return f"{self.name}（{self.get_position_display()}）"
