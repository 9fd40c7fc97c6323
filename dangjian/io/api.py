"""`/api/v1/imports/` (roster import jobs), `/api/v1/members/export/` (the member list as a file) and
`/api/v1/exports/` (the same file written in the background, for lists too long for one request).

An import through the API is the web page's: upload a file (`POST imports/`, multipart) → the job with
its preview (counts, errors with row/column/value/message, every row's outcome under `rows/`) → `POST
imports/{id}/confirm/` writes all rows or none. Large files are checked and written in the background:
poll `GET imports/{id}/` until `status` leaves queued/running. A job is its uploader's; anyone else gets
404. Who may upload: anyone whose roles manage members (members) or organizations (orgs) somewhere; the
rows themselves are checked against the uploader's scope, row by row, as on the web.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.api.fields import LabelField
from dangjian.api.permissions import org_in_scope, require_somewhere

from . import actions, exports, results, tasks, views
from .models import ExportJob, ImportJob
from .readers import SUPPORTED_SUFFIXES, suffix_of, unsupported
from .result import KIND_LABELS, OUTCOME_CHOICES
from .without_rows import branches_without_rows

ACTION_OF_KIND = {ImportJob.Kind.MEMBERS: "change_member", ImportJob.Kind.ORGS: "change_org"}
NO_IMPORT = {ImportJob.Kind.MEMBERS: "您没有导入党员的权限", ImportJob.Kind.ORGS: "您没有导入党组织的权限"}


class ImportJobSerializer(serializers.ModelSerializer):
    default_org = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_label = LabelField("status")
    counts = serializers.SerializerMethodField()
    error_count = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = ["id", "kind", "file_name", "default_org", "status", "status_label", "progress", "message",
                  "total_rows", "counts", "error_count", "created_at", "started_at", "finished_at"]
        read_only_fields = fields

    def get_counts(self, job) -> dict:
        """{"created", "updated", "unchanged"} as CONTRACT's import result (after a preview: what confirming
        would do)."""
        return job.counts or {}

    def get_error_count(self, job) -> int:
        return job.error_count


class ImportJobDetailSerializer(ImportJobSerializer):
    errors = serializers.JSONField(read_only=True, help_text="CONTRACT 的错误列表：row、column、value、message；多个工作表一起导入时另有 sheet（工作表名）")

    sheets = serializers.JSONField(read_only=True, help_text=(
        "工作簿有多个工作表时：read 为读取的工作表及其行数 [[名称, 行数], …]，passed_over 为没有表头而未读取的工作表，"
        "not_members（如有）为从名称看不是在册党员（入党积极分子、转出、去世等）而未读取的工作表，"
        "not_roster（如有）为表头缺少多个必填列、不是党员名册而未读取的工作表，"
        "subsets（如有）为其中党员都已在更大的工作表中（如党小组分表）而未读取的工作表，"
        "default_org（如有）为没有所在党组织列、全部编入默认党组织的工作表；否则为 {}"))
    branches = serializers.JSONField(read_only=True, help_text=(
        "党员导入中通过检查的行所编入或所在的党支部，每个一项 [编码, 名称, 新增, 变更, 无变化]，按组织树顺序；"
        "党组织导入或没有通过检查的行时为 []"))

    without_rows = serializers.SerializerMethodField(help_text=(
        "党员导入的行编入多个党支部时：它们共同的上级党组织下（在您的管理范围内）本次文件中没有党员的党支部，"
        "{parent: {code, name}, count（最多数到 1000）, more（超过 1000 时为 true）, shown: [[编码, 名称], …]（按组织树顺序，"
        "前 20 个）, text（页面上的提示句）}；count 为 0 表示都有党员。只有一个党支部或党组织导入时为 null"))

    class Meta(ImportJobSerializer.Meta):
        fields = [*ImportJobSerializer.Meta.fields, "errors", "sheets", "branches", "without_rows"]
        read_only_fields = fields

    def get_without_rows(self, job) -> dict | None:
        request = self.context.get("request")
        missing = branches_without_rows(job, request.user if request else job.user)  # a job is its uploader's
        if missing is None:
            return None
        return {**missing, "parent": {"code": missing["parent"].code, "name": missing["parent"].name}}


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportJob.Kind.choices, help_text="members（党员）或 orgs（党组织）")
    file = serializers.FileField(help_text="Excel、WPS（.xlsx/.xls/.xlsb）、LibreOffice（.ods）或 CSV（UTF-8 或 GBK），"
                                           "或多个这样的文件打成的 .zip（一起检查、一起导入）")
    default_org = serializers.CharField(required=False, allow_blank=True, max_length=40,
                                        help_text="党员导入可选：未填所在党组织（编码或全称）的行编入该党支部")

    def validate_file(self, f):
        if suffix_of(f.name) not in SUPPORTED_SUFFIXES:
            raise serializers.ValidationError(unsupported(suffix_of(f.name)))
        if f.size > views.MAX_UPLOAD:
            raise serializers.ValidationError("文件不能超过100MB")
        return f


class RowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="表格中的行号（表头为第1行）")
    sheet = serializers.CharField(help_text="工作表名：一个工作簿中有多个工作表一起导入时，行号是该工作表的；.zip 中的文件名"
                                            "（多工作表的为“文件名 / 工作表名”）；否则为空")
    outcome = serializers.ChoiceField(choices=OUTCOME_CHOICES)
    label = serializers.CharField(help_text="党员姓名和隐去中间位的身份证号，或党组织编码和名称")
    changes = serializers.ListField(child=serializers.DictField(), help_text="变更的列：column、old、new")
    errors = serializers.ListField(child=serializers.CharField())
    org = serializers.CharField(help_text="党员导入中通过检查的行所在的党支部名称：新增的编入的党支部，已有党员所在的党支部；"
                                          "错误行和党组织导入为空")
    org_code = serializers.CharField(help_text="该党支部的编码（同上，可作 ?org= 筛选）")


JOB_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="导入任务编号")


@extend_schema_view(
    list=extend_schema(summary="我的导入任务", description="当前用户上传的导入任务，新的在前。"),
    retrieve=extend_schema(summary="导入任务详情", parameters=[JOB_ID], responses=ImportJobDetailSerializer,
                           description="状态、进度、统计和全部错误（行号、列、值、中文说明）。排队中或处理中时请稍后再查。"),
)
class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ImportJobSerializer
    parser_classes = (MultiPartParser, FormParser)
    filter_backends = ()

    def get_queryset(self):
        # A job is its uploader's: nobody else's scope reaches it. Every row's outcome only on rows/; the
        # error list (one per bad cell: a whole column in the wrong format is one per row) only in the detail.
        qs = ImportJob.objects.filter(user=self.request.user).select_related("default_org").order_by("-created_at", "-id")
        return qs.defer("errors") if self.action == "list" else qs

    def get_serializer_class(self):
        return ImportJobDetailSerializer if self.action in ("retrieve", "create", "confirm") else ImportJobSerializer

    @extend_schema(summary="上传并预检", request={"multipart/form-data": ImportUploadSerializer},
                   description=("上传花名册文件：逐行检查，不写入任何数据，返回任务及其预检结果（将新增、变更、无变化的条数，"
                                "或全部错误）。小文件当场检查完毕（status 为 previewed 或 invalid）；大文件排队后台检查"
                                "（status 为 queued/running，请轮询详情）。确认写入请调用 confirm/。"),
                   responses={201: ImportJobDetailSerializer, 400: OpenApiResponse(description="字段错误（中文说明）"),
                              403: OpenApiResponse(description="您没有导入该类数据的权限")})
    def create(self, request):
        s = ImportUploadSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        kind = s.validated_data["kind"]
        act = ACTION_OF_KIND[kind]
        require_somewhere(request.user, act, NO_IMPORT[kind])
        default_org = None
        code = (s.validated_data.get("default_org") or "").strip()
        if code:
            if kind != ImportJob.Kind.MEMBERS:
                raise ValidationError({"default_org": ["只有党员导入可以指定默认党组织"]})
            default_org = org_in_scope(request.user, code, act, field="default_org")
            if not default_org.is_branch:
                raise ValidationError({"default_org": [f"“{default_org.name}”不是党支部，党员只能编入党支部"]})
        job = actions.start_import(request.user, kind, s.validated_data["file"], default_org=default_org)
        return Response(ImportJobDetailSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="确认导入", request=None, parameters=[JOB_ID],
                   description=("写入预检通过的任务：按数据库当前状态重新检查同一文件，全部成功才写入，否则一行也不写"
                                "（status 为 done 或 failed）。大文件排队后台写入。已导入、有错误或仍在处理的任务返回 400。"),
                   responses={200: ImportJobDetailSerializer, 400: OpenApiResponse(description="该任务不能确认")})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        job = get_object_or_404(ImportJob.objects.select_related("default_org", "user"), pk=pk, user=request.user)
        try:
            actions.confirm_import(job)
        except actions.JobNotConfirmable as e:
            raise ValidationError({"detail": e.message}) from None
        return Response(ImportJobDetailSerializer(job).data)

    @extend_schema(summary="逐行结果", parameters=[
        JOB_ID, OpenApiParameter("outcome", str, enum=list(KIND_LABELS), description="只看某一种结果"),
        OpenApiParameter("org", str, description="只看编入或属于该党支部（编码）的行")],
        responses=RowSerializer(many=True),
        description="预检或导入后每一行的结果：新增、变更（列出改了哪些列）、无变化、错误。")
    @action(detail=True, methods=["get"])
    def rows(self, request, pk=None):
        job = get_object_or_404(ImportJob.objects.only("pk", "user_id", "branches"), pk=pk, user=request.user)
        outcome = request.query_params.get("outcome", "")
        if outcome and outcome not in KIND_LABELS:
            raise ValidationError({"outcome": ["结果应为 " + "、".join(KIND_LABELS)]})
        rows = job.outcomes.order_by("id")  # file order, a page at a time (ImportRow's (job, kind, id) index)
        if outcome:
            rows = rows.filter(kind=outcome)
        names = job.branch_names
        org = request.query_params.get("org", "")
        if org:
            if org not in names:
                raise ValidationError({"org": [f"本次导入中没有编入党组织“{org}”的行"]})
            rows = rows.filter(org_code=org)
        page = self.paginator.paginate_queryset(
            rows.values_list("row", "kind", "label", "changes", "errors", "sheet", "org_code"), request, view=self)
        return self.get_paginated_response([{
            "row": n, "sheet": sheet, "outcome": kind, "label": label,
            "changes": [{"column": c, "old": old, "new": new} for c, old, new in changes],
            "errors": errors, "org": names.get(code, ""), "org_code": code}
            for n, kind, label, changes, errors, sheet, code in page])

    @extend_schema(summary="下载结果表", parameters=[JOB_ID],
                   responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
                              OpenApiTypes.BINARY},
                   description="逐行结果和错误清单（.xlsx），可据此修改原文件后重新上传。")
    @action(detail=True, methods=["get"], url_path="result")
    def result_file(self, request, pk=None):
        job = get_object_or_404(ImportJob.objects.all(), pk=pk, user=request.user)
        return results.response(job)


class _FileFormatNegotiation(DefaultContentNegotiation):
    """`?format=xlsx|csv` names the exported file's format here, not DRF's renderer (which would answer 404
    for an unknown renderer); errors are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema(
    summary="导出党员名册",
    parameters=[OpenApiParameter("format", str, enum=["xlsx", "csv"], description="文件格式，默认 xlsx"),
                OpenApiParameter("sheets", str, enum=["branch"],
                                 description="branch：每个党支部一个工作表（仅 xlsx，最多500个支部），可整个工作簿重新导入"),
                OpenApiParameter("org", str, description="党组织编码：含全部下级"),
                OpenApiParameter("q", str, description="姓名、拼音、首字母或身份证号后几位"),
                *(OpenApiParameter(p, str) for p in ("category", "gender", "education", "age", "ethnicity",
                                                      "joined_year", "status", "as_of"))],
    responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
               (200, "text/csv"): OpenApiTypes.BINARY,
               400: OpenApiResponse(description="筛选条件或格式错误")},
    description=("与 GET members/ 同样的范围和筛选，导出为导入模板列顺序的 .xlsx 或 .csv（UTF-8 带 BOM），可修改后重新导入。"
                 "您不能查看完整号码的党员，身份证号和手机号隐去中间位。每次导出都记入日志。"),
)
class MemberExportView(APIView):
    content_negotiation_class = _FileFormatNegotiation

    def get(self, request):
        try:
            return views.export_response(request, request.query_params, source="api")
        except views.ExportError as e:
            raise ValidationError({"detail": str(e)}) from None


class ExportJobSerializer(serializers.ModelSerializer):
    format = serializers.CharField(source="fmt", read_only=True)
    status_label = LabelField("status")
    progress = serializers.IntegerField(read_only=True, help_text="百分比")
    file = serializers.SerializerMethodField(help_text="写完后下载文件的地址；未完成、失败或文件已删除时为 null")

    class Meta:
        model = ExportJob
        fields = ["id", "name", "format", "params", "status", "status_label", "progress", "total_rows", "rows",
                  "message", "created_at", "finished_at", "file"]
        read_only_fields = fields

    def get_file(self, job) -> str | None:
        if not job.downloadable:
            return None
        url = reverse("export-job-file", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


EXPORT_JOB_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="导出任务编号")


@extend_schema_view(
    list=extend_schema(summary="我的后台导出", description="当前用户的后台导出任务，新的在前。"),
    retrieve=extend_schema(summary="后台导出详情", parameters=[EXPORT_JOB_ID],
                           description="状态和进度；status 为 done 时 file 为下载地址。"),
)
class ExportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ExportJobSerializer
    filter_backends = ()
    content_negotiation_class = _FileFormatNegotiation  # ?format= is the export's file type; answers are JSON

    def get_queryset(self):
        return tasks.exports_of(self.request.user)

    @extend_schema(
        summary="后台导出党员名册",
        request={"application/json": {"type": "object", "additionalProperties": {"type": "string"}}},
        parameters=[OpenApiParameter("format", str, enum=["xlsx", "csv"], description="文件格式，默认 xlsx"),
                    OpenApiParameter("sheets", str, enum=["branch"], description="branch：每个党支部一个工作表（仅 xlsx）"),
                    OpenApiParameter("org", str, description="党组织编码：含全部下级")],
        responses={202: ExportJobSerializer, 400: OpenApiResponse(description="筛选条件或格式错误")},
        description=("与 GET members/export/ 同样的名册（范围、筛选、格式、隐去中间位、记入日志），由后台任务写出，"
                     "适合一次请求内写不完的长名单。条件写在查询串或 JSON 请求体中（两处都有时以请求体为准）。"
                     "返回任务（202）；轮询 GET exports/{id}/，status 为 done 后从 file 下载。文件保存7天后删除。"),
    )
    def create(self, request):
        data = request.data if hasattr(request.data, "items") else {}
        params = {**{k: v for k, v in request.query_params.items()},
                  **{k: v for k, v in data.items() if v not in (None, "")}}
        try:
            export = exports.plan(request.user, params, source="api")
            job = exports.queue(request.user, export, params, source="api")
        except exports.ExportError as e:
            raise ValidationError({"detail": str(e)}) from None
        body = self.get_serializer(job).data
        location = request.build_absolute_uri(reverse("export-job-detail", args=[job.pk]))
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

    @extend_schema(summary="下载后台导出的文件", parameters=[EXPORT_JOB_ID],
                   responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
                              OpenApiTypes.BINARY, (200, "text/csv"): OpenApiTypes.BINARY,
                              404: OpenApiResponse(description="任务不存在、尚未写完、失败或文件已删除")})
    @action(detail=True, methods=["get"], url_path="file", url_name="file")
    def file(self, request, pk=None):
        return views.export_job_file(get_object_or_404(self.get_queryset(), pk=pk))


class _ListExportView(APIView):
    """GET {list}/export/: the list's `?status=` (as in its GET) as the same file as the page's button."""

    content_negotiation_class = _FileFormatNegotiation
    name = ""
    tabs: dict[str, str] = {}  # the API's status -> the page's tab

    def get(self, request):
        which = request.query_params.get("status", "") or next(iter(self.tabs))
        if which not in self.tabs:
            raise ValidationError({"status": ["状态应为 " + "、".join(self.tabs)]})
        try:
            return views.list_export_response(request, self.name, self.tabs[which], request.query_params,
                                              source="api")
        except views.ExportError as e:
            raise ValidationError({"detail": str(e)}) from None


_LIST_EXPORT_RESPONSES = {
    (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
    (200, "text/csv"): OpenApiTypes.BINARY, 400: OpenApiResponse(description="状态或格式错误")}


@extend_schema(
    summary="导出流动党员台账",
    parameters=[OpenApiParameter("status", str, enum=["current", "transfer_due", "ended"], description="默认 current"),
                OpenApiParameter("org", str, description="党组织编码：流出或流入在其下级的"),
                OpenApiParameter("format", str, enum=["xlsx", "csv"], description="文件格式，默认 xlsx")],
    responses=_LIST_EXPORT_RESPONSES,
    description=("与 GET mobile-members/ 同样的范围和状态：每人先是导入模板各列（可再导入），后接外出地点、外出日期、流入地党组织等；"
                 "不能查看完整号码的，身份证号、手机号和外出联系方式隐去中间位。每次导出都记入日志。"),
)
class MobileExportView(_ListExportView):
    name = "mobile"
    tabs = {"current": "current", "transfer_due": "transfer", "ended": "ended"}


@extend_schema(
    summary="导出失联党员名单",
    parameters=[OpenApiParameter("status", str, enum=["candidates", "flagged", "removal"],
                                 description="疑似失联（默认）、已标记失去联系、停止党籍满2年"),
                OpenApiParameter("org", str, description="党组织编码：含全部下级"),
                OpenApiParameter("format", str, enum=["xlsx", "csv"], description="文件格式，默认 xlsx")],
    responses=_LIST_EXPORT_RESPONSES,
    description=("与失联党员页面同样的范围和名单：每人先是导入模板各列（可再导入），后接所在党支部、失去联系日期、最近联系情况、"
                 "停止党籍日期；不能查看完整号码的隐去中间位。每次导出都记入日志。"),
)
class LostContactExportView(_ListExportView):
    name = "lost"
    tabs = {"candidates": "candidates", "flagged": "flagged", "removal": "removal"}
