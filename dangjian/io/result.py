"""What an import reports: every row's outcome (for the web preview), the errors, and the counts
(the JSON document of CONTRACT.md)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from .readers import BUNDLE_SHEET_SEP, TABLE_SUFFIXES

if TYPE_CHECKING:
    from dangjian.orgs.models import Org

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
KIND_LABELS = {CREATE: "新增", UPDATE: "变更", UNCHANGED: "无变化", ERROR: "错误"}
OUTCOME_CHOICES = list(KIND_LABELS.items())  # a row's outcome in the API (rows/)


@dataclass(slots=True)
class RowOutcome:
    row: int
    kind: str
    label: str = ""  # who or what the row is about (name and masked ID, or org code and name)
    changes: list = field(default_factory=list)  # [(column, old, new)] for an update
    errors: list = field(default_factory=list)  # the row's error dicts
    sheet: str = ""  # the row's worksheet, in a workbook whose sheets are imported together
    org: Org | None = None  # a valid member row's branch: the one a new member goes to, or the member's own

    def notes(self) -> list[str]:
        """The row's errors as the preview says them (stored in ImportRow.errors)."""
        return [note(e) for e in self.errors]


# Cells the preview does not repeat: the row's label shows the ID number masked already.
_NOT_QUOTED = {"公民身份号码", "联系电话"}


def note(error: dict) -> str:
    """One error as the preview says it: the column, the cell as written when the message does not
    already quote it (入党日期（2030-01-01）：入党日期不能晚于今天), and the message."""
    column, value, message = error["column"], error.get("value", ""), error["message"]
    if value and column not in _NOT_QUOTED and value not in message:
        column = f"{column}（{value[:30]}{'…' if len(value) > 30 else ''}）"
    return f"{column}：{message}" if column else message


# The lists of `ImportResult.sheets` other than "read", in the order they are said, with what they are ({unit}: 工作表,
# or 文件 for a .zip's; {no_header}: why a sheet without a header was not read).
SHEET_LISTS = [("passed_over", "未读取的{unit}（{no_header}）"),
               ("subsets", "未读取的{unit}（其中的党员都已在更大的工作表中）"),
               ("not_roster", "未读取的{unit}（表头不是党员名册，缺少多个必填列）"),
               ("not_members", "未读取的{unit}（从名称看不是在册党员）"),
               ("default_org", "没有所在党组织列、全部编入默认党组织的{unit}")]


def sheets_text(sheets: dict, file_name: str = "") -> list[str]:
    """The lines saying which sheets of a workbook were read (and with how many rows) and which were not; of a .zip
    (`file_name`), which of its files and sheets (a file of another kind, a .docx beside the rosters, is passed over
    as a sheet without a header is)."""
    bundle = is_bundle(file_name)
    words = {"unit": "文件" if bundle else "工作表", "no_header": "不是表格或没有表头" if bundle else "没有表头"}
    lines = []
    if sheets.get("read"):
        lines.append("读取的{unit}：".format(**words) + "、".join(f"“{name}”{rows}行" for name, rows in sheets["read"]))
    lines += [label.format(**words) + "：" + "、".join(f"“{name}”" for name in sheets[key])
              for key, label in SHEET_LISTS if sheets.get(key)]
    if sheets.get("named_org"):
        lines.append("没有所在党组织列、按标题或文件名编入党支部的{unit}：".format(**words)
                     + "、".join(f"“{name}”→{org}" for name, org in sheets["named_org"]))
    return lines


def is_bundle(file_name: str) -> bool:
    """A .zip of several rosters (or several files chosen together, bundled into one)."""
    return file_name.lower().endswith(".zip")


# A sheet of a .zip of rosters: its file (“东村.xlsx”), or its file and sheet (“东村.xlsx / 党员”), as
# `readers._bundle_sheets` names them.
_BUNDLED = re.compile(r"^(?P<file>.+?\.(?:" + "|".join(sorted(s[1:] for s in TABLE_SUFFIXES)) + "))(?:"
                      + re.escape(BUNDLE_SHEET_SEP) + r"(?P<sheet>.+))?$", re.IGNORECASE)


def place(row: int, sheet: str = "") -> str:
    """“第5行”, or “工作表“西村”第5行” for a row of a workbook whose sheets are imported together, or “文件“东村.xlsx”
    第5行” (“文件“东村.xlsx”工作表“党员”第5行”) for a row of one of the files of a .zip."""
    if not sheet:
        return f"第{row}行"
    if m := _BUNDLED.match(sheet):
        return f"文件“{m['file']}”" + (f"工作表“{m['sheet']}”" if m["sheet"] else "") + f"第{row}行"
    return f"工作表“{sheet}”第{row}行"


def where(error: dict) -> str:
    return place(error["row"], error.get("sheet", ""))


@dataclass
class ImportResult:
    kind: str  # "members" | "orgs"
    file_name: str = ""
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # file-level and row errors, in row order
    written: bool = False
    # Per-row outcomes are kept only for the web preview; a million-row import from the command line
    # keeps counts (`tally`) and errors only, so its memory does not grow with the file.
    keep_rows: bool = True
    tally: Counter = field(default_factory=Counter)
    # Where kept outcomes go every FLUSH rows (the web job: into ImportRow), so that `rows` holds only the
    # latest ones; None keeps them all in `rows`.
    sink: Callable[[list[RowOutcome]], None] | None = None
    sheet: str = ""  # the worksheet being read, when a workbook's sheets are imported together: set on outcomes
    # Of a workbook with more than one sheet: {"read": [[name, rows], …], "passed_over": [name, …]} (sheets without
    # a header), so that the user sees which sheets were taken; {} for a CSV or a one-sheet workbook.
    sheets: dict = field(default_factory=dict)
    # Kept rows per branch and outcome ({org id: (org, Counter)}): what the preview says per branch (`branch_counts`)
    by_branch: dict = field(default_factory=dict)


    FLUSH: ClassVar[int] = 5000

    def add(self, outcome: RowOutcome) -> None:
        self.tally[outcome.kind] += 1
        if self.sheet:
            outcome.sheet = self.sheet
        if outcome.org is not None:
            counts = self.by_branch.get(outcome.org.pk)
            if counts is None:
                counts = self.by_branch[outcome.org.pk] = (outcome.org, Counter())
            counts[1][outcome.kind] += 1
        if self.keep_rows:
            self.rows.append(outcome)
            if self.sink is not None and len(self.rows) >= self.FLUSH:
                self.flush()

    def flush(self) -> None:
        """The kept outcomes to the sink, in order."""
        if self.sink is not None and self.rows:
            self.sink(self.rows)
            self.rows = []

    def tick(self, kind: str) -> None:
        """A row of `kind` counted without its outcome (when rows are not kept)."""
        self.tally[kind] += 1

    def count(self, kind: str) -> int:
        if self.tally:
            return self.tally[kind]
        return sum(1 for r in self.rows if r.kind == kind)

    def branch_counts(self) -> list[list]:
        """[[code, name, created, updated, unchanged], …] of the kept rows' branches in the tree's order (as the
        organization tree lists them)."""
        return [[org.code, org.name, c[CREATE], c[UPDATE], c[UNCHANGED]]
                for org, c in sorted(self.by_branch.values(), key=lambda item: item[0].path)]

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict:
        return {"created": self.count(CREATE), "updated": self.count(UPDATE), "unchanged": self.count(UNCHANGED)}

    def as_json(self) -> dict:
        """CONTRACT: {"created", "updated", "unchanged"} on success, {"errors": [...]} otherwise."""
        if self.errors:
            return {"errors": self.errors}
        return self.counts()

    def as_text(self) -> str:
        if self.errors:
            lines = [f"导入失败：{len(self.errors)}处错误，未写入任何数据"]
            lines += [f"{where(e)} {e['column']}“{e['value']}”：{e['message']}" for e in self.errors]
            return "\n".join([*lines, *sheets_text(self.sheets, self.file_name)])
        c = self.counts()
        head = "已导入" if self.written else "检查通过（未写入）"
        text = f"{head}：新增{c['created']}，变更{c['updated']}，无变化{c['unchanged']}"
        return "\n".join([text, *sheets_text(self.sheets, self.file_name)])
