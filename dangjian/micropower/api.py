"""`/api/v1/micropower/powers/` (the list that applies to ?org=) and `/api/v1/micropower/cases/` (list ?org= subtree,
create, detail, POST {id}/step/). Reads start from restrict(); writes need WRITE_ACTION over the case's org."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from dangjian.core.scope import scope_for
from dangjian.disclosure.models import WRITE_ACTION
from dangjian.orgs.models import Org

from . import actions
from .models import Case, CaseStep, Power, PowerStep


class PowerStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = PowerStep
        fields = ["position", "name", "responsible", "days"]


class PowerSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.code", read_only=True)
    steps = PowerStepSerializer(many=True, read_only=True)

    class Meta:
        model = Power
        fields = ["id", "owner", "name", "category", "basis", "active", "steps"]
        read_only_fields = fields


class CaseStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseStep
        fields = ["position", "name", "responsible", "days", "done_on", "note"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    power_name = serializers.CharField(source="power.name", read_only=True)
    steps = CaseStepSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = ["id", "org", "power", "power_name", "subject", "applicant", "status", "opened_on", "closed_on",
                  "outcome", "public", "steps"]
        read_only_fields = fields


class CaseCreateSerializer(serializers.Serializer):
    org = serializers.CharField(help_text="办理单位的党组织编码")
    power = serializers.IntegerField()
    subject = serializers.CharField(allow_blank=True)
    applicant = serializers.CharField(required=False, allow_blank=True, default="")
    opened_on = serializers.DateField()
    public = serializers.BooleanField(default=True)


class StepSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    done_on = serializers.DateField()
    responsible = serializers.CharField(help_text="职务和姓名，不填身份证号")
    note = serializers.CharField(required=False, allow_blank=True, default="")


def _org_param(request):
    code = request.query_params.get("org")
    if not code:
        return None, False
    return Org.objects.restrict(request.user).filter(code=code).first(), True


@extend_schema(parameters=[OpenApiParameter("org", str, description="党组织编码：适用于该组织的清单")])
class PowerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PowerSerializer
    filter_backends: list = []

    def get_queryset(self):
        qs = Power.objects.restrict(self.request.user).select_related("owner").prefetch_related("steps")
        org, given = _org_param(self.request)
        if given:
            qs = qs.filter(pk__in=Power.objects.applying_to(org).values("pk")) if org else qs.none()
        return qs.order_by("owner_path", "position", "id")


@extend_schema(parameters=[OpenApiParameter("org", str, description="党组织编码：该组织及其下级的办理事项")])
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CaseSerializer
    filter_backends: list = []

    def get_queryset(self):
        qs = Case.objects.restrict(self.request.user).select_related("org", "power").prefetch_related("steps")
        org, given = _org_param(self.request)
        if given:
            qs = qs.filter(org_path__startswith=org.path) if org else qs.none()
        return qs.order_by("-opened_on", "-id")

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseSerializer})
    def create(self, request):
        scope = scope_for(request.user)
        if not (scope.everything or scope.prefixes(WRITE_ACTION)):
            raise PermissionDenied("您没有受理小微权力事项的权限")
        s = CaseCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        org = Org.objects.restrict(request.user, WRITE_ACTION).filter(code=s.validated_data["org"]).first()
        if org is None:
            raise ValidationError({"org": ["没有这个党组织，或您无权在该党组织受理事项"]})
        power = Power.objects.applying_to(org).filter(pk=s.validated_data["power"]).first()
        if power is None:
            raise ValidationError({"power": ["该权力事项不适用于此党组织"]})
        case = actions.open_case(org, power, s.validated_data, by=request.user)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StepSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        case = get_object_or_404(Case.objects.restrict(request.user, WRITE_ACTION), pk=pk)
        s = StepSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        actions.record_step(case, s.validated_data["position"], done_on=s.validated_data["done_on"],
                            responsible=s.validated_data["responsible"], note=s.validated_data["note"], by=request.user)
        return Response(CaseSerializer(self.get_queryset().get(pk=case.pk)).data)
