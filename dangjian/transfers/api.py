"""`/api/v1/transfers/` (CONTRACT "Member workflows").

- GET list (`?org=CODE` either side in the subtree, `?status=`, `?kind=`, `?member=`), GET detail: either side
  in the caller's view scope, otherwise 404.
- POST create `{"member": id, "to_org": CODE, "reason": "…"}` (or `"kind": "out", "to_name": "…"`) → 201.
- POST {id}/approve/ (sending side, not the starter), {id}/accept/ (receiving side), {id}/reject/ `{"reason"}`,
  {id}/cancel/ (the starter), {id}/receipt/ (out of the platform). The transfer is looked up on the side
  that may do the step, so the wrong side answers 404 like a transfer that does not exist.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from dangjian.api.fields import LabelField
from dangjian.members.models import Member
from dangjian.orgs.models import Org

from . import actions, queries
from .models import ACT, Kind, Status, Transfer


class TransferSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    from_org = serializers.SerializerMethodField()
    from_org_name = serializers.CharField(source="from_display", read_only=True)
    to_org = serializers.SerializerMethodField()
    to_org_name = serializers.CharField(source="to_display", read_only=True)
    status_display = LabelField("status")
    kind_display = LabelField("kind")
    started_by = serializers.StringRelatedField()
    approved_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = [
            "id", "member", "member_name", "kind", "kind_display", "status", "status_display",
            "from_org", "from_org_name", "to_org", "to_org_name", "reason", "started_by", "started_at",
            "approved_by", "approved_at", "decided_by", "decided_at", "reject_reason", "letter_no",
            "letter_issued_on", "validity_days", "valid_until", "overdue", "receipt_on",
        ]
        read_only_fields = fields

    def get_from_org(self, obj) -> str | None:
        return obj.from_org.code if obj.from_org_id else None

    def get_to_org(self, obj) -> str | None:
        return obj.to_org.code if obj.to_org_id else None

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class TransferCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="党员编号")
    to_org = serializers.CharField(required=False, allow_blank=True, help_text="转入党支部的党组织编码（平台内转接）")
    reason = serializers.CharField(allow_blank=True, help_text="转接原因")
    kind = serializers.ChoiceField(choices=[Kind.INTERNAL, Kind.OUT], default=Kind.INTERNAL,
                                   help_text="internal 平台内转接；out 转出本平台（需 to_name）")
    to_name = serializers.CharField(required=False, allow_blank=True, default="",
                                    help_text="转出本平台时：接收党组织名称")


class ApproveSerializer(serializers.Serializer):
    validity_days = serializers.IntegerField(required=False, allow_null=True, help_text="介绍信有效期（天），默认按规则")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="退回原因")


class ReceiptSerializer(serializers.Serializer):
    receipt_on = serializers.DateField(required=False, allow_null=True, help_text="回执日期，默认今天")


@extend_schema(parameters=[
    OpenApiParameter("org", str, description="党组织编码：转出或转入一方在该组织及其下级的转接"),
    OpenApiParameter("status", str, enum=[*Status.values, "open", "overdue"]),
    OpenApiParameter("kind", str, enum=Kind.values),
    OpenApiParameter("member", int, description="党员编号"),
])
class TransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TransferSerializer
    filter_backends: list = []  # filters are queries.parse_filter's, shared with the web list

    def get_queryset(self):
        try:
            f = queries.parse_filter(self.request.user, self.request.query_params)
        except queries.FilterError as e:
            raise ValidationError({"detail": str(e)}) from None
        return queries.transfer_list(self.request.user, f)

    def get_object(self):
        return get_object_or_404(queries.base(Transfer.objects.restrict(self.request.user, "view")), pk=self.kwargs["pk"])

    def _out(self, t, code=status.HTTP_200_OK):
        t = queries.base(Transfer.objects.all()).get(pk=t.pk)
        return Response(TransferSerializer(t).data, status=code)

    def _sending(self, pk):
        return get_object_or_404(Transfer.objects.sending(self.request.user, ACT), pk=pk)

    def _receiving(self, pk):
        return get_object_or_404(Transfer.objects.receiving(self.request.user, ACT), pk=pk)

    @extend_schema(request=TransferCreateSerializer, responses={201: TransferSerializer})
    def create(self, request):
        user = request.user
        if not queries.may_start_somewhere(user):
            raise PermissionDenied("您没有办理组织关系转接的权限")
        s = TransferCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        # The member must be one the caller manages; anyone else is "not found" (existence not leaked).
        member = Member.objects.restrict(user, ACT).filter(pk=d["member"]).select_related("org").first()
        if member is None or not actions.manages(user, member.org_path):
            raise NotFound("党员不存在")
        to_org = None
        if d["kind"] == Kind.INTERNAL:
            code = (d.get("to_org") or "").strip()
            if not code:
                raise ValidationError({"to_org": ["请填写转入党支部的党组织编码"]})
            # Any branch of the platform may receive: the target need not be in the caller's scope.
            to_org = Org.objects.filter(code=code).first()
            if to_org is None:
                raise ValidationError({"to_org": [f"没有编码为“{code}”的党组织"]})
        t = actions.start(member, to_org=to_org, reason=d["reason"], by=user, kind=d["kind"], to_name=d["to_name"])
        return self._out(t, status.HTTP_201_CREATED)

    @extend_schema(request=ApproveSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        s = ApproveSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        t = actions.approve(self._sending(pk), by=request.user, validity_days=s.validated_data.get("validity_days"))
        return self._out(t)

    @extend_schema(request=None, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._out(actions.accept(self._receiving(pk), by=request.user))

    @extend_schema(request=RejectSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        s = RejectSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        # Either side that manages members may reach it; the action says which side may reject now.
        t = get_object_or_404(Transfer.objects.restrict(request.user, ACT), pk=pk)
        return self._out(actions.reject(t, by=request.user, reason=s.validated_data["reason"]))

    @extend_schema(request=None, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._out(actions.cancel(self._sending(pk), by=request.user))

    @extend_schema(request=ReceiptSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def receipt(self, request, pk=None):
        s = ReceiptSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        t = actions.record_receipt(self._sending(pk), by=request.user, received_on=s.validated_data.get("receipt_on"))
        return self._out(t)
