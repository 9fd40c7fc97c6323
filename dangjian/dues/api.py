"""`/api/v1/dues/bases/`, `/api/v1/dues/payments/` and `/api/v1/dues/report/`.

Reads start from `restrict(user, "view")` (a member: their own rows). Writes need WRITE_ACTION over the
member's branch by a grant (the member role's self link does not let anyone record money); a member
may declare their own base, which the branch then confirms. Out of scope answers 404.
"""

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from dangjian.core.scope import scope_for
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.rules.dues import CATEGORIES

from . import actions, queries
from . import arrears as dues_arrears
from .models import WRITE_ACTION, DuesBase, DuesPayment, PayMethod
from .months import first_of, parse_month


def _org_filter(request, qs):
    code = request.query_params.get("org")
    if code:
        org = Org.objects.filter(code=code).only("path").first()
        if org is None:
            return qs.none()
        qs = qs.filter(org_path__startswith=org.path)
    member = request.query_params.get("member")
    if member:
        if not member.isdigit():
            raise ValidationError({"member": ["党员编号应为数字"]})
        qs = qs.filter(member_id=int(member))
    return qs


def _writable_member(user, pk) -> Member:
    """A member whose dues `user` may write: by a grant over the branch, never by the self link."""
    return get_object_or_404(Member.objects.filter(scope_for(user).path_q("org_path", WRITE_ACTION)), pk=pk)


class BaseSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    confirmed = serializers.BooleanField(read_only=True)

    class Meta:
        model = DuesBase
        fields = ["id", "member", "member_name", "year", "effective_from", "category", "base", "monthly_amount",
                  "note", "declared_at", "confirmed", "confirmed_at"]
        read_only_fields = fields


class BaseCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    from_month = serializers.CharField(help_text="起始月份，如 2025-07")
    category = serializers.ChoiceField(choices=list(CATEGORIES.items()))
    base = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="月计算基数（元）")
    farmer_amount = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    confirm = serializers.BooleanField(default=True, help_text="党支部同时确认（党员本人申报时忽略）")


@extend_schema(parameters=[OpenApiParameter("org", str, description="党组织编码：该组织及其全部下级"),
                           OpenApiParameter("member", int)])
class DuesBaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = BaseSerializer

    def get_queryset(self):
        qs = DuesBase.objects.restrict(self.request.user, "view").select_related("member")
        return _org_filter(self.request, qs).order_by("-id")

    @extend_schema(request=BaseCreateSerializer, responses={201: BaseSerializer})
    def create(self, request):
        s = BaseCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        user = request.user
        writable = Member.objects.filter(scope_for(user).path_q("org_path", WRITE_ACTION), pk=d["member"]).first()
        if writable is None:
            # A member declares their own base; the branch confirms it later.
            writable = get_object_or_404(Member.objects.filter(user=user), pk=d["member"])
            confirm = False
        else:
            confirm = d["confirm"]
        row = actions.declare_base(writable, from_month=d["from_month"], category=d["category"],
                                   base=d.get("base") or None, farmer_amount=d.get("farmer_amount") or None,
                                   note=d["note"], by=user, confirm=confirm)
        return Response(BaseSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: BaseSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        row = get_object_or_404(DuesBase.objects.filter(scope_for(request.user).path_q("org_path", WRITE_ACTION)),
                                pk=pk)
        actions.confirm_base(row, by=request.user)
        return Response(BaseSerializer(row).data)


class PaymentSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = DuesPayment
        fields = ["id", "member", "member_name", "org", "month", "amount", "due", "paid_on", "method", "receipt",
                  "explanation", "batch", "reverses", "is_reversed", "recorded_at"]
        read_only_fields = fields


class PaymentCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    months = serializers.ListField(child=serializers.CharField(), help_text="所交月份，如 [\"2025-06\", \"2025-07\"]")
    paid_on = serializers.DateField()
    method = serializers.ChoiceField(choices=PayMethod.choices)
    receipt = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True,
                                      help_text="实交合计；不填按台账应交")
    explanation = serializers.CharField(required=False, allow_blank=True, default="")
    over_limit_reason = serializers.CharField(required=False, allow_blank=True, default="")
    quarterly = serializers.BooleanField(default=False, help_text="经党支部同意按季度交纳")


class MonthPaymentsSerializer(serializers.Serializer):
    members = serializers.ListField(child=serializers.IntegerField(), allow_empty=False,
                                    help_text="已交纳的党员编号（同一个月，各按台账应交金额）")
    month = serializers.CharField(help_text="所交月份，如 \"2025-07\"")
    paid_on = serializers.DateField()
    method = serializers.ChoiceField(choices=PayMethod.choices)


class ReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="冲正原因")


@extend_schema(parameters=[OpenApiParameter("org", str, description="党组织编码：该组织及其全部下级"),
                           OpenApiParameter("member", int), OpenApiParameter("month", str, description="如 2025-07")])
class DuesPaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PaymentSerializer

    def get_queryset(self):
        qs = DuesPayment.objects.restrict(self.request.user, "view").select_related("member", "org")
        qs = _org_filter(self.request, qs)
        month = self.request.query_params.get("month")
        if month:
            try:
                qs = qs.filter(month=parse_month(month))
            except ValueError as e:
                raise ValidationError({"month": [str(e)]}) from None
        return qs.order_by("-id")

    @extend_schema(request=PaymentCreateSerializer, responses={201: PaymentSerializer(many=True)})
    def create(self, request):
        s = PaymentCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        member = _writable_member(request.user, d["member"])
        rows = actions.record_payment(member, months=d["months"], paid_on=d["paid_on"], method=d["method"],
                                      receipt=d["receipt"], amount=d.get("amount"), explanation=d["explanation"],
                                      over_limit_reason=d["over_limit_reason"], quarterly=d["quarterly"],
                                      by=request.user)
        return Response(PaymentSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MonthPaymentsSerializer, responses={201: PaymentSerializer(many=True)},
                   summary="多名党员同一个月的党费一次登记",
                   description="如党支部在主题党日上收齐本月党费：每人按台账应交金额登记，检查与单人登记相同；"
                               "任何一人不能登记时整批不写入，members 错误中逐人说明原因。")
    @action(detail=False, methods=["post"])
    def month(self, request):
        s = MonthPaymentsSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        try:
            month = parse_month(d["month"])
        except ValueError as e:
            raise ValidationError({"month": [str(e)]}) from None
        members = [_writable_member(request.user, pk) for pk in dict.fromkeys(d["members"])]
        rows = actions.record_month_payments(members, month=month, paid_on=d["paid_on"], method=d["method"],
                                             by=request.user)
        return Response(PaymentSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReverseSerializer, responses={201: PaymentSerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        payment = get_object_or_404(
            DuesPayment.objects.filter(scope_for(request.user).path_q("org_path", WRITE_ACTION)), pk=pk)
        s = ReverseSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        entry = actions.reverse_payment(payment, reason=s.validated_data["reason"], by=request.user)
        return Response(PaymentSerializer(entry).data, status=status.HTTP_201_CREATED)


def _row(r) -> dict:
    return {"org": r.org.code if r.org else None, "org_name": r.org.name if r.org else None,
            "month": r.month.strftime("%Y-%m") if r.month else None, "due": f"{r.due:.2f}",
            "paid": f"{r.paid:.2f}", "owed": f"{r.owed:.2f}", "rate": None if r.rate is None else f"{r.rate}",
            "member_months": r.member_months, "settled": r.settled}


class DuesReportViewSet(viewsets.ViewSet):
    """应交 / 实交 / 欠交 of a subtree by organization and month, collection rate, members in arrears."""

    @extend_schema(parameters=[
        OpenApiParameter("org", str, required=True, description="党组织编码"),
        OpenApiParameter("year", int), OpenApiParameter("start", int, description="起始月 1–12"),
        OpenApiParameter("end", int, description="截止月 1–12"),
    ], responses={200: dict})
    def list(self, request):
        code = request.query_params.get("org")
        if not code:
            raise ValidationError({"org": ["请指定党组织编码"]})
        try:
            org = queries.org_for(request.user, code, "view")
        except Http404:
            raise Http404 from None
        today = timezone.localdate()
        try:
            year = int(request.query_params.get("year") or today.year)
            start = int(request.query_params.get("start") or 1)
            end = int(request.query_params.get("end") or (today.month if year == today.year else 12))
            first, last = dt.date(year, start, 1), dt.date(year, end, 1)
        except ValueError:
            raise ValidationError({"period": ["年度或月份无效，月份应为1–12"]}) from None
        if last < first:
            raise ValidationError({"end": ["截止月不能早于起始月"]})
        rep = queries.report(org, first, last)
        through = min(last, first_of(today))
        listed = dues_arrears.listing(org, through)
        arrears = listed.items
        return Response({
            "org": org.code, "year": year, "start": start, "end": end, "total": _row(rep.total),
            "arrears_through": through.strftime("%Y-%m"), "arrears_count": listed.count,
            "lapse_count": listed.lapse_count,
            "by_org": [_row(r) for r in rep.by_org], "by_month": [_row(r) for r in rep.by_month],
            "rows": [_row(r) for r in rep.rows],
            "arrears": [{"member": a.member.pk, "name": a.member.name, "org": a.member.org.code,
                         "unpaid_months": a.unpaid_months, "since": a.first_unpaid.strftime("%Y-%m"),
                         "owed": f"{a.owed:.2f}", "findings": [f.code for f in a.findings],
                         "last_reminder": a.reminders[0].reminded_on.isoformat() if a.reminders else None}
                        for a in arrears],
        })
