"""`/api/v1/meetings/`: record held meetings with attendance (CONTRACT "Organization life") and list a subtree's;
`/api/v1/meeting-plans/` (yearly plans, `suggest/`), `/api/v1/meeting-filings/` (预约报备, `cancel/`, `spot-check/`) and
`/api/v1/compliance/?org=CODE&year=Y` (the JSON of `dangjian compliance`, with status, hard/soft and rates).

Reads start from Meeting.objects.restrict(user, "view"); `?org=CODE` outside the caller's scope answers 404.
Writes need change_member scope over the organization (admin, secretary): 403 for a user who may record
meetings nowhere, 400 on "org" for an organization outside their scope (dangjian/api/permissions.py).
"""

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from dangjian.api.fields import LabelField
from dangjian.api.permissions import org_in_scope, require_somewhere
from dangjian.orgs.models import BRANCH_TYPES, Org

from . import actions
from .compliance import as_contract, compliance, rates_by_org
from .models import (
    KIND_CHOICES,
    VOTE_KIND_CHOICES,
    Attendance,
    AttendanceCorrection,
    Filing,
    Meeting,
    Plan,
    Vote,
)

WRITE_ACTION = "change_member"


class AttendanceSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["member", "member_name", "status", "reason"]


class CorrectionSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    by = serializers.CharField(source="by.username", read_only=True, default=None)

    class Meta:
        model = AttendanceCorrection
        fields = ["member", "member_name", "old_status", "new_status", "old_reason", "new_reason", "note", "by", "at"]
        read_only_fields = fields


class CorrectionInSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="党员编号")
    status = serializers.ChoiceField(choices=[*Attendance.Status.choices, ("", "不应列入")], allow_blank=True,
                                     help_text="present、leave、absent；空字符串把多列的党员从名单中去掉",
                                     error_messages={"invalid_choice": "出勤状态“{input}”无效，可选 present、leave、absent 或空"})
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="请假原因")
    note = serializers.CharField(max_length=200, help_text="更正原因")


class VoteSerializer(serializers.ModelSerializer):
    kind_display = LabelField("kind")

    class Meta:
        model = Vote
        fields = ["kind", "kind_display", "subject", "eligible", "present", "yes", "no", "abstain", "written_yes",
                  "valid", "passed", "reasons", "warnings"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    kind_display = LabelField("kind")
    attendance = AttendanceSerializer(many=True, read_only=True)
    votes = VoteSerializer(many=True, read_only=True)
    corrections = CorrectionSerializer(many=True, read_only=True, help_text="出勤更正记录，新的在前")

    class Meta:
        model = Meeting
        fields = ["id", "org", "org_name", "kind", "kind_display", "held_on", "topic", "place", "host", "recorder",
                  "minutes", "late_entry", "created_at", "attendance", "votes", "corrections"]
        read_only_fields = fields


class AttendanceInSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Attendance.Status.choices,
                                     error_messages={"invalid_choice": "出勤状态“{input}”无效，可选 present、leave、absent"})
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class VoteInSerializer(serializers.Serializer):
    """A 支部党员大会 vote; the quorum verdict (valid, passed, reasons) is computed, not sent."""

    kind = serializers.ChoiceField(choices=VOTE_KIND_CHOICES, default="general",
                                   error_messages={"invalid_choice": "表决类型“{input}”无效"})
    subject = serializers.CharField(max_length=200, help_text="表决事项")
    eligible = serializers.IntegerField(min_value=0, help_text="应到会有表决权人数")
    present = serializers.IntegerField(min_value=0, help_text="实到会有表决权人数")
    yes = serializers.IntegerField(min_value=0, help_text="赞成")
    no = serializers.IntegerField(min_value=0, default=0, help_text="反对")
    abstain = serializers.IntegerField(min_value=0, default=0, help_text="弃权")
    written_yes = serializers.IntegerField(min_value=0, default=0, help_text="缺席者会前提交的书面赞成意见")


class MeetingInSerializer(serializers.Serializer):
    org = serializers.CharField(help_text="党组织编码")
    kind = serializers.ChoiceField(choices=KIND_CHOICES, error_messages={"invalid_choice": "组织生活类型“{input}”无效"})
    held_on = serializers.DateField(error_messages={"invalid": "日期格式应为 YYYY-MM-DD"})
    topic = serializers.CharField(max_length=200)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    host = serializers.CharField(required=False, allow_blank=True, max_length=50)
    recorder = serializers.CharField(required=False, allow_blank=True, max_length=50)
    minutes = serializers.CharField(required=False, allow_blank=True)
    attendance = AttendanceInSerializer(many=True, required=False)
    votes = VoteInSerializer(many=True, required=False, help_text="支部党员大会的表决；未达法定人数的表决照录并标为无效")


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = MeetingSerializer

    def get_queryset(self):
        qs = Meeting.objects.restrict(self.request.user, "view").select_related("org")
        code = self.request.query_params.get("org")
        if code and self.action == "list":
            org = Org.objects.restrict(self.request.user, "view").filter(code=code).first()
            if org is None:
                raise Http404("党组织不存在")
            qs = qs.filter(org_path__startswith=org.path)
        kind = self.request.query_params.get("kind")
        if kind:
            qs = qs.filter(kind=kind)
        return qs.prefetch_related("attendance__member", "votes", "corrections__member", "corrections__by").order_by(
            "-held_on", "-id")

    @extend_schema(parameters=[OpenApiParameter("org", str, description="党组织编码（含全部下级）"),
                               OpenApiParameter("kind", str, description="会议类型")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        meeting = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(summary="录入组织生活记录", request=MeetingInSerializer, responses={201: MeetingSerializer})
    def create(self, request):
        user = request.user
        require_somewhere(user, WRITE_ACTION, "您没有录入组织生活记录的权限")
        s = MeetingInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        org = org_in_scope(user, d.pop("org"), WRITE_ACTION, field="org")
        rows = [(a["member"], a["status"], a.get("reason", "")) for a in d.pop("attendance", [])]
        meeting = actions.record_meeting(org, attendance=rows, votes=d.pop("votes", []), by=user, **d)
        meeting = (Meeting.objects.select_related("org").prefetch_related("attendance__member", "votes")
                   .get(pk=meeting.pk))
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="更正出勤", request=CorrectionInSerializer, responses={200: MeetingSerializer},
                   description=("更正一名党员在已录入会议中的出勤（出席、请假、缺席），补列漏列的本支部党员，或把多列的党员去掉"
                                "（status 为空字符串）；必须填写更正原因，更正记录随会议返回。需要本支部的管理权限，否则404。"))
    @action(detail=True, methods=["post"], url_path="attendance", url_name="attendance")
    def attendance(self, request, pk=None):
        meeting = get_object_or_404(Meeting.objects.restrict(request.user, WRITE_ACTION).select_related("org"), pk=pk)
        s = CorrectionInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        actions.correct_attendance(meeting, d["member"], status=d["status"], reason=d.get("reason", ""),
                                   note=d["note"], by=request.user)
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)


def _subtree(user, qs, code):
    """Narrow `qs` to the subtree of `code`; an organization outside the user's view scope answers 404."""
    if not code:
        return qs
    org = Org.objects.restrict(user, "view").filter(code=code).first()
    if org is None:
        raise Http404("党组织不存在")
    return qs.filter(org_path__startswith=org.path)


# --- plans (年度计划) ---------------------------------------------------------------------------------------

class PlanItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_CHOICES, error_messages={"invalid_choice": "组织生活类型“{input}”无效"})
    planned_on = serializers.DateField(error_messages={"invalid": "日期格式应为 YYYY-MM-DD"})
    topic = serializers.CharField(max_length=200)


class PlanSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    items = PlanItemSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "org", "org_name", "year", "updated_at", "items"]
        read_only_fields = fields


class PlanInSerializer(serializers.Serializer):
    org = serializers.CharField(help_text="党支部编码")
    year = serializers.IntegerField()
    items = PlanItemSerializer(many=True)


class GapSerializer(serializers.Serializer):
    kind = serializers.CharField()
    period = serializers.CharField()
    required = serializers.IntegerField()
    planned = serializers.IntegerField()
    hard = serializers.BooleanField()
    message = serializers.CharField()


class PlanOutSerializer(PlanSerializer):
    gaps = GapSerializer(many=True, read_only=True, help_text="计划未达到规定频次之处（提醒，不阻止保存）")

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "gaps"]
        read_only_fields = fields


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A branch's yearly organization-life plan. POST creates or replaces the year's plan (201 / 200) and answers
    with the gaps where it falls short of the rules; `suggest/` gives items that meet every requirement."""

    serializer_class = PlanSerializer

    def get_queryset(self):
        qs = Plan.objects.restrict(self.request.user, "view").select_related("org").prefetch_related("items")
        if self.action == "list":
            qs = _subtree(self.request.user, qs, self.request.query_params.get("org"))
            year = self.request.query_params.get("year")
            if year:
                qs = qs.filter(year=int(year) if year.isdigit() else -1)
        return qs.order_by("-year", "org_path")

    @extend_schema(parameters=[OpenApiParameter("org", str, description="党组织编码（含全部下级）"),
                               OpenApiParameter("year", int, description="年度")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        return Response(PlanSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(summary="制定或替换年度计划", request=PlanInSerializer, responses={201: PlanOutSerializer,
                                                                                200: PlanOutSerializer})
    def create(self, request):
        user = request.user
        require_somewhere(user, WRITE_ACTION, "您没有制定组织生活计划的权限")
        s = PlanInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        org = org_in_scope(user, s.validated_data["org"], WRITE_ACTION, field="org")
        existed = Plan.objects.filter(org=org, year=s.validated_data["year"]).exists()
        plan, gaps = actions.save_plan(org, s.validated_data["year"], s.validated_data["items"], by=user)
        plan = Plan.objects.select_related("org").prefetch_related("items").get(pk=plan.pk)
        plan.gaps = gaps
        return Response(PlanOutSerializer(plan).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(summary="按规定频次生成的计划建议", responses={200: PlanItemSerializer(many=True)},
                   parameters=[OpenApiParameter("org", str, required=True, description="党支部编码"),
                               OpenApiParameter("year", int, required=True, description="年度")])
    @action(detail=False, methods=["get"])
    def suggest(self, request):
        org = get_object_or_404(Org.objects.restrict(request.user, "view"), code=request.query_params.get("org", ""))
        year = request.query_params.get("year", "")
        if not year.isdigit():
            raise serializers.ValidationError({"year": ["请填写年度，如 2026"]})
        return Response(PlanItemSerializer(actions.suggest_plan(org, int(year)), many=True).data)


# --- filings (预约报备) -------------------------------------------------------------------------------------

class FilingSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    kind_display = LabelField("kind")

    class Meta:
        model = Filing
        fields = ["id", "org", "org_name", "kind", "kind_display", "planned_on", "start_time", "place", "topic",
                  "status", "short_notice", "cancel_reason", "meeting", "spot_check", "spot_check_note", "filed_at"]
        read_only_fields = fields


class FilingInSerializer(serializers.Serializer):
    org = serializers.CharField(help_text="党支部编码")
    kind = serializers.ChoiceField(choices=KIND_CHOICES, error_messages={"invalid_choice": "组织生活类型“{input}”无效"})
    planned_on = serializers.DateField(error_messages={"invalid": "日期格式应为 YYYY-MM-DD"})
    start_time = serializers.TimeField(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    topic = serializers.CharField(max_length=200)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class SpotCheckSerializer(serializers.Serializer):
    on = serializers.BooleanField(default=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class FilingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Upcoming meetings filed with the committee above. `?org=CODE` (subtree), `?from=` / `?to=` dates."""

    serializer_class = FilingSerializer

    def get_queryset(self, scope_action="view"):
        qs = Filing.objects.restrict(self.request.user, scope_action).select_related("org")
        if self.action == "list":
            p = self.request.query_params
            qs = _subtree(self.request.user, qs, p.get("org"))
            for key, lookup in (("from", "planned_on__gte"), ("to", "planned_on__lte")):
                if p.get(key):
                    try:
                        qs = qs.filter(**{lookup: dt.date.fromisoformat(p[key])})
                    except ValueError:
                        raise serializers.ValidationError({key: ["日期格式应为 YYYY-MM-DD"]}) from None
        return qs.order_by("planned_on", "start_time", "id")

    @extend_schema(parameters=[OpenApiParameter("org", str, description="党组织编码（含全部下级）"),
                               OpenApiParameter("from", dt.date, description="召开日期起"),
                               OpenApiParameter("to", dt.date, description="召开日期止")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        return Response(FilingSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(summary="报备即将召开的会议", request=FilingInSerializer, responses={201: FilingSerializer})
    def create(self, request):
        user = request.user
        require_somewhere(user, WRITE_ACTION, "您没有报备组织生活的权限")
        s = FilingInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        org = org_in_scope(user, d.pop("org"), WRITE_ACTION, field="org")
        filing = actions.file_meeting(org, by=user, **d)
        return Response(FilingSerializer(filing).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="取消报备", request=CancelSerializer, responses={200: FilingSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        filing = get_object_or_404(self.get_queryset(WRITE_ACTION), pk=pk)
        s = CancelSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return Response(FilingSerializer(actions.cancel_filing(filing, reason=s.validated_data["reason"],
                                                               by=request.user)).data)

    @extend_schema(summary="标记或取消抽查（上级党组织）", request=SpotCheckSerializer, responses={200: FilingSerializer})
    @action(detail=True, methods=["post"], url_path="spot-check")
    def spot_check(self, request, pk=None):
        filing = get_object_or_404(self.get_queryset(), pk=pk)
        if not actions.may_spot_check(request.user, filing):
            raise PermissionDenied("抽查由上级党组织标记")
        s = SpotCheckSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return Response(FilingSerializer(actions.mark_spot_check(filing, on=s.validated_data["on"],
                                                                 note=s.validated_data.get("note", ""),
                                                                 by=request.user)).data)


# --- compliance ---------------------------------------------------------------------------------------------

# A province's rows (millions) are a job for `dangjian compliance`, not one HTTP answer.
API_MAX_BRANCHES = 5000


class ComplianceRowSerializer(serializers.Serializer):
    org = serializers.CharField()
    requirement = serializers.ChoiceField(choices=KIND_CHOICES)
    period = serializers.CharField()
    required = serializers.IntegerField()
    held = serializers.IntegerField()
    ok = serializers.BooleanField()
    status = serializers.ChoiceField(choices=[("ok", "达标"), ("missed", "未达标"), ("due", "进行中")])
    hard = serializers.BooleanField(help_text="false：“一般”要求，未达标是提醒")


class ComplianceRateSerializer(serializers.Serializer):
    org = serializers.CharField(source="code")
    name = serializers.CharField()
    branches = serializers.IntegerField()
    finished = serializers.IntegerField(help_text="已结束的要求×周期数")
    met = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class ComplianceSerializer(serializers.Serializer):
    org = serializers.CharField()
    year = serializers.IntegerField()
    results = ComplianceRowSerializer(many=True)
    rates = ComplianceRateSerializer(many=True, help_text="每个党组织（含下级汇总）的达标率")


class ComplianceViewSet(viewsets.ViewSet):
    """Organization-life compliance of a subtree: the JSON of `dangjian compliance --format json` (CONTRACT),
    each row with its status (ok / missed / due) and hard/soft, plus the compliance rate of every organization."""

    @extend_schema(summary="组织生活检查", responses={200: ComplianceSerializer},
                   parameters=[OpenApiParameter("org", str, required=True, description="党组织编码（含全部下级）"),
                               OpenApiParameter("year", int, required=True, description="年度"),
                               OpenApiParameter("month", int, description="只看包含该月的周期")])
    def list(self, request):
        p = request.query_params
        org = get_object_or_404(Org.objects.restrict(request.user, "view"), code=p.get("org", ""))
        errors = {}
        year = int(p["year"]) if p.get("year", "").isdigit() else None
        month = int(p["month"]) if p.get("month", "").isdigit() else None
        if year is None:
            errors["year"] = ["请填写年度，如 2026"]
        if p.get("month") and not (month and 1 <= month <= 12):
            errors["month"] = ["月份应为1至12"]
        if errors:
            raise serializers.ValidationError(errors)
        n = Org.objects.filter(path__startswith=org.path, org_type__in=BRANCH_TYPES).count()
        if n > API_MAX_BRANCHES:
            raise serializers.ValidationError({"org": [(
                f"“{org.name}”下有{n}个党支部，超过接口上限{API_MAX_BRANCHES}个：请按下级党组织分别查询，"
                "或使用 dangjian compliance 命令")]})
        rows = compliance(org, year, month)
        data = as_contract(org, year, rows)
        for out, r in zip(data["results"], rows, strict=True):
            out.update(status=r.status, hard=r.hard)
        data["rates"] = ComplianceRateSerializer(sorted(rates_by_org(org, rows).values(), key=lambda v: v["path"]),
                                                 many=True).data
        return Response(data)
