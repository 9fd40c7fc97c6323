"""党内统计 pages: /reports/ (the user's top organization) and /reports/members/<code>/ (the tables of a subtree,
?as_of= a past reference date, ?format=xlsx the same tables as a workbook). Reads start from `restrict`; an
organization outside the user's view scope answers 404, and so does a plain member (their own branch's figures
are not theirs to read)."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dangjian.core import audit
from dangjian.core.scope import scope_for
from dangjian.io.download import XLSX, attachment
from dangjian.rules import statistics as rules

from . import queries


@never_cache
@login_required
@require_GET
def index(request):
    org = queries.default_org(request.user)
    if org is None:
        raise Http404("没有可查看统计的党组织")
    return redirect("reports:members", code=org.code)


@never_cache
@login_required
@require_GET
def members(request, code):
    user = request.user
    org = queries.org_in_view(user, code)
    today = timezone.localdate()
    error = ""
    try:
        ref = queries.parse_reference(request.GET.get("as_of"), today)
    except queries.ReportError as e:
        error, ref = str(e), today
    table = queries.member_table(user, org, ref)
    if request.GET.get("format") == "xlsx" and not error:
        return _xlsx(request, table)
    parent = org.parent_org() if org.depth > 1 else None
    if parent is not None and not scope_for(user).covers(parent.path, "view"):
        parent = None
    return render(request, "reports/members.html", {
        "org": org, "table": table, "parent": parent, "error": error, "today": today,
        "last_reference": rules.last_reference_date(today), "as_of": request.GET.get("as_of", ""),
    }, status=400 if error else 200)


def _title(table: queries.Table) -> str:
    return f"{table.org.name} 党内统计（截至{table.reference.year}年{table.reference.month}月{table.reference.day}日）"


def _xlsx(request, table: queries.Table) -> HttpResponse:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True, "valign": "vcenter"})
    cell = wb.add_format({"border": 1})
    total_fmt = wb.add_format({"bold": True, "border": 1})
    for grid in table.grids():
        section = grid.section
        ws = wb.add_worksheet(section.title[:31])
        ws.write(0, 0, _title(table), bold)
        ws.write(1, 0, section.title)
        ws.write_row(3, 0, ["党组织编码", "党组织名称", *(c.label for c in section.columns)], head)
        r = 4
        for row, cells in grid.rows:
            ws.write_row(r, 0, [row.org.code if row.org else "", row.label, *cells], cell)
            r += 1
        ws.write_row(r, 0, ["", "合计", *grid.total], total_fmt)
        ws.write(r + 2, 0, "说明：党员按组织关系所在党支部统计，只计党籍正常的党员；年龄按统计截止日期计算；"
                           "“本年”为截止日期所在年度1月1日至截止日期。")
        ws.set_column(0, 0, 16)
        ws.set_column(1, 1, 30)
        ws.set_column(2, 1 + len(section.columns), 11)
        ws.set_row(3, 32)
        ws.freeze_panes(4, 2)
    wb.close()
    audit.record("reports.members.export", actor=request.user, obj=table.org,
                 detail={"as_of": table.reference.isoformat(), "rows": len(table.rows)})
    resp = HttpResponse(buf.getvalue(), content_type=XLSX)
    resp["Content-Disposition"] = attachment(f"{table.org.name}党内统计{table.reference.isoformat()}.xlsx")
    return resp
