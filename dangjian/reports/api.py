"""GET /api/v1/reports/members/?org=CODE&as_of=YYYY-MM-DD: the 党内统计 tables of a subtree, as the page shows them."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from . import queries

_COUNTS = serializers.DictField(child=serializers.IntegerField(), help_text="各列的人数或个数，键见 sections")
ReportSerializer = inline_serializer("MemberReport", {
    "org": serializers.CharField(), "org_name": serializers.CharField(),
    "as_of": serializers.DateField(help_text="统计截止日期"),
    "historical": serializers.BooleanField(help_text="true：按截止日当天结束时系统中的记录（历史版本）统计"),
    "sections": inline_serializer("MemberReportSection", {
        "key": serializers.CharField(), "title": serializers.CharField(),
        "columns": inline_serializer("MemberReportColumn", {"key": serializers.CharField(),
                                                           "label": serializers.CharField()}, many=True),
    }, many=True),
    "rows": inline_serializer("MemberReportRow", {
        "org": serializers.CharField(allow_null=True, help_text="下级党组织编码；null 为本级或合并的行"),
        "name": serializers.CharField(), "counts": _COUNTS,
    }, many=True),
    "total": _COUNTS,
    "folded": serializers.IntegerField(help_text="超过300个下级时合并为最后一行的党组织个数"),
})


class MemberReportViewSet(viewsets.ViewSet):
    """党内统计: the members and organizations of a subtree by the 党内统计 categories."""

    @extend_schema(
        summary="党内统计",
        parameters=[OpenApiParameter("org", str, required=True, description="党组织编码：含全部下级"),
                    OpenApiParameter("as_of", str, description="统计截止日期 YYYY-MM-DD，默认今天；年报用12月31日")],
        responses={200: ReportSerializer, 400: OpenApiResponse(description="缺少党组织编码或日期无效"),
                   404: OpenApiResponse(description="党组织不存在或不在查看范围内")},
        description=("按下级党组织分行：党组织个数（党委、党工委、党总支、党支部），党员总数、正式/预备、女、少数民族、"
                     "大专及以上，年龄段，入党时间段，学历，本年发展党员和转正。只计党籍正常的党员，按组织关系所在党支部统计；"
                     "年龄按截止日期计算；截止日期早于今天时按当日结束时系统中的记录统计。普通党员角色无权查看（404）。"),
    )
    def list(self, request):
        code = request.query_params.get("org")
        if not code:
            raise ValidationError({"org": ["请指定党组织编码"]})
        org = queries.org_in_view(request.user, code)
        try:
            ref = queries.parse_reference(request.query_params.get("as_of"))
        except queries.ReportError as e:
            raise ValidationError({"as_of": [str(e)]}) from None
        return Response(queries.as_json(queries.member_table(request.user, org, ref)))
