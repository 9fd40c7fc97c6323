"""`/api/v1/recruitment/…`: files (applicants), their steps, the yearly plans and the pipeline board.

- GET applicants/ (`?org=CODE` the subtree, `?stage=`), GET applicants/{id}/ with its steps: view scope, else 404.
- POST applicants/ `{"org": CODE, "name", "id_number", "education", "applied_on", …}` → 201 (step 1).
- POST applicants/{id}/steps/ `{"step": n, "on": "YYYY-MM-DD", …}` → 201 with the record and its
  `warnings`; a hard rule → 400 with the Chinese message next to the field; a 党委's step by the branch → 403.
- GET plans/ (`?org=`, `?year=`) with `used`; POST plans/ `{"org": CODE, "year": Y, "planned": n}` → 201 (sets it).
- GET board/?org=CODE: counts per stage, overdue and due-soon counts, and the due list.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from dangjian.api.fields import LabelField
from dangjian.api.permissions import org_in_scope, require_somewhere
from dangjian.members.choices import Education, Gender
from dangjian.members.models import Member

from . import actions, queries
from .models import ACT, Applicant, Outcome, RecruitmentPlan, Stage, StepRecord


class RecruitmentStepSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    people = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = StepRecord
        fields = ["id", "number", "name", "on", "handled_by", "document_no", "notes", "people", "eligible",
                  "present", "yes", "no", "abstain", "written_yes", "training_days", "training_hours", "outcome",
                  "extension_months", "warnings", "recorded_by", "recorded_at"]
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return actions.STEP_NAMES[obj.number]


class ApplicantSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    stage_display = LabelField("stage")
    id_number = serializers.SerializerMethodField()
    next_steps = serializers.SerializerMethodField()

    class Meta:
        model = Applicant
        fields = ["id", "org", "org_name", "name", "gender", "id_number", "birth_date", "ethnicity", "education",
                  "job", "stage", "stage_display", "last_step", "next_steps", "applied_on", "activist_on",
                  "candidate_on", "congress_on", "extension_months", "confirmed_on", "next_due_on",
                  "next_due_label", "member"]
        read_only_fields = fields

    def get_id_number(self, obj) -> str:
        """Masked like the member list: the full number is on the page of those who may see it."""
        n = obj.id_number
        return n[:6] + "********" + n[-4:] if len(n) == 18 else n

    def get_next_steps(self, obj) -> list[int]:
        return actions.allowed_steps(obj)


class ApplicantDetailSerializer(ApplicantSerializer):
    steps = RecruitmentStepSerializer(many=True, read_only=True)

    class Meta(ApplicantSerializer.Meta):
        fields = [*ApplicantSerializer.Meta.fields, "steps"]
        read_only_fields = fields


class ApplicantCreateSerializer(serializers.Serializer):
    org = serializers.CharField(help_text="接收申请书的党支部编码")
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30, help_text="公民身份号码（校验位、出生日期、性别均会核对）")
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True, default="")
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    ethnicity = serializers.CharField(required=False, allow_blank=True, default="汉族")
    education = serializers.ChoiceField(choices=Education.choices)
    job = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    applied_on = serializers.DateField(help_text="递交入党申请书日期")
    document_no = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class RecruitmentStepCreateSerializer(serializers.Serializer):
    step = serializers.IntegerField(min_value=2, max_value=actions.LAST_STEP, help_text="步骤序号 2–25")
    on = serializers.DateField(help_text="日期")
    handled_by = serializers.CharField(required=False, allow_blank=True, default="", help_text="经办人/谈话人/审批单位")
    document_no = serializers.CharField(required=False, allow_blank=True, default="",
                                        help_text="文书编号，第14步为入党志愿书编号（必填）")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    people = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                   help_text="第5步培养联系人、第9步入党介绍人：党员编号")
    eligible = serializers.IntegerField(required=False, allow_null=True, help_text="第15、23步：应到会有表决权人数")
    present = serializers.IntegerField(required=False, allow_null=True)
    yes = serializers.IntegerField(required=False, allow_null=True)
    no = serializers.IntegerField(required=False, allow_null=True)
    abstain = serializers.IntegerField(required=False, allow_null=True)
    written_yes = serializers.IntegerField(required=False, allow_null=True)
    training_days = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    training_hours = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, allow_blank=True, default="",
                                      help_text="第23步：讨论结果")
    extension_months = serializers.IntegerField(required=False, allow_null=True, help_text="延长预备期的月数（6–12）")


class RecruitmentStepResultSerializer(serializers.Serializer):
    record = RecruitmentStepSerializer()
    warnings = serializers.ListField(child=serializers.DictField())
    applicant = ApplicantSerializer()


def people_in_view(user, ids) -> list[Member]:
    """Members named on a step must be ones the caller can see; any other id is "not found"."""
    ids = list(dict.fromkeys(ids))
    found = {m.pk: m for m in Member.objects.restrict(user, "view").filter(pk__in=ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError({"people": [f"党员不存在：{'、'.join(missing)}"]})
    return [found[i] for i in ids]


@extend_schema(parameters=[OpenApiParameter("org", str, description="党组织编码：该组织及其全部下级"),
                           OpenApiParameter("stage", str, enum=Stage.values)])
class ApplicantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ApplicantSerializer

    def get_serializer_class(self):
        return ApplicantDetailSerializer if self.action == "retrieve" else ApplicantSerializer

    def get_queryset(self):
        user = self.request.user
        qs = Applicant.objects.restrict(user, "view").select_related("org")
        code = self.request.query_params.get("org")
        if code:
            qs = qs.in_subtree(queries.org_in_view(user, code))
        stage = self.request.query_params.get("stage")
        if stage:
            if stage not in Stage.values:
                raise ValidationError({"stage": [f"阶段“{stage}”无效，可选：{'、'.join(Stage.values)}"]})
            qs = qs.filter(stage=stage)
        if self.action == "retrieve":
            qs = qs.prefetch_related("steps__people", "steps__recorded_by")
        return qs.order_by("org_path", "applied_on", "id")

    @extend_schema(request=ApplicantCreateSerializer, responses={201: ApplicantDetailSerializer})
    def create(self, request):
        user = request.user
        require_somewhere(user, ACT, "您没有办理发展党员的权限")
        s = ApplicantCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        org = org_in_scope(user, d.pop("org"), ACT, field="org")
        applied_on, document_no, notes = d.pop("applied_on"), d.pop("document_no"), d.pop("notes")
        a = actions.open_file(d, org=org, by=user, applied_on=applied_on, document_no=document_no, notes=notes)
        return Response(ApplicantDetailSerializer(self._fresh(a)).data, status=status.HTTP_201_CREATED)

    def _fresh(self, a):
        return Applicant.objects.select_related("org").prefetch_related("steps__people").get(pk=a.pk)

    @extend_schema(request=RecruitmentStepCreateSerializer, responses={201: RecruitmentStepResultSerializer})
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        user = request.user
        a = get_object_or_404(Applicant.objects.restrict(user, ACT), pk=pk)
        s = RecruitmentStepCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        number = d.pop("step")
        d["people"] = people_in_view(user, d.get("people") or [])
        record, warnings = actions.record_step(a, number, d, by=user)
        return Response({"record": RecruitmentStepSerializer(record).data, "warnings": warnings,
                         "applicant": ApplicantSerializer(self._fresh(a)).data}, status=status.HTTP_201_CREATED)


class RecruitmentPlanSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    used = serializers.IntegerField(read_only=True, help_text="当年经支部大会接收为预备党员的人数（该组织及其下级）")

    class Meta:
        model = RecruitmentPlan
        fields = ["id", "org", "org_name", "year", "planned", "used", "note", "updated_at"]
        read_only_fields = fields


class RecruitmentPlanSetSerializer(serializers.Serializer):
    org = serializers.CharField(help_text="党组织编码")
    year = serializers.IntegerField()
    planned = serializers.IntegerField(help_text="计划发展人数")
    note = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema(parameters=[OpenApiParameter("org", str, description="党组织编码：该组织及其全部下级"),
                           OpenApiParameter("year", int)])
class RecruitmentPlanViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = RecruitmentPlanSerializer

    def get_queryset(self):
        user = self.request.user
        code = self.request.query_params.get("org")
        org = queries.org_in_view(user, code) if code else None
        year = self.request.query_params.get("year")
        if year and not year.isdigit():
            raise ValidationError({"year": ["年度应为数字"]})
        return queries.plans(user, org=org, year=int(year) if year else None)

    @extend_schema(request=RecruitmentPlanSetSerializer, responses={201: RecruitmentPlanSerializer})
    def create(self, request):
        user = request.user
        require_somewhere(user, "change_org", "您没有制定发展党员计划的权限")
        s = RecruitmentPlanSetSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        org = org_in_scope(user, d["org"], "change_org", field="org")
        plan = actions.set_plan(org, d["year"], d["planned"], by=user, note=d["note"])
        row = queries.plans(user).get(pk=plan.pk)
        return Response(RecruitmentPlanSerializer(row).data, status=status.HTTP_201_CREATED)


BoardSerializer = inline_serializer("RecruitmentBoard", {
    "org": serializers.CharField(), "org_name": serializers.CharField(), "today": serializers.DateField(),
    "stages": inline_serializer("RecruitmentBoardStage", {
        "stage": serializers.CharField(), "label": serializers.CharField(), "count": serializers.IntegerField(),
    }, many=True),
    "open_total": serializers.IntegerField(), "overdue": serializers.IntegerField(),
    "due_soon": serializers.IntegerField(),
    "due": inline_serializer("RecruitmentDueFile", {
        "id": serializers.IntegerField(), "name": serializers.CharField(), "org": serializers.CharField(),
        "stage": serializers.CharField(), "next_due_on": serializers.DateField(),
        "next_due_label": serializers.CharField(), "overdue": serializers.BooleanField(),
    }, many=True),
})


class BoardViewSet(viewsets.ViewSet):
    """发展党员看板: a subtree's files per stage and those whose next step is due or overdue."""

    @extend_schema(parameters=[OpenApiParameter("org", str, required=True, description="党组织编码")],
                   responses={200: BoardSerializer})
    def list(self, request):
        code = request.query_params.get("org")
        if not code:
            raise ValidationError({"org": ["请指定党组织编码"]})
        org = queries.org_in_view(request.user, code)
        b = queries.board(request.user, org)
        due = queries.due(request.user, org, today=b.today)
        return Response({
            "org": org.code, "org_name": org.name, "today": b.today, "stages": b.stages,
            "open_total": b.open_total, "overdue": b.overdue, "due_soon": b.due_soon,
            "due": [{"id": a.pk, "name": a.name, "org": a.org.code, "stage": a.stage, "next_due_on": a.next_due_on,
                     "next_due_label": a.next_due_label, "overdue": a.overdue} for a in due],
        })
