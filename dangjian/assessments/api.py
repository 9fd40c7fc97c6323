"""/api/v1/weak-screening/ (软弱涣散排查) and /api/v1/rectifications/ (整顿台账: 认定, 进展, 申请摘牌, 验收)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from dangjian.api.fields import LabelField
from dangjian.orgs.queries import org_in_grant_view
from dangjian.rules import assessments as rules

from . import actions, queries
from .models import Rectification, RectificationProgress
from .screening import screen


def _year(params) -> int:
    text = str(params.get("year") or "")
    today = timezone.localdate()
    if not text:
        return today.year
    if not text.isdigit() or not 2013 <= int(text) <= today.year:
        raise ValidationError({"year": [f"年度“{text}”无效，应为2013年至{today.year}年"]})
    return int(text)


ScreeningSerializer = inline_serializer("WeakScreening", {
    "org": serializers.CharField(), "year": serializers.IntegerField(),
    "results": inline_serializer("WeakSuspect", {
        "org": serializers.CharField(), "org_name": serializers.CharField(),
        "findings": inline_serializer("WeakFinding", {"code": serializers.CharField(),
                                                      "message": serializers.CharField(),
                                                      "source": serializers.CharField()}, many=True),
        "case": serializers.IntegerField(allow_null=True, help_text="在整顿中的台账编号"),
    }, many=True),
})


class ScreeningViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="软弱涣散排查",
        parameters=[OpenApiParameter("org", str, required=True, description="党组织编码：排查其全部下级"),
                    OpenApiParameter("year", int, description="排查年度，默认今年")],
        responses={200: ScreeningSerializer, 400: OpenApiResponse(description="缺少党组织编码或年度无效")},
        description=("下级党组织中符合可由平台数据核对的直接认定情形的：书记出缺超过规定月数（secretary）、组织生活未按"
                     "《支部工作条例》开展（orglife，已结束的周期）、村党支部连续两年没有确定发展对象（recruitment）。"
                     "排查结果不是认定；普通党员角色和查看范围外的党组织为404。"),
    )
    def list(self, request):
        code = request.query_params.get("org")
        if not code:
            raise ValidationError({"org": ["请指定党组织编码"]})
        org = org_in_grant_view(request.user, code)
        year = _year(request.query_params)
        cases = queries.open_by_org(request.user, org)
        return Response({"org": org.code, "year": year, "results": [
            {"org": s.org.code, "org_name": s.org.name,
             "findings": [{"code": f.code, "message": f.message, "source": f.source} for f in s.findings],
             "case": getattr(cases.get(s.org.pk), "pk", None)} for s in screen(org, year)]})


class ProgressSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True, default=None)

    class Meta:
        model = RectificationProgress
        fields = ["on", "note", "by", "created_at"]
        read_only_fields = fields


class RectificationSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    status_label = LabelField("status")
    progress = ProgressSerializer(many=True, read_only=True, help_text="整顿进展，新的在前")

    class Meta:
        model = Rectification
        fields = ["id", "org", "org_name", "year", "identified_on", "situations", "findings", "note", "leader",
                  "measures", "status", "status_label", "applied_on", "lifted_on", "lift_note", "progress"]
        read_only_fields = fields


class IdentifyInSerializer(serializers.Serializer):
    org = serializers.CharField(help_text="被认定的党组织编码")
    year = serializers.IntegerField(help_text="认定年度")
    identified_on = serializers.DateField(error_messages={"invalid": "日期格式应为 YYYY-MM-DD"})
    situations = serializers.ListField(child=serializers.CharField(), required=False,
                                       help_text="认定情形：" + "、".join(k for k, _ in rules.SITUATIONS))
    findings = serializers.ListField(child=serializers.CharField(), required=False, help_text="保留的排查发现")
    note = serializers.CharField(required=False, allow_blank=True)
    leader = serializers.CharField(max_length=100, help_text="联系领导")
    measures = serializers.CharField(help_text="整顿措施")


class DatedNoteSerializer(serializers.Serializer):
    on = serializers.DateField(error_messages={"invalid": "日期格式应为 YYYY-MM-DD"})
    note = serializers.CharField(required=False, allow_blank=True)


class DecideInSerializer(DatedNoteSerializer):
    decision = serializers.ChoiceField(choices=[("accept", "验收通过，摘牌"), ("return", "未通过，退回")],
                                       error_messages={"invalid_choice": "decision 只能是 accept 或 return"})


@extend_schema(parameters=[OpenApiParameter("org", str, description="党组织编码：含全部下级"),
                           OpenApiParameter("status", str, enum=list(queries.STATUS_FILTERS),
                                            description="默认 open（整顿中和待验收）"),
                           OpenApiParameter("year", int, description="认定年度")])
class RectificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """整顿台账. 认定 (POST) and 验收 (decide/) are the committee above's; progress/ and apply/ the organization's
    managers' and those above. Outside the caller's scope: 404; in view scope without the right: 403."""

    serializer_class = RectificationSerializer
    filter_backends = ()

    def get_queryset(self):
        qs = Rectification.objects.restrict(self.request.user, "view").select_related("org")
        if self.action == "list":
            p = self.request.query_params
            org = org_in_grant_view(self.request.user, p["org"]) if p.get("org") else None
            qs = queries.cases(self.request.user, org, status=p.get("status") or "open",
                               year=_year(p) if p.get("year") else None)
        return qs.prefetch_related("progress__by")

    def _do(self, request, pk, serializer_class, fn):
        rect = get_object_or_404(self.get_queryset(), pk=pk)
        s = serializer_class(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            fn(rect, s.validated_data)
        except DjangoPermissionDenied as e:
            raise PermissionDenied(str(e)) from None
        return Response(RectificationSerializer(self.get_queryset().get(pk=rect.pk)).data)

    @extend_schema(summary="认定软弱涣散党组织", request=IdentifyInSerializer, responses={201: RectificationSerializer})
    def create(self, request):
        s = IdentifyInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        try:
            org = org_in_grant_view(request.user, d.pop("org"))
        except Http404:
            raise ValidationError({"org": ["党组织不存在或不在您的查看范围内"]}) from None
        try:
            rect = actions.identify(org, by=request.user, **d)
        except DjangoPermissionDenied as e:
            raise PermissionDenied(str(e)) from None
        return Response(RectificationSerializer(self.get_queryset().get(pk=rect.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="填报整顿进展", request=DatedNoteSerializer, responses={200: RectificationSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        return self._do(request, pk, DatedNoteSerializer, lambda r, d: actions.add_progress(
            r, on=d["on"], note=d.get("note", ""), by=request.user))

    @extend_schema(summary="申请摘牌", request=DatedNoteSerializer, responses={200: RectificationSerializer})
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        return self._do(request, pk, DatedNoteSerializer, lambda r, d: actions.apply_to_lift(
            r, on=d["on"], note=d.get("note", ""), by=request.user))

    @extend_schema(summary="验收摘牌", request=DecideInSerializer, responses={200: RectificationSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return self._do(request, pk, DecideInSerializer, lambda r, d: actions.decide(
            r, accept=d["decision"] == "accept", on=d["on"], note=d.get("note", ""), by=request.user))

