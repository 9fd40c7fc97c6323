"""The result of an import job as a spreadsheet (导入结果表): every row's outcome, what changed, and
every error with its row, column, value and message, so a branch can fix its file and upload it again.

Written in one pass by `xlsx_write` from the stored preview (a 200,000-row result in seconds, inside the download's
request); numbers in labels are already masked there (the preview never holds full ID numbers).
"""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse

from . import without_rows
from .download import XLSX, temp_file_response
from .models import ImportJob
from .result import KIND_LABELS, is_bundle
from .xlsx_write import ERROR, WRAP, Number, Styled, Workbook


def write(job: ImportJob, path) -> None:
    # A workbook whose sheets were imported together: each line says its sheet, in a first column.
    # (Either every stored row has its sheet or none has: the first says.)
    sheets = any(e.get("sheet") for e in job.errors) or bool(
        job.outcomes.order_by("id").values_list("sheet", flat=True).first())
    bundle = is_bundle(job.file_name)  # a .zip's rows say their file (and sheet): a longer name, a wider column
    first = [("文件/工作表", 24) if bundle else ("工作表", 14)] if sheets else []

    def table(wb, title: str, columns: list[tuple[str, int]], rows) -> None:
        columns = first + columns
        wb.table(title, [c for c, _ in columns], [w for _, w in columns], rows)

    def errors():
        if not job.errors:
            yield [""] * len(first) + ["没有错误" if job.status in (ImportJob.Status.PREVIEWED, ImportJob.Status.DONE)
                                       else "尚未检查"]
        for e in job.errors:
            yield [e.get("sheet") or ""] * len(first) + [
                Number(e["row"]), e.get("column") or "", str(e.get("value") or ""), Styled(e["message"], ERROR)]

    def outcomes():
        names = job.branch_names
        stored = job.outcomes.order_by("id").values_list("row", "kind", "label", "changes", "errors", "sheet", "org_code")
        for row, kind, label, changes, notes, sheet, org in stored.iterator(chunk_size=2000):
            org = names.get(org, "")
            if notes:
                note = Styled("；".join(notes), ERROR)
            elif changes:
                note = Styled("；".join(f"{c}：{old or '（空）'} → {new or '（空）'}" for c, old, new in changes), WRAP)
            else:
                note = ""
            yield [sheet] * len(first) + [Number(row), KIND_LABELS.get(kind, kind), label, *[org] * members, note]

    members = job.kind == ImportJob.Kind.MEMBERS  # member rows say their branch (a new one's: where it goes)
    with Workbook(path) as wb:
        table(wb, "错误清单", [("行号", 8), ("列", 16), ("填写的值", 24), ("错误说明", 60)], errors())
        table(wb, "逐行结果", [("行号", 8), ("结果", 8), ("党员" if members else "党组织", 30),
                               *[("所在党组织", 30)] * members, ("说明", 70)], outcomes())
        if job.several_branches:
            wb.table("按党支部", ["党组织编码", "党支部", "新增", "变更", "无变化"], [20, 36, 8, 8, 8],
                     ([code, name, Number(c), Number(u), Number(n)] for code, name, c, u, n in job.branches))
        missing = without_rows.branches_without_rows(job, job.user, shown=without_rows.MISSING_LISTED)  # the uploader's scope
        if missing is not None:
            wb.table("没有党员的党支部", ["党组织编码", "党支部"], [20, 60], _missing_rows(missing))


def _missing_rows(missing: dict):
    """The branches of the file's common parent it has no member of, then one line that counts them."""
    yield from ([code, name] for code, name in missing["shown"])
    if not missing["count"]:
        yield ["", missing["text"]]
    else:
        more = "多" if missing["more"] else ""
        listed = f"，此处列出前 {len(missing['shown'])} 个" if missing["count"] > len(missing["shown"]) else ""
        yield ["", f"{missing['parent'].name}下共 {missing['count']}{more} 个党支部在本次文件中没有党员{listed}"]


def response(job: ImportJob) -> FileResponse:
    stem = Path(job.file_name).stem or "导入"
    r, _ = temp_file_response(lambda path: write(job, path), suffix=".xlsx", prefix="import-result-",
                              content_type=XLSX, name=f"{stem}-导入结果.xlsx")
    return r
