"""The result of an import job as a spreadsheet (导入结果表): every row's outcome, what changed, and
every error with its row, column, value and message, so a branch can fix its file and upload it again.

Written with xlsxwriter in constant-memory mode from the stored preview; numbers in labels are already
masked there (the preview never holds full ID numbers).
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from django.http import FileResponse

from .download import XLSX, temp_file_response
from .models import ImportJob
from .result import KIND_LABELS


def write(job: ImportJob, path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    head = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    red = wb.add_format({"font_color": "#B02A37", "text_wrap": True, "valign": "top"})

    # A workbook whose sheets were imported together: each line says its sheet, in a first column.
    # (Either every stored row has its sheet or none has: the first says.)
    sheets = any(e.get("sheet") for e in job.errors) or bool(
        job.outcomes.order_by("id").values_list("sheet", flat=True).first())
    o = 1 if sheets else 0

    def add_sheet(name: str, columns: list[tuple[str, int]]):
        """A result sheet with its heading row (the 工作表 column first when rows say their sheet)."""
        ws = wb.add_worksheet(name)
        columns = [("工作表", 14)] * o + columns
        for i, (_title, width) in enumerate(columns):
            ws.set_column(i, i, width)
        ws.write_row(0, 0, [title for title, _ in columns], head)
        ws.freeze_panes(1, 0)
        return ws

    ws = add_sheet("错误清单", [("行号", 8), ("列", 16), ("填写的值", 24), ("错误说明", 60)])
    if not job.errors:
        ws.write_string(1, 0, "没有错误" if job.status in (ImportJob.Status.PREVIEWED, ImportJob.Status.DONE)
                        else "尚未检查")
    for n, e in enumerate(job.errors, start=1):
        if sheets:
            ws.write_string(n, 0, e.get("sheet") or "")
        ws.write_number(n, o, e["row"])
        ws.write_string(n, o + 1, e.get("column") or "")
        ws.write_string(n, o + 2, str(e.get("value") or ""))
        ws.write_string(n, o + 3, e["message"], red)

    ws = add_sheet("逐行结果", [("行号", 8), ("结果", 8), ("党员" if job.kind == ImportJob.Kind.MEMBERS else "党组织", 30),
                               ("说明", 70)])
    outcomes = job.outcomes.order_by("id").values_list("row", "kind", "label", "changes", "errors", "sheet")
    for n, (row, kind, label, changes, errors, sheet) in enumerate(outcomes.iterator(chunk_size=2000), start=1):
        if sheets:
            ws.write_string(n, 0, sheet)
        ws.write_number(n, o, row)
        ws.write_string(n, o + 1, KIND_LABELS.get(kind, kind))
        ws.write_string(n, o + 2, label)
        if errors:
            ws.write_string(n, o + 3, "；".join(errors), red)
        elif changes:
            ws.write_string(n, o + 3, "；".join(f"{c}：{old or '（空）'} → {new or '（空）'}" for c, old, new in changes),
                            wrap)
    wb.close()


def response(job: ImportJob) -> FileResponse:
    stem = Path(job.file_name).stem or "导入"
    r, _ = temp_file_response(lambda path: write(job, path), suffix=".xlsx", prefix="import-result-",
                              content_type=XLSX, name=f"{stem}-导入结果.xlsx")
    return r
