"""`/api/v1/members/`: the member registry (CONTRACT "Web API").

- GET list: members in the caller's view scope through members.queries (the same filters as the web list
  and the export; `?org=CODE` is the whole subtree); `count` exact, from the org counters when nothing
  narrows the list; keyset `?after=<org_path>,<id>` for deep pages. ID and phone numbers are masked.
- GET `{id}/`: full ID and phone numbers for the caller's view_sensitive scope (admins, secretaries; the
  view is logged) and for a member's own record; masked otherwise.
- POST (with `"org": CODE`) and PATCH `{id}/`: through members.actions in the change_member scope; a
  plain member may PATCH only their own phone and address. No DELETE: members leave by a status change. The
  流动/失联 flags are read-only (400 naming where they are registered: `mobile-members/`, `lost-contact/`).
- POST `{id}/status/`: 党籍 status change with a reason.
- GET `{id}/history/`: the versions of the record.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from dangjian.api import history as api_history
from dangjian.api.fields import LabelField
from dangjian.api.pagination import Keyset
from dangjian.api.permissions import org_in_scope, require_somewhere
from dangjian.core import idcard
from dangjian.core.dates import age_on
from dangjian.core.scope import scope_for
from dangjian.orgs.models import Org

from . import actions, queries
from .choices import AGE_BANDS, ETHNICITIES, Category, Education, Gender, Status
from .models import Member

NO_CHANGE_MEMBER = "您没有登记党员的权限"
SELF_ONLY = "您只能修改本人的联系电话和家庭住址"
HISTORY_FIELDS = [f for f in actions.EDITABLE_FIELDS if f != "org"] + ["status", "status_reason", "status_changed_on"]
# 流动 and 失联 flags are read-only here, as on the web form (commit 20b03e4): the outflow registration and the
# follow-ups set them together with their records, so a write here would make the flags and the records disagree.
# Sending one is refused with where to register it instead, never silently dropped.
_MOBILE = "请通过 POST /api/v1/mobile-members/ 登记外出流动，返回时 POST /api/v1/mobile-members/{id}/end/（网页：党员页“登记外出流动”）"
_LOST = ("请通过 POST /api/v1/lost-contact/{党员编号}/follow-up/ 登记联系情况：仍未联系上即标记失去联系，"
         "已联系上即取消（网页：“失联党员”）")
RECORD_OWNED = {
    "is_mobile": f"流动党员（is_mobile）不能在此修改：{_MOBILE}",
    "mobile_destination": f"外出流向（mobile_destination）不能在此修改，随外出流动登记填写：{_MOBILE}",
    "lost_contact": f"失去联系（lost_contact）不能在此修改：{_LOST}",
    "lost_contact_on": f"失去联系日期（lost_contact_on）不能在此修改，取联系情况登记的日期：{_LOST}",
}


class MemberSerializer(serializers.ModelSerializer):
    """One row of the list (also for `as_of` lists, read from the history versions)."""

    gender_display = LabelField("gender")
    education_display = LabelField("education")
    category_display = LabelField("category")
    status_display = LabelField("status")
    age = serializers.SerializerMethodField(help_text="今天的周岁年龄")
    org = serializers.CharField(source="org.code", read_only=True, help_text="所在党支部编码")
    org_name = serializers.CharField(source="org.name", read_only=True, help_text="所在党支部名称")
    id_number = serializers.SerializerMethodField(help_text="公民身份号码（列表中一律隐去中间位）")
    phone = serializers.SerializerMethodField(help_text="联系电话（列表中一律隐去中间位）")

    class Meta:
        model = Member
        fields = (
            "id", "name", "gender", "gender_display", "ethnicity", "birth_date", "age", "education",
            "education_display", "category", "category_display", "joined_on", "confirmed_on", "job", "phone",
            "id_number", "org", "org_name", "status", "status_display", "status_reason", "status_changed_on",
            "lost_contact", "lost_contact_on", "is_mobile", "mobile_destination",
        )
        read_only_fields = fields
        extra_kwargs = {
            "is_mobile": {"help_text": "流动党员（只读：由 mobile-members/ 的外出登记和返回登记设定）"},
            "mobile_destination": {"help_text": "外出流向（只读：取当前外出流动登记的外出地点）"},
            "lost_contact": {"help_text": "失去联系（只读：由 lost-contact/{党员编号}/follow-up/ 的联系情况登记设定）"},
            "lost_contact_on": {"help_text": "失去联系日期（只读：标记失去联系的那次联系情况登记的日期）"},
        }

    def _full(self, obj) -> bool:
        return bool(self.context.get("full"))

    def get_age(self, obj) -> int:
        return age_on(obj.birth_date, self.context.get("today") or timezone.localdate())

    def get_id_number(self, obj) -> str:
        return obj.id_number if self._full(obj) else idcard.mask(obj.id_number)

    def get_phone(self, obj) -> str:
        return obj.phone if self._full(obj) else idcard.mask_phone(obj.phone)


# The list's rows are built by `list_row`, not by MemberSerializer's generic field walk (27 fields × 50 rows:
# about half of a list request's CPU time, which bounds how many API users a core serves — issue 8). The
# serializer stays the documented shape (OpenAPI) and the reference: tests check both give the same rows.
_LABELS: dict[str, dict] = {}


def _label(obj, name: str):
    labels = _LABELS.get(name)
    if labels is None:
        labels = _LABELS[name] = {k: str(v) for k, v in Member._meta.get_field(name).flatchoices}
    value = getattr(obj, name)
    return labels.get(value, value)


def _iso(d):
    return None if d is None else d.isoformat()


def list_row(obj, today) -> dict:
    """MemberSerializer(obj, context={"today": today}).data (masked numbers), as a plain dict."""
    return {
        # obj.id, not pk: an as-of row is a history version (its pk is history_id)
        "id": obj.id, "name": obj.name, "gender": obj.gender, "gender_display": _label(obj, "gender"),
        "ethnicity": obj.ethnicity, "birth_date": _iso(obj.birth_date), "age": age_on(obj.birth_date, today),
        "education": obj.education, "education_display": _label(obj, "education"), "category": obj.category,
        "category_display": _label(obj, "category"), "joined_on": _iso(obj.joined_on),
        "confirmed_on": _iso(obj.confirmed_on), "job": obj.job, "phone": idcard.mask_phone(obj.phone),
        "id_number": idcard.mask(obj.id_number), "org": obj.org.code, "org_name": obj.org.name,
        "status": obj.status, "status_display": _label(obj, "status"), "status_reason": obj.status_reason,
        "status_changed_on": _iso(obj.status_changed_on), "lost_contact": obj.lost_contact,
        "lost_contact_on": _iso(obj.lost_contact_on), "is_mobile": obj.is_mobile,
        "mobile_destination": obj.mobile_destination,
    }


class MemberDetailSerializer(MemberSerializer):
    sensitive = serializers.SerializerMethodField(help_text="true：公民身份号码和联系电话为完整号码（此次查看已记入日志）")
    id_number = serializers.SerializerMethodField(help_text="公民身份号码：管理员、书记在其范围内和本人可见完整号码，其他人隐去中间位")
    phone = serializers.SerializerMethodField(help_text="联系电话：规则同公民身份号码")

    class Meta(MemberSerializer.Meta):
        fields = (*MemberSerializer.Meta.fields, "address", "sensitive")
        read_only_fields = fields

    def get_sensitive(self, obj) -> bool:
        return self._full(obj)


class MemberWriteSerializer(serializers.Serializer):
    """Shapes only; the registry's rules (ID checksum, dates, one active record per ID, branch-only) are
    checked by members.validation through members.actions, with Chinese messages per field. Any other field is
    refused with a 400 on it: 党籍 status has its own endpoint, the 流动/失联 flags their records (RECORD_OWNED)."""

    org = serializers.CharField(help_text="所在党支部编码；须在您管理党员的范围内，否则返回 400")
    name = serializers.CharField(max_length=50, help_text="姓名")
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, help_text="性别，省略时按公民身份号码")
    ethnicity = serializers.ChoiceField(choices=[(e, e) for e in ETHNICITIES], required=False, help_text="民族，默认汉族")
    id_number = serializers.CharField(max_length=18, allow_blank=True, help_text="公民身份号码（18位）")
    birth_date = serializers.DateField(required=False, allow_null=True, help_text="出生日期，省略时按公民身份号码")
    education = serializers.ChoiceField(choices=Education.choices, help_text="学历")
    category = serializers.ChoiceField(choices=Category.choices, help_text="人员类别：正式党员 full，预备党员 probationary")
    joined_on = serializers.DateField(allow_null=True, help_text="入党日期")
    confirmed_on = serializers.DateField(required=False, allow_null=True, help_text="转正日期（正式党员）")
    job = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="工作岗位")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, help_text="联系电话")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="家庭住址")

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            hint = {"status": "党籍状态请通过 status 接口变更", "status_reason": "党籍状态请通过 status 接口变更",
                    **RECORD_OWNED}
            raise ValidationError({k: [hint.get(k, "该字段不存在或不能在此修改")] for k in sorted(unknown)})
        return attrs


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, help_text="新的党籍状态")
    reason = serializers.CharField(allow_blank=True, help_text="变更原因（必填）")
    on = serializers.DateField(required=False, allow_null=True, help_text="变更日期，默认今天")


LIST_PARAMS = [
    OpenApiParameter("org", str, description="党组织编码：该组织及其全部下级的党员；不在查看范围内时返回 404"),
    OpenApiParameter("q", str, description="姓名、拼音、拼音首字母，或公民身份号码的末几位"),
    OpenApiParameter("category", str, enum=Category.values, description="人员类别"),
    OpenApiParameter("gender", str, enum=Gender.values, description="性别"),
    OpenApiParameter("education", str, enum=Education.values, description="学历"),
    OpenApiParameter("age", str, enum=[b[0] for b in AGE_BANDS], description="年龄段"),
    OpenApiParameter("ethnicity", str, description="民族；“少数民族”表示汉族以外的全部"),
    OpenApiParameter("joined_year", int, description="入党年份"),
    OpenApiParameter("phone", str, enum=list(queries.PHONE_FILTERS),
                     description="联系电话：missing 未填写；suspect 待核对（以1开头而位数不对或不是手机号段的号码）"),
    OpenApiParameter("status", str, enum=[*Status.values, "all"], description="党籍状态，默认 normal（正常）；all 为全部"),
    OpenApiParameter("as_of", str, description="YYYY-MM-DD：该日结束时的党员名册（按历史版本）"),
]
ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="党员编号")


@extend_schema_view(
    list=extend_schema(summary="党员列表", parameters=LIST_PARAMS,
                       description="您查看范围内的党员，按所在组织、编号排序；公民身份号码和联系电话隐去中间位。"),
    retrieve=extend_schema(summary="党员详情", parameters=[ID_PARAM], responses=MemberDetailSerializer),
)
class MemberViewSet(viewsets.GenericViewSet):
    serializer_class = MemberSerializer
    filter_backends = ()  # the filters are our own (scoped lookups, shared queries)

    @property
    def keyset(self):
        if self.action != "list":
            return None
        return Keyset(fields=("org_path", "id"), types=(str, int), example="<org_path>,<id>（上一页最后一条）")

    def get_queryset(self):
        return Member.objects.restrict(self.request.user, "view").select_related("org")

    def _get(self, pk, act: str = "view") -> Member:
        return get_object_or_404(Member.objects.restrict(self.request.user, act).select_related("org"), pk=pk)

    def _shows_full(self, member: Member) -> bool:
        user = self.request.user
        return member.user_id == user.pk or scope_for(user).covers(member.org_path, "view_sensitive")

    def _out(self, member: Member, code=http.HTTP_200_OK, *, log: bool = False) -> Response:
        """The detail of `member`. Full numbers for the own record; for view_sensitive only on a read
        (`log`), which is then recorded. Write answers stay masked so that no unlogged full view exists."""
        own = member.user_id == self.request.user.pk
        full = own or (log and self._shows_full(member))
        if full and not own:
            actions.record_sensitive_view(member, by=self.request.user)
        return Response(MemberDetailSerializer(member, context={"full": full}).data, status=code)

    def list(self, request):
        user = request.user
        try:
            f = queries.parse_filter(user, request.query_params)
        except queries.FilterError as e:
            raise ValidationError({"detail": str(e)}) from None
        qs = queries.member_list(user, f)
        if f.as_of:
            qs = qs.select_related("org")
        page = self.paginator.paginate_queryset(qs, request, view=self, count=queries.counted_total(user, f, qs))
        today = f.as_of or timezone.localdate()
        return self.get_paginated_response([list_row(m, today) for m in page])

    def retrieve(self, request, pk=None):
        return self._out(self._get(pk), log=True)

    @extend_schema(summary="登记党员", request=MemberWriteSerializer,
                   description=("在 org 党支部登记一名党员。您的角色在任何党组织都不能管理党员时返回 403；"
                                "org 不存在或不在您管理党员的范围内时返回 400（org 字段，两种情况说法相同）。"),
                   responses={201: MemberDetailSerializer, 400: OpenApiResponse(description="字段错误（中文说明）"),
                              403: OpenApiResponse(description="您没有登记党员的权限")})
    def create(self, request):
        user = request.user
        require_somewhere(user, "change_member", NO_CHANGE_MEMBER)
        s = MemberWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        data["org"] = org_in_scope(user, data["org"], "change_member", field="org")
        member = actions.create_member(data, by=user, source="api")
        return self._out(member, http.HTTP_201_CREATED)

    @extend_schema(summary="修改党员信息", parameters=[ID_PARAM], request=MemberWriteSerializer,
                   description="管理员、书记可改其范围内党员的信息；党员本人只能改自己的联系电话和家庭住址。",
                   responses={200: MemberDetailSerializer, 400: OpenApiResponse(description="字段错误（中文说明）")})
    def partial_update(self, request, pk=None):
        user = request.user
        member = self._get(pk, "update_self")
        s = MemberWriteSerializer(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        if not scope_for(user).covers(member.org_path, "change_member"):
            # Reached through the member role's own-record link only.
            bad = sorted(k for k in data if k not in actions.SELF_EDITABLE_FIELDS)
            if bad:
                raise ValidationError({k: [SELF_ONLY] for k in bad})
        if "org" in data:
            data["org"] = org_in_scope(user, data["org"], "change_member", field="org")
        actions.update_member(member, data, by=user, source="api")
        return self._out(self._get(pk, "update_self"))

    @extend_schema(summary="变更党籍状态", parameters=[ID_PARAM], request=StatusSerializer,
                   description="停止党籍、出党、去世、转出（或恢复正常），须填写原因。党员不删除。",
                   responses={200: MemberDetailSerializer, 400: OpenApiResponse(description="字段错误（中文说明）")})
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        user = request.user
        # change_member is the managers' scope: a member's own-record link does not reach status changes.
        member = self._get(pk, "change_member")
        if not actions.approves_for(user, member):
            # The branch's managers request a change (POST /api/v1/status-cases/); the committee above decides.
            raise PermissionDenied(actions.DIRECT_STATUS_REFUSED)
        s = StatusSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        try:
            actions.change_status(member, d["status"], reason=d["reason"], on=d.get("on") or timezone.localdate(), by=user)
        except DjangoValidationError as e:
            # The action names the model field; the request calls it "reason".
            raise ValidationError({("reason" if k == "status_reason" else k): v
                                   for k, v in e.message_dict.items()}) from None
        return self._out(self._get(pk))

    @extend_schema(summary="党员信息变更历史", parameters=[ID_PARAM],
                   description="每次变更的字段和前后值；公民身份号码和联系电话一律隐去中间位。",
                   responses=api_history.HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        member = self._get(pk)
        versions = member.history.all()
        page = self.paginate_queryset(versions.select_related("history_user").order_by("-history_date", "-history_id"))
        older = api_history.older_than(versions, page[-1]) if page else None
        org_ids = {r.org_id for r in page} | ({older.org_id} if older else set())
        names = dict(Org.objects.restrict(request.user, "view").filter(pk__in=org_ids).values_list("pk", "name"))
        rows = api_history.entries(page, older, ["org", *HISTORY_FIELDS],
                                   display={"org": lambda pk: names.get(pk, "（查看范围以外的党组织）")},
                                   value_of={"org": "org_id"})
        return self.get_paginated_response(api_history.HistoryEntrySerializer(rows, many=True).data)
