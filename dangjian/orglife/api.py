"""`/api/v1/meetings/`: record held meetings with attendance (CONTRACT "Organization life") and list a subtree's.

Reads start from Meeting.objects.restrict(user, "view"); `?org=CODE` outside the caller's scope answers 404.
Writes need change_member scope over the organization (admin, secretary): 403 for a user who may record
meetings nowhere, 400 on "org" for an organization outside their scope (dangjian/api/permissions.py).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from dangjian.api.permissions import org_in_scope, require_somewhere
from dangjian.orgs.models import Org

from . import actions
from .models import KIND_CHOICES, VOTE_KIND_CHOICES, Attendance, Meeting, Vote

WRITE_ACTION = "change_member"


class AttendanceSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["member", "member_name", "status", "reason"]


class VoteSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Vote
        fields = ["kind", "kind_display", "subject", "eligible", "present", "yes", "no", "abstain", "written_yes",
                  "valid", "passed", "reasons", "warnings"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    attendance = AttendanceSerializer(many=True, read_only=True)
    votes = VoteSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "org", "org_name", "kind", "kind_display", "held_on", "topic", "place", "host", "recorder",
                  "minutes", "late_entry", "created_at", "attendance", "votes"]
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
        return qs.prefetch_related("attendance__member", "votes").order_by("-held_on", "-id")

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
