"""Member export: the import template's columns and Chinese headers, so an export can be edited and
imported again. Rows stream from the database (`.iterator(chunk_size=…)` over value tuples) into
`xlsx_write` (one pass, deflated as it goes) or a CSV writer: memory stays flat for a million members.

The other member lists (流动党员, 失联党员) export the same columns for each member, followed by the list's
own columns (`Ledger`): the import ignores columns it does not know, so these files import again too.
"""

from __future__ import annotations

import csv
import datetime as dt
import operator
from collections.abc import Callable, Iterable

from dangjian.core import idcard
from dangjian.members.choices import Category, Education, Gender
from dangjian.orgs.models import Org

from .columns import MEMBER_COLUMNS
from .xlsx_write import XlsxWriter

CHUNK = 2000
HEADERS = [c.name for c in MEMBER_COLUMNS]
# The database columns behind the template's columns, in the same order.
VALUES = ["name", "gender", "ethnicity", "id_number", "birth_date", "education", "category", "joined_on",
          "confirmed_on", "job", "phone", "org__code", "org_path"]
_GENDER = dict(Gender.choices)
_EDUCATION = dict(Education.choices)
_CATEGORY = dict(Category.choices)
FORMATS = ("xlsx", "csv")
ORG_CELL = HEADERS.index("所在党组织编码")  # the branch's code, the last of the template's cells
MAX_BRANCH_SHEETS = 500  # an export by branch: a county's branches, not a province's
BY_BRANCH_XLSX_ONLY = "按支部分工作表只适用于 Excel（.xlsx）文件"


def format_for(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in FORMATS:
        raise ValueError(f"导出文件须以 .xlsx 或 .csv 结尾（实为“{name}”）")
    return ext


def rows_of(qs, *, full: Callable[[str], bool]) -> Iterable[list]:
    """Export rows of a member queryset. `full(org_path)` says whether the ID and phone number of a
    member in that branch may be shown in full; otherwise they are masked."""
    for (name, gender, ethnicity, number, birth, education, category, joined, confirmed, job, phone, code,
         org_path) in qs.values_list(*VALUES).iterator(chunk_size=CHUNK):
        show = full(org_path)
        yield [name, _GENDER.get(gender, gender), ethnicity, number if show else idcard.mask(number), birth,
               _EDUCATION.get(education, education), _CATEGORY.get(category, category), joined, confirmed,
               job, phone if show else idcard.mask_phone(phone), code]


WIDTHS = [10, 6, 8, 22, 12, 10, 10, 12, 12, 16, 14, 16]


def template_cells(m, show: bool) -> list:
    """The template's cells of one member instance (its `org` loaded), as `rows_of` gives them."""
    return [m.name, _GENDER.get(m.gender, m.gender), m.ethnicity, m.id_number if show else idcard.mask(m.id_number),
            m.birth_date, _EDUCATION.get(m.education, m.education), _CATEGORY.get(m.category, m.category),
            m.joined_on, m.confirmed_on, m.job, m.phone if show else idcard.mask_phone(m.phone), m.org.code]


class Ledger:
    """A member list's export: the template's columns of each row's member, then the list's own columns.
    `member_of(row)` is the row's member; `extra` is [(header, width, cell(row, show))], `show` saying
    whether the member's numbers may be shown in full."""

    def __init__(self, sheet: str, extra: list[tuple[str, int, Callable]], member_of: Callable = lambda row: row):
        self.sheet, self.extra, self.member_of = sheet, extra, member_of
        self.headers = HEADERS + [h for h, _w, _c in extra]
        self.widths = WIDTHS + [w for _h, w, _c in extra]

    def rows(self, qs, *, full: Callable[[str], bool]) -> Iterable[list]:
        for row in qs.iterator(chunk_size=CHUNK):
            m = self.member_of(row)
            show = full(m.org_path)
            yield template_cells(m, show) + [cell(row, show) for _h, _w, cell in self.extra]

    def export_to_path(self, qs, path, *, full: Callable[[str], bool]) -> int:
        return write_file(path, self.rows(qs, full=full), headers=self.headers, widths=self.widths, sheet=self.sheet)


def write_xlsx(path, rows: Iterable[list], *, headers: list[str] = HEADERS, widths: list[int] = WIDTHS,
               sheet: str = "党员名册") -> int:
    """One pass, constant memory (`xlsx_write`); past Excel's 1,048,576 rows the export goes on in a second sheet."""
    return XlsxWriter(path, headers=headers, widths=widths, sheet=sheet).write(rows)


def write_csv(stream, rows: Iterable[list], *, headers: list[str] = HEADERS) -> int:
    """UTF-8 with BOM, so that Excel on Windows opens it with the right encoding."""
    stream.write("\ufeff")
    w = csv.writer(stream)
    w.writerow(headers)
    n = 0
    for n, row in enumerate(rows, start=1):
        w.writerow(["" if v is None else (v.isoformat() if isinstance(v, dt.date) else v) for v in row])
    return n


def write_file(path, rows: Iterable[list], *, headers: list[str] = HEADERS, widths: list[int] = WIDTHS,
               sheet: str = "党员名册") -> int:
    """`rows` into `path` as .xlsx or .csv, by its extension; the number of rows written."""
    if format_for(str(path)) == "xlsx":
        return write_xlsx(path, rows, headers=headers, widths=widths, sheet=sheet)
    with open(path, "w", encoding="utf-8", newline="") as f:
        return write_csv(f, rows, headers=headers)


def export_to_path(qs, path, *, full: Callable[[str], bool], by_branch: bool = False,
                   watch: Callable[[Iterable[list]], Iterable[list]] | None = None) -> int:
    """The members of `qs` (in org_path order) into `path`. `by_branch` (.xlsx only): each branch on a sheet of its
    own, named after it, as a town sends each village its roster to check; the import reads such a workbook whole.
    `watch(rows)`: the rows passed through it on their way (a background job counts them)."""
    rows = rows_of(qs, full=full)
    if watch is not None:
        rows = watch(rows)
    if not by_branch:
        return write_file(path, rows)
    if format_for(str(path)) != "xlsx":
        raise ValueError(BY_BRANCH_XLSX_ONLY)
    # The list's branches, counted and named in one query (a sheet title each).
    names = dict(Org.objects.filter(pk__in=qs.order_by().values("org_id")).values_list("code", "name"))
    if len(names) > MAX_BRANCH_SHEETS:
        raise ValueError(f"名单涉及{len(names)}个党支部，按支部分工作表最多{MAX_BRANCH_SHEETS}个；请选小一些的范围，或不分表导出")
    return XlsxWriter(path, headers=HEADERS, widths=WIDTHS).write(
        rows, group_of=operator.itemgetter(ORG_CELL), title_of=lambda code: names.get(code, code))
