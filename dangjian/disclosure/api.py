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
from .models import (
    WRITE_ACTION,
    CatalogEntry,
    Category,
    DisclosureItem,
    LineKind,
    Matter,
    Question,
    ReviewStep,
    Status,
)


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
            "catalog_entry", "period", "matter", "created_at", "updated_at",
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
    """Shapes only; the rules (totals, personal numbers, lengths) are checked by the actions package."""

    category = serializers.ChoiceField(choices=Category.choices, required=False)
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    period_label = serializers.CharField(required=False, allow_blank=True)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    declared_income = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    declared_expense = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    lines = LineSerializer(many=True, required=False)
    catalog_entry = serializers.IntegerField(required=False, allow_null=True, help_text="公开目录事项 id")
    period = serializers.CharField(required=False, allow_blank=True, max_length=10,
                                   help_text="目录期间：每月 2025-07，每季度 2025-Q3，每年 2025；随时公开的事项不填")
    matter = serializers.IntegerField(required=False, allow_null=True,
                                      help_text="随时公开的事项：已登记的待公开事项 id（disclosure-matters/）")
    occurred_on = serializers.DateField(required=False, allow_null=True,
                                        help_text="随时公开的事项：未登记时填写事项发生日期，同时登记待公开事项")


class DisclosureCreateSerializer(DisclosureWriteSerializer):
    org = serializers.CharField(help_text="党组织编码")
    category = serializers.ChoiceField(choices=Category.choices)
    title = serializers.CharField(allow_blank=True)  # blank: actions say "请填写标题"
    published = serializers.BooleanField(default=False, help_text="true：创建后立即公开")


class CorrectionSerializer(DisclosureWriteSerializer):
    """A correction keeps the item's catalogue entry, period and matter."""

    correction_note = serializers.CharField(help_text="更正说明，显示在公开页上")
    catalog_entry = period = matter = occurred_on = None


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="撤回原因")


def _data_and_lines(validated: dict) -> tuple[dict, list | None]:
    data = {k: v for k, v in validated.items() if k in actions.FIELDS or k in actions.CATALOG_KEYS}
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


# ---------------------------------------------------------------- catalogue, review, questions

class CatalogEntrySerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.code", read_only=True)

    class Meta:
        model = CatalogEntry
        fields = ["id", "owner", "domain", "org_type", "category", "title", "frequency", "publisher", "review",
                  "source", "position", "active", "effective_from"]
        read_only_fields = ["id", "owner"]
        extra_kwargs = {"effective_from": {"required": False}}


class CatalogCreateSerializer(CatalogEntrySerializer):
    owner_code = serializers.CharField(write_only=True, help_text="制定目录的党组织编码（其下级适用）")

    class Meta(CatalogEntrySerializer.Meta):
        fields = [*CatalogEntrySerializer.Meta.fields, "owner_code"]


@extend_schema(parameters=[OpenApiParameter("org", str, description="党组织编码：适用于该组织的目录（含上级制定的）")])
class CatalogEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """公开目录. Read: entries in or above the caller's scope; write: admins (change_org) of the owner."""

    serializer_class = CatalogEntrySerializer
    filter_backends: list = []

    def get_queryset(self):
        qs = CatalogEntry.objects.restrict(self.request.user).select_related("owner").order_by("owner_path", "id")
        code = self.request.query_params.get("org")
        if code:
            org = Org.objects.restrict(self.request.user).filter(code=code).first()
            qs = qs.filter(pk__in=CatalogEntry.objects.applying_to(org).values("pk")) if org else qs.none()
        return qs

    @extend_schema(request=CatalogCreateSerializer, responses={201: CatalogEntrySerializer})
    def create(self, request):
        scope = scope_for(request.user)
        if not (scope.everything or scope.prefixes("change_org")):
            raise PermissionDenied("您没有制定公开目录的权限")
        s = CatalogCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        owner = Org.objects.restrict(request.user, "change_org").filter(code=s.validated_data["owner_code"]).first()
        if owner is None:
            raise ValidationError({"owner_code": ["没有这个党组织，或您无权为其制定公开目录"]})
        data = {k: v for k, v in s.validated_data.items() if k != "owner_code"}
        entry = actions.create_entry(owner, data, by=request.user)
        return Response(CatalogEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CatalogEntrySerializer, responses={200: CatalogEntrySerializer})
    def partial_update(self, request, pk=None):
        entry = get_object_or_404(CatalogEntry.objects.restrict(request.user, "change_org"), pk=pk)
        s = CatalogEntrySerializer(entry, data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        entry = actions.update_entry(entry, dict(s.validated_data), by=request.user)
        return Response(CatalogEntrySerializer(entry).data)


class ReviewStepSerializer(serializers.ModelSerializer):
    item = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ReviewStep
        fields = ["id", "item", "kind", "by_name", "note", "at"]
        read_only_fields = fields


class ReviewDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "通过"), ("return", "退回修改")])
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="退回时必填")


class ReviewViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """待我审核: submitted items the caller may review; POST {id}/decide/ approves or returns; GET {id}/steps/
    of any item the caller can see."""

    serializer_class = DisclosureSerializer
    filter_backends: list = []

    def get_queryset(self):
        return (queries.reviewable(self.request.user).select_related("org").prefetch_related("lines")
                .order_by("submitted_at", "id"))

    @extend_schema(request=ReviewDecisionSerializer, responses={200: DisclosureSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        item = get_object_or_404(self.get_queryset(), pk=pk)
        s = ReviewDecisionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        if s.validated_data["decision"] == "approve":
            item = actions.approve(item, note=s.validated_data["note"], by=request.user)
        else:
            item = actions.return_item(item, reason=s.validated_data["note"], by=request.user)
        item = DisclosureItem.objects.select_related("org").prefetch_related("lines").get(pk=item.pk)
        return Response(DisclosureSerializer(item).data)

    @extend_schema(responses={200: ReviewStepSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def steps(self, request, pk=None):
        item = get_object_or_404(DisclosureItem.objects.restrict(request.user, "view"), pk=pk)
        return Response(ReviewStepSerializer(item.review_steps.all(), many=True).data)


class QuestionSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    item = serializers.PrimaryKeyRelatedField(read_only=True)
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = ["id", "item", "org", "kind", "body", "phone", "created_at", "answer", "answered_at", "public"]
        read_only_fields = fields

    def get_phone(self, obj) -> str:
        # Those who answer (view_sensitive over the org) see the number; viewers see it masked.
        scope = self.context.get("scope")
        if scope is not None and scope.covers(obj.org_path, "view_sensitive"):
            return obj.phone
        return obj.phone[:3] + "****" + obj.phone[-4:]


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()
    public = serializers.BooleanField(default=False, help_text="true：在公开页显示问题（隐去号码）和答复")


@extend_schema(parameters=[OpenApiParameter("answered", bool, description="true 已答复 / false 待答复")])
class QuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """群众留言 (staff side). Villagers submit on the public page, not through the API."""

    serializer_class = QuestionSerializer
    filter_backends: list = []

    def get_queryset(self):
        qs = Question.objects.filter(scope_for(self.request.user).path_q("org_path", "view")).select_related("org")
        answered = self.request.query_params.get("answered")
        if answered in ("true", "false"):
            qs = qs.filter(answered_at__isnull=(answered == "false"))
        return qs.order_by("-created_at", "-id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "scope": scope_for(self.request.user)}

    @extend_schema(request=AnswerSerializer, responses={200: QuestionSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        q = get_object_or_404(Question.objects.filter(scope_for(request.user).path_q("org_path", WRITE_ACTION)), pk=pk)
        s = AnswerSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        q = actions.answer(q, text=s.validated_data["answer"], public=s.validated_data["public"], by=request.user)
        return Response(QuestionSerializer(q, context=self.get_serializer_context()).data)


# ---------------------------------------------------------------- major matters (待公开事项)

class MatterSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    entry_title = serializers.CharField(source="catalog_entry.title", read_only=True)
    category = serializers.CharField(source="catalog_entry.category", read_only=True)
    deadline = serializers.DateField(read_only=True, help_text="应当公开的最后一天（发生日期 + 规定天数）")
    state = serializers.SerializerMethodField(help_text="pending 待公开 | overdue 逾期未公开 | published 已按时公开 | "
                                                        "late 逾期后公开 | cancelled 已撤销登记")
    published_at = serializers.DateTimeField(source="first_published_at", read_only=True, allow_null=True,
                                             help_text="首次公开时间")
    items = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Matter
        fields = ["id", "org", "org_name", "catalog_entry", "entry_title", "category", "title", "occurred_on",
                  "deadline", "state", "published_at", "items", "note", "cancelled_at", "cancel_reason",
                  "created_at"]
        read_only_fields = fields

    def get_state(self, obj) -> str:
        from django.utils import timezone

        return queries.state_of(obj, timezone.localdate())


class MatterCreateSerializer(serializers.Serializer):
    org = serializers.CharField(help_text="党组织编码")
    catalog_entry = serializers.IntegerField(help_text="适用于该组织的随时公开目录事项 id")
    title = serializers.CharField(allow_blank=True, help_text="事项名称")
    occurred_on = serializers.DateField(help_text="事项发生日期（会议表决、上级批复之日）")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CancelMatterSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="撤销原因")


@extend_schema(parameters=[
    OpenApiParameter("org", str, description="党组织编码：该组织及其全部下级的事项"),
    OpenApiParameter("state", str, enum=list(queries.MATTER_STATES), description="默认 open（未公开、未撤销）"),
])
class MatterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """待公开事项: major matters of entries published 随时, registered with the day they occurred; unpublished
    rules.disclosure.MAJOR_WITHIN_DAYS after it they are overdue. Writes need WRITE_ACTION over the organization."""

    serializer_class = MatterSerializer
    filter_backends: list = []

    def get_queryset(self):
        from django.utils import timezone

        params = self.request.query_params
        if self.action == "retrieve" and "state" not in params:
            params = {**params.dict(), "state": "all"}
        qs, _f = queries.matter_list(self.request.user, params, timezone.localdate())
        return qs.prefetch_related("items").order_by("-occurred_on", "-id")

    def _out(self, matter, code=status.HTTP_200_OK):
        matter = Matter.objects.with_published_at().select_related("org", "catalog_entry").prefetch_related(
            "items").get(pk=matter.pk)
        return Response(MatterSerializer(matter).data, status=code)

    @extend_schema(request=MatterCreateSerializer, responses={201: MatterSerializer})
    def create(self, request):
        scope = scope_for(request.user)
        if not (scope.everything or scope.prefixes(WRITE_ACTION)):
            raise PermissionDenied("您没有登记待公开事项的权限")
        s = MatterCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        code = s.validated_data["org"]
        org = Org.objects.restrict(request.user, WRITE_ACTION).filter(code=code).first()
        if org is None:
            raise ValidationError({"org": [f"没有编码为“{code}”的党组织，或您无权为该党组织登记事项"]})
        matter = actions.register_matter(org, dict(s.validated_data), by=request.user)
        return self._out(matter, status.HTTP_201_CREATED)

    @extend_schema(request=CancelMatterSerializer, responses={200: MatterSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        matter = get_object_or_404(Matter.objects.restrict(request.user, WRITE_ACTION), pk=pk)
        s = CancelMatterSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._out(actions.cancel_matter(matter, reason=s.validated_data["reason"], by=request.user))
