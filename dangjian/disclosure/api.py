"""`/api/v1/disclosures/`: list (?org=CODE subtree, ?status, ?category), create (CONTRACT shape),
detail, PATCH of a draft, and the actions publish / correct / withdraw.

Reads start from `DisclosureItem.objects.restrict(user, "view")`; writes need WRITE_ACTION over the
item's organization, and an item outside that scope answers 404 like one that does not exist.
"""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from dangjian.core.scope import scope_for
from dangjian.orgs.models import Org

from . import actions, queries
from .models import WRITE_ACTION, Category, DisclosureItem, LineKind, Status


class LineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LineKind.choices)
    item = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class DisclosureSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    lines = LineSerializer(many=True, read_only=True)
    totals = serializers.SerializerMethodField()
    public_url = serializers.SerializerMethodField()
    supersedes = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = DisclosureItem
        fields = [
            "id", "org", "org_name", "category", "title", "body", "period_label", "period_start", "period_end",
            "status", "published_at", "withdrawn_at", "withdraw_reason", "version", "supersedes",
            "correction_note", "declared_income", "declared_expense", "lines", "totals", "public_url",
            "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_totals(self, obj) -> dict:
        # From the prefetched lines: no query per row.
        income = sum((ln.amount for ln in obj.lines.all() if ln.kind == LineKind.INCOME), 0)
        expense = sum((ln.amount for ln in obj.lines.all() if ln.kind == LineKind.EXPENSE), 0)
        return {"income": f"{income:.2f}", "expense": f"{expense:.2f}", "balance": f"{income - expense:.2f}"}

    def get_public_url(self, obj) -> str | None:
        if obj.status != Status.PUBLISHED:
            return None
        return reverse("gk:item", args=[obj.org.code, obj.pk])


class DisclosureWriteSerializer(serializers.Serializer):
    """Shapes only; the rules (totals, personal numbers, lengths) are checked by actions.py."""

    category = serializers.ChoiceField(choices=Category.choices, required=False)
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    period_label = serializers.CharField(required=False, allow_blank=True)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    declared_income = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    declared_expense = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    lines = LineSerializer(many=True, required=False)


class DisclosureCreateSerializer(DisclosureWriteSerializer):
    org = serializers.CharField(help_text="党组织编码")
    category = serializers.ChoiceField(choices=Category.choices)
    title = serializers.CharField(allow_blank=True)  # blank: actions say "请填写标题"
    published = serializers.BooleanField(default=False, help_text="true：创建后立即公开")


class CorrectionSerializer(DisclosureWriteSerializer):
    correction_note = serializers.CharField(help_text="更正说明，显示在公开页上")


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="撤回原因")


def _data_and_lines(validated: dict) -> tuple[dict, list | None]:
    data = {k: v for k, v in validated.items() if k in actions.FIELDS}
    lines = validated.get("lines")
    return data, ([dict(ln) for ln in lines] if lines is not None else None)


@extend_schema(parameters=[
    OpenApiParameter("org", str, description="党组织编码：该组织及其全部下级的公开事项"),
    OpenApiParameter("status", str, enum=[s.value for s in Status]),
    OpenApiParameter("category", str, enum=Category.values),
])
class DisclosureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DisclosureSerializer
    filter_backends: list = []  # ?org/?status/?category are queries.staff_list's, shared with the web list

    def get_queryset(self):
        qs, _f = queries.staff_list(self.request.user, self.request.query_params)
        return qs.select_related("org").prefetch_related("lines").order_by("-id")

    def _writable(self, pk) -> DisclosureItem:
        return get_object_or_404(DisclosureItem.objects.restrict(self.request.user, WRITE_ACTION), pk=pk)

    def _out(self, item, code=status.HTTP_200_OK):
        item = DisclosureItem.objects.select_related("org").prefetch_related("lines").get(pk=item.pk)
        return Response(DisclosureSerializer(item).data, status=code)

    @extend_schema(request=DisclosureCreateSerializer, responses={201: DisclosureSerializer})
    def create(self, request):
        user = request.user
        scope = scope_for(user)
        if not (scope.everything or scope.prefixes(WRITE_ACTION)):
            raise PermissionDenied("您没有发布公开内容的权限")
        s = DisclosureCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        code = s.validated_data["org"]
        org = Org.objects.restrict(user, WRITE_ACTION).filter(code=code).first()
        if org is None:
            raise ValidationError({"org": [f"没有编码为“{code}”的党组织，或您无权在该党组织发布公开内容"]})
        data, lines = _data_and_lines(s.validated_data)
        with transaction.atomic():
            item = actions.create_draft(org, data, lines=lines, by=user)
            if s.validated_data["published"]:
                actions.publish(item, by=user)
        return self._out(item, status.HTTP_201_CREATED)

    @extend_schema(request=DisclosureWriteSerializer, responses={200: DisclosureSerializer})
    def partial_update(self, request, pk=None):
        """Edit a draft (published items are corrected, not edited)."""
        item = self._writable(pk)
        s = DisclosureWriteSerializer(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        data, lines = _data_and_lines(s.validated_data)
        item = actions.update_draft(item, data, lines=lines, by=request.user)
        return self._out(item)

    @extend_schema(request=None, responses={200: DisclosureSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._out(actions.publish(self._writable(pk), by=request.user))

    @extend_schema(request=CorrectionSerializer, responses={201: DisclosureSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Publish a corrected new version; the answer is the new version."""
        item = self._writable(pk)
        s = CorrectionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data, lines = _data_and_lines(s.validated_data)
        new = actions.correct(item, data, lines=lines, note=s.validated_data["correction_note"], by=request.user)
        return self._out(new, status.HTTP_201_CREATED)

    @extend_schema(request=WithdrawSerializer, responses={200: DisclosureSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        item = self._writable(pk)
        s = WithdrawSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._out(actions.withdraw(item, reason=s.validated_data["reason"], by=request.user))
