"""`/api/v1/mobile-members/`, `/api/v1/lost-contact/`, `/api/v1/status-cases/`, `/api/v1/disposal-cases/`.

Lists and details answer what the caller's view scope reaches (404 outside it). Writes are looked up on the
side that may do them (the member's branch's managers register, request and record; the committee above
approves or rejects), so the wrong side answers 404 like an object that does not exist; a role that manages
no members at all gets 403 on create. Rules refuse with 400 and a Chinese message per field.
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from dangjian.api.fields import LabelField
from dangjian.core.scope import scope_for
from dangjian.orgs.models import Org

from . import actions, queries
from .models import (
    CaseKind,
    CaseStatus,
    DisposalCase,
    DisposalOutcome,
    FollowUpOutcome,
    LeaveType,
    Member,
    MobileMembership,
    StatusCase,
)

ACT = actions.ACT


def _may_manage_somewhere(user) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(scope.prefixes(ACT))


def _managed_member(user, pk) -> Member:
    if not _may_manage_somewhere(user):
        raise PermissionDenied("您没有办理党员党籍事务的权限")
    member = Member.objects.restrict(user, ACT).filter(pk=pk).select_related("org").first()
    if member is None:
        raise NotFound("党员不存在")
    return member


def _org_param(request) -> Org | None:
    return queries.scoped_org(request.user, request.query_params.get("org", ""))


ORG_PARAM = OpenApiParameter("org", str, description="党组织编码：该组织及其下级")


class MobileSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    home_org = serializers.CharField(source="member.org.code", read_only=True)
    home_org_name = serializers.CharField(source="member.org.name", read_only=True)
    receiving_org = serializers.SerializerMethodField()
    receiving_org_name = serializers.CharField(source="receiving_display", read_only=True)
    transfer_due = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField(help_text="外出期间联系方式（无权查看完整号码时打码）")

    class Meta:
        model = MobileMembership
        fields = ["id", "member", "member_name", "home_org", "home_org_name", "destination", "since", "fixed_place",
                  "contact", "certificate_no", "receiving_org", "receiving_org_name", "note", "ended_on", "end_reason",
                  "transfer_due"]
        read_only_fields = fields

    def get_receiving_org(self, obj) -> str | None:
        return obj.receiving_org.code if obj.receiving_org_id else None

    def get_contact(self, obj) -> str:
        return queries.contact_shown(self.context["request"].user, obj)

    def get_transfer_due(self, obj) -> bool:
        cutoff = queries.transfer_due_cutoff(timezone.localdate())
        return obj.ended_on is None and obj.fixed_place and obj.since <= cutoff


class MobileCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="党员编号")
    destination = serializers.CharField(allow_blank=True, help_text="外出地点")
    since = serializers.DateField(help_text="外出日期")
    contact = serializers.CharField(allow_blank=True, help_text="外出期间联系方式")
    fixed_place = serializers.BooleanField(default=True, help_text="地点相对固定")
    certificate_no = serializers.CharField(required=False, allow_blank=True, default="", help_text="流动党员活动证编号")
    receiving_org = serializers.CharField(required=False, allow_blank=True, default="", help_text="流入地党组织编码（本平台）")
    receiving_name = serializers.CharField(required=False, allow_blank=True, default="", help_text="流入地党组织名称（平台外）")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MobileEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, help_text="返回日期，默认今天")
    reason = serializers.CharField(required=False, default="返回原地", help_text="结束原因")


@extend_schema(parameters=[ORG_PARAM, OpenApiParameter("status", str, enum=["current", "transfer_due", "ended", "all"])])
class MobileMembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = MobileSerializer
    filter_backends: list = []

    def get_queryset(self):
        user, org = self.request.user, _org_param(self.request)
        which = self.request.query_params.get("status", "current")
        if which == "current":
            return queries.mobile_list(user, org=org)
        if which == "transfer_due":
            return queries.transfer_due(user, org=org)
        if which in ("ended", "all"):
            qs = queries.mobile_list(user, org=org, current=False)
            return qs.filter(ended_on__isnull=False) if which == "ended" else qs
        raise ValidationError({"status": [f"“{which}”无效，可选：current、transfer_due、ended、all"]})

    def get_object(self):
        return get_object_or_404(queries.mobile_list(self.request.user, current=False), pk=self.kwargs["pk"])

    def _out(self, r, code=status.HTTP_200_OK):
        return Response(MobileSerializer(queries.mobile_list(self.request.user, current=False).get(pk=r.pk),
                                         context=self.get_serializer_context()).data,
                        status=code)

    @extend_schema(request=MobileCreateSerializer, responses={201: MobileSerializer})
    def create(self, request):
        s = MobileCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        member = _managed_member(request.user, d["member"])
        receiving = None
        if d["receiving_org"].strip():
            receiving = Org.objects.filter(code=d["receiving_org"].strip()).first()
            if receiving is None:
                raise ValidationError({"receiving_org": [f"没有编码为“{d['receiving_org']}”的党组织"]})
        r = actions.register_mobile(member, destination=d["destination"], since=d["since"], contact=d["contact"],
                                    fixed_place=d["fixed_place"], certificate_no=d["certificate_no"],
                                    receiving_org=receiving, receiving_name=d["receiving_name"], note=d["note"],
                                    by=request.user)
        return self._out(r, status.HTTP_201_CREATED)

    @extend_schema(request=MobileEndSerializer, responses={200: MobileSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        s = MobileEndSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        r = get_object_or_404(MobileMembership.objects.restrict(request.user, ACT), pk=pk)
        r = actions.end_mobile(r, on=s.validated_data.get("ended_on") or timezone.localdate(),
                               reason=s.validated_data["reason"], by=request.user)
        return self._out(r)


class LostContactSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Member
        fields = ["id", "name", "org", "org_name", "joined_on", "is_mobile", "lost_contact", "lost_contact_on"]
        read_only_fields = fields


class FollowUpSerializer(serializers.Serializer):
    contacted_on = serializers.DateField(help_text="联系日期")
    method = serializers.CharField(allow_blank=True, help_text="联系方式：电话、上门……")
    outcome = serializers.ChoiceField(choices=FollowUpOutcome.choices, help_text="reached 已联系上；unreached 仍未联系上")
    note = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema(parameters=[ORG_PARAM, OpenApiParameter("status", str, enum=["candidates", "flagged"],
                                                       description="candidates 疑似失联（6个月无出勤、无党费）；flagged 已标记失去联系")])
class LostContactViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """失联党员: candidates by the 6-month rule, or those flagged; POST {member id}/follow-up/ records a try."""

    serializer_class = LostContactSerializer
    filter_backends: list = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        user, org = self.request.user, _org_param(self.request)
        which = self.request.query_params.get("status", "candidates")
        if which == "candidates":
            return queries.lost_contact_candidates(user, org=org)
        if which == "flagged":
            return queries.lost_contact_flagged(user, org=org)
        raise ValidationError({"status": [f"“{which}”无效，可选：candidates、flagged"]})

    @extend_schema(request=FollowUpSerializer, responses={201: LostContactSerializer})
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        member = _managed_member(request.user, pk)
        s = FollowUpSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        actions.record_follow_up(member, contacted_on=d["contacted_on"], method=d["method"], outcome=d["outcome"],
                                 note=d["note"], by=request.user)
        member.refresh_from_db()
        return Response(LostContactSerializer(member).data, status=status.HTTP_201_CREATED)


class StatusCaseSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    org = serializers.CharField(source="member.org.code", read_only=True)
    label = serializers.CharField(read_only=True)
    status_display = LabelField("status")
    requested_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()

    class Meta:
        model = StatusCase
        fields = ["id", "member", "member_name", "org", "kind", "leave_type", "label", "effective_on", "reason",
                  "status", "status_display", "disposal", "requested_by", "requested_at", "decided_by", "decided_at",
                  "decision_note"]
        read_only_fields = fields


class StatusCaseCreatedSerializer(StatusCaseSerializer):
    warnings = serializers.SerializerMethodField()

    class Meta(StatusCaseSerializer.Meta):
        fields = [*StatusCaseSerializer.Meta.fields, "warnings"]
        read_only_fields = fields

    def get_warnings(self, obj) -> list[str]:
        return [w.message for w in getattr(obj, "warnings", [])]


class StatusCaseCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="党员编号")
    kind = serializers.ChoiceField(choices=CaseKind.choices, help_text="suspend 停止党籍；leave 出党；deceased 去世；restore 恢复党籍")
    leave_type = serializers.ChoiceField(choices=[("", "—"), *LeaveType.choices], required=False, default="",
                                         help_text="出党方式（仅 leave）：self_lapse 自行脱党；removed 除名；persuaded 劝退；expelled 开除党籍")
    effective_on = serializers.DateField(help_text="变更日期")
    reason = serializers.CharField(allow_blank=True, help_text="原因")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="审批意见（不予批准时必填）")


@extend_schema(parameters=[ORG_PARAM, OpenApiParameter("status", str, enum=[*CaseStatus.values, "to_approve"])])
class StatusCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = StatusCaseSerializer
    filter_backends: list = []

    def get_queryset(self):
        user = self.request.user
        which = self.request.query_params.get("status", "")
        if which == "to_approve":
            return queries.cases_to_approve(user)
        if which and which not in CaseStatus.values:
            raise ValidationError({"status": [f"“{which}”无效，可选：{'、'.join(CaseStatus.values)}、to_approve"]})
        return queries.status_cases(user, status=which, org=_org_param(self.request)).order_by("-requested_at", "-id")

    def get_object(self):
        return get_object_or_404(queries.status_cases(self.request.user), pk=self.kwargs["pk"])

    def _out(self, case, code=status.HTTP_200_OK):
        return Response(StatusCaseSerializer(queries.status_cases(self.request.user).get(pk=case.pk)).data, status=code)

    def _approver(self, pk) -> StatusCase:
        qs = queries.status_cases(self.request.user)
        q = queries._above_branch_q(self.request.user)
        return get_object_or_404(qs if q is None else qs.filter(q), pk=pk)

    @extend_schema(request=StatusCaseCreateSerializer, responses={201: StatusCaseCreatedSerializer})
    def create(self, request):
        s = StatusCaseCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        member = _managed_member(request.user, d["member"])
        case = actions.request_status_change(member, kind=d["kind"], leave_type=d["leave_type"],
                                             effective_on=d["effective_on"], reason=d["reason"], by=request.user)
        out = queries.status_cases(request.user).get(pk=case.pk)
        out.warnings = case.warnings
        return Response(StatusCaseCreatedSerializer(out).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoteSerializer, responses={200: StatusCaseSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        s = NoteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._out(actions.approve_status_case(self._approver(pk), by=request.user, note=s.validated_data["note"]))

    @extend_schema(request=NoteSerializer, responses={200: StatusCaseSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        s = NoteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._out(actions.reject_status_case(self._approver(pk), by=request.user, note=s.validated_data["note"]))

    @extend_schema(request=None, responses={200: StatusCaseSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        case = get_object_or_404(StatusCase.objects.restrict(request.user, ACT), pk=pk)
        return self._out(actions.cancel_status_case(case, by=request.user))


class DisposalSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    org = serializers.CharField(source="member.org.code", read_only=True)
    outcome_display = LabelField("outcome")

    class Meta:
        model = DisposalCase
        fields = ["id", "member", "member_name", "org", "decided_on", "deadline", "reason", "outcome",
                  "outcome_display", "outcome_on", "outcome_note"]
        read_only_fields = fields


class DisposalCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="党员编号")
    decided_on = serializers.DateField(help_text="限期改正决定日期")
    deadline = serializers.DateField(required=False, allow_null=True, help_text="改正期限，默认按规则（一般6个月）")
    reason = serializers.CharField(allow_blank=True, help_text="不合格情形")


class DisposalCreatedSerializer(DisposalSerializer):
    warnings = serializers.SerializerMethodField()

    class Meta(DisposalSerializer.Meta):
        fields = [*DisposalSerializer.Meta.fields, "warnings"]
        read_only_fields = fields

    def get_warnings(self, obj) -> list[str]:
        return [w.message for w in getattr(obj, "warnings", [])]


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=DisposalOutcome.choices, help_text="corrected 已改正；persuaded 劝其退党；removed 除名")
    outcome_on = serializers.DateField(help_text="结果日期")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="结果说明（劝退、除名必填）")


@extend_schema(parameters=[ORG_PARAM, OpenApiParameter("open", bool, description="只列未办结的")])
class DisposalCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DisposalSerializer
    filter_backends: list = []

    def get_queryset(self):
        open_only = self.request.query_params.get("open", "") in ("1", "true")
        return queries.disposal_cases(self.request.user, open_only=open_only, org=_org_param(self.request))

    def get_object(self):
        return get_object_or_404(queries.disposal_cases(self.request.user), pk=self.kwargs["pk"])

    @extend_schema(request=DisposalCreateSerializer, responses={201: DisposalCreatedSerializer})
    def create(self, request):
        s = DisposalCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        member = _managed_member(request.user, d["member"])
        try:
            deadline = d.get("deadline") or actions.correction_deadline(d["decided_on"])
        except LookupError as e:
            raise ValidationError({"decided_on": [str(e)]}) from None
        case = actions.open_disposal(member, decided_on=d["decided_on"], deadline=deadline, reason=d["reason"],
                                     by=request.user)
        return Response(DisposalCreatedSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OutcomeSerializer, responses={200: DisposalSerializer})
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        case = get_object_or_404(DisposalCase.objects.restrict(request.user, ACT), pk=pk)
        s = OutcomeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        case = actions.record_disposal_outcome(case, outcome=d["outcome"], on=d["outcome_on"], note=d["note"],
                                               by=request.user)
        return Response(DisposalSerializer(queries.disposal_cases(request.user).get(pk=case.pk)).data)
