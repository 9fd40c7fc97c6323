"""`/api/v1/orgs/`: the organization tree (CONTRACT "Web API").

- GET list: organizations in the caller's view scope, in tree order; filters `parent` (direct children),
  `under` (whole subtree, the node included), `q`, `org_type`, `domain`; keyset `?after=<path>`.
- GET `{code}/`: one organization with its counts, current term (届次) and serving committee (班子).
- POST (with `"parent": CODE`), PUT/PATCH `{code}/`, DELETE `{code}/`, POST `{code}/move/`: through
  orgs.actions, only inside the caller's `change_org` scope (admins).
- GET `{code}/history/`: the versions of the organization.

Objects outside the scope of the action answer 404; see dangjian.api.permissions for POST.
"""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from dangjian.api import history as api_history
from dangjian.api.fields import LabelField
from dangjian.api.pagination import Keyset
from dangjian.api.permissions import org_in_scope, require_somewhere
from dangjian.rules import terms as term_rules

from . import actions, queries
from .models import Domain, Org, OrgType

PARENT_HELP = "上级党组织编码；上级在您的查看范围之外（或本组织为根组织）时为 null"
NO_CHANGE_ORG = "您没有管理党组织的权限"


class CountsSerializer(serializers.Serializer):
    direct_full = serializers.IntegerField(help_text="本级正式党员")
    direct_probationary = serializers.IntegerField(help_text="本级预备党员")
    direct_total = serializers.IntegerField(help_text="本级党员合计")
    subtree_full = serializers.IntegerField(help_text="正式党员（含下级）")
    subtree_probationary = serializers.IntegerField(help_text="预备党员（含下级）")
    subtree_total = serializers.IntegerField(help_text="党员合计（含下级）")


COUNT_FIELDS = ("direct_full", "direct_probationary", "direct_total", "subtree_full", "subtree_probationary",
                "subtree_total")


class OrgSerializer(serializers.ModelSerializer):
    org_type_display = LabelField("org_type", help_text="党组织类别（中文）")
    domain_display = LabelField("domain", help_text="所属领域（中文）")
    parent = serializers.SerializerMethodField(help_text=PARENT_HELP)
    parent_name = serializers.SerializerMethodField(help_text="上级党组织名称（规则同 parent）")
    is_branch = serializers.BooleanField(read_only=True, help_text="是否支部类（党员只能编入支部类组织）")
    children = serializers.IntegerField(source="numchild", read_only=True, help_text="直属下级党组织数")
    counts = serializers.SerializerMethodField(help_text="党员人数（来自计数器）")

    class Meta:
        model = Org
        fields = (
            "code", "name", "org_type", "org_type_display", "domain", "domain_display", "founded_on",
            "unit_name", "unit_credit_code", "contact_person", "contact_phone", "address",
            "parent", "parent_name", "depth", "is_branch", "children", "counts",
        )
        read_only_fields = fields

    def _parent(self, obj):
        return self.context.get("parents", {}).get(obj.path[: -Org.steplen])

    def get_parent(self, obj) -> str | None:
        p = self._parent(obj)
        return p[0] if p else None

    def get_parent_name(self, obj) -> str | None:
        p = self._parent(obj)
        return p[1] if p else None

    @extend_schema_field(CountsSerializer)
    def get_counts(self, obj) -> dict:
        return {f: getattr(obj, f) for f in COUNT_FIELDS}


class TermSerializer(serializers.Serializer):
    number = serializers.IntegerField(allow_null=True, help_text="届次")
    elected_on = serializers.DateField(help_text="换届（选举）日期")
    years = serializers.IntegerField(help_text="任期（年）")
    ends_on = serializers.DateField(help_text="任期届满日期（含经批准的延期）")
    status = serializers.ChoiceField(choices=list(term_rules.TERM_STATUS_LABELS.items()),
                                     help_text="ok 任期内，expiring 即将届满，expired 已届满未换届")
    status_display = serializers.CharField()


class CommitteeMemberSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="姓名")
    member = serializers.IntegerField(source="member_id", allow_null=True, help_text="党员编号（班子成员在党员库中时）")
    position = serializers.CharField(help_text="secretary 书记，deputy 副书记，member 委员")
    position_display = serializers.CharField(source="get_position_display")
    duty = serializers.CharField(help_text="分工")
    started_on = serializers.DateField(help_text="任职日期")


class OrgDetailSerializer(OrgSerializer):
    current_term = serializers.SerializerMethodField(help_text="本届届次；没有换届记录时为 null")
    committee = serializers.SerializerMethodField(help_text="本届在任班子成员（书记、副书记、委员）")

    class Meta(OrgSerializer.Meta):
        fields = (*OrgSerializer.Meta.fields, "current_term", "committee")
        read_only_fields = fields

    @extend_schema_field(TermSerializer(allow_null=True))
    def get_current_term(self, obj) -> dict | None:
        term = self.context["committee"][0]
        if term is None:
            return None
        st = term.status(timezone.localdate())
        return {"number": term.number, "elected_on": term.elected_on, "years": term.years, "ends_on": term.ends_on,
                "status": st, "status_display": term_rules.TERM_STATUS_LABELS[st]}

    @extend_schema_field(CommitteeMemberSerializer(many=True))
    def get_committee(self, obj) -> list:
        return CommitteeMemberSerializer(self.context["committee"][1], many=True).data


class OrgWriteSerializer(serializers.Serializer):
    """Shapes only: codes, names and tree rules are checked by orgs.actions (Chinese messages per field)."""

    code = serializers.CharField(max_length=40, allow_blank=True, help_text="党组织编码（唯一）")
    name = serializers.CharField(max_length=200, allow_blank=True, help_text="党组织名称")
    org_type = serializers.ChoiceField(choices=OrgType.choices, help_text="党组织类别")
    domain = serializers.ChoiceField(choices=Domain.choices, required=False, help_text="所属领域，默认 other（其他）")
    founded_on = serializers.DateField(required=False, allow_null=True, help_text="成立日期")
    unit_name = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="所在单位名称")
    unit_credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True, help_text="统一社会信用代码")
    contact_person = serializers.CharField(max_length=50, required=False, allow_blank=True, help_text="联系人")
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, help_text="联系电话")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="地址")

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields) - set(getattr(self, "extra_keys", ()))
        if unknown:
            raise ValidationError({k: ["该字段不存在或不能在此修改"] for k in sorted(unknown)})
        return attrs


class OrgCreateSerializer(OrgWriteSerializer):
    extra_keys = ("parent",)
    parent = serializers.CharField(help_text="上级党组织编码；须在您管理（change_org）的范围内，否则返回 400")


class MoveSerializer(serializers.Serializer):
    parent = serializers.CharField(help_text="新的上级党组织编码；须在您管理的范围内，否则返回 400")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="调整原因（记入日志）")


LIST_PARAMS = [
    OpenApiParameter("parent", str, description="党组织编码：只列出它的直属下级；不在查看范围内时返回 404"),
    OpenApiParameter("under", str, description="党组织编码：列出它及其全部下级；不在查看范围内时返回 404"),
    OpenApiParameter("q", str, description="名称包含或编码以此开头"),
    OpenApiParameter("org_type", str, enum=OrgType.values, description="党组织类别"),
    OpenApiParameter("domain", str, enum=Domain.values, description="所属领域"),
]
CODE_PARAM = OpenApiParameter("code", str, OpenApiParameter.PATH, description="党组织编码")


@extend_schema_view(
    list=extend_schema(summary="党组织列表", description="您查看范围内的党组织，按组织树顺序。", parameters=LIST_PARAMS),
    retrieve=extend_schema(summary="党组织详情", parameters=[CODE_PARAM], responses=OrgDetailSerializer),
)
class OrgViewSet(viewsets.GenericViewSet):
    serializer_class = OrgSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filter_backends = ()  # the filters are our own (scoped lookups, shared queries)

    @property
    def keyset(self):
        return Keyset(fields=("path",), types=(str,), example="<path>（上一页最后一条的组织路径）") if self.action == "list" else None

    def get_queryset(self):
        return Org.objects.restrict(self.request.user, "view")

    def _get(self, code, act: str) -> Org:
        return get_object_or_404(Org.objects.restrict(self.request.user, act), code=code)

    def _parents(self, orgs) -> dict[str, tuple[str, str]]:
        """{parent path: (code, name)} for the parents inside the view scope (one query)."""
        wanted = {o.path[: -Org.steplen] for o in orgs if o.depth > 1}
        if not wanted:
            return {}
        rows = Org.objects.restrict(self.request.user, "view").filter(path__in=wanted).values_list("path", "code", "name")
        return {p: (c, n) for p, c, n in rows}

    def _detail(self, org: Org, code=status.HTTP_200_OK, *, fresh: bool = True) -> Response:
        if fresh:
            org = Org.objects.get(pk=org.pk)  # counters and tree fields as they are after a write
        ctx = {"parents": self._parents([org]), "committee": queries.committee(org)}
        return Response(OrgDetailSerializer(org, context=ctx).data, status=code)

    def _filtered(self):
        p = self.request.query_params
        qs = self.get_queryset()
        for name, choices in (("org_type", OrgType), ("domain", Domain)):
            v = (p.get(name) or "").strip()
            if v:
                if v not in choices.values:
                    raise ValidationError({name: [f"筛选条件“{name}”的值“{v}”无效"]})
                qs = qs.filter(**{name: v})
        parent = (p.get("parent") or "").strip()
        if parent:
            node = self._get(parent, "view")
            qs = qs.filter(path__startswith=node.path, depth=node.depth + 1)
        under = (p.get("under") or "").strip()
        if under:
            qs = qs.filter(path__startswith=self._get(under, "view").path)
        q = (p.get("q") or "").strip()[:50]
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(code__istartswith=q))
        return qs.order_by("path")

    def list(self, request):
        page = self.paginate_queryset(self._filtered())
        ctx = {**self.get_serializer_context(), "parents": self._parents(page)}
        return self.get_paginated_response(OrgSerializer(page, many=True, context=ctx).data)

    def retrieve(self, request, code=None):
        return self._detail(self._get(code, "view"), fresh=False)

    @extend_schema(summary="新建党组织", request=OrgCreateSerializer,
                   description=("在 parent 之下新建党组织。您的角色在任何党组织都不能管理党组织时返回 403；"
                                "parent 不存在或不在您管理的范围内时返回 400（parent 字段，两种情况说法相同）。"),
                   responses={201: OrgDetailSerializer, 400: OpenApiResponse(description="字段错误（中文说明）"),
                              403: OpenApiResponse(description="您没有管理党组织的权限")})
    def create(self, request):
        user = request.user
        require_somewhere(user, "change_org", NO_CHANGE_ORG)
        s = OrgCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        parent = org_in_scope(user, data.pop("parent"), "change_org", field="parent")
        org = actions.create_org(data, parent=parent, by=user, source="api")
        return self._detail(org, status.HTTP_201_CREATED)

    def _update(self, request, code, partial: bool) -> Response:
        org = self._get(code, "change_org")
        s = OrgWriteSerializer(data=request.data, partial=partial)
        s.is_valid(raise_exception=True)
        actions.update_org(org, dict(s.validated_data), by=request.user, source="api")
        return self._detail(org)

    @extend_schema(summary="修改党组织（全部字段）", parameters=[CODE_PARAM], request=OrgWriteSerializer,
                   responses={200: OrgDetailSerializer})
    def update(self, request, code=None):
        return self._update(request, code, partial=False)

    @extend_schema(summary="修改党组织（部分字段）", parameters=[CODE_PARAM], request=OrgWriteSerializer,
                   responses={200: OrgDetailSerializer})
    def partial_update(self, request, code=None):
        return self._update(request, code, partial=True)

    @extend_schema(summary="撤销党组织", parameters=[CODE_PARAM],
                   description="只能撤销没有下级党组织、也没有党员档案的组织；否则返回 400 和中文说明。",
                   responses={204: None, 400: OpenApiResponse(description="还有下级党组织或党员")})
    def destroy(self, request, code=None):
        actions.delete_org(self._get(code, "change_org"), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="调整隶属关系", parameters=[CODE_PARAM], request=MoveSerializer,
                   description="把党组织连同全部下级和党员移到新的上级之下。",
                   responses={200: OrgDetailSerializer, 400: OpenApiResponse(description="新的上级不合适（中文说明）")})
    @action(detail=True, methods=["post"])
    def move(self, request, code=None):
        org = self._get(code, "change_org")
        s = MoveSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        new_parent = org_in_scope(request.user, s.validated_data["parent"], "change_org", field="parent")
        org = actions.move_org(org, new_parent, by=request.user, reason=s.validated_data["reason"])
        return self._detail(org)

    @extend_schema(summary="党组织变更历史", parameters=[CODE_PARAM], responses=api_history.HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, code=None):
        org = self._get(code, "view")
        versions = org.history.all()
        page = self.paginate_queryset(versions.select_related("history_user").order_by("-history_date", "-history_id"))
        older = api_history.older_than(versions, page[-1]) if page else None
        rows = api_history.entries(page, older, actions.ORG_FIELDS)
        return self.get_paginated_response(api_history.HistoryEntrySerializer(rows, many=True).data)
